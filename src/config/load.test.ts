import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type Config, ConfigError, loadConfig } from "./load.ts";
import { ENV_NAMES, envDefault } from "./schema.ts";

const SECRET = "0123456789abcdef0123456789abcdef-secret";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "latchkey-config-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function load(env: Record<string, string>): Config {
  return loadConfig(env, cwd);
}

/** Loads expecting a ConfigError and returns it. */
function refuse(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, "CONFIG_INVALID");
    return error;
  }
  assert.fail("the configuration was accepted");
}

function problemFor(error: ConfigError, name: string): string | undefined {
  return error.problems.find((p) => p.startsWith(name));
}

/** What production needs besides the secret: an explicit mail and SMS choice. */
const PRODUCTION = {
  NODE_ENV: "production",
  LATCHKEY_SECRET: SECRET,
  LATCHKEY_MAIL_TRANSPORT: "outbox",
  LATCHKEY_SMS_PROVIDER: "outbox",
  LATCHKEY_MAIL_FROM: "no-reply@example.com",
};

describe("loadConfig: defaults", () => {
  test("an empty environment gives the documented defaults", () => {
    const config = load({});
    assert.equal(config.env, "development");
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.port, 3000);
    assert.equal(config.baseUrl, "http://localhost:3000");
    assert.equal(config.baseOrigin, "http://localhost:3000");
    assert.equal(config.secureCookies, false);
    assert.equal(config.dataDir, join(cwd, "data"));
    assert.equal(config.outboxDir, join(cwd, "data", "outbox"));
    assert.deepEqual(config.database, { kind: "sqlite", file: join(cwd, "data", "latchkey.db") });
    assert.deepEqual(config.mail, { transport: "outbox" });
    assert.deepEqual(config.sms, { provider: "outbox" });
    assert.equal(config.mailFrom, "no-reply@localhost");
    assert.deepEqual(config.trustProxy, []);
    assert.equal(config.logLevel, "info");
    assert.equal(config.captchaTestMode, false);
    assert.equal(config.registrationCAPTCHA, true);
    assert.deepEqual(config.sessions, {
      idleSeconds: 12 * 3600,
      absoluteSeconds: 7 * 86400,
      rememberIdleSeconds: 30 * 86400,
      rememberAbsoluteSeconds: 90 * 86400,
    });
    assert.deepEqual(config.argon2, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    assert.equal(config.passwordMinScore, 3);
  });

  test("an empty environment loads exactly as one that sets every schema default, so no other default exists", () => {
    const defaults: Record<string, string> = {};
    for (const name of ENV_NAMES) {
      const value = envDefault(name);
      if (value !== undefined) defaults[name] = value;
    }
    assert.ok(Object.keys(defaults).length > 30, "the schema has its defaults");
    assert.deepEqual(load({}), load(defaults));
  });

  test("the configuration is frozen", () => {
    const config = load({});
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  test("values given are used", () => {
    const config = load({
      LATCHKEY_HOST: "0.0.0.0",
      LATCHKEY_PORT: "8080",
      LATCHKEY_DATA_DIR: "var/lk",
      LATCHKEY_DATABASE_URL: "sqlite:/srv/latchkey/main.db",
      LATCHKEY_SMTP_URL: "smtp://mail.example.com:587",
      LATCHKEY_TRUST_PROXY: "10.0.0.0/8, loopback",
      LATCHKEY_LOG_LEVEL: "warn",
      LATCHKEY_SESSION_IDLE_TIMEOUT: "30m",
      LATCHKEY_PASSWORD_MIN_SCORE: "4",
      LATCHKEY_ARGON2_MEMORY_KIB: "65536",
    });
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, join(cwd, "var", "lk"));
    assert.deepEqual(config.database, { kind: "sqlite", file: "/srv/latchkey/main.db" });
    assert.deepEqual(config.mail, { transport: "smtp", smtpUrl: "smtp://mail.example.com:587" });
    assert.deepEqual(config.trustProxy, ["10.0.0.0/8", "loopback"]);
    assert.equal(config.logLevel, "warn");
    assert.equal(config.sessions.idleSeconds, 1800);
    assert.equal(config.passwordMinScore, 4);
    assert.equal(config.argon2.memoryCost, 65536);
  });

  test("empty variables count as unset", () => {
    const config = load({
      NODE_ENV: "",
      LATCHKEY_HOST: "",
      LATCHKEY_PORT: "",
      LATCHKEY_BASE_URL: "",
      LATCHKEY_SECRET: "",
      LATCHKEY_LOG_LEVEL: "",
      LATCHKEY_SMS_PROVIDER: "",
    });
    assert.equal(config.env, "development");
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.port, 3000);
    assert.equal(config.baseUrl, "http://localhost:3000");
    assert.equal(config.logLevel, "info");
    // An empty secret is a missing one: generated outside production…
    assert.equal(config.secret, readFileSync(join(cwd, "data", "secret"), "utf8").trim());
    // …and refused in production.
    const error = refuse({ ...PRODUCTION, LATCHKEY_SECRET: "" });
    assert.ok(problemFor(error, "LATCHKEY_SECRET"));
  });
});

