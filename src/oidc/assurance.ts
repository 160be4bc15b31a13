// How sure of the person an authorization request demands Latchkey be: nothing in particular, two factors
// (acr_values naming the two-factor level and not the password level, or the claims parameter asking for
// acr as essential with that level), or a level Latchkey does not offer. Read from the request's own
// parameters, by the provider's login check and by the interaction page alike, so both agree.

/** The one assurance level Latchkey signs people in at with a password alone (the security check may precede it). */
export const ACR_PASSWORD = "urn:latchkey:acr:password";
/** Signed in with two factors: a passkey, or a password and a second factor. */
export const ACR_MFA = "urn:latchkey:acr:mfa";
/** The amr value of a password sign-in (RFC 8176). */
export const AMR_PASSWORD = "pwd";

export type RequestedAssurance = "any" | "mfa" | "unsupported";

/** The acr values an essential `acr` request in the claims parameter accepts, or null when there is none. */
function essentialACRValues(claims: unknown): string[] | null {
  if (typeof claims !== "string" || claims.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return null;
  }
  const idToken = parsed && typeof parsed === "object" ? (parsed as { id_token?: unknown }).id_token : undefined;
  const acr = idToken && typeof idToken === "object" ? (idToken as { acr?: unknown }).acr : undefined;
  if (!acr || typeof acr !== "object") return null;
  const request = acr as { essential?: unknown; value?: unknown; values?: unknown };
  if (request.essential !== true) return null;
  if (Array.isArray(request.values)) return request.values.filter((v): v is string => typeof v === "string");
  if (typeof request.value === "string") return [request.value];
  return null;
}

/**
 * What the request demands. The password level is met by every session and the two-factor level also
 * meets a request for the password level, so a list that accepts the password level demands nothing.
 * acr_values is a preference by the letter of OpenID Connect Core (5.5.1.1); Latchkey holds clients to it
 * when it names the two-factor level only, which is how a client asks for a second factor. Values Latchkey
 * does not know are ignored there, but an essential acr that lists only such values cannot be met.
 */
export function requestedAssurance(params: { acr_values?: unknown; claims?: unknown }): RequestedAssurance {
  const demands: RequestedAssurance[] = [];
  if (typeof params.acr_values === "string") {
    const values = params.acr_values.split(" ").filter((v) => v !== "");
    if (values.includes(ACR_MFA) && !values.includes(ACR_PASSWORD)) demands.push("mfa");
  }
  const essential = essentialACRValues(params.claims);
  if (essential) {
    if (essential.includes(ACR_PASSWORD)) demands.push("any");
    else demands.push(essential.includes(ACR_MFA) ? "mfa" : "unsupported");
  }
  if (demands.includes("unsupported")) return "unsupported";
  return demands.includes("mfa") ? "mfa" : "any";
}

/** True when a session that signed in at `acr` meets what the request demands. */
export function meetsAssurance(wanted: RequestedAssurance, acr: string | undefined): boolean {
  if (wanted === "any") return true;
  return wanted === "mfa" && acr === ACR_MFA;
}

/** How a Latchkey session signed in, for the ID token: its amr values (a password when none were recorded) and the acr they reach. */
export function loginMethodsOf(session: { amr?: string[] | null }): { amr: string[]; acr: string } {
  const amr = session.amr && session.amr.length > 0 ? session.amr : [AMR_PASSWORD];
  return { amr, acr: amr.includes("mfa") ? ACR_MFA : ACR_PASSWORD };
}

/** True when the session signed in with two factors (the acr an application demanding them accepts). */
export function isMultiFactorSession(session: { amr?: string[] | null }): boolean {
  return loginMethodsOf(session).acr === ACR_MFA;
}
