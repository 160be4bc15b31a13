// How long each parameter of an authorization or sign-out request may be. The provider keeps them with the
// interaction and copies several back out (state into the redirect, nonce and acr into the ID token), so
// none may be as long as Node.js lets an address be (16 KiB). Limits are in bytes of UTF-8.
import type { KoaContextWithOIDC } from "oidc-provider";

/**
 * The authorization request's parameters, with their limits. Generous for what clients really send: state
 * carries some frameworks' encrypted return data (ASP.NET's is near 1 KB), nonce a random value or a hash;
 * redirect_uri must match one registered (registration takes 2,000); id_token_hint is one of our ID tokens.
 */
export const AUTHORIZATION_PARAM_LIMITS = {
  state: 2048,
  nonce: 512,
  redirect_uri: 2000,
  client_id: 64,
  scope: 1024,
  claims: 4096,
  id_token_hint: 4096,
  login_hint: 512,
  acr_values: 512,
  ui_locales: 256,
  claims_locales: 256,
  prompt: 256,
  display: 256,
  max_age: 32,
  response_type: 64,
  response_mode: 64,
  code_challenge: 128,
  code_challenge_method: 32,
} as const satisfies Record<string, number>;

/** RP-initiated logout's parameters: state goes back in the redirect to post_logout_redirect_uri. */
export const END_SESSION_PARAM_LIMITS = {
  state: 2048,
  post_logout_redirect_uri: 2000,
  client_id: 64,
  id_token_hint: 4096,
  logout_hint: 512,
  ui_locales: 256,
} as const satisfies Record<string, number>;

/** The first parameter of `params` longer than its limit, with the limit, or null when all fit. */
export function findOversizedParam(
  params: Readonly<Record<string, unknown>>,
  limits: Readonly<Record<string, number>>,
): { name: string; limit: number } | null {
  for (const [name, limit] of Object.entries(limits)) {
    const value = params[name];
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === "string" && Buffer.byteLength(v, "utf8") > limit)) return { name, limit };
  }
  return null;
}

export function describeOversizedParam(found: { name: string; limit: number }): string {
  return `${found.name} must be at most ${found.limit} bytes`;
}

type InvalidRequestError = new (description: string) => Error;

/**
 * The provider's `extraParams` validators: one per parameter, run after the client and its redirect_uri are
 * checked, so the error (invalid_request) goes to the application when it can, and before anything is
 * stored. An oversized state is not sent back with the error.
 */
export function authorizationParamValidators(InvalidRequest: InvalidRequestError): Record<string, (ctx: KoaContextWithOIDC) => void> {
  return Object.fromEntries(
    Object.entries(AUTHORIZATION_PARAM_LIMITS).map(([name, limit]) => [
      name,
      (ctx: KoaContextWithOIDC): void => {
        // The value as sent: the provider has by now cut scope down to the scopes it knows, for one.
        const sent = (ctx.method === "POST" ? ctx.oidc.body : ctx.query) as Record<string, unknown> | undefined;
        if (!sent || !findOversizedParam(sent, { [name]: limit })) return;
        const params = ctx.oidc.params as Record<string, unknown> | undefined;
        if (params && findOversizedParam(sent, { state: AUTHORIZATION_PARAM_LIMITS.state })) params.state = undefined;
        throw new InvalidRequest(describeOversizedParam({ name, limit }));
      },
    ]),
  );
}