describe("loadConfig: every problem at once", () => {
  test("four bad values are all named in one ConfigError", () => {
    const error = refuse({
      LATCHKEY_PORT: "eighty",
      LATCHKEY_LOG_LEVEL: "loud",
      LATCHKEY_SESSION_IDLE_TIMEOUT: "12 hours",
      LATCHKEY_TRUST_PROXY: "not-an-address",
    });
    for (const name of ["LATCHKEY_PORT", "LATCHKEY_LOG_LEVEL", "LATCHKEY_SESSION_IDLE_TIMEOUT", "LATCHKEY_TRUST_PROXY"]) {
      assert.ok(problemFor(error, name), `${name} is named in: ${error.problems.join(" | ")}`);
      assert.ok(error.message.includes(name), `${name} is in the message`);
    }
    assert.ok(error.problems.length >= 4);
    assert.ok(problemFor(error, "LATCHKEY_PORT")?.includes('"eighty"'), "the bad value is shown");
  });

  test("schema and cross-field problems are reported together", () => {
    const error = refuse({ NODE_ENV: "production", LATCHKEY_PORT: "99999", LATCHKEY_BASE_URL: "ftp://example.com", LATCHKEY_CAPTCHA_TEST_MODE: "1" });
    for (const name of ["LATCHKEY_PORT", "LATCHKEY_BASE_URL", "LATCHKEY_SECRET", "LATCHKEY_CAPTCHA_TEST_MODE", "LATCHKEY_SMTP_URL", "LATCHKEY_SMS_PROVIDER"]) {
      assert.ok(problemFor(error, name), `${name} is named in: ${error.problems.join(" | ")}`);
    }
  });

  test("secret and URL values are not repeated in the message", () => {
    const error = refuse({ LATCHKEY_SECRET: "short-secret-value", LATCHKEY_SMTP_URL: "http://user:hunter2@mail.example.com" });
    assert.ok(problemFor(error, "LATCHKEY_SECRET"));
    assert.ok(problemFor(error, "LATCHKEY_SMTP_URL"));
    assert.ok(!error.message.includes("short-secret-value"));
    assert.ok(!error.message.includes("hunter2"));
  });

  test("a database URL that is not SQLite is refused", () => {
    assert.ok(problemFor(refuse({ LATCHKEY_DATABASE_URL: "mysql://db/latchkey" }), "LATCHKEY_DATABASE_URL"));
  });
});

