// Real HTTP for OpenID Connect tests: the application listening on a free loopback port (the issuer must
// be the URL clients reach), a cookie-keeping browser that follows redirects the way a browser does, and
// the sign-in through Latchkey's real /signin page.

import * as client from "openid-client";
import { generateId } from "../../src/lib/crypto.ts";
import { parseIdentifier } from "../../src/lib/identifier-parsing.ts";
import { type NewClientInput, registerClient } from "../../src/oidc/clients.ts";
import { createTestApp, type TestApp } from "./app.ts";
import { hiddenInputsIn } from "./client.ts";
import { findFreePort } from "./server-process.ts";

export interface HTTPTestApp extends TestApp {
  base: string;
}

/** A test application listening on 127.0.0.1 with LATCHKEY_BASE_URL set to where it listens. */
export async function startHTTPTestApp(env: Record<string, string> = {}): Promise<HTTPTestApp> {
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ LATCHKEY_BASE_URL: base, ...env });
  await t.app.listen({ host: "127.0.0.1", port });
  return { ...t, base };
}

export interface Page {
  status: number;
  url: string;
  location: string | null;
  headers: Headers;
  body: string;
}

/** A browser without JavaScript: keeps cookies per host (ignoring Path, which only narrows), follows redirects. */
export class HTTPBrowser {
  readonly jar = new Map<string, Map<string, string>>();

  /** `route` picks where each request really goes (e.g. alternating between two instances behind one URL). */
  constructor(readonly route: (url: string) => string = (url) => url) {}

  cookiesFor(url: string): Map<string, string> {
    const host = new URL(url).hostname;
    let cookies = this.jar.get(host);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(host, cookies);
    }
    return cookies;
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
    const cookies = this.cookiesFor(url);
    const headers: Record<string, string> = { ...init.headers };
    if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
      // A browser posting a form from a page of the same origin says so.
      headers.origin ??= new URL(url).origin;
      headers["sec-fetch-site"] ??= "same-origin";
    }
    const response = await fetch(this.route(url), {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      redirect: "manual",
      ...(body !== undefined ? { body } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = (pair ?? "").indexOf("=");
      const name = (pair ?? "").slice(0, at).trim();
      const value = (pair ?? "").slice(at + 1);
      if (!name) continue;
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = response.headers.get("location");
    return { status: response.status, url, location: location ? new URL(location, url).href : null, headers: response.headers, body: await response.text() };
  }

  /** Follows redirects while they stay on `within` (an origin), returning the last page, or the first redirect leaving it. */
  async follow(url: string, within: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let page = await this.request(url, init);
    for (let hops = 0; hops < 20 && page.location && page.status >= 300 && page.status < 400; hops++) {
      if (new URL(page.location).origin !== within) return page;
      page = await this.request(page.location);
    }
    return page;
  }

  /** On a /signin page: fills in and submits the form, then follows redirects as above. */
  async signIn(page: Page, within: string, identifier: string, password: string): Promise<Page> {
    if (!page.url.includes("/signin")) throw new Error(`expected the sign-in page, got ${page.status} ${page.url}`);
    const fields = hiddenInputsIn(page.body, "/signin");
    return this.follow(new URL("/signin", within).href, within, { form: { ...fields, identifier, password } });
  }
}

export const PASSWORD = "Correct-Horse-Battery-Staple-42";

/** A confirmed account created directly in storage; returns its id. */
export async function seedAccount(t: TestApp, identifier: string, options: { name?: string; password?: string } = {}): Promise<string> {
  const parsed = parseIdentifier(identifier);
  if (!parsed.ok) throw new Error(`bad identifier ${identifier}`);
  const id = generateId(t.deps.random);
  const created = await t.deps.stores.accounts.createVerifiedAccount({
    id,
    name: options.name ?? null,
    passwordHash: await t.deps.hasher.hashPassword(options.password ?? PASSWORD),
    createdAt: t.clock.now(),
    identifier: { id: generateId(t.deps.random), ...parsed.identifier },
  });
  if (!created) throw new Error(`${identifier} is taken`);
  return id;
}

export async function addClient(t: TestApp, input: Partial<NewClientInput> & { redirectUris: string[] }): Promise<{ id: string; secret: string | null }> {
  const { client, secret } = await registerClient(t.deps, { name: "Test app", postLogoutRedirectUris: [], isPublic: false, firstParty: true, ...input });
  return { id: client.id, secret };
}

/**
 * An authorization request with PKCE (S256), as openid-client builds it: the address to open, and the verifier
 * and state the application keeps for the code's redemption.
 */
export async function pkceAuthorization(
  config: client.Configuration,
  params: { redirectUri: string; scope?: string; prompt?: string; state?: string },
): Promise<{ url: URL; verifier: string; state: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = params.state ?? client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: params.redirectUri,
    scope: params.scope ?? "openid email",
    ...(params.prompt ? { prompt: params.prompt } : {}),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  return { url, verifier, state };
}
