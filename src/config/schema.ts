// The environment variables Latchkey reads: one TypeBox schema gives their types, their validation, their
// defaults and the reference in docs/configuration.md (a test checks that every variable and every default
// is documented as written here). Defaults are written here and nowhere else: the loader fills them in.
import { type Static, type TOptional, type TSchema, Type } from "@sinclair/typebox";

/**
 * An optional setting whose value, when the variable is unset or empty, is `value`. The default is part of
 * the type, so the loader can read such a setting as always present. A setting without a default (unset
 * means "none", or its default depends on other settings) is a plain `Type.Optional`.
 */
function withDefault<T extends TSchema>(schema: T, value: string): TOptional<T & { default: string }> {
  // Type.Optional's return type is conditional on T, which TypeScript cannot resolve for a generic T.
  return Type.Optional({ ...schema, default: value }) as TOptional<T & { default: string }>;
}

const flag = (description: string) => Type.Union([Type.Literal("0"), Type.Literal("1"), Type.Literal("true"), Type.Literal("false")], { description });
const Duration = (description: string, defaultValue: string) => withDefault(Type.String({ pattern: "^\\d+(s|m|h|d)$", description }), defaultValue);
const Bool = (description: string, defaultValue: string) => withDefault(flag(description), defaultValue);
const Rate = (description: string, defaultValue: string) => withDefault(Type.String({ pattern: "^\\d{1,7}/\\d{1,6}(s|m|h|d)$", description }), defaultValue);
const Int = (description: string, defaultValue: string) => withDefault(Type.String({ pattern: "^\\d{1,9}$", description }), defaultValue);

