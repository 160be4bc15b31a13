// The language menu (POST /language, a form on every page that works without JavaScript) and its API:
// GET /api/v1/locales, PUT /api/v1/account/locale.
import { Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors/app-error.ts";
import { requireApiAuth } from "../http/auth.ts";
import { baseCookieOptions } from "../http/cookies.ts";
import { redirectSeeOther, safeReturnPath } from "../http/forms.ts";
import type { TypedApp } from "../http/typed-app.ts";
import { chosenLocale, saveLanguageChoice } from "./choice.ts";
import { LOCALE_NAMES, type Locale, textDirection } from "./locales.ts";
import { LOCALE_COOKIE } from "./negotiate.ts";

/** How long the browser remembers a choice: a year, renewed by every new choice. */
const LOCALE_COOKIE_SECONDS = 365 * 24 * 60 * 60;

export const LanguageForm = Type.Object(
  {
    _csrf: Type.Optional(Type.String({ maxLength: 512 })),
    locale: Type.String({ maxLength: 16 }),
    return_to: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const LocaleBody = Type.Object({ locale: Type.Union([Type.String({ maxLength: 16 }), Type.Null()]) }, { additionalProperties: false });

const LocaleAnswer = Type.Object({ locale: Type.Union([Type.String(), Type.Null()]) });

const LocalesAnswer = Type.Object({
  locales: Type.Array(Type.Object({ locale: Type.String(), name: Type.String(), dir: Type.String() })),
  default: Type.String(),
  current: Type.String(),
});

function rememberInBrowser(reply: FastifyReply, deps: Pick<Deps, "config">, locale: Locale): void {
  reply.setCookie(LOCALE_COOKIE, locale, { ...baseCookieOptions(deps.config), maxAge: LOCALE_COOKIE_SECONDS });
}

export function registerLanguageRoutes(app: TypedApp, deps: Deps): void {
  app.post("/language", { schema: { body: LanguageForm }, preHandler: app.csrfProtection }, async (request, reply) => {
    const locale = chosenLocale(deps, request.body.locale);
    if (!locale) throw new AppError("VALIDATION_FAILED", { field: "locale", detail: "language not offered" });
    rememberInBrowser(reply, deps, locale);
    if (request.auth) await saveLanguageChoice(deps, request.auth.account.id, locale);
    return redirectSeeOther(reply, safeReturnPath(request.body.return_to, "/"));
  });

  app.get("/api/v1/locales", { schema: { response: { 200: LocalesAnswer } } }, async (request) => ({
    locales: deps.config.locales.offered.map((locale) => ({ locale, name: LOCALE_NAMES[locale], dir: textDirection(locale) })),
    default: deps.config.locales.fallback,
    current: request.locale,
  }));

  // For a signed-in person: the saved language (null when none is saved), and saving or forgetting one.
  app.get("/api/v1/account/locale", { schema: { response: { 200: LocaleAnswer } } }, async (request) => ({
    locale: requireApiAuth(request).account.locale,
  }));

  app.put("/api/v1/account/locale", { schema: { body: LocaleBody, response: { 200: LocaleAnswer } } }, async (request) => {
    const auth = requireApiAuth(request);
    const requested = request.body.locale;
    const locale = requested === null ? null : chosenLocale(deps, requested);
    if (locale === undefined) throw new AppError("VALIDATION_FAILED", { field: "locale", detail: "language not offered" });
    await saveLanguageChoice(deps, auth.account.id, locale);
    return { locale };
  });
}
