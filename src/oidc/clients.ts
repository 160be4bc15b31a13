// Applications registered with the OpenID Connect provider (`latchkey clients add|list|remove|update|
// rotate-secret`). A confidential client's secret is shown once and only its SHA-256 is stored: the secret
// is 256 random bits, so a fast hash is as strong as a slow one, and the token endpoint can check it in
// constant time.
import { auditEventRecord } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import { constantTimeEqual, generateId, generateSecretToken, sha256Hex } from "../lib/crypto.ts";
import type { SessionContext } from "../sessions/sessions.ts";
import type { OIDCClientAuthMethod, OIDCClientRecord, OIDCClientSettings } from "../stores/types.ts";

/**
 * Who changed a client, for the audit trail: the operator's terminal (`latchkey clients …` passes
 * { ip: null, userAgent: "latchkey CLI" }, as every other operator command does).
 */
export interface ClientChangeOptions {
  context?: SessionContext | null;
}

export interface NewClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** A public client (single-page or native app) has no secret and must use PKCE. */
  isPublic: boolean;
  firstParty: boolean;
  /** A resource server (an API) may introspect tokens issued to other clients; it may have no redirect URI. */
  resourceServer?: boolean;
  /** How a confidential client sends its secret; client_secret_basic unless it can only use the form body. */
  authMethod?: "client_secret_basic" | "client_secret_post";
}

export type ClientInputProblem = string;

const MAX_URIS = 20;
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/** Whether the URI uses a native app's private-use (reverse-domain) scheme rather than http or https. */
function usesPrivateUseScheme(uri: string): boolean {
  return URL.canParse(uri) && !/^https?:$/.test(new URL(uri).protocol);
}

/** Whether the URI is http on a loopback host, where a native app listens on a port of its choosing. */
function isLoopbackURI(uri: string): boolean {
  return URL.canParse(uri) && new URL(uri).protocol === "http:" && LOOPBACK_HOSTS.includes(new URL(uri).hostname);
}

/**
 * A native app (RFC 8252): a client with a reverse-domain redirect URI, or a public client whose redirect URIs
 * are all loopback http (a desktop app that listens on 127.0.0.1, [::1] or localhost). The provider accepts
 * a reverse-domain URI only from a client registered as one (application_type native), whose other
 * addresses must then be loopback http or https on a real host, and matches its loopback http URIs on any
 * port (RFC 8252, 7.3): the app listens where the system lets it. A confidential client with loopback URIs is
 * a web server in development, and keeps exact matching; a loopback-only client whose post-logout URIs a
 * native app cannot have stays a web client, as it was registered.
 */
export function isNativeAppClient(client: Pick<OIDCClientRecord, "redirectUris" | "postLogoutRedirectUris"> & { isPublic: boolean }): boolean {
  if ([...client.redirectUris, ...client.postLogoutRedirectUris].some(usesPrivateUseScheme)) return true;
  return (
    client.isPublic &&
    client.redirectUris.length > 0 &&
    client.redirectUris.every(isLoopbackURI) &&
    client.postLogoutRedirectUris.every((uri) => checkNativeAppURI(uri) === null)
  );
}

/**
 * The CSP sources a form may be redirected to on the way back to this client: each redirect URI's origin,
 * and for a native app its loopback origins on any port, as the provider matches them.
 */
export function clientRedirectSources(client: Pick<OIDCClientRecord, "redirectUris" | "postLogoutRedirectUris" | "authMethod">): string[] {
  const native = isNativeAppClient({ ...client, isPublic: client.authMethod === "none" });
  const sources = [...client.redirectUris, ...client.postLogoutRedirectUris]
    .filter((uri) => URL.canParse(uri) && /^https?:$/.test(new URL(uri).protocol))
    .map((uri) => (native && isLoopbackURI(uri) ? `http://${new URL(uri).hostname}:*` : new URL(uri).origin));
  return [...new Set(sources)];
}

/** Why a native app's client cannot have this http(s) URI, or null when it can. */
function checkNativeAppURI(uri: string): string | null {
  if (!URL.canParse(uri)) return null;
  const url = new URL(uri);
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.includes(url.hostname)) return "must be http on localhost, 127.0.0.1 or [::1] beside a reverse-domain scheme";
  if (url.protocol === "https:" && LOOPBACK_HOSTS.includes(url.hostname)) return "must not be https on a loopback host beside a reverse-domain scheme";
  return null;
}

