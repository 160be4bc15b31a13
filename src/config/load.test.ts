import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type Config, ConfigError, loadConfig } from "./load.ts";
import { ENV_NAMES, EnvSchema, envDefault } from "./schema.ts";

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
    assert.match(problemFor(error, "LATCHKEY_SHUTDOWN_TIMEOUT") ?? "", /must be from 1s to 1d/);
    assert.match(problemFor(error, "LATCHKEY_HEADERS_TIMEOUT") ?? "", /not be longer than LATCHKEY_BODY_TIMEOUT/);
    assert.ok(problemFor(error, "LATCHKEY_REQUEST_TIMEOUT"));
  });
});

describe("loadConfig: argon2 parameters", () => {
  test("below the argon2 library's limits (0 passes, 1 KiB, 0 lanes) they are refused, each named with its range", () => {
    const error = refuse({ LATCHKEY_ARGON2_TIME_COST: "0", LATCHKEY_ARGON2_MEMORY_KIB: "1", LATCHKEY_ARGON2_PARALLELISM: "0" });
    assert.equal(problemFor(error, "LATCHKEY_ARGON2_TIME_COST"), 'LATCHKEY_ARGON2_TIME_COST="0": must be 1–16 passes');
    assert.equal(problemFor(error, "LATCHKEY_ARGON2_PARALLELISM"), 'LATCHKEY_ARGON2_PARALLELISM="0": must be 1–255 lanes');
    assert.match(problemFor(error, "LATCHKEY_ARGON2_MEMORY_KIB") ?? "", /^LATCHKEY_ARGON2_MEMORY_KIB="1": must be 8–4194304 KiB/);
    assert.equal(error.problems.length, 3);
  });

  test("memory must be at least 8 KiB per lane", () => {
    const error = refuse({ LATCHKEY_ARGON2_PARALLELISM: "4", LATCHKEY_ARGON2_MEMORY_KIB: "31" });
    assert.match(problemFor(error, "LATCHKEY_ARGON2_MEMORY_KIB") ?? "", /must be 32–4194304 KiB/);
    assert.equal(error.problems.length, 1);
    assert.deepEqual(load({ LATCHKEY_ARGON2_PARALLELISM: "4", LATCHKEY_ARGON2_MEMORY_KIB: "32" }).argon2, { memoryCost: 32, timeCost: 2, parallelism: 4 });
  });

  test("above 16 passes, 255 lanes or 4 GiB they are refused; at those bounds they are accepted", () => {
    const error = refuse({ LATCHKEY_ARGON2_TIME_COST: "17", LATCHKEY_ARGON2_MEMORY_KIB: "4194305", LATCHKEY_ARGON2_PARALLELISM: "256" });
    assert.match(problemFor(error, "LATCHKEY_ARGON2_TIME_COST") ?? "", /must be 1–16 passes/);
    assert.match(problemFor(error, "LATCHKEY_ARGON2_MEMORY_KIB") ?? "", /must be 8–4194304 KiB/);
    assert.match(problemFor(error, "LATCHKEY_ARGON2_PARALLELISM") ?? "", /must be 1–255 lanes/);
    const config = load({ LATCHKEY_ARGON2_TIME_COST: "16", LATCHKEY_ARGON2_MEMORY_KIB: "4194304", LATCHKEY_ARGON2_PARALLELISM: "255" });
    assert.deepEqual(config.argon2, { memoryCost: 4194304, timeCost: 16, parallelism: 255 });
  });

  test("the smallest parameters accepted are ones the argon2 library hashes with", async () => {
    const { hash } = await import("@node-rs/argon2");
    const config = load({ LATCHKEY_ARGON2_TIME_COST: "1", LATCHKEY_ARGON2_MEMORY_KIB: "16", LATCHKEY_ARGON2_PARALLELISM: "2" });
    assert.match(await hash("password", { ...config.argon2, algorithm: 2 }), /^\$argon2id\$v=19\$m=16,t=1,p=2\$/);
    await assert.rejects(hash("password", { ...config.argon2, memoryCost: 15, algorithm: 2 }), /Memory cost is too small/);
  });
});

describe("loadConfig: rates", () => {
  const RATE_NAMES = ENV_NAMES.filter((name) => name.startsWith("LATCHKEY_RATE_"));

  test("a zero count or a zero window is refused for every rate, naming the setting and the range", () => {
    assert.equal(RATE_NAMES.length, 11);
    for (const value of ["0/1m", "2/0s", "30/0m", "0/0d"]) {
      const error = refuse(Object.fromEntries(RATE_NAMES.map((name) => [name, value])));
      for (const name of RATE_NAMES) {
        assert.equal(
          problemFor(error, name),
          `${name}=${JSON.stringify(value)}: must be COUNT/WINDOW with a count of 1–9999999 and a window of at least 1s (e.g. 30/1m)`,
        );
      }
      assert.equal(error.problems.length, RATE_NAMES.length);
    }
  });

  test("one request per second is accepted", () => {
    assert.deepEqual(load({ LATCHKEY_RATE_SIGNIN: "1/1s" }).clientLimits.signin, { max: 1, windowSeconds: 1 });
  });
});

