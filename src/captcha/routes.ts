// Challenge creation for apps, and the picture and audio of a challenge.
import { Readable } from "node:stream";
import { Type } from "@sinclair/typebox";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { requesterBinding } from "../http/browser-id.ts";
import { limitClient } from "../http/client-limits.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { PowProofField, requirePow } from "../pow/routes.ts";
import { CAPTCHA_PURPOSES, createCAPTCHAChallenge, renderChallengeAudio, renderChallengeImage } from "./challenges.ts";

const CreateBody = Type.Object({ purpose: Type.Union(CAPTCHA_PURPOSES.map((p) => Type.Literal(p))), pow: PowProofField }, { additionalProperties: false });
const MediaParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_-]{20}$" }) }, { additionalProperties: false });

export function registerCAPTCHARoutes(app: TypedApp, deps: Deps): void {
  app.post(
    "/api/v1/captcha",
    { schema: { body: CreateBody }, preHandler: [limitClient(deps, "captcha"), requirePow(deps, "captcha")] },
    async (request, reply) => {
      const { purpose } = request.body;
      const challenge = await createCAPTCHAChallenge(deps, { purpose, binding: requesterBinding(request), locale: request.locale });
      return reply.code(201).send(challenge);
    },
  );

  // Security: drawing a picture takes milliseconds of processor time and a challenge's picture can be asked
  // for again and again, so without a per-address limit one client could keep the server busy drawing.
  app.get("/captcha/:id.png", { schema: { params: MediaParams }, preHandler: limitClient(deps, "captchaImage") }, async (request, reply) => {
    const parts = await renderChallengeImage(deps, request.params.id);
    if (!parts) throw new AppError("NOT_FOUND", { detail: "no such challenge" });
    // The file's parts go out one after the other, its length known in advance.
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    return reply.type("image/png").header("cache-control", "no-store").header("content-length", length).send(Readable.from(parts));
  });

  app.get("/captcha/:id.wav", { schema: { params: MediaParams }, preHandler: limitClient(deps, "captchaAudio") }, async (request, reply) => {
    const audio = await renderChallengeAudio(deps, request.params.id);
    if (!audio) throw new AppError("NOT_FOUND", { detail: "no such challenge" });
    // Content-Language names the language spoken: the one the challenge was made in.
    return reply
      .type("audio/wav")
      .header("content-language", audio.locale)
      .header("content-disposition", 'inline; filename="security-check.wav"')
      .send(audio.clip);
  });
}
