// Configuration: read the environment, validate every value, report all problems at once, freeze.
import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { isAbsolute, join, resolve } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { isLocale, type Locale, SHIPPED_LOCALES } from "../i18n/locales.ts";
import type { LocaleSettings } from "../i18n/negotiate.ts";
import { isSupportedPhoneRegion } from "../lib/identifier-parsing.ts";
import { type Branding, loadBranding } from "./branding.ts";
import { type ForwardAuthRule, type HostPattern, parseForwardAuthRules, parseHostList } from "./forward-auth-rules.ts";
import { applyEnvDefaults, ENV_NAMES, type Env, type EnvName, EnvSchema, type RawEnv } from "./schema.ts";

export type DatabaseConfig = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; poolSize: number; connectTimeoutMs: number };
export interface RedisConfig {
  url: string;
  prefix: string;
  commandTimeoutMs: number;
}
export type MailConfig = { transport: "smtp"; smtpUrl: string } | { transport: "outbox" };
export type SMSConfig = { provider: "outbox" } | { provider: "webhook"; url: string; secret: string };

export interface Config {
  readonly env: "development" | "production" | "test";
  readonly host: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly baseOrigin: string;
  /** Cookies get Secure and the __Host- prefix when the base URL is https. */
  readonly secureCookies: boolean;
  readonly dataDir: string;
  readonly outboxDir: string;
  readonly database: DatabaseConfig;
  /** Redis for short-lived state; without it, short-lived state lives in the database. */
  readonly redis: RedisConfig | undefined;
  readonly secret: string;
  readonly mail: MailConfig;
  readonly mailFrom: string;
  readonly sms: SMSConfig;
  readonly trustProxy: string[];
  /** The session cookie's Domain (shared with subdomains), or undefined for a host-only cookie. */
  readonly cookieDomain: string | undefined;
  /** Other hosts that sign-in may return to with an absolute return_to. */
  readonly allowedReturnHosts: readonly HostPattern[];
  /** Forward-auth access per protected host, first match wins. */
  readonly forwardAuthRules: readonly ForwardAuthRule[];
  readonly logLevel: string;
  /** A separate listener for metrics and health, or undefined to serve /metrics on the main port. */
  readonly metrics: { host: string; port: number } | undefined;
  readonly captchaTestMode: boolean;
  readonly registrationCAPTCHA: boolean;
  /** Proof of work before sign-in, registration, reset requests and new security checks. */
  readonly pow: { enabled: boolean; difficulty: number };
  /** Seconds a sign-in or confirmation counts as recent for changes to what protects the account. */
  readonly stepUpWindowSeconds: number;
  readonly sessions: {
    readonly idleSeconds: number;
    readonly absoluteSeconds: number;
    readonly rememberIdleSeconds: number;
    readonly rememberAbsoluteSeconds: number;
  };
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  readonly passwordMinScore: number;
  /** ISO country whose national mobile numbers need no country code, or undefined. */
  readonly defaultRegion: string | undefined;
  /** ISO countries whose mobile numbers are sent text messages (upper case), or null for every country. */
  readonly smsCountries: ReadonlySet<string> | null;
  /** Absolute path of the offline IP-to-country CSV, or undefined. */
  readonly ipCountryCsv: string | undefined;
  readonly auditRetentionSeconds: number;
  /** Connection and shutdown deadlines, in milliseconds. */
  readonly timeouts: { readonly headersMs: number; readonly bodyMs: number; readonly requestMs: number; readonly shutdownMs: number };
  readonly webhooks: {
    /** Allow loopback and private addresses (LATCHKEY_WEBHOOKS_ALLOW_PRIVATE). */
    readonly allowPrivate: boolean;
    readonly timeoutMs: number;
    readonly pollIntervalMs: number;
  };
  /** Site name, logo, colours, support contact, footer links and message templates. */
  readonly branding: Branding;
  /** The languages offered and the one used when nothing else decides. */
  readonly locales: LocaleSettings;
  /** Per-client-address limits: at most `max` requests per `windowSeconds`. */
  readonly clientLimits: Readonly<Record<ClientLimitKind, { max: number; windowSeconds: number }>>;
}

export type ClientLimitKind =
  | "signin"
  | "captcha"
  | "captchaAudio"
  | "captchaImage"
  | "reset"
  | "verification"
  | "feedback"
  | "helpViews"
  | "codeEntry"
  | "passkeyOptions"
  | "passwordStrength";

