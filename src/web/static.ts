/**
 * The cabinet's own CSS and JavaScript, read once at start-up and served from memory under
 * /app/static/. Their URLs carry a hash of the content, so browsers may keep them for a year and
 * still get a new version the moment it changes.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { PROJECT_ROOT } from "../paths";

export const STATIC_DIR = path.join(PROJECT_ROOT, "src", "web", "static");

const TYPES: Record<string, string> = { ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml" };

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

export interface StaticAssets {
  /** The URL of an asset, with its content hash. */
  url(name: string): string;
}

export function registerStatic(app: FastifyInstance): StaticAssets {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(STATIC_DIR)) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = fs.readFileSync(path.join(STATIC_DIR, name));
    assets.set(name, { body, type, hash: createHash("sha256").update(body).digest("hex").slice(0, 12) });
  }
  app.get<{ Params: { name: string } }>("/static/:name", { config: { rateLimit: false } }, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header("cache-control", "public, max-age=31536000, immutable").send(asset.body);
  });
  return {
    url(name) {
      const asset = assets.get(name);
      if (!asset) throw new Error(`no static asset ${name}`);
      return `/app/static/${name}?v=${asset.hash}`;
    },
  };
}
