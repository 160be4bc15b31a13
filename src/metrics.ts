// Prometheus metrics: sign-in and security-check outcomes, password hashing time, HTTP latency by route,
// event-loop lag (with the default process metrics) and database pool use.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PasswordHasher } from "./accounts/password-hash.ts";

export type SigninOutcome = "succeeded" | "failed" | "locked" | "captcha_required" | "captcha_failed" | "not_verified" | "invalid_input" | "unavailable";
export type CAPTCHAOutcome = "created" | "correct" | "incorrect" | "expired";

export interface Metrics {
  registry: Registry;
  signin(outcome: SigninOutcome): void;
  captcha(outcome: CAPTCHAOutcome): void;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** Reports pool figures when metrics are collected (PostgreSQL only). */
  watchPool(stats: () => { total: number; idle: number; waiting: number } | null): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "latchkey_" });
  const signins = new Counter({ name: "latchkey_signin_total", help: "Sign-in attempts by outcome", labelNames: ["outcome"], registers: [registry] });
  const captchas = new Counter({ name: "latchkey_captcha_total", help: "Security checks by outcome", labelNames: ["outcome"], registers: [registry] });
  const http = new Histogram({
    name: "latchkey_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  let poolStats: () => { total: number; idle: number; waiting: number } | null = () => null;
  new Gauge({
    name: "latchkey_db_pool_connections",
    help: "Database pool connections by state (PostgreSQL)",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const stats = poolStats();
      if (!stats) return;
      this.set({ state: "total" }, stats.total);
      this.set({ state: "idle" }, stats.idle);
      this.set({ state: "waiting" }, stats.waiting);
    },
  });
  // Outcomes start at zero so dashboards see every series from the first scrape.
  for (const o of ["succeeded", "failed", "locked", "captcha_required", "captcha_failed", "not_verified", "invalid_input", "unavailable"])
    signins.inc({ outcome: o }, 0);
  for (const o of ["created", "correct", "incorrect", "expired"]) captchas.inc({ outcome: o }, 0);
  return {
    registry,
    signin: (outcome) => signins.inc({ outcome }),
    captcha: (outcome) => captchas.inc({ outcome }),
    httpRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    watchPool: (stats) => {
      poolStats = stats;
    },
  };
}

/** Wraps the hasher so every hash and verification is timed. */
export function instrumentHasher(hasher: PasswordHasher, registry: Registry): PasswordHasher {
  const timing = new Histogram({
    name: "latchkey_password_hash_duration_seconds",
    help: "Password hashing and verification time",
    labelNames: ["operation"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const timed = <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    const stop = timing.startTimer({ operation });
    return run().finally(() => stop());
  };
  return {
    hashPassword: (p) => timed("hash", () => hasher.hashPassword(p)),
    verifyPasswordHash: (h, p) => timed("verify", () => hasher.verifyPasswordHash(h, p)),
    verifyDummyPassword: (p) => timed("verify", () => hasher.verifyDummyPassword(p)),
    needsRehash: (h) => hasher.needsRehash(h),
  };
}