/** The settings written as a duration (`30s`, `10m`, `12h`, `90d`). */
type DurationName =
  | "LATCHKEY_DATABASE_TIMEOUT"
  | "LATCHKEY_REDIS_TIMEOUT"
  | "LATCHKEY_HEADERS_TIMEOUT"
  | "LATCHKEY_BODY_TIMEOUT"
  | "LATCHKEY_REQUEST_TIMEOUT"
  | "LATCHKEY_SHUTDOWN_TIMEOUT"
  | "LATCHKEY_STEP_UP_WINDOW"
  | "LATCHKEY_SESSION_IDLE_TIMEOUT"
  | "LATCHKEY_SESSION_ABSOLUTE_TIMEOUT"
  | "LATCHKEY_REMEMBER_IDLE_TIMEOUT"
  | "LATCHKEY_REMEMBER_ABSOLUTE_TIMEOUT"
  | "LATCHKEY_AUDIT_RETENTION"
  | "LATCHKEY_WEBHOOKS_TIMEOUT"
  | "LATCHKEY_WEBHOOKS_POLL_INTERVAL";

/**
 * The longest value of each duration setting, in days. Timeouts and the poll interval run as timers, which
 * Node.js cannot set beyond 24.8 days (a longer one fires at once); sessions and the step-up window end in
 * cookies and dates, and browsers keep a cookie 400 days at most; past the largest date JavaScript can hold, a
 * session's end could not be written at all (every sign-in failed).
 */
const DURATION_MAX_DAYS: Record<DurationName, number> = {
  LATCHKEY_DATABASE_TIMEOUT: 1,
  LATCHKEY_REDIS_TIMEOUT: 1,
  LATCHKEY_HEADERS_TIMEOUT: 1,
  LATCHKEY_BODY_TIMEOUT: 1,
  LATCHKEY_REQUEST_TIMEOUT: 1,
  LATCHKEY_SHUTDOWN_TIMEOUT: 1,
  LATCHKEY_WEBHOOKS_TIMEOUT: 1,
  LATCHKEY_WEBHOOKS_POLL_INTERVAL: 1,
  LATCHKEY_STEP_UP_WINDOW: 400,
  LATCHKEY_SESSION_IDLE_TIMEOUT: 400,
  LATCHKEY_SESSION_ABSOLUTE_TIMEOUT: 400,
  LATCHKEY_REMEMBER_IDLE_TIMEOUT: 400,
  LATCHKEY_REMEMBER_ABSOLUTE_TIMEOUT: 400,
  LATCHKEY_AUDIT_RETENTION: 36500,
};

/**
 * A duration setting in seconds, from 1 to its setting's maximum. No duration means "off" at 0: a zero timeout
 * waits for ever (what the timeouts exist to prevent), a zero session or step-up window ends what it grants at
 * once, a zero retention deletes every security event, and a zero poll interval never rests.
 */
function readDuration(env: Env, name: DurationName, problems: string[]): number {
  const value = env[name];
  // A value that is not a duration has been named by the schema check already.
  if (!/^\d+(s|m|h|d)$/.test(value)) return 0;
  const seconds = parseDuration(value);
  const maxDays = DURATION_MAX_DAYS[name];
  if (seconds >= 1 && seconds <= maxDays * 86400) return seconds;
  problems.push(`${name}=${JSON.stringify(value)}: must be from 1s to ${maxDays}d`);
  // Like a value that is not a duration: nothing else is compared with it (the headers and body timeouts).
  return 0;
}

type RateName = Extract<EnvName, `LATCHKEY_RATE_${string}`>;

/** A rate setting, `COUNT/WINDOW`, with a count of at least 1 and a window of at least 1s. */
function readRate(env: Env, name: RateName, problems: string[]): { max: number; windowSeconds: number } {
  const value = env[name];
  const match = /^(\d{1,7})\/(\d{1,6}(s|m|h|d))$/.exec(value);
  // A value that is not a rate has been named by the schema check already.
  if (!match) return { max: 0, windowSeconds: 0 };
  const limit = { max: Number(match[1]), windowSeconds: parseDuration(match[2] as string) };
  // A zero count or a zero window would turn every request away.
  if (limit.max < 1 || limit.windowSeconds < 1) {
    problems.push(`${name}=${JSON.stringify(value)}: must be COUNT/WINDOW with a count of 1–9999999 and a window of at least 1s (e.g. 30/1m)`);
  }
  return limit;
}

