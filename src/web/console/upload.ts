/**
 * Console forms that carry a file (the signed e-document of a written consent, issue 13): a scope
 * with @fastify/multipart whose file parts are hashed as they stream in and never kept — the body
 * gets `{ sha256, size, name }` in place of the file, the text fields as strings. The CSRF check of
 * security.ts runs after the parsing (preHandler after preValidation), on the `_csrf` field as for
 * every other form.
 */
import { createHash } from "node:crypto";
import multipart, { type MultipartFile } from "@fastify/multipart";
import type { FastifyInstance } from "fastify";

/** A signed e-document is a PDF or a signature container: 20 MB is more than any school sends. */
export const UPLOAD_LIMIT = 20 * 1024 * 1024;

export interface UploadedFile {
  sha256: string;
  size: number;
  name: string;
}

export const isUpload = (value: unknown): value is UploadedFile =>
  !!value && typeof value === "object" && typeof (value as UploadedFile).sha256 === "string" && typeof (value as UploadedFile).size === "number";

/** Registers `routes` in a scope that accepts multipart/form-data (and the ordinary url-encoded forms). */
export function withUploads(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: "keyValues",
      limits: { fileSize: UPLOAD_LIMIT, files: 1, fields: 30, fieldSize: 8 * 1024, parts: 32 },
      async onFile(part: MultipartFile) {
        const hash = createHash("sha256");
        let size = 0;
        for await (const chunk of part.file) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        // keyValues puts a part's `value` into the body: the file becomes its hash.
        (part as unknown as { value: UploadedFile }).value = { sha256: hash.digest("hex"), size, name: part.filename };
      },
    });
    routes(scope);
  });
}
