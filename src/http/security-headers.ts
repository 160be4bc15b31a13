// Security headers, computed once at start-up and copied onto every answer by one hook: helmet's
// policies (the values come from helmet itself), a permissions policy, and no caching of anything but assets.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import helmet from "helmet";

type HelmetOptions = NonNullable<Parameters<typeof helmet>[0]>;

/** The headers helmet would set with `options`, as a plain object (helmet runs once, on a stand-in response). */
export function computeHelmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const everywhere = { ...computeHelmetHeaders(options), "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()" };
  // Pages and answers about accounts must never sit in a shared or browser cache; assets may.
  const uncached = { ...everywhere, "cache-control": "no-store" };
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(request.url.startsWith("/assets/") ? everywhere : uncached);
    done();
  });
}
