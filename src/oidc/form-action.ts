// Browsers apply a page's CSP form-action to every redirect that follows a form post. After sign-in or
// consent the redirects end at an application (its redirect URI, or an allowed return host), so those
// pages list exactly those destinations, and nothing else, beside 'self'.
import type { FastifyReply } from "fastify";
import type { Deps } from "../deps.ts";
import { clientRedirectSources } from "./clients.ts";
import { INTERACTION_PATH } from "./provider.ts";

function originOf(uri: string): string | null {
  if (!URL.canParse(uri)) return null;
  const url = new URL(uri);
  return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
}

/** Adds `origins` to the form-action directive of this response's Content-Security-Policy. */
export function allowFormRedirects(reply: FastifyReply, origins: Iterable<string>): void {
  const list = [...new Set([...origins].filter((o) => /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:(\d+|\*))?$/.test(o)))];
  if (list.length === 0) return;
  const current = reply.getHeader("content-security-policy") ?? reply.raw.getHeader("content-security-policy");
  if (typeof current !== "string") return;
  reply.header("content-security-policy", current.replace(/form-action 'self'/, `form-action 'self' ${list.join(" ")}`));
}

/** The origins of a client's redirect URIs (and post-logout URIs); a native app's loopback ones on any port. */
export async function clientRedirectOrigins(deps: Pick<Deps, "stores">, clientId: string): Promise<string[]> {
  const client = clientId.length <= 64 ? await deps.stores.oidcClients.getClient(clientId) : null;
  return client ? clientRedirectSources(client) : [];
}

/**
 * Where a sign-in form on this page may end up: the return target's origin when it is absolute, or, when
 * it continues an application's sign-in, that application's redirect origins.
 */
export async function allowSigninRedirects(deps: Pick<Deps, "stores" | "clock">, reply: FastifyReply, returnTo: string): Promise<void> {
  const absolute = /^https?:\/\//i.test(returnTo) ? originOf(returnTo) : null;
  if (absolute) return allowFormRedirects(reply, [absolute]);
  const match = new RegExp(`^${INTERACTION_PATH}/([A-Za-z0-9_-]{1,64})$`).exec(returnTo);
  if (!match?.[1]) return;
  const interaction = await deps.stores.oidcShortLivedArtifacts.getArtifact("Interaction", match[1], deps.clock.now());
  const clientId = interaction ? (JSON.parse(interaction.payload) as { params?: { client_id?: unknown } }).params?.client_id : undefined;
  if (typeof clientId === "string") allowFormRedirects(reply, await clientRedirectOrigins(deps, clientId));
}