/** A redirect URI we accept: absolute, no fragment, https (http only for loopback or localhost during development), or a private-use scheme for native apps. */
export function checkRedirectURI(text: string): string | null {
  if (text.length > 2000) return "is longer than 2000 characters";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not an absolute URL";
  }
  if (url.hash || text.includes("#")) return "must not have a fragment (#…)";
  if (url.username || url.password) return "must not contain a user name or password";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:")
    return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) || url.hostname.endsWith(".localhost")
      ? null
      : "must use https (http only for localhost)";
  // Native apps: a private-use scheme such as com.example.app:/callback.
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return null;
  return "must use https, http on localhost, or a reverse-domain scheme";
}

/** Every problem with the input, empty when it can be registered. */
export function checkNewClient(input: NewClientInput): ClientInputProblem[] {
  const problems: string[] = [];
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) problems.push("--name must be 1–100 characters");
  if (input.redirectUris.length === 0 && !input.resourceServer) problems.push("at least one --redirect-uri is required (or --resource-server)");
  if (input.redirectUris.length > MAX_URIS || input.postLogoutRedirectUris.length > MAX_URIS) problems.push(`at most ${MAX_URIS} URIs of each kind`);
  for (const uri of input.redirectUris) {
    const problem = checkRedirectURI(uri);
    if (problem) problems.push(`--redirect-uri ${uri} ${problem}`);
  }
  for (const uri of input.postLogoutRedirectUris) {
    const problem = checkRedirectURI(uri);
    if (problem) problems.push(`--post-logout-redirect-uri ${uri} ${problem}`);
  }
  // The provider refuses these for a native app, which would leave the whole client unusable.
  if (isNativeAppClient(input)) {
    for (const [option, uris] of [
      ["--redirect-uri", input.redirectUris],
      ["--post-logout-redirect-uri", input.postLogoutRedirectUris],
    ] as const) {
      for (const uri of uris) {
        const problem = checkNativeAppURI(uri);
        if (problem) problems.push(`${option} ${uri} ${problem}`);
      }
    }
  }
  if (input.isPublic && input.authMethod) problems.push("a --public client has no secret, so it takes no --auth-method");
  // Introspection needs the client's secret: a public client could be anyone.
  if (input.isPublic && input.resourceServer) problems.push("a --resource-server needs a secret, so it cannot be --public");
  return problems;
}

export function hashClientSecret(secret: string): string {
  return sha256Hex(`oidc-client-secret:${secret}`);
}

/**
 * Whether `secret` is the client's secret, in time that does not depend on where they differ. `storedHashes`
 * is the provider's client_secret: the current hash, and during a rotation's grace period the previous one
 * after a space (see clientMetadataOf); every hash is compared, so the time does not say which one matched.
 */
export function clientSecretMatches(storedHashes: string, secret: string): boolean {
  const presented = hashClientSecret(secret);
  let matched = false;
  for (const hash of storedHashes.split(" ")) matched = constantTimeEqual(hash, presented) || matched;
  return matched;
}

/** The most a rotated secret may keep working, and how long it does unless told otherwise. */
export const CLIENT_SECRET_GRACE_MAX_SECONDS = 7 * 24 * 3600;
export const CLIENT_SECRET_GRACE_DEFAULT_SECONDS = 24 * 3600;

/** The hashes the token endpoint accepts for the client at `now`: the current one, and the previous one until its time is over. */
function acceptedSecretHashes(client: OIDCClientRecord, now: Date): string[] {
  if (client.secretHash === null) return [];
  const previousValid = client.previousSecretHash && client.previousSecretExpiresAt && client.previousSecretExpiresAt > now;
  return previousValid && client.previousSecretHash ? [client.secretHash, client.previousSecretHash] : [client.secretHash];
}

/**
 * Gives a confidential client a new secret, returned in clear to be shown once. The replaced secret keeps
 * working at the token endpoint for `graceSeconds` (24 h by default, 0 to 7 days), so every instance of the
 * application can be given the new one before the old one stops; 0 ends the old one at once (after a leak).
 * A second rotation during the grace period ends the oldest secret. The audit event
 * `oidc.client_secret_rotated` is written in the rotation's transaction. Null when no confidential client has the id.
 */