/**
 * The argon2id parameters accepted. The lower bounds are the library's (RFC 9106 section 3.1: at least one
 * pass, at least one lane, at least 8 KiB of memory per lane); below them every password hash fails, so every
 * sign-in would answer 500. The upper bounds are ours, so that a typo cannot make every sign-in take seconds
 * or exhaust the host's memory: 255 lanes is the most @node-rs/argon2 documents, 16 passes is eight times the
 * default, and 4 GiB is twice the memory of RFC 9106's first recommended setting.
 */
const ARGON2_LIMITS = { minMemoryKiBPerLane: 8, maxMemoryKiB: 4 * 1024 * 1024, maxTimeCost: 16, maxParallelism: 255 } as const;

/** LATCHKEY_ARGON2_*, within ARGON2_LIMITS. */
function readArgon2(env: Env, problems: string[]): Config["argon2"] {
  const isInteger = (value: string): boolean => /^\d{1,9}$/.test(value);
  const memoryCost = Number(env.LATCHKEY_ARGON2_MEMORY_KIB);
  const timeCost = Number(env.LATCHKEY_ARGON2_TIME_COST);
  const parallelism = Number(env.LATCHKEY_ARGON2_PARALLELISM);
  const limits = ARGON2_LIMITS;
  let lanes = 1;
  if (isInteger(env.LATCHKEY_ARGON2_PARALLELISM)) {
    if (parallelism < 1 || parallelism > limits.maxParallelism) {
      problems.push(`LATCHKEY_ARGON2_PARALLELISM=${JSON.stringify(env.LATCHKEY_ARGON2_PARALLELISM)}: must be 1–${limits.maxParallelism} lanes`);
    } else lanes = parallelism;
  }
  if (isInteger(env.LATCHKEY_ARGON2_TIME_COST) && (timeCost < 1 || timeCost > limits.maxTimeCost)) {
    problems.push(`LATCHKEY_ARGON2_TIME_COST=${JSON.stringify(env.LATCHKEY_ARGON2_TIME_COST)}: must be 1–${limits.maxTimeCost} passes`);
  }
  const minMemory = limits.minMemoryKiBPerLane * lanes;
  if (isInteger(env.LATCHKEY_ARGON2_MEMORY_KIB) && (memoryCost < minMemory || memoryCost > limits.maxMemoryKiB)) {
    problems.push(
      `LATCHKEY_ARGON2_MEMORY_KIB=${JSON.stringify(env.LATCHKEY_ARGON2_MEMORY_KIB)}: must be ${minMemory}–${limits.maxMemoryKiB} KiB (at least 8 KiB for each of the ${lanes} lane(s) of LATCHKEY_ARGON2_PARALLELISM, at most 4 GiB)`,
    );
  }
  return { memoryCost, timeCost, parallelism };
}

/**
 * LATCHKEY_HOST and LATCHKEY_METRICS_HOST are addresses to listen on: an IPv4 or IPv6 address, or localhost.
 * A host name would only fail later, when the listener looks it up.
 */
function checkListenAddress(name: "LATCHKEY_HOST" | "LATCHKEY_METRICS_HOST", host: string, problems: string[]): void {
  if (isIP(host) === 0 && host !== "localhost") {
    problems.push(
      `${name}=${JSON.stringify(host)}: must be an IPv4 or IPv6 address of this machine (0.0.0.0 or :: for all of them, 127.0.0.1 for this machine only) or localhost`,
    );
  }
}

/** LATCHKEY_LOCALES and LATCHKEY_DEFAULT_LOCALE, checked against the languages Latchkey ships. */
function readLocales(list: string, fallback: string, problems: string[]): LocaleSettings {
  const offered: Locale[] = [];
  for (const code of list.split(",")) {
    if (!isLocale(code)) problems.push(`LATCHKEY_LOCALES: ${code} is not a language Latchkey ships (${SHIPPED_LOCALES.join(", ")})`);
    else if (!offered.includes(code)) offered.push(code);
  }
  if (!isLocale(fallback) || !offered.includes(fallback)) {
    problems.push(`LATCHKEY_DEFAULT_LOCALE=${JSON.stringify(fallback)}: must be one of the offered languages (${offered.join(", ") || "none"})`);
    return { offered, fallback: offered[0] ?? "en" };
  }
  return { offered, fallback };
}