export const EnvSchema = Type.Object({
  NODE_ENV: withDefault(
    Type.Union([Type.Literal("development"), Type.Literal("production"), Type.Literal("test")], {
      description: "development (default), production or test.",
    }),
    "development",
  ),
  LATCHKEY_HOST: withDefault(Type.String({ minLength: 1, maxLength: 255, description: "IP address to listen on (IPv4 or IPv6), or localhost." }), "127.0.0.1"),
  LATCHKEY_PORT: withDefault(Type.String({ pattern: "^\\d{1,5}$", description: "Port to listen on (0 picks a free one)." }), "3000"),
  LATCHKEY_BASE_URL: withDefault(
    Type.String({
      pattern: "^https?://",
      maxLength: 2048,
      description:
        "The public URL people use. Links in messages are built from it, never from the request's Host header. https turns on Secure and __Host- cookies.",
    }),
    "http://localhost:3000",
  ),
  LATCHKEY_DATA_DIR: withDefault(
    Type.String({ minLength: 1, maxLength: 4096, description: "Directory for the SQLite file, the generated secret and the outbox. Created if missing." }),
    "./data",
  ),
  LATCHKEY_DATABASE_URL: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 4096,
      description:
        "Where durable data lives: a SQLite file (sqlite:PATH, file:PATH or a path) or PostgreSQL (postgres://…). Default: latchkey.db in the data directory.",
    }),
  ),
  LATCHKEY_DATABASE_POOL_SIZE: Int("PostgreSQL: connections per instance.", "10"),
  LATCHKEY_DATABASE_TIMEOUT: Duration("PostgreSQL: how long to wait for a connection before failing.", "5s"),
  LATCHKEY_REDIS_URL: Type.Optional(
    Type.String({ pattern: "^rediss?://", maxLength: 4096, description: "Redis for short-lived state (security checks, counters, flows) in cluster mode." }),
  ),
  LATCHKEY_REDIS_PREFIX: withDefault(
    Type.String({ pattern: "^[A-Za-z0-9:_-]{1,64}$", description: "Prefix of every Redis key, so several installations can share one Redis." }),
    "latchkey:",
  ),
  LATCHKEY_REDIS_TIMEOUT: Duration("Redis: how long a command may wait before failing.", "2s"),
  LATCHKEY_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      maxLength: 1024,
      description:
        "Key for HMACs of codes, CAPTCHA answers and CSRF tokens (at least 32 characters). Required in production; generated into the data directory otherwise.",
    }),
  ),
  LATCHKEY_SMTP_URL: Type.Optional(
    Type.String({ pattern: "^smtps?://", maxLength: 4096, description: "SMTP server for e-mail, e.g. smtp://user:pass@mail.example.com:587." }),
  ),
  LATCHKEY_MAIL_TRANSPORT: Type.Optional(
    Type.Union([Type.Literal("smtp"), Type.Literal("outbox")], {
      description: "smtp or outbox. Default: smtp when LATCHKEY_SMTP_URL is set, otherwise outbox (development and test only; production must choose).",
    }),
  ),
  LATCHKEY_MAIL_FROM: Type.Optional(
    Type.String({
      minLength: 3,
      maxLength: 320,
      pattern: "^[^\\r\\n]+$",
      description: "Sender of the e-mail we send: an address (shown under LATCHKEY_SITE_NAME) or Name <address>. Required in production.",
    }),
  ),
  LATCHKEY_SMS_PROVIDER: Type.Optional(
    Type.Union([Type.Literal("outbox"), Type.Literal("webhook")], {
      description: "outbox or webhook. Default: outbox outside production; production must choose.",
    }),
  ),
  LATCHKEY_SMS_WEBHOOK_URL: Type.Optional(
    Type.String({ pattern: "^https?://", maxLength: 4096, description: "With the webhook provider: URL that receives a signed JSON POST for each SMS." }),
  ),
  LATCHKEY_SMS_WEBHOOK_SECRET: Type.Optional(
    Type.String({ minLength: 16, maxLength: 1024, description: "With the webhook provider: key for the X-Latchkey-Signature HMAC-SHA256 header." }),
  ),
  LATCHKEY_TRUST_PROXY: Type.Optional(
    Type.String({
      maxLength: 4096,
      description: "Proxies whose X-Forwarded-For is believed: a comma-separated list of addresses or CIDR ranges, or empty for none.",
    }),
  ),
  LATCHKEY_COOKIE_DOMAIN: Type.Optional(
    Type.String({
      maxLength: 254,
      description:
        "Share the session cookie with every subdomain of this domain (e.g. example.com; a leading dot is ignored), for single sign-on across apps behind forward-auth. It must be a domain name of at least two labels, not an IP address, and the base URL's host or a parent of it. The cookie then has no __Host- prefix (still Secure over https). Default: host-only.",
    }),
  ),
  LATCHKEY_ALLOWED_RETURN_HOSTS: Type.Optional(
    Type.String({
      maxLength: 4096,
      pattern: "^[A-Za-z0-9.*:, -]*$",
      description:
        "Hosts, besides Latchkey's own, that sign-in may send people back to after signing in (return_to with an absolute URL): a comma-separated list of exact hosts (app.example.com, or with a port app.example.com:8443) or wildcards (*.example.com, every subdomain). Anything else falls back to the account page.",
    }),
  ),
  LATCHKEY_FORWARD_AUTH_RULES: Type.Optional(
    Type.String({
      maxLength: 8192,
      description:
        "Who may pass forward-auth for each protected host: entries separated by ';', each HOST=RULE, where RULE is signed-in, admins, accounts:ID,ID or groups:GROUP,GROUP, and HOST an exact host or *.example.com. Hosts without a rule let every signed-in account through.",
    }),
  ),
  LATCHKEY_METRICS_PORT: Type.Optional(
    Type.String({
      pattern: "^\\d{1,5}$",
      description: "Serve /metrics, /healthz and /readyz on this separate port (on LATCHKEY_METRICS_HOST) instead of /metrics on the main port.",
    }),
  ),
  LATCHKEY_METRICS_HOST: withDefault(
    Type.String({ minLength: 1, maxLength: 255, description: "IP address for the metrics port (IPv4 or IPv6), or localhost." }),
    "127.0.0.1",
  ),
  LATCHKEY_HEADERS_TIMEOUT: Duration("A request's headers must have arrived within this time, or the connection is closed (408).", "10s"),
  LATCHKEY_BODY_TIMEOUT: Duration(
    "A whole request, headers and body, must have arrived within this time, or the connection is closed (408): cuts off clients that send slowly or less than their Content-Length. At least LATCHKEY_HEADERS_TIMEOUT.",
    "30s",
  ),
  LATCHKEY_REQUEST_TIMEOUT: Duration("An answer not ready after this long becomes 503 SERVICE_UNAVAILABLE (e.g. storage that hangs).", "30s"),
  LATCHKEY_SHUTDOWN_TIMEOUT: Duration(
    "On SIGTERM or SIGINT, requests in flight get this long to finish; then remaining connections are closed and the process exits.",
    "10s",
  ),
  LATCHKEY_LOG_LEVEL: withDefault(
    Type.Union(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
      { description: "Log level." },
    ),
    "info",
  ),
  LATCHKEY_CAPTCHA_TEST_MODE: Bool("1 makes every security check read TESTME / 1234567. Only accepted with NODE_ENV=test.", "0"),
  LATCHKEY_REGISTRATION_CAPTCHA: Bool("1 asks for the security check when someone creates an account.", "1"),
  LATCHKEY_POW: Type.Optional(
    flag(
      "1 requires a solved proof-of-work puzzle before sign-in, registration, reset requests and new security checks. Default 1 in production, 0 otherwise.",
    ),
  ),
  LATCHKEY_STEP_UP_WINDOW: Duration(
    "How long after signing in or confirming it's them a person may change what protects the account (passkeys, authenticator app, recovery codes, addresses and numbers, other sessions, deleting the account) without confirming again.",
    "10m",
  ),
  LATCHKEY_POW_DIFFICULTY: Int("Proof of work: leading zero bits asked of everyone (4 more after many attempts from one address).", "14"),
  LATCHKEY_SESSION_IDLE_TIMEOUT: Duration("A session ends after this long without use.", "12h"),
  LATCHKEY_SESSION_ABSOLUTE_TIMEOUT: Duration("A session ends this long after sign-in, used or not.", "7d"),
  LATCHKEY_REMEMBER_IDLE_TIMEOUT: Duration('Idle timeout with "Keep me signed in".', "30d"),
  LATCHKEY_REMEMBER_ABSOLUTE_TIMEOUT: Duration('Absolute timeout with "Keep me signed in".', "90d"),
  LATCHKEY_RATE_SIGNIN: Rate("Sign-in attempts per client address.", "30/1m"),
  LATCHKEY_RATE_CAPTCHA: Rate(
    "New security checks per client address, whether drawn through the API or by a page (a reloaded page shows its unanswered one again).",
    "30/1m",
  ),
  LATCHKEY_RATE_CAPTCHA_AUDIO: Rate("Security-check audio clips per client address.", "10/1m"),
  LATCHKEY_RATE_CAPTCHA_IMAGE: Rate(
    "Security-check pictures per client address. Each page showing the check loads one, and every request draws the picture again, so unlimited requests for one challenge's picture would keep the server's processors busy.",
    "120/1m",
  ),
  LATCHKEY_RATE_RESET: Rate("Password reset requests per client address.", "10/1h"),
  LATCHKEY_RATE_VERIFICATION: Rate("Registrations and code requests per client address.", "20/1h"),
  LATCHKEY_RATE_FEEDBACK: Rate("Help feedback answers per client address.", "20/1h"),
  LATCHKEY_RATE_HELP_VIEWS: Rate(
    "Help article views counted per client address (each browser's view of an article counts once a day); past it articles are still shown, but not counted.",
    "60/1h",
  ),
  LATCHKEY_RATE_CODE_ENTRY: Rate(
    "Code and reset-link entries per client address (confirming an account or an identifier, completing a reset), on top of each code's 5 tries.",
    "20/15m",
  ),
  LATCHKEY_RATE_PASSKEY_OPTIONS: Rate(
    "Passkey challenges per client address (the sign-in page asks for one on every load, for the browser's passkey autofill). Counted apart from sign-in attempts.",
    "60/1m",
  ),
  LATCHKEY_RATE_PASSWORD_STRENGTH: Rate("Password strength estimates (the meter on password fields) per client address.", "60/1m"),
  LATCHKEY_AUDIT_RETENTION: Duration("How long security events are kept.", "90d"),
  LATCHKEY_ARGON2_MEMORY_KIB: Int("argon2id memory cost in KiB: at least 8 per lane, at most 4194304 (4 GiB).", "19456"),
  LATCHKEY_ARGON2_TIME_COST: Int("argon2id passes, 1–16.", "2"),
  LATCHKEY_ARGON2_PARALLELISM: Int("argon2id lanes, 1–255.", "1"),
  LATCHKEY_DEFAULT_REGION: Type.Optional(
    Type.String({
      pattern: "^[A-Za-z]{2}$",
      description:
        "ISO 3166-1 country (e.g. GB, US) whose national mobile numbers are accepted without a country code. Unset: every number needs its country code, and a number without one is answered with the countries it could belong to.",
    }),
  ),
  LATCHKEY_SMS_COUNTRIES: withDefault(
    Type.String({
      maxLength: 1024,
      description:
        "The countries whose mobile numbers are sent text messages: a comma-separated list of ISO 3166-1 codes (e.g. GB,IE,FR), or * for every country. Registering or adding a number of another country is refused (PHONE_COUNTRY_NOT_SUPPORTED), and no text goes to one already on an account.",
    }),
    "*",
  ),
  LATCHKEY_IP_COUNTRY_CSV: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 4096,
      description:
        "Optional offline IP-to-country table (CSV rows: first address, last address, ISO country code; IPv4 and IPv6) so the session list can name each session's country. Read once at start; nothing is looked up over the network.",
    }),
  ),
  LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: Bool(
    "1 lets webhooks reach loopback, private and link-local addresses (for receivers on the same host or network). Off, such addresses are refused when the connection is made.",
    "0",
  ),
  LATCHKEY_WEBHOOKS_TIMEOUT: Duration("How long one webhook request may take, connection to last byte, before it counts as failed.", "10s"),
  LATCHKEY_WEBHOOKS_POLL_INTERVAL: Duration("How often each instance looks for webhook deliveries that are due.", "1s"),
  LATCHKEY_SITE_NAME: withDefault(
    Type.String({
      minLength: 1,
      maxLength: 60,
      description:
        "The name people know this site by: page titles, the header, e-mails (their text and From name), text messages and the label an authenticator app shows.",
    }),
    "Latchkey",
  ),
  LATCHKEY_LOCALES: withDefault(
    Type.String({
      pattern: "^[a-z]{2}(,[a-z]{2})*$",
      maxLength: 64,
      description:
        "The languages offered, comma-separated, in the order the language menu lists them: any of en, de, fr, es, ar. One language alone hides the menu.",
    }),
    "en,de,fr,es,ar",
  ),
  LATCHKEY_DEFAULT_LOCALE: withDefault(
    Type.String({
      pattern: "^[a-z]{2}$",
      description:
        "The language used when neither a choice in the language menu, a signed-in person's saved language nor the browser's Accept-Language names an offered one. Must be one of LATCHKEY_LOCALES.",
    }),
    "en",
  ),
  LATCHKEY_BRANDING_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 4096,
      description:
        "Folder with the logo (logo.svg or logo.png), favicon (favicon.svg, .png or .ico), an extra stylesheet (style.css) and message templates (templates/). Default: branding/ in the data directory, when it exists.",
    }),
  ),
  LATCHKEY_PRIMARY_COLOR: Type.Optional(
    Type.String({
      maxLength: 16,
      description:
        "Colour of links and buttons (#rrggbb) in the light scheme. Refused at start when links on the page or cards, or the label on a button, would stay under 4.5:1 (WCAG AA).",
    }),
  ),
  LATCHKEY_ACCENT_COLOR: Type.Optional(
    Type.String({
      maxLength: 16,
      description:
        "Colour of focus rings and the stripe above the header (#rrggbb) in the light scheme. Refused at start under 3:1 against the page or cards (WCAG AA for controls).",
    }),
  ),
  LATCHKEY_PRIMARY_COLOR_DARK: Type.Optional(
    Type.String({
      maxLength: 16,
      description:
        "LATCHKEY_PRIMARY_COLOR for people whose system uses the dark scheme (checked against the dark backgrounds). Unset: the built-in dark colours.",
    }),
  ),
  LATCHKEY_ACCENT_COLOR_DARK: Type.Optional(
    Type.String({ maxLength: 16, description: "LATCHKEY_ACCENT_COLOR for the dark scheme. Unset: the built-in dark colours." }),
  ),
  LATCHKEY_SUPPORT_CONTACT: Type.Optional(
    Type.String({
      maxLength: 2048,
      description: "Where people get help from a person: an e-mail address or an http(s) URL, shown on the help and error pages and in e-mails.",
    }),
  ),
  LATCHKEY_PRIVACY_URL: Type.Optional(
    Type.String({ maxLength: 2048, description: "Link to the privacy notice in every page's footer: an http(s) URL or a path starting with /." }),
  ),
  LATCHKEY_TERMS_URL: Type.Optional(
    Type.String({ maxLength: 2048, description: "Link to the terms of use in every page's footer: an http(s) URL or a path starting with /." }),
  ),
  LATCHKEY_PASSWORD_MIN_SCORE: withDefault(
    Type.Union(
      ["0", "1", "2", "3", "4"].map((s) => Type.Literal(s)),
      { description: "Lowest accepted strength estimate (0–4)." },
    ),
    "3",
  ),
});

export type RawEnv = Static<typeof EnvSchema>;
export type EnvName = keyof RawEnv;
export const ENV_NAMES = Object.keys(EnvSchema.properties) as EnvName[];

type EnvProperties = typeof EnvSchema.properties;
/** The settings that have a default in the schema. */
export type DefaultedEnvName = { [K in EnvName]: EnvProperties[K] extends { default: string } ? K : never }[EnvName];
/** The environment after defaults are filled in: every setting with a default is present. */
export type Env = RawEnv & { [K in DefaultedEnvName]-?: Exclude<RawEnv[K], undefined> };

/** The schema's default of a setting, or undefined when it has none. */
export function envDefault(name: EnvName): string | undefined {
  const schema: { default?: unknown } = EnvSchema.properties[name];
  return typeof schema.default === "string" ? schema.default : undefined;
}

/** `raw` (validated, empty variables already dropped) with the schema's default for every unset setting that has one. */
export function applyEnvDefaults(raw: RawEnv): Env {
  const env: Record<string, string> = { ...raw };
  for (const name of ENV_NAMES) {
    const value = envDefault(name);
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
  return env as Env;
}