describe("loadConfig: durations", () => {
  // Every setting written as a duration, found by its format in the schema, so a new one is checked too.
  const DURATION_NAMES = ENV_NAMES.filter((name) => (EnvSchema.properties[name] as { pattern?: string }).pattern === "^\\d+(s|m|h|d)$");

  // The range each setting's problem names: timers up to a day, sessions up to a cookie's 400 days.
  const range = (name: string): string =>
    name === "LATCHKEY_AUDIT_RETENTION" ? "from 1s to 36500d" : /SESSION|REMEMBER|STEP_UP/.test(name) ? "from 1s to 400d" : "from 1s to 1d";

  test("0 is refused for every duration setting (none of them means 'off' at 0), naming the setting and its range", () => {
    assert.ok(DURATION_NAMES.includes("LATCHKEY_SESSION_IDLE_TIMEOUT"));
    assert.ok(DURATION_NAMES.includes("LATCHKEY_AUDIT_RETENTION"));
    assert.ok(DURATION_NAMES.includes("LATCHKEY_DATABASE_TIMEOUT"));
    assert.equal(DURATION_NAMES.length, 14);
    for (const value of ["0s", "0m", "0h", "0d"]) {
      const error = refuse(Object.fromEntries(DURATION_NAMES.map((name) => [name, value])));
      for (const name of DURATION_NAMES) assert.equal(problemFor(error, name), `${name}=${JSON.stringify(value)}: must be ${range(name)}`);
    }
  });

  test("each refuses 0 on its own too", () => {
    for (const name of DURATION_NAMES) assert.deepEqual(refuse({ [name]: "0s" }).problems, [`${name}="0s": must be ${range(name)}`]);
  });

  test("each refuses one second past its maximum and a value no date can hold (a 500 on every sign-in before), and accepts its maximum", () => {
    for (const name of DURATION_NAMES) {
      const maxDays = Number(/to (\d+)d$/.exec(range(name))?.[1]);
      const over = `${maxDays * 86400 + 1}s`;
      assert.deepEqual(refuse({ [name]: over }).problems, [`${name}=${JSON.stringify(over)}: must be ${range(name)}`]);
      assert.deepEqual(refuse({ [name]: "99999999999999d" }).problems, [`${name}="99999999999999d": must be ${range(name)}`]);
    }
    // A timer past 24.8 days fires at once in Node.js: 30d of shutdown time was no wait at all.
    assert.deepEqual(refuse({ LATCHKEY_SHUTDOWN_TIMEOUT: "30d" }).problems, ['LATCHKEY_SHUTDOWN_TIMEOUT="30d": must be from 1s to 1d']);
    const config = load({
      LATCHKEY_SESSION_ABSOLUTE_TIMEOUT: "400d",
      LATCHKEY_REMEMBER_ABSOLUTE_TIMEOUT: "400d",
      LATCHKEY_REMEMBER_IDLE_TIMEOUT: "400d",
      LATCHKEY_SESSION_IDLE_TIMEOUT: "400d",
      LATCHKEY_STEP_UP_WINDOW: "400d",
      LATCHKEY_AUDIT_RETENTION: "36500d",
      LATCHKEY_SHUTDOWN_TIMEOUT: "24h",
      LATCHKEY_HEADERS_TIMEOUT: "1d",
      LATCHKEY_BODY_TIMEOUT: "1d",
      LATCHKEY_REQUEST_TIMEOUT: "1440m",
      LATCHKEY_WEBHOOKS_TIMEOUT: "86400s",
      LATCHKEY_WEBHOOKS_POLL_INTERVAL: "1d",
    });
    assert.equal(config.sessions.rememberAbsoluteSeconds, 400 * 86400);
    assert.equal(config.auditRetentionSeconds, 36500 * 86400);
    assert.equal(config.timeouts.shutdownMs, 86400 * 1000);
  });

  test("1s is accepted for every duration setting", () => {
    const config = load(Object.fromEntries(DURATION_NAMES.map((name) => [name, "1s"])));
    assert.deepEqual(config.sessions, { idleSeconds: 1, absoluteSeconds: 1, rememberIdleSeconds: 1, rememberAbsoluteSeconds: 1 });
    assert.equal(config.stepUpWindowSeconds, 1);
    assert.equal(config.auditRetentionSeconds, 1);
    assert.equal(config.webhooks.timeoutMs, 1000);
    assert.equal(config.webhooks.pollIntervalMs, 1000);
    assert.deepEqual(config.timeouts, { headersMs: 1000, bodyMs: 1000, requestMs: 1000, shutdownMs: 1000 });
    const cluster = load({
      LATCHKEY_DATABASE_URL: "postgres://db/latchkey",
      LATCHKEY_REDIS_URL: "redis://cache",
      LATCHKEY_DATABASE_TIMEOUT: "1s",
      LATCHKEY_REDIS_TIMEOUT: "1s",
    });
    assert.equal(cluster.database.kind === "postgres" && cluster.database.connectTimeoutMs, 1000);
    assert.equal(cluster.redis?.commandTimeoutMs, 1000);
  });
});

