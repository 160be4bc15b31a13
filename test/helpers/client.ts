// A small browser-like client over app.inject(): keeps cookies, reads CSRF tokens from forms, follows
// nothing on its own (tests assert every redirect).
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

export class TestClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly app: FastifyInstance,
    readonly headers: Record<string, string> = {},
  ) {}

  private cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(response: LightMyRequestResponse): void {
    for (const c of response.cookies as Array<{ name: string; value: string; expires?: Date; maxAge?: number }>) {
      const expired = (c.expires && c.expires.getTime() <= Date.now()) || c.maxAge === 0 || c.value === "";
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async request(
    method: string,
    url: string,
    options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...this.headers, ...(options.headers ?? {}) };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    let payload: string | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(options.json);
    } else if (options.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = new URLSearchParams(options.form).toString();
    }
    const response = await this.app.inject({ method: method as "GET", url, headers, ...(payload !== undefined ? { payload } : {}) });
    this.remember(response);
    return response;
  }

  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.request("GET", url, headers ? { headers } : {});
  }

  /**
   * GETs `pageUrl` and submits its form posting to `action` as a browser would: the form's hidden inputs
   * (CSRF token, challenge id, …) plus `fields`.
   */
  async submitForm(pageUrl: string, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    return this.request("POST", action, { form: { ...hiddenInputsIn(page.body, action), ...fields } });
  }
}

/** The `_csrf` value inside the form whose action is `action`. */
export function csrfTokenIn(html: string, action: string): string {
  const forms = html.split("<form").slice(1);
  for (const form of forms) {
    if (!form.includes(`action="${action}"`)) continue;
    const match = /name="_csrf" value="([^"]+)"/.exec(form);
    if (match?.[1]) return match[1];
  }
  throw new Error(`no form posting to ${action} with a CSRF token`);
}

/** The hidden inputs (name → value) of the form whose action is `action`. */
export function hiddenInputsIn(html: string, action: string): Record<string, string> {
  const form = html
    .split("<form")
    .slice(1)
    .find((f) => f.includes(`action="${action}"`));
  if (!form) throw new Error(`no form posting to ${action}`);
  const body = form.slice(0, form.indexOf("</form>"));
  const fields: Record<string, string> = {};
  for (const m of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1] as string] = (m[2] as string).replace(/&amp;/g, "&");
  return fields;
}

/** A solved challenge (test mode accepts "testme") for the JSON API, bound to this client's browser. */
export async function solveCAPTCHA(client: TestClient, purpose = "registration"): Promise<{ id: string; answer: string }> {
  const response = await client.request("POST", "/api/v1/captcha", { json: { purpose } });
  if (response.statusCode !== 201) throw new Error(`captcha creation answered ${response.statusCode}`);
  return { id: response.json().id, answer: "testme" };
}

/** Decodes the few entities our templates produce, to compare page text. */
/** A page with its per-response CSRF tokens blanked, so two renderings of the same page compare equal. */
export function withoutCsrfTokens(html: string): string {
  return html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
}

export function pageText(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}
