// Sends a server-rendered page inside the shared layout.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import type { SafeHtml } from "../lib/html.ts";
import { renderLayout } from "../views/layout.ts";

const tokens = new WeakMap<FastifyReply, string>();

/**
 * The CSRF token for this response. Generated once per response: a second generation would set a second
 * secret cookie and invalidate the tokens already placed in the page.
 */
export function csrfTokenFor(reply: FastifyReply): string {
  let token = tokens.get(reply);
  if (!token) {
    token = reply.generateCsrf();
    tokens.set(reply, token);
  }
  return token;
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  narrow?: boolean;
  status?: number;
  csrfToken?: string;
}

export function sendPage(request: FastifyRequest, reply: FastifyReply, deps: Pick<Deps, "config">, options: PageOptions): FastifyReply {
  const user = request.auth ? { name: request.auth.account.name, isAdmin: request.auth.account.isAdmin } : null;
  const csrfToken = options.csrfToken ?? (user ? csrfTokenFor(reply) : undefined);
  return reply
    .code(options.status ?? 200)
    .type("text/html; charset=utf-8")
    .send(
      renderLayout({
        title: options.title,
        locale: request.locale,
        branding: deps.config.branding,
        body: options.body,
        narrow: options.narrow ?? true,
        user,
        testMode: deps.config.captchaTestMode,
        currentPath: request.url.split("?")[0] ?? "/",
        ...(csrfToken ? { csrfToken } : {}),
      }),
    );
}
