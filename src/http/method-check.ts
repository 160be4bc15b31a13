// Answers 405 Method Not Allowed (with an Allow header) for a known path asked with a method it does not
// accept, instead of the router's 404.
import type { FastifyInstance, FastifyRequest } from "fastify";

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
  /** From the route's config: whether this request may learn that the path exists (absent: everyone). */
  revealTo?: (request: FastifyRequest) => boolean;
  /** From the route's config: whether the route has something at this path (absent: at every path it matches). */
  serves?: (path: string) => boolean;
}

/** Route config for paths that answer 404 to some visitors (the admin console): only those it returns true for are told 405. */
export interface MethodCheckConfig {
  revealMethodsTo?: (request: FastifyRequest) => boolean;
  /**
   * The route answers CORS preflights only (OPTIONS from a browser about a cross-origin request): its
   * methods are not listed in Allow, and its handler hands any other request to the not-found handler
   * (reply.callNotFound()), which answers 405 with the path's real methods.
   */
  corsPreflightOnly?: boolean;
  /**
   * For a route whose pattern matches more than it serves (a folder of files): whether there is something at
   * the request's path (as sent, percent-encoded, without the query). Other methods answer 405 only there,
   * 404 elsewhere. A wildcard route ("/assets/*") is known to the method check only when it says this.
   */
  servesPath?: (path: string) => boolean;
}

/** Whether the request is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method (Fetch standard). */
export function isCORSPreflight(request: FastifyRequest): boolean {
  const headers = request.headers;
  return request.method === "OPTIONS" && typeof headers.origin === "string" && typeof headers["access-control-request-method"] === "string";
}

function patternFor(url: string): RegExp {
  const escaped = url
    .split("/")
    .map((part) =>
      part
        .split(/(:[A-Za-z0-9_]+)/)
        .map((piece) => (piece.startsWith(":") ? "[^/]+" : piece === "*" ? ".*" : piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join(""),
    )
    .join("/");
  return new RegExp(`^${escaped}$`);
}

export interface MethodCheck {
  /** Methods accepted at the request's path, or null when the path is unknown. */
  allowedMethods(request: FastifyRequest): string[] | null;
  /** Methods some address takes from anyone (not counting CORS preflights nor what only admins are told), for OPTIONS *. */
  serverMethods(): string[];
}

/** Collects every route as it is registered; call before registering routes. */
export function trackRouteMethods(app: FastifyInstance): MethodCheck {
  const routes = new Map<string, KnownRoute>();
  app.addHook("onRoute", (route) => {
    const config = route.config as MethodCheckConfig | undefined;
    if (config?.corsPreflightOnly) return;
    // How far a wildcard reaches is known only to its route.
    if (route.url.includes("*") && !(route.url.endsWith("/*") && config?.servesPath)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const known = routes.get(route.url) ?? { pattern: patternFor(route.url), methods: new Set<string>() };
    for (const m of methods) known.methods.add(m);
    if (config?.revealMethodsTo) known.revealTo = config.revealMethodsTo;
    if (config?.servesPath) known.serves = config.servesPath;
    routes.set(route.url, known);
  });
  return {
    allowedMethods(request) {
      const path = request.url.split("?")[0] ?? "";
      const allowed = new Set<string>();
      for (const route of routes.values()) {
        if (!route.pattern.test(path) || (route.serves && !route.serves(path))) continue;
        // A path hidden from this visitor is unknown to them, whatever the method (TRACE, PROPFIND, …).
        if (route.revealTo && !route.revealTo(request)) return null;
        for (const m of route.methods) allowed.add(m);
      }
      return allowed.size > 0 ? [...allowed].sort() : null;
    },
    serverMethods() {
      const methods = new Set<string>();
      for (const route of routes.values()) if (!route.revealTo) for (const m of route.methods) methods.add(m);
      return [...methods].sort();
    },
  };
}
