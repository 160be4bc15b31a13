// Serves public/ (styles, scripts, fonts, icons) under /assets/ with @fastify/send: ETag and Last-Modified
// with conditional answers, ranges, a content type from the file name, and an hour in caches. A path that
// climbs out of the folder, names a dot-file or a folder, or finds nothing is our own 404 page.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import send from "@fastify/send";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors/app-error.ts";
import type { MethodCheckConfig } from "./method-check.ts";

const ASSET_PATH_MAX = 256;
const PREFIX = "/assets/";

/** The files under `root` that send() serves (no dot-files, nothing in a dot-folder), as paths relative to it with "/". */
function listServedFiles(root: string, folder = ""): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".")) return [];
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listServedFiles(root, path);
    return entry.isFile() ? [path] : [];
  });
}

/**
 * Whether a request path ("/assets/style.css", percent-encoded as sent) names a file of `root`, so other
 * methods there answer 405 with Allow: GET, HEAD, and 404 elsewhere. The folder ships with the program:
 * it is read once, on the first such request.
 */
function servedPathCheck(root: string): (path: string) => boolean {
  let files: Set<string> | undefined;
  return (path) => {
    files ??= new Set(listServedFiles(root));
    try {
      return files.has(decodeURIComponent(path.slice(PREFIX.length)));
    } catch {
      return false;
    }
  };
}

export function registerPublicAssets(app: FastifyInstance, root: string): void {
  const options = { root, index: false, dotfiles: "ignore", maxAge: 3_600_000 } as const;
  const config = { servesPath: servedPathCheck(root) } satisfies MethodCheckConfig;
  app.get<{ Params: { "*": string } }>(`${PREFIX}*`, { config }, async (request, reply) => {
    // No file of ours has a longer path: a longer one is not found rather than refused.
    if (request.params["*"].length > ASSET_PATH_MAX) throw new AppError("NOT_FOUND", { detail: request.url.slice(0, ASSET_PATH_MAX) });
    // The router hands the path over decoded; send() wants it URL-encoded, as it stood in the request.
    const result = await send(request.raw, encodeURI(request.params["*"]), options);
    // 412 and 416 answer a conditional or range request about a file that is there: they go out as they are.
    if (result.type === "file" || result.statusCode === 412 || result.statusCode === 416) {
      return reply.code(result.statusCode).headers(result.headers).send(result.stream);
    }
    if (result.type === "error" && result.statusCode >= 500) request.log.warn({ err: result.metadata.error }, "a public asset could not be read");
    throw new AppError("NOT_FOUND", { detail: request.url });
  });
}
