/** Real HTTP on loopback for Fastify apps (jest cannot load light-my-request's ESM dependency for inject). */
import type { FastifyInstance } from "fastify";

export interface Listening {
  url: string;
  request(method: string, path: string, init?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; text: string; json(): any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read any JSON shape
  close(): Promise<void>;
}

export async function listen(app: FastifyInstance): Promise<Listening> {
  const url = (await app.listen({ port: 0, host: "127.0.0.1" })).replace("localhost", "127.0.0.1");
  return {
    url,
    async request(method, path, init = {}) {
      const response = await fetch(url + path, { method, body: init.body, headers: { connection: "close", ...init.headers } });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
    },
    close: () => app.close(),
  };
}