export async function rotateClientSecret(
  deps: Pick<Deps, "stores" | "clock" | "random">,
  clientId: string,
  options: { graceSeconds?: number } & ClientChangeOptions = {},
): Promise<{ client: OIDCClientRecord; secret: string; previousSecretValidUntil: Date | null } | null> {
  const graceSeconds = options.graceSeconds ?? CLIENT_SECRET_GRACE_DEFAULT_SECONDS;
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > CLIENT_SECRET_GRACE_MAX_SECONDS) {
    throw new RangeError(`graceSeconds must be 0–${CLIENT_SECRET_GRACE_MAX_SECONDS}`);
  }
  const secret = generateSecretToken(deps.random);
  const until = graceSeconds === 0 ? null : new Date(deps.clock.now().getTime() + graceSeconds * 1000);
  // Recorded with the rotation, in its transaction; the detail names the client and the grace period, never a secret or hash.
  const audit = auditEventRecord(deps, {
    type: "oidc.client_secret_rotated",
    context: options.context ?? null,
    detail: { client: clientId, graceSeconds },
  });
  const client = await deps.stores.oidcClients.rotateClientSecret(clientId, hashClientSecret(secret), until, { audit });
  return client ? { client, secret, previousSecretValidUntil: until } : null;
}

/**
 * A change to a registered client (`latchkey clients update`). Absent members stay as they are;
 * `redirectUris` replaces the list, `addRedirectUris` / `removeRedirectUris` edit it (not together with it).
 */
export interface ClientChange {
  name?: string;
  redirectUris?: string[];
  addRedirectUris?: string[];
  removeRedirectUris?: string[];
  postLogoutRedirectUris?: string[];
  firstParty?: boolean;
  resourceServer?: boolean;
}

/** The client's settings after `change`, with every problem of the result (the same checks as a new client). */
export function applyClientChange(client: OIDCClientRecord, change: ClientChange): { settings: OIDCClientSettings; problems: ClientInputProblem[] } {
  const problems: string[] = [];
  let redirectUris = change.redirectUris ?? client.redirectUris;
  for (const uri of change.removeRedirectUris ?? []) {
    if (!redirectUris.includes(uri)) problems.push(`--remove-redirect-uri ${uri} is not registered for this client`);
    redirectUris = redirectUris.filter((registered) => registered !== uri);
  }
  redirectUris = [...new Set([...redirectUris, ...(change.addRedirectUris ?? [])])];
  const settings: OIDCClientSettings = {
    name: (change.name ?? client.name).trim(),
    redirectUris,
    postLogoutRedirectUris: [...new Set(change.postLogoutRedirectUris ?? client.postLogoutRedirectUris)],
    firstParty: change.firstParty ?? client.firstParty,
    resourceServer: change.resourceServer ?? client.resourceServer === true,
  };
  // A client keeps being public or confidential (its secret, or its lack of one, is what the application holds).
  problems.push(...checkNewClient({ ...settings, isPublic: client.authMethod === "none" }));
  return { settings, problems };
}

/** The names of the settings that differ between the client and `next`, in a fixed order. */
function changedClientSettings(client: OIDCClientRecord, next: OIDCClientSettings): string[] {
  const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((value, i) => value === b[i]);
  return [
    ...(client.name !== next.name ? ["name"] : []),
    ...(!same(client.redirectUris, next.redirectUris) ? ["redirectUris"] : []),
    ...(!same(client.postLogoutRedirectUris, next.postLogoutRedirectUris) ? ["postLogoutRedirectUris"] : []),
    ...(client.firstParty !== next.firstParty ? ["firstParty"] : []),
    ...((client.resourceServer === true) !== next.resourceServer ? ["resourceServer"] : []),
  ];
}

/**
 * Changes a registered client in place: same id, same secret. The result is checked as `clients add`
 * checks a new client, and written only if the client is still as it was read (concurrent updates are
 * retried on the newer state, so neither is lost). Grants and tokens already issued stay valid; a code can
 * only be redeemed at a redirect URI still registered (see isRedirectURIRegistered). The audit event
 * `oidc.client_updated` (detail.changed: the settings that differ) is written in the update's transaction; an
 * update that changes nothing records nothing. Null when there is no such client.
 */
export async function updateClient(
  deps: Pick<Deps, "stores" | "clock" | "random">,
  clientId: string,
  change: ClientChange,
  options: ClientChangeOptions = {},
): Promise<{ client: OIDCClientRecord; problems: [] } | { client: null; problems: ClientInputProblem[] } | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await deps.stores.oidcClients.getClient(clientId);
    if (!current) return null;
    const { settings, problems } = applyClientChange(current, change);
    if (problems.length > 0) return { client: null, problems };
    const changed = changedClientSettings(current, settings);
    // Written in the update's transaction, only when something differs: the names of what changed, not the values.
    const audit =
      changed.length > 0
        ? auditEventRecord(deps, { type: "oidc.client_updated", context: options.context ?? null, detail: { client: clientId, changed: changed.join(",") } })
        : undefined;
    const updated = await deps.stores.oidcClients.updateClientSettings(current, settings, audit ? { audit } : {});
    if (updated) return { client: updated, problems: [] };
  }
  throw new Error(`client ${clientId} kept changing while it was being updated`);
}

