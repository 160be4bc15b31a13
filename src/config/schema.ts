// The environment variables Latchkey reads: one TypeBox schema gives their types, their validation and
// the reference in docs/configuration.md (a test checks that every variable is documented).
import { type Static, Type } from "@sinclair/typebox";

const Duration = (description: string, defaultValue: string) =>
  Type.Optional(Type.String({ pattern: "^\\d+(s|m|h|d)$", description, default: defaultValue }));
const Bool = (description: string, defaultValue: string) =>
  Type.Optional(Type.Union([Type.Literal("0"), Type.Literal("1"), Type.Literal("true"), Type.Literal("false")], { description, default: defaultValue }));
const Rate = (description: string, defaultValue: string) =>
  Type.Optional(Type.String({ pattern: "^\\d{1,7}/\\d{1,6}(s|m|h|d)$", description, default: defaultValue }));
const Int = (description: string, defaultValue: string) =>
  Type.Optional(Type.String({ pattern: "^\\d{1,9}$", description, default: defaultValue }));

export const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(
    Type.Union([Type.Literal("development"), Type.Literal("production"), Type.Literal("test")], {
      description: "development (default), production or test.",
      default: "development",
    }),
  ),
  LATCHKEY_HOST: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Address to listen on.", default: "127.0.0.1" })),
  LATCHKEY_PORT: Type.Optional(Type.String({ pattern: "^\\d{1,5}$", description: "Port to listen on (0 picks a free one).", default: "3000" })),
  LATCHKEY_BASE_URL: Type.Optional(
    Type.String({ pattern: "^https?://", maxLength: 2048, description: "The public URL people use. Links in messages are built from it, never from the request's Host header. https turns on Secure and __Host- cookies.", default: "http://localhost:3000" }),
  ),
  LATCHKEY_DATA_DIR: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: "Directory for the SQLite file, the generated secret and the outbox. Created if missing.", default: "./data" })),
  LATCHKEY_DATABASE_URL: Type.Optional(
    Type.String({ minLength: 1, maxLength: 4096, description: "Where durable data lives: a SQLite file (sqlite:PATH, file:PATH or a path) or PostgreSQL (postgres://…). Default: latchkey.db in the data directory.", default: "" }),
  ),
  LATCHKEY_DATABASE_POOL_SIZE: Int("PostgreSQL: connections per instance.", "10"),
  LATCHKEY_DATABASE_TIMEOUT: Duration("PostgreSQL: how long to wait for a connection before failing.", "5s"),
  LATCHKEY_REDIS_URL: Type.Optional(Type.String({ pattern: "^rediss?://", maxLength: 4096, description: "Redis for short-lived state (security checks, counters, flows) in cluster mode.", default: "" })),
  LATCHKEY_REDIS_PREFIX: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9:_-]{1,64}$", description: "Prefix of every Redis key, so several installations can share one Redis.", default: "latchkey:" })),
  LATCHKEY_REDIS_TIMEOUT: Duration("Redis: how long a command may wait before failing.", "2s"),
  LATCHKEY_SECRET: Type.Optional(
    Type.String({ minLength: 32, maxLength: 1024, description: "Key for HMACs of codes, CAPTCHA answers and CSRF tokens (at least 32 characters). Required in production; generated into the data directory otherwise.", default: "" }),
  ),
  LATCHKEY_SMTP_URL: Type.Optional(Type.String({ pattern: "^smtps?://", maxLength: 4096, description: "SMTP server for e-mail, e.g. smtp://user:pass@mail.example.com:587.", default: "" })),
  LATCHKEY_MAIL_TRANSPORT: Type.Optional(
    Type.Union([Type.Literal("smtp"), Type.Literal("outbox")], { description: "smtp or outbox. Default: smtp when LATCHKEY_SMTP_URL is set, otherwise outbox (development and test only; production must choose).", default: "" }),
  ),
  LATCHKEY_MAIL_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 320, pattern: "^[^\\r\\n]+$", description: "From address of e-mail we send.", default: "Latchkey <no-reply@localhost>" })),
  LATCHKEY_SMS_PROVIDER: Type.Optional(
    Type.Union([Type.Literal("outbox"), Type.Literal("webhook")], { description: "outbox or webhook. Default: outbox outside production; production must choose.", default: "" }),
  ),
  LATCHKEY_SMS_WEBHOOK_URL: Type.Optional(Type.String({ pattern: "^https?://", maxLength: 4096, description: "With the webhook provider: URL that receives a signed JSON POST for each SMS.", default: "" })),
  LATCHKEY_SMS_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16, maxLength: 1024, description: "With the webhook provider: key for the X-Latchkey-Signature HMAC-SHA256 header.", default: "" })),
  LATCHKEY_TRUST_PROXY: Type.Optional(
    Type.String({ maxLength: 4096, description: "Proxies whose X-Forwarded-For is believed: a comma-separated list of addresses or CIDR ranges, or empty for none.", default: "" }),
  ),
  LATCHKEY_COOKIE_DOMAIN: Type.Optional(
    Type.String({ pattern: "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$", maxLength: 253, description: "Share the session cookie with every subdomain of this domain (e.g. example.com), for single sign-on across apps behind forward-auth. It must contain the base URL's host. The cookie then has no __Host- prefix (still Secure over https). Default: host-only.", default: "" }),
  ),
  LATCHKEY_ALLOWED_RETURN_HOSTS: Type.Optional(
    Type.String({ maxLength: 4096, pattern: "^[A-Za-z0-9.*:, -]*$", description: "Hosts, besides Latchkey's own, that sign-in may send people back to after signing in (return_to with an absolute URL): a comma-separated list of exact hosts (app.example.com, or with a port app.example.com:8443) or wildcards (*.example.com, every subdomain). Anything else falls back to the account page.", default: "" }),
  ),
  LATCHKEY_FORWARD_AUTH_RULES: Type.Optional(
    Type.String({ maxLength: 8192, description: "Who may pass forward-auth for each protected host: entries separated by ';', each HOST=RULE, where RULE is signed-in, admins, accounts:ID,ID or groups:GROUP,GROUP, and HOST an exact host or *.example.com. Hosts without a rule let every signed-in account through.", default: "" }),
  ),
  LATCHKEY_METRICS_PORT: Type.Optional(Type.String({ pattern: "^\\d{1,5}$", description: "Serve /metrics, /healthz and /readyz on this separate port (on LATCHKEY_METRICS_HOST) instead of /metrics on the main port.", default: "" })),
  LATCHKEY_METRICS_HOST: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Address for the metrics port.", default: "127.0.0.1" })),
  LATCHKEY_HEADERS_TIMEOUT: Duration("A request's headers must have arrived within this time, or the connection is closed (408).", "10s"),
  LATCHKEY_BODY_TIMEOUT: Duration("A whole request, headers and body, must have arrived within this time, or the connection is closed (408): cuts off clients that send slowly or less than their Content-Length. At least LATCHKEY_HEADERS_TIMEOUT.", "30s"),
  LATCHKEY_REQUEST_TIMEOUT: Duration("An answer not ready after this long becomes 503 SERVICE_UNAVAILABLE (e.g. storage that hangs).", "30s"),
  LATCHKEY_SHUTDOWN_TIMEOUT: Duration("On SIGTERM or SIGINT, requests in flight get this long to finish; then remaining connections are closed and the process exits.", "10s"),
  LATCHKEY_LOG_LEVEL: Type.Optional(
    Type.Union(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)), { description: "Log level.", default: "info" }),
  ),
  LATCHKEY_CAPTCHA_TEST_MODE: Bool("1 makes every security check read TESTME / 1234567. Only accepted with NODE_ENV=test.", "0"),
  LATCHKEY_REGISTRATION_CAPTCHA: Bool("1 asks for the security check when someone creates an account.", "1"),
  LATCHKEY_POW: Bool("1 requires a solved proof-of-work puzzle before sign-in, registration, reset requests and new security checks. Default 1 in production, 0 otherwise.", "1 in production"),
  LATCHKEY_STEP_UP_WINDOW: Duration("How long after signing in or confirming it's them a person may change what protects the account (passkeys, authenticator app, recovery codes, addresses and numbers, other sessions, deleting the account) without confirming again.", "10m"),
  LATCHKEY_POW_DIFFICULTY: Int("Proof of work: leading zero bits asked of everyone (4 more after many attempts from one address).", "14"),
  LATCHKEY_SESSION_IDLE_TIMEOUT: Duration("A session ends after this long without use.", "12h"),
  LATCHKEY_SESSION_ABSOLUTE_TIMEOUT: Duration("A session ends this long after sign-in, used or not.", "7d"),
  LATCHKEY_REMEMBER_IDLE_TIMEOUT: Duration("Idle timeout with \"Keep me signed in\".", "30d"),
  LATCHKEY_REMEMBER_ABSOLUTE_TIMEOUT: Duration("Absolute timeout with \"Keep me signed in\".", "90d"),
  LATCHKEY_RATE_SIGNIN: Rate("Sign-in attempts per client address.", "30/1m"),
  LATCHKEY_RATE_CAPTCHA: Rate("New security checks per client address, whether drawn through the API or by a page (a reloaded page shows its unanswered one again).", "30/1m"),
  LATCHKEY_RATE_CAPTCHA_AUDIO: Rate("Security-check audio clips per client address.", "10/1m"),
  LATCHKEY_RATE_RESET: Rate("Password reset requests per client address.", "10/1h"),
  LATCHKEY_RATE_VERIFICATION: Rate("Registrations and code requests per client address.", "20/1h"),
  LATCHKEY_RATE_FEEDBACK: Rate("Help feedback answers per client address.", "20/1h"),
  LATCHKEY_RATE_CODE_ENTRY: Rate("Code and reset-link entries per client address (confirming an account or an identifier, completing a reset), on top of each code's 5 tries.", "20/15m"),
  LATCHKEY_RATE_PASSWORD_STRENGTH: Rate("Password strength estimates (the meter on password fields) per client address.", "60/1m"),
  LATCHKEY_AUDIT_RETENTION: Duration("How long security events are kept.", "90d"),
  LATCHKEY_ARGON2_MEMORY_KIB: Int("argon2id memory cost in KiB.", "19456"),
  LATCHKEY_ARGON2_TIME_COST: Int("argon2id passes.", "2"),
  LATCHKEY_ARGON2_PARALLELISM: Int("argon2id lanes.", "1"),
  LATCHKEY_DEFAULT_REGION: Type.Optional(
    Type.String({ pattern: "^[A-Za-z]{2}$", description: "ISO 3166-1 country (e.g. GB, US) whose national mobile numbers are accepted without a country code. Unset: every number needs its country code, and a number without one is answered with the countries it could belong to.", default: "" }),
  ),
  LATCHKEY_IP_COUNTRY_CSV: Type.Optional(
    Type.String({ minLength: 1, maxLength: 4096, description: "Optional offline IP-to-country table (CSV rows: first address, last address, ISO country code; IPv4 and IPv6) so the session list can name each session's country. Read once at start; nothing is looked up over the network.", default: "" }),
  ),
  LATCHKEY_WEBHOOKS_ALLOW_PRIVATE: Bool("1 lets webhooks reach loopback, private and link-local addresses (for receivers on the same host or network). Off, such addresses are refused when the connection is made.", "0"),
  LATCHKEY_WEBHOOKS_TIMEOUT: Duration("How long one webhook request may take, connection to last byte, before it counts as failed.", "10s"),
  LATCHKEY_WEBHOOKS_POLL_INTERVAL: Duration("How often each instance looks for webhook deliveries that are due.", "1s"),
  LATCHKEY_PASSWORD_MIN_SCORE: Type.Optional(Type.Union(["0", "1", "2", "3", "4"].map((s) => Type.Literal(s)), { description: "Lowest accepted strength estimate (0–4).", default: "3" })),
});

export type RawEnv = Static<typeof EnvSchema>;
export type EnvName = keyof RawEnv;
export const ENV_NAMES = Object.keys(EnvSchema.properties) as EnvName[];