describe("loadConfig: listen addresses", () => {
  for (const name of ["LATCHKEY_HOST", "LATCHKEY_METRICS_HOST"] as const) {
    test(`${name} must be an IPv4 or IPv6 address or localhost; a host name is refused at load, not at listen`, () => {
      for (const host of ["not-an-ip", "example.com", "[::1]", "127.1", "0.0.0.0:3000"]) {
        assert.equal(
          problemFor(refuse({ [name]: host }), name),
          `${name}=${JSON.stringify(host)}: must be an IPv4 or IPv6 address of this machine (0.0.0.0 or :: for all of them, 127.0.0.1 for this machine only) or localhost`,
        );
      }
      for (const host of ["0.0.0.0", "127.0.0.1", "192.168.1.10", "::", "::1", "fe80::1%eth0", "localhost"]) {
        const config = load({ [name]: host, LATCHKEY_METRICS_PORT: "9100" });
        assert.equal(name === "LATCHKEY_HOST" ? config.host : config.metrics?.host, host);
      }
    });
  }
  test("LATCHKEY_METRICS_PORT must differ from LATCHKEY_PORT", () => {
    assert.equal(
      problemFor(refuse({ LATCHKEY_PORT: "3000", LATCHKEY_METRICS_PORT: "3000" }), "LATCHKEY_METRICS_PORT"),
      "LATCHKEY_METRICS_PORT=3000: must differ from LATCHKEY_PORT, which serves the service itself",
    );
    assert.equal(load({ LATCHKEY_PORT: "3000", LATCHKEY_METRICS_PORT: "9100" }).metrics?.port, 9100);
  });
});

describe("loadConfig: LATCHKEY_SMS_COUNTRIES", () => {
  test("unset or * texts every country; a list is read in any case and spacing", () => {
    assert.equal(load({}).smsCountries, null);
    assert.equal(load({ LATCHKEY_SMS_COUNTRIES: "*" }).smsCountries, null);
    assert.deepEqual([...(load({ LATCHKEY_SMS_COUNTRIES: "gb, IE ,Fr" }).smsCountries ?? [])], ["GB", "IE", "FR"]);
  });
  test("an unknown code or an empty entry is refused, each named", () => {
    const problems = refuse({ LATCHKEY_SMS_COUNTRIES: "GB,XX,,UK" }).problems.filter((p) => p.startsWith("LATCHKEY_SMS_COUNTRIES"));
    assert.deepEqual(
      problems.map((p) => /: ("[^"]*")/.exec(p)?.[1]),
      ['"XX"', '""', '"UK"'],
    );
    assert.match(problems[0] ?? "", /use ISO 3166-1 codes such as GB,IE,FR, or \* for every country/);
  });
});

describe("loadConfig: LATCHKEY_COOKIE_DOMAIN", () => {
  const AUTH = { LATCHKEY_BASE_URL: "https://auth.example.com" };
  test("a single label, a public top-level domain or an IP address is refused with the reason", () => {
    assert.match(
      problemFor(refuse({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: "com" }), "LATCHKEY_COOKIE_DOMAIN") ?? "",
      /"com": a single label .* browsers would drop/,
    );
    assert.match(problemFor(refuse({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: ".com" }), "LATCHKEY_COOKIE_DOMAIN") ?? "", /a single label/);
    assert.match(
      problemFor(refuse({ LATCHKEY_BASE_URL: "http://localhost:3000", LATCHKEY_COOKIE_DOMAIN: "localhost" }), "LATCHKEY_COOKIE_DOMAIN") ?? "",
      /a single label/,
    );
    for (const address of ["127.0.0.1", "192.168.1.10", "::1", "[::1]"]) {
      const problem = problemFor(refuse({ LATCHKEY_BASE_URL: "http://127.0.0.1:3000", LATCHKEY_COOKIE_DOMAIN: address }), "LATCHKEY_COOKIE_DOMAIN");
      assert.match(problem ?? "", /an IP address cannot be a cookie domain/, address);
    }
  });
  test("one that does not cover the base URL's host is refused; a parent or the host itself is taken, a leading dot dropped", () => {
    assert.match(
      problemFor(refuse({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: "example.org" }), "LATCHKEY_COOKIE_DOMAIN") ?? "",
      /must be the host of LATCHKEY_BASE_URL \(auth\.example\.com\)/,
    );
    assert.match(problemFor(refuse({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: "ample.com" }), "LATCHKEY_COOKIE_DOMAIN") ?? "", /must be the host/);
    assert.equal(
      problemFor(refuse({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: "example..com" }), "LATCHKEY_COOKIE_DOMAIN"),
      'LATCHKEY_COOKIE_DOMAIN="example..com": not a domain name; use a domain such as example.com',
    );
    assert.equal(load({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: "Example.COM" }).cookieDomain, "example.com");
    assert.equal(load({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: ".example.com" }).cookieDomain, "example.com");
    assert.equal(load({ ...AUTH, LATCHKEY_COOKIE_DOMAIN: "auth.example.com" }).cookieDomain, "auth.example.com");
    assert.equal(load(AUTH).cookieDomain, undefined);
  });
});
