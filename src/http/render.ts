// Sends a server-rendered page inside the shared layout.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import type { SafeHtml } from "../lib/html.ts";
import { renderLayout } from "../views/layout.ts";

export interface PageOptions {
  title: string;
  body: SafeHtml;
  narrow?: boolean;
  status?: number;
  csrfToken?: string;
}

export function sendPage(request: FastifyRequest, reply: FastifyReply, deps: Pick<Deps, "config">, options: PageOptions): FastifyReply {
  const user = request.auth ? { name: request.auth.account.name, isAdmin: request.auth.account.isAdmin } : null;
  const csrfToken = options.csrfToken ?? (user ? reply.generateCsrf() : undefined);
  return reply
    .code(options.status ?? 200)
    .type("text/html; charset=utf-8")
    .send(renderLayout({ title: options.title, body: options.body, narrow: options.narrow ?? true, user, testMode: deps.config.captchaTestMode, ...(csrfToken ? { csrfToken } : {}) }));
}
