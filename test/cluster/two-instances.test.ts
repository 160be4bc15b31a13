// Two server processes on different ports sharing PostgreSQL and Redis behave as one: sessions, sign-out,
// security checks, failure counters and reset links cross between them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { testEnv } from "../helpers/app.ts";
import { clusterSkipReason, createTestSchema, dropRedisPrefix, TEST_REDIS_URL, type TestSchema, testRedisPrefix } from "../helpers/cluster.ts";
import { readEmails } from "../helpers/outbox.ts";
import { HttpBrowser, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

const skip = clusterSkipReason();
const PASSWORD = "Correct-Horse-Battery-Staple-42";

type Instance = ServerProcess;

const startInstance = (env: Record<string, string>): Promise<Instance> => startServerProcess(env);

describe("two instances on PostgreSQL and Redis", { skip }, () => {
  let schema: TestSchema;
  const prefix = testRedisPrefix();
  let dataDir: string;
  let a: Instance;
  let b: Instance;
  before(async () => {
    schema = await createTestSchema();
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-cluster-"));
    const env = {
      ...testEnv(dataDir),
      LATCHKEY_DATABASE_URL: schema.url,
      LATCHKEY_REDIS_URL: TEST_REDIS_URL as string,
      LATCHKEY_REDIS_PREFIX: prefix,
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
    };
    a = await startInstance(env);
    b = await startInstance(env);
    // Create a confirmed account through instance A, reading the code from the shared outbox.
    const setup = new HttpBrowser();
    assert.equal((await setup.call(a.url, "POST", "/api/v1/accounts", { identifier: "cluster@example.com", password: PASSWORD })).status, 202);
    const mail = (await readEmails(join(dataDir, "outbox"))).at(-1);
    const code = /\b(\d{6})\b/.exec(mail?.text ?? "")?.[1];
    assert.equal((await setup.call(b.url, "POST", "/api/v1/accounts/verify", { identifier: "cluster@example.com", code })).status, 200);
  });
  after(async () => {
    for (const i of [a, b]) i?.child.kill("SIGTERM");
    await schema?.drop();
    await dropRedisPrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps a session made on A valid on B, and a sign-out on B ends it on A", async () => {
    const user = new HttpBrowser();
    assert.equal((await user.call(a.url, "POST", "/api/v1/session", { identifier: "cluster@example.com", password: PASSWORD })).status, 200);
    assert.equal((await user.call(b.url, "GET", "/api/v1/session")).status, 200);
    const saved = new Map(user.cookies);
    assert.equal((await user.call(b.url, "DELETE", "/api/v1/session")).status, 204);
    const old = new HttpBrowser();
    old.cookies = saved;
    assert.equal((await old.call(a.url, "GET", "/api/v1/session")).status, 401);
  });

  it("verifies a security check made on A once, on B", async () => {
    const user = new HttpBrowser();
    for (let i = 0; i < 3; i++)
      await user.call(i % 2 ? a.url : b.url, "POST", "/api/v1/session", { identifier: "counted@example.com", password: "wrong-password-here" });
    const required = await user.call(a.url, "POST", "/api/v1/session", { identifier: "counted@example.com", password: "wrong-password-here" });
    assert.equal((required.body.error as { code: string }).code, "CAPTCHA_REQUIRED", "failures on A and B add up to three");
    const challenge = (await user.call(a.url, "POST", "/api/v1/captcha", { purpose: "signin" })).body as { id: string };
    const first = await user.call(b.url, "POST", "/api/v1/session", {
      identifier: "counted@example.com",
      password: "wrong-password-here",
      captcha: { id: challenge.id, answer: "testme" },
    });
    assert.equal((first.body.error as { code: string }).code, "SIGNIN_FAILED", "the check passed on B");
    const again = await user.call(a.url, "POST", "/api/v1/session", {
      identifier: "counted@example.com",
      password: "wrong-password-here",
      captcha: { id: challenge.id, answer: "testme" },
    });
    assert.equal((again.body.error as { code: string }).code, "CAPTCHA_EXPIRED", "and only once");
  });

  it("completes on B a reset requested on A", async () => {
    const user = new HttpBrowser();
    const challenge = (await user.call(a.url, "POST", "/api/v1/captcha", { purpose: "password_reset" })).body as { id: string };
    assert.equal(
      (await user.call(a.url, "POST", "/api/v1/password-resets", { identifier: "cluster@example.com", captcha: { id: challenge.id, answer: "1234567" } }))
        .status,
      202,
    );
    let token: string | undefined;
    for (let i = 0; i < 50 && !token; i++) {
      const mail = (await readEmails(join(dataDir, "outbox"))).filter((m) => m.subject === "Reset your password").at(-1);
      token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1];
      if (!token) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(token, "the reset e-mail arrived");
    const newPassword = "Lantern-Orchard-Velvet-Comet-9";
    assert.equal((await user.call(b.url, "POST", "/api/v1/password-resets/complete", { token, password: newPassword })).status, 204);
    assert.equal((await user.call(a.url, "POST", "/api/v1/session", { identifier: "cluster@example.com", password: newPassword })).status, 200);
  });
});