describe("loadConfig: production", () => {
  test("production without LATCHKEY_SECRET is refused", () => {
    const { LATCHKEY_SECRET: _unused, ...withoutSecret } = PRODUCTION;
    const error = refuse(withoutSecret);
    assert.equal(error.problems.length, 1);
    assert.ok(problemFor(error, "LATCHKEY_SECRET"));
    assert.equal(existsSync(join(cwd, "data", "secret")), false, "no secret is generated in production");
  });

  test("production with a secret and explicit delivery choices starts", () => {
    const config = load(PRODUCTION);
    assert.equal(config.env, "production");
    assert.equal(config.secret, SECRET);
    assert.equal(existsSync(join(cwd, "data", "secret")), false);
  });

  test("production without a mail or SMS choice is refused", () => {
    const error = refuse({ NODE_ENV: "production", LATCHKEY_SECRET: SECRET, LATCHKEY_MAIL_FROM: "no-reply@example.com" });
    assert.ok(problemFor(error, "LATCHKEY_SMTP_URL"), error.problems.join(" | "));
    assert.ok(problemFor(error, "LATCHKEY_SMS_PROVIDER"), error.problems.join(" | "));
    assert.equal(error.problems.length, 2);
    assert.deepEqual(refuse({ ...PRODUCTION, LATCHKEY_MAIL_TRANSPORT: "" }).problems.length, 1);
    assert.deepEqual(refuse({ ...PRODUCTION, LATCHKEY_SMS_PROVIDER: "" }).problems.length, 1);
  });

  test("production without a sender address is refused, even with the outbox chosen on purpose", () => {
    const { LATCHKEY_MAIL_FROM: _unused, ...withoutSender } = PRODUCTION;
    const error = refuse(withoutSender);
    assert.deepEqual(error.problems, [
      "LATCHKEY_MAIL_FROM: required in production (the address e-mail comes from, e.g. no-reply@example.com, shown under LATCHKEY_SITE_NAME; or Name <no-reply@example.com>)",
    ]);
    assert.equal(load({ ...PRODUCTION, LATCHKEY_MAIL_FROM: "Harbour Books <no-reply@example.com>" }).mailFrom, "Harbour Books <no-reply@example.com>");
    assert.ok(problemFor(refuse({ LATCHKEY_MAIL_FROM: "no reply" }), "LATCHKEY_MAIL_FROM"));
  });

  test("production with SMTP and an SMS webhook starts", () => {
    const config = load({
      NODE_ENV: "production",
      LATCHKEY_SECRET: SECRET,
      LATCHKEY_MAIL_FROM: "no-reply@example.com",
      LATCHKEY_SMTP_URL: "smtps://mail.example.com",
      LATCHKEY_SMS_PROVIDER: "webhook",
      LATCHKEY_SMS_WEBHOOK_URL: "https://sms.example.com/send",
      LATCHKEY_SMS_WEBHOOK_SECRET: "webhook-secret-123456",
    });
    assert.deepEqual(config.mail, { transport: "smtp", smtpUrl: "smtps://mail.example.com" });
    assert.deepEqual(config.sms, { provider: "webhook", url: "https://sms.example.com/send", secret: "webhook-secret-123456" });
  });

  test("the SMS webhook needs its URL and secret", () => {
    const error = refuse({ LATCHKEY_SMS_PROVIDER: "webhook" });
    assert.ok(problemFor(error, "LATCHKEY_SMS_WEBHOOK_URL"));
    assert.ok(problemFor(error, "LATCHKEY_SMS_WEBHOOK_SECRET"));
  });
});

describe("loadConfig: CAPTCHA test mode", () => {
  test("LATCHKEY_CAPTCHA_TEST_MODE=1 is refused outside NODE_ENV=test", () => {
    assert.ok(problemFor(refuse({ LATCHKEY_CAPTCHA_TEST_MODE: "1" }), "LATCHKEY_CAPTCHA_TEST_MODE"));
    assert.ok(problemFor(refuse({ NODE_ENV: "development", LATCHKEY_CAPTCHA_TEST_MODE: "true" }), "LATCHKEY_CAPTCHA_TEST_MODE"));
    assert.ok(problemFor(refuse({ ...PRODUCTION, LATCHKEY_CAPTCHA_TEST_MODE: "1" }), "LATCHKEY_CAPTCHA_TEST_MODE"));
  });

  test("it is accepted with NODE_ENV=test, and off when 0", () => {
    assert.equal(load({ NODE_ENV: "test", LATCHKEY_CAPTCHA_TEST_MODE: "1" }).captchaTestMode, true);
    assert.equal(load({ NODE_ENV: "test", LATCHKEY_CAPTCHA_TEST_MODE: "0" }).captchaTestMode, false);
    assert.equal(load({ LATCHKEY_CAPTCHA_TEST_MODE: "0" }).captchaTestMode, false);
  });

  test("other spellings are refused", () => {
    assert.ok(problemFor(refuse({ NODE_ENV: "test", LATCHKEY_CAPTCHA_TEST_MODE: "yes" }), "LATCHKEY_CAPTCHA_TEST_MODE"));
  });
});

