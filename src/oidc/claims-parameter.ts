// The claims parameter (OpenID Connect Core 5.5): checked as the library checks it, then cut down to what
// Latchkey releases. The library puts sid in the ID token (and in the code and tokens, which introspection
// shows) of any request that names sid there, whatever claims_supported says; Latchkey gives none.
import type { ClaimsParameter, KoaContextWithOIDC } from "oidc-provider";
import { isRecord } from "../http/forms.ts";

type InvalidRequestError = new (description: string) => Error;

/** Claims that Latchkey never releases, even when asked for by name. */
const WITHHELD_CLAIMS = ["sid"] as const;

const CONTAINERS = ["userinfo", "id_token"] as const;

/**
 * The provider's `features.claimsParameter.assertClaimsParameter`: refuses a member that is neither null nor
 * an object (the library's own check, which this replaces), then drops the withheld claims from the
 * request's claims parameter. The provider reads the parameter again later (and keeps it with the
 * interaction), so the shortened JSON replaces the parameter itself.
 */
export function claimsParameterAssertion(InvalidRequest: InvalidRequestError): (ctx: KoaContextWithOIDC, claims: ClaimsParameter) => void {
  return (ctx, parameter) => {
    const claims: Record<string, unknown> = { ...parameter };
    let withheld = false;
    for (const container of CONTAINERS) {
      const members = claims[container];
      if (!isRecord(members)) continue;
      for (const value of Object.values(members)) {
        if (value !== null && !isRecord(value)) throw new InvalidRequest(`claims.${container} members must be null or objects`);
      }
      for (const claim of WITHHELD_CLAIMS) {
        if (!Object.hasOwn(members, claim)) continue;
        delete members[claim];
        withheld = true;
      }
    }
    if (withheld) (ctx.oidc.params as Record<string, unknown>).claims = JSON.stringify(claims);
  };
}