/**
 * LATCHKEY_SMS_COUNTRIES: `*` (every country, null) or ISO 3166-1 codes that phone numbers can be read in,
 * comma-separated, any case. Each unknown code is a problem of its own.
 */
function readSMSCountries(list: string, problems: string[]): ReadonlySet<string> | null {
  if (list.trim() === "*") return null;
  const countries = new Set<string>();
  for (const entry of list.split(",")) {
    const code = entry.trim().toUpperCase();
    if (isSupportedPhoneRegion(code)) countries.add(code);
    else
      problems.push(
        `LATCHKEY_SMS_COUNTRIES: ${JSON.stringify(entry.trim())} is not a country phone numbers can be read in (use ISO 3166-1 codes such as GB,IE,FR, or * for every country)`,
      );
  }
  return countries;
}

/** The sender outside production, shown under the site's name; production must name its own. */
export const DEFAULT_MAIL_FROM = "no-reply@localhost";

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(readonly problems: string[]) {
    super(`Latchkey cannot start, the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * (UNITS[match[2] as string] ?? 1);
}

function isTrue(value: string | undefined): boolean {
  return value === "1" || value === "true";
}

function sqliteFileFrom(url: string | undefined, dataDir: string): string | null {
  if (!url) return join(dataDir, "latchkey.db");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("file://") && !url.startsWith("sqlite://")) return null;
  const path = url.replace(/^(sqlite|file):(\/\/)?/, "");
  if (path === ":memory:") return path;
  return isAbsolute(path) ? path : resolve(path);
}

function isValidProxyEntry(entry: string): boolean {
  return /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry) || ["loopback", "linklocal", "uniquelocal"].includes(entry);
}

/** Reads the secret from the data directory, creating it (mode 0600) on first start. */
function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, "secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Builds the configuration from environment variables. Throws ConfigError naming every bad value.
 * Outside production a missing LATCHKEY_SECRET is generated into the data directory.
 */
const DOMAIN_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * LATCHKEY_COOKIE_DOMAIN without its leading dot, in lower case, or undefined when unset or refused (the
 * reason is added to `problems`).
 */
function readCookieDomain(text: string | undefined, baseOrigin: string, problems: string[]): string | undefined {
  if (text === undefined) return undefined;
  const shown = `LATCHKEY_COOKIE_DOMAIN=${JSON.stringify(text)}`;
  // Browsers ignore a leading dot in a cookie's Domain (RFC 6265 5.2.3), so "example.com" is meant.
  const domain = text.trim().toLowerCase().replace(/^\./, "");
  // A Domain of an IP address or of a single label ("com", "localhost") is refused by browsers, so the
  // session cookie would never be stored and nobody could sign in.
  if (isIP(domain.replace(/^\[|\]$/g, "")) !== 0) {
    problems.push(`${shown}: an IP address cannot be a cookie domain; leave it unset (host-only cookie) or use a domain name such as example.com`);
    return undefined;
  }
  if (!DOMAIN_NAME.test(domain)) {
    problems.push(`${shown}: not a domain name; use a domain such as example.com`);
    return undefined;
  }
  if (!domain.includes(".")) {
    problems.push(
      `${shown}: a single label (a top-level domain or a bare host name) cannot be a cookie domain, and browsers would drop the session cookie; use a domain of two labels or more, such as example.com, or leave it unset`,
    );
    return undefined;
  }
  if (baseOrigin) {
    const baseHost = new URL(baseOrigin).hostname;
    // Browsers drop a cookie whose Domain does not contain the host that sets it.
    if (baseHost !== domain && !baseHost.endsWith(`.${domain}`)) {
      problems.push(`${shown}: must be the host of LATCHKEY_BASE_URL (${baseHost}) or a parent domain of it, or browsers drop the session cookie`);
      return undefined;
    }
  }
  return domain;
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const raw: Record<string, string> = {};
  for (const name of ENV_NAMES) {
    const value = environment[name];
    // An empty variable counts as unset, as in most deployment tools.
    if (value !== undefined && value !== "") raw[name] = value;
  }
  const problems: string[] = [];
  for (const error of Value.Errors(EnvSchema, raw)) {
    const name = error.path.replace(/^\//, "");
    const shown = name.includes("SECRET") || name.includes("URL") ? "(hidden)" : JSON.stringify(raw[name]);
    problems.push(
      `${name}=${shown}: ${error.message}${(EnvSchema.properties as Record<string, { description?: string }>)[name]?.description ? ` (${(EnvSchema.properties as Record<string, { description?: string }>)[name]?.description})` : ""}`,
    );
  }
  const env = applyEnvDefaults(raw as RawEnv);
  const nodeEnv = env.NODE_ENV;
  const production = nodeEnv === "production";
  const powDifficulty = Number(env.LATCHKEY_POW_DIFFICULTY);
  if (powDifficulty < 1 || powDifficulty > 28) problems.push("LATCHKEY_POW_DIFFICULTY: between 1 and 28 bits");

  let baseUrl = env.LATCHKEY_BASE_URL;
  let baseOrigin = "";
  try {
    const url = new URL(baseUrl);
    baseOrigin = url.origin;
    baseUrl = url.href.replace(/\/$/, "");
  } catch {
    problems.push(`LATCHKEY_BASE_URL=${JSON.stringify(baseUrl)}: not a URL`);
  }
  const dataDir = resolve(cwd, env.LATCHKEY_DATA_DIR);
  const databaseUrl = env.LATCHKEY_DATABASE_URL;
  const isPostgres = databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(databaseUrl);
  const file = isPostgres ? ":postgres:" : sqliteFileFrom(databaseUrl, dataDir);
  if (file === null) problems.push("LATCHKEY_DATABASE_URL: use a SQLite file (sqlite:PATH, file:PATH or a path) or postgres://…");

  if (production && !env.LATCHKEY_SECRET) problems.push("LATCHKEY_SECRET: required when NODE_ENV=production (at least 32 random characters)");
  if (isTrue(env.LATCHKEY_CAPTCHA_TEST_MODE) && nodeEnv !== "test") {
    problems.push("LATCHKEY_CAPTCHA_TEST_MODE: only allowed with NODE_ENV=test, because it makes every security check trivial");
  }

  let mail: MailConfig = { transport: "outbox" };
  const transport = env.LATCHKEY_MAIL_TRANSPORT ?? (env.LATCHKEY_SMTP_URL ? "smtp" : undefined);
  if (transport === "smtp") {
    if (env.LATCHKEY_SMTP_URL) mail = { transport: "smtp", smtpUrl: env.LATCHKEY_SMTP_URL };
    else problems.push("LATCHKEY_SMTP_URL: required when LATCHKEY_MAIL_TRANSPORT=smtp");
  } else if (transport === undefined && production) {
    problems.push("LATCHKEY_SMTP_URL: required in production (or set LATCHKEY_MAIL_TRANSPORT=outbox on purpose)");
  }

  // The sender is what people see first and what their mail provider checks: production names its own.
  if (production && !env.LATCHKEY_MAIL_FROM) {
    problems.push(
      "LATCHKEY_MAIL_FROM: required in production (the address e-mail comes from, e.g. no-reply@example.com, shown under LATCHKEY_SITE_NAME; or Name <no-reply@example.com>)",
    );
  } else if (env.LATCHKEY_MAIL_FROM !== undefined && !/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(env.LATCHKEY_MAIL_FROM.trim())) {
    problems.push(`LATCHKEY_MAIL_FROM=${JSON.stringify(env.LATCHKEY_MAIL_FROM)}: an e-mail address (no-reply@example.com) or Name <no-reply@example.com>`);
  }

  let sms: SMSConfig = { provider: "outbox" };
  if (env.LATCHKEY_SMS_PROVIDER === "webhook") {
    const url = env.LATCHKEY_SMS_WEBHOOK_URL;
    const secret = env.LATCHKEY_SMS_WEBHOOK_SECRET;
    if (!url) problems.push("LATCHKEY_SMS_WEBHOOK_URL: required when LATCHKEY_SMS_PROVIDER=webhook");
    if (!secret) problems.push("LATCHKEY_SMS_WEBHOOK_SECRET: required when LATCHKEY_SMS_PROVIDER=webhook");
    if (url && secret) sms = { provider: "webhook", url, secret };
  } else if (!env.LATCHKEY_SMS_PROVIDER && production) {
    problems.push("LATCHKEY_SMS_PROVIDER: required in production (webhook, or outbox on purpose)");
  }

  const trustProxy = (env.LATCHKEY_TRUST_PROXY?.split(",") ?? []).map((s) => s.trim()).filter(Boolean);
  for (const entry of trustProxy) {
    if (!isValidProxyEntry(entry)) problems.push(`LATCHKEY_TRUST_PROXY: ${JSON.stringify(entry)} is not an address or CIDR range`);
  }
  const cookieDomain = readCookieDomain(env.LATCHKEY_COOKIE_DOMAIN, baseOrigin, problems);
  const returnHosts = parseHostList("LATCHKEY_ALLOWED_RETURN_HOSTS", env.LATCHKEY_ALLOWED_RETURN_HOSTS);
  problems.push(...returnHosts.problems);
  const forwardAuth = parseForwardAuthRules(env.LATCHKEY_FORWARD_AUTH_RULES);
  problems.push(...forwardAuth.problems);
  const port = Number(env.LATCHKEY_PORT);
  if (port > 65535) problems.push(`LATCHKEY_PORT=${port}: must be 0–65535`);
  checkListenAddress("LATCHKEY_HOST", env.LATCHKEY_HOST, problems);
  checkListenAddress("LATCHKEY_METRICS_HOST", env.LATCHKEY_METRICS_HOST, problems);
  // The monitoring listener on the service's own port would only fail at start, as "in use by another program".
  if (env.LATCHKEY_METRICS_PORT && Number(env.LATCHKEY_METRICS_PORT) !== 0 && Number(env.LATCHKEY_METRICS_PORT) === port) {
    problems.push(`LATCHKEY_METRICS_PORT=${env.LATCHKEY_METRICS_PORT}: must differ from LATCHKEY_PORT, which serves the service itself`);
  }

  const seconds = (name: DurationName): number => readDuration(env, name, problems);
  const timeouts = {
    headersMs: seconds("LATCHKEY_HEADERS_TIMEOUT") * 1000,
    bodyMs: seconds("LATCHKEY_BODY_TIMEOUT") * 1000,
    requestMs: seconds("LATCHKEY_REQUEST_TIMEOUT") * 1000,
    shutdownMs: seconds("LATCHKEY_SHUTDOWN_TIMEOUT") * 1000,
  };
  const databaseTimeoutSeconds = seconds("LATCHKEY_DATABASE_TIMEOUT");
  const redisTimeoutSeconds = seconds("LATCHKEY_REDIS_TIMEOUT");
  const stepUpWindowSeconds = seconds("LATCHKEY_STEP_UP_WINDOW");
  const sessions = {
    idleSeconds: seconds("LATCHKEY_SESSION_IDLE_TIMEOUT"),
    absoluteSeconds: seconds("LATCHKEY_SESSION_ABSOLUTE_TIMEOUT"),
    rememberIdleSeconds: seconds("LATCHKEY_REMEMBER_IDLE_TIMEOUT"),
    rememberAbsoluteSeconds: seconds("LATCHKEY_REMEMBER_ABSOLUTE_TIMEOUT"),
  };
  const auditRetentionSeconds = seconds("LATCHKEY_AUDIT_RETENTION");
  const webhooks = {
    allowPrivate: isTrue(env.LATCHKEY_WEBHOOKS_ALLOW_PRIVATE),
    timeoutMs: seconds("LATCHKEY_WEBHOOKS_TIMEOUT") * 1000,
    pollIntervalMs: seconds("LATCHKEY_WEBHOOKS_POLL_INTERVAL") * 1000,
  };
  const rate = (name: RateName): { max: number; windowSeconds: number } => readRate(env, name, problems);
  const clientLimits = {
    signin: rate("LATCHKEY_RATE_SIGNIN"),
    captcha: rate("LATCHKEY_RATE_CAPTCHA"),
    captchaAudio: rate("LATCHKEY_RATE_CAPTCHA_AUDIO"),
    captchaImage: rate("LATCHKEY_RATE_CAPTCHA_IMAGE"),
    reset: rate("LATCHKEY_RATE_RESET"),
    verification: rate("LATCHKEY_RATE_VERIFICATION"),
    feedback: rate("LATCHKEY_RATE_FEEDBACK"),
    helpViews: rate("LATCHKEY_RATE_HELP_VIEWS"),
    codeEntry: rate("LATCHKEY_RATE_CODE_ENTRY"),
    passkeyOptions: rate("LATCHKEY_RATE_PASSKEY_OPTIONS"),
    passwordStrength: rate("LATCHKEY_RATE_PASSWORD_STRENGTH"),
  };
  const argon2 = readArgon2(env, problems);
  // Compared only when the body timeout is valid, so a zero body timeout is not blamed on the headers timeout too.
  if (timeouts.bodyMs > 0 && timeouts.headersMs > timeouts.bodyMs)
    problems.push("LATCHKEY_HEADERS_TIMEOUT: must not be longer than LATCHKEY_BODY_TIMEOUT (the body timeout counts the headers too)");
  const defaultRegion = env.LATCHKEY_DEFAULT_REGION?.toUpperCase();
  if (defaultRegion !== undefined && !isSupportedPhoneRegion(defaultRegion)) {
    problems.push(
      `LATCHKEY_DEFAULT_REGION=${JSON.stringify(env.LATCHKEY_DEFAULT_REGION)}: not a country phone numbers can be read in (use an ISO 3166-1 code such as GB or US)`,
    );
  }
  const smsCountries = readSMSCountries(env.LATCHKEY_SMS_COUNTRIES, problems);
  const ipCountryCsv = env.LATCHKEY_IP_COUNTRY_CSV ? resolve(cwd, env.LATCHKEY_IP_COUNTRY_CSV) : undefined;
  const ipCountryProblem = ipCountryCsv === undefined ? null : readableFileProblem(ipCountryCsv);
  if (ipCountryProblem) problems.push(`LATCHKEY_IP_COUNTRY_CSV=${JSON.stringify(env.LATCHKEY_IP_COUNTRY_CSV)}: ${ipCountryProblem}`);

  const locales = readLocales(env.LATCHKEY_LOCALES, env.LATCHKEY_DEFAULT_LOCALE, problems);
  const brandingResult = loadBranding(env, dataDir, (path) => resolve(cwd, path));
  problems.push(...brandingResult.problems);

  if (problems.length > 0) throw new ConfigError(problems);

  const secret = env.LATCHKEY_SECRET ?? loadOrCreateSecret(dataDir);
  const config: Config = {
    env: nodeEnv,
    host: env.LATCHKEY_HOST,
    port,
    baseUrl,
    baseOrigin,
    secureCookies: baseOrigin.startsWith("https:"),
    dataDir,
    outboxDir: join(dataDir, "outbox"),
    database: isPostgres
      ? {
          kind: "postgres",
          url: databaseUrl as string,
          poolSize: Number(env.LATCHKEY_DATABASE_POOL_SIZE),
          connectTimeoutMs: databaseTimeoutSeconds * 1000,
        }
      : { kind: "sqlite", file: file ?? ":memory:" },
    redis: env.LATCHKEY_REDIS_URL
      ? { url: env.LATCHKEY_REDIS_URL, prefix: env.LATCHKEY_REDIS_PREFIX, commandTimeoutMs: redisTimeoutSeconds * 1000 }
      : undefined,
    secret,
    mail,
    mailFrom: env.LATCHKEY_MAIL_FROM ?? DEFAULT_MAIL_FROM,
    sms,
    trustProxy,
    cookieDomain: cookieDomain || undefined,
    allowedReturnHosts: returnHosts.hosts,
    forwardAuthRules: forwardAuth.rules,
    logLevel: env.LATCHKEY_LOG_LEVEL,
    metrics: env.LATCHKEY_METRICS_PORT ? { host: env.LATCHKEY_METRICS_HOST, port: Number(env.LATCHKEY_METRICS_PORT) } : undefined,
    captchaTestMode: isTrue(env.LATCHKEY_CAPTCHA_TEST_MODE),
    registrationCAPTCHA: isTrue(env.LATCHKEY_REGISTRATION_CAPTCHA),
    pow: { enabled: env.LATCHKEY_POW === undefined ? production : isTrue(env.LATCHKEY_POW), difficulty: powDifficulty },
    stepUpWindowSeconds,
    sessions,
    argon2,
    passwordMinScore: Number(env.LATCHKEY_PASSWORD_MIN_SCORE),
    defaultRegion,
    smsCountries,
    ipCountryCsv,
    auditRetentionSeconds,
    timeouts,
    webhooks,
    branding: brandingResult.branding,
    locales,
    clientLimits,
  };
  return Object.freeze(config);
}

/**
 * Why `path` cannot serve as a file to read at start, or null. Checked with the other settings, so a folder or
 * an unreadable file is named in the start-up error instead of failing later with the system's bare code.
 */
function readableFileProblem(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return "not a file";
    accessSync(path, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`;
  }
}