describe("loadConfig: generated secret", () => {
  test("is written into the data directory with mode 0600 and reused on the next load", () => {
    const first = load({});
    const file = join(cwd, "data", "secret");
    assert.ok(first.secret.length >= 32);
    assert.equal(readFileSync(file, "utf8"), `${first.secret}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const second = load({});
    assert.equal(second.secret, first.secret);
  });

  test("each data directory gets its own secret", () => {
    const a = load({ LATCHKEY_DATA_DIR: "a" });
    const b = load({ LATCHKEY_DATA_DIR: "b" });
    assert.notEqual(a.secret, b.secret);
    assert.equal(readFileSync(join(cwd, "a", "secret"), "utf8").trim(), a.secret);
  });

  test("a given LATCHKEY_SECRET wins and nothing is written", () => {
    assert.equal(load({ LATCHKEY_SECRET: SECRET }).secret, SECRET);
    assert.equal(existsSync(join(cwd, "data", "secret")), false);
  });
});

describe("loadConfig: base URL", () => {
  test("an https base URL turns on secure cookies", () => {
    const config = load({ LATCHKEY_BASE_URL: "https://login.example.com/" });
    assert.equal(config.secureCookies, true);
    assert.equal(config.baseOrigin, "https://login.example.com");
    assert.equal(config.baseUrl, "https://login.example.com");
  });

  test("an http base URL keeps them off; a path is kept without its trailing slash", () => {
    const config = load({ LATCHKEY_BASE_URL: "http://example.com:8080/auth/" });
    assert.equal(config.secureCookies, false);
    assert.equal(config.baseOrigin, "http://example.com:8080");
    assert.equal(config.baseUrl, "http://example.com:8080/auth");
  });
});

describe("connection and shutdown timeouts", () => {
  test("default to 10 s headers, 30 s body, 30 s request and 10 s shutdown", () => {
    assert.deepEqual(load({ LATCHKEY_SECRET: SECRET }).timeouts, { headersMs: 10_000, bodyMs: 30_000, requestMs: 30_000, shutdownMs: 10_000 });
  });

  test("take durations", () => {
    const config = load({
      LATCHKEY_SECRET: SECRET,
      LATCHKEY_HEADERS_TIMEOUT: "5s",
      LATCHKEY_BODY_TIMEOUT: "1m",
      LATCHKEY_REQUEST_TIMEOUT: "20s",
      LATCHKEY_SHUTDOWN_TIMEOUT: "25s",
    });
    assert.deepEqual(config.timeouts, { headersMs: 5_000, bodyMs: 60_000, requestMs: 20_000, shutdownMs: 25_000 });
  });

  test("refuse zero (no limit at all), a headers timeout longer than the body's, and non-durations, all at once", () => {
    const error = refuse({ LATCHKEY_SECRET: SECRET, LATCHKEY_SHUTDOWN_TIMEOUT: "0s", LATCHKEY_HEADERS_TIMEOUT: "2m", LATCHKEY_REQUEST_TIMEOUT: "soon" });
    assert.match(problemFor(error, "LATCHKEY_SHUTDOWN_TIMEOUT") ?? "", /at least 1s/);
    assert.match(problemFor(error, "LATCHKEY_HEADERS_TIMEOUT") ?? "", /not be longer than LATCHKEY_BODY_TIMEOUT/);
    assert.ok(problemFor(error, "LATCHKEY_REQUEST_TIMEOUT"));
  });
});
