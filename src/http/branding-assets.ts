// Serves the branding folder's files (logo, favicon, extra stylesheet) and the colours' stylesheet, read once
// at start-up, under URLs that carry a hash of their content, so browsers may keep them for a year.
import type { FastifyInstance } from "fastify";
import type { BrandAsset, Branding } from "../config/branding.ts";
import { AppError } from "../errors/app-error.ts";
import type { MethodCheckConfig } from "./method-check.ts";

/** Nothing inside a served SVG may run, load or be framed, even when it is opened on its own. */
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

export function brandAssets(branding: Branding): BrandAsset[] {
  return [branding.logo, branding.favicon, branding.stylesheet, branding.theme].filter((a): a is BrandAsset => a !== undefined);
}

export function registerBrandingAssets(app: FastifyInstance, branding: Branding): void {
  const byUrl = new Map(brandAssets(branding).map((asset) => [asset.url, asset]));
  app.get<{ Params: { version: string; name: string } }>(
    "/assets/brand/:version/:name",
    {
      // Only the current files are there: other methods answer 405 at their addresses, 404 at any other.
      config: { servesPath: (path: string) => byUrl.has(path) } satisfies MethodCheckConfig,
      schema: {
        params: {
          type: "object",
          properties: { version: { type: "string", maxLength: 64 }, name: { type: "string", maxLength: 32 } },
          required: ["version", "name"],
        },
      },
    },
    async (request, reply) => {
      const asset = byUrl.get(`/assets/brand/${request.params.version}/${request.params.name}`);
      if (!asset) throw new AppError("NOT_FOUND", { detail: request.url });
      reply
        .header("content-type", asset.contentType)
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff");
      if (asset.contentType.startsWith("image/svg+xml")) reply.header("content-security-policy", SVG_POLICY).header("content-disposition", "inline");
      return reply.send(asset.body);
    },
  );
}
