// Sends a server-rendered page inside the shared layout.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import type { SafeHtml } from "../lib/html.ts";
import { type LanguageMenu, renderLayout } from "../views/layout.ts";
import { safeReturnPath } from "./forms.ts";

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

/**
 * The language menu of a page: the offered languages and this page as the place to come back to. Null with
 * a single language. Every page then carries a CSRF token, which the menu's form posts.
 */
export function languageMenuFor(request: FastifyRequest, deps: Pick<Deps, "config">): LanguageMenu | null {
  const offered = deps.config.locales.offered;
  if (offered.length < 2) return null;
  // A page shown in answer to a form post comes back to the form's path (its GET shows the form again).
  const here = request.method === "GET" ? request.url : (request.url.split("?")[0] ?? "/");
  return { offered, returnTo: safeReturnPath(here, "/") };
}

export function sendPage(request: FastifyRequest, reply: FastifyReply, deps: Pick<Deps, "config">, options: PageOptions): FastifyReply {
  const user = request.auth ? { name: request.auth.account.name, isAdmin: request.auth.account.isAdmin } : null;
  const menu = languageMenuFor(request, deps);
  const csrfToken = options.csrfToken ?? (user || menu ? csrfTokenFor(reply) : undefined);
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
        ...(menu ? { languageMenu: menu } : {}),
      }),
    );
}