/**
 * Whether the provider would accept `uri` as one of the client's redirect URIs now: registered exactly, or
 * for a native app a loopback http URI registered on another port (RFC 8252, 7.3).
 */
export function isRedirectURIRegistered(client: OIDCClientRecord, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true;
  if (!isNativeAppClient({ ...client, isPublic: client.authMethod === "none" }) || !isLoopbackURI(uri)) return false;
  const withoutPort = (text: string): string => {
    const url = new URL(text);
    url.port = "";
    return url.href;
  };
  return client.redirectUris.some((registered) => isLoopbackURI(registered) && withoutPort(registered) === withoutPort(uri));
}

/**
 * Registers the client, with the audit event `oidc.client_added` in the same transaction. Returns it with the
 * secret in clear (for a confidential client), shown once.
 */
export async function registerClient(
  deps: Pick<Deps, "stores" | "clock" | "random">,
  input: NewClientInput,
  options: ClientChangeOptions = {},
): Promise<{ client: OIDCClientRecord; secret: string | null }> {
  const secret = input.isPublic ? null : generateSecretToken(deps.random);
  const authMethod: OIDCClientAuthMethod = input.isPublic ? "none" : (input.authMethod ?? "client_secret_basic");
  const client: OIDCClientRecord = {
    id: generateId(deps.random),
    name: input.name.trim(),
    secretHash: secret ? hashClientSecret(secret) : null,
    authMethod,
    redirectUris: [...new Set(input.redirectUris)],
    postLogoutRedirectUris: [...new Set(input.postLogoutRedirectUris)],
    firstParty: input.firstParty,
    resourceServer: input.resourceServer === true,
    createdAt: deps.clock.now(),
  };
  const audit = auditEventRecord(deps, {
    type: "oidc.client_added",
    context: options.context ?? null,
    detail: { client: client.id, name: client.name, public: input.isPublic, firstParty: client.firstParty },
  });
  await deps.stores.oidcClients.createClient(client, { audit });
  return { client, secret };
}

/**
 * Removes the client and every grant, code and token issued to it, with the audit event
 * `oidc.client_removed` (its id and name) in the same transaction. False, recording nothing, when there is no
 * such client.
 */
export async function removeClient(deps: Pick<Deps, "stores" | "clock" | "random">, clientId: string, options: ClientChangeOptions = {}): Promise<boolean> {
  return deps.stores.oidcClients.deleteClient(clientId, {
    audit: (removed) =>
      auditEventRecord(deps, { type: "oidc.client_removed", context: options.context ?? null, detail: { client: removed.id, name: removed.name } }),
  });
}

/** The client as the provider reads it at `now`: standard registration metadata. */
export function clientMetadataOf(client: OIDCClientRecord, now: Date): Record<string, unknown> {
  const secretHashes = acceptedSecretHashes(client, now);
  return {
    client_id: client.id,
    client_name: client.name,
    // The provider compares a presented secret with this value through our hash check, never in clear: the
    // current hash, and after a rotation the previous one until its grace period is over. The provider
    // caches a client by its metadata, so the previous hash is gone from the first lookup after that time.
    ...(secretHashes.length > 0 ? { client_secret: secretHashes.join(" ") } : {}),
    token_endpoint_auth_method: client.authMethod,
    // A web client may only have http(s) redirect URIs, so a reverse-domain one needs the native type; a
    // desktop app's loopback URIs need it to match on any port.
    application_type: isNativeAppClient({ ...client, isPublic: client.authMethod === "none" }) ? "native" : "web",
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    // A resource server registered without a redirect URI only introspects (and revokes): it signs nobody in.
    grant_types: client.redirectUris.length > 0 ? ["authorization_code", "refresh_token"] : [],
    response_types: client.redirectUris.length > 0 ? ["code"] : [],
    id_token_signed_response_alg: "RS256",
    latchkey_first_party: client.firstParty,
    latchkey_resource_server: client.resourceServer === true,
  };
}
