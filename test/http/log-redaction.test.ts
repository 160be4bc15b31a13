// A real server process writes its log to a file while it is sent confirmation codes, reset tokens and
// identifiers in query strings; the file must hold none of them.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { redactURL } from "../../src/http/log-redaction.ts";
import { testEnv } from "../helpers/app.ts";
import { latestCode, readEmails } from "../helpers/outbox.ts";

const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));
const PASSWORD = "Correct-Horse-Battery-Staple-42";

describe("redactURL", () => {
  it("keeps the path and the parameter names and replaces every value", () => {
    assert.equal(redactURL("/verify?identifier=a%40example.com&code=517418"), "/verify?identifier=[redacted]&code=[redacted]");
    assert.equal(redactURL("/password/reset/confirm?token=abc"), "/password/reset/confirm?token=[redacted]");
    assert.equal(redactURL("/signin"), "/signin");
    assert.equal(redactURL("/signin?"), "/signin?");
    assert.equal(redactURL("/x?flag"), "/x?flag=[redacted]");
    assert.equal(redactURL(`/x?${"s".repeat(60)}`), "/x?[redacted]");
  });
});

describe("the log of a real server process", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-log-"));
  const logFile = join(dataDir, "server.log");
  let base = "";
  let stop: () => Promise<void> = async () => undefined;
  const outboxDir = join(dataDir, "outbox");

  before(async () => {
    const fd = openSync(logFile, "w");
    const child = spawn(process.execPath, [BIN, "serve"], {
      env: {
        ...(process.env as Record<string, string>),
        ...testEnv(dataDir),
        LATCHKEY_PORT: "0",
        LATCHKEY_LOG_LEVEL: "info",
        LATCHKEY_REGISTRATION_CAPTCHA: "0",
      },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    stop = async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    };
    const deadline = Date.now() + 60_000;
    while (!base) {
      const text = readFileSync(logFile, "utf8");
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(text)?.[1];
      if (port) base = `http://127.0.0.1:${port}`;
      else if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${text}`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("holds no confirmation code, reset token or identifier from a query string", async () => {
    const email = "log-watcher@example.com";
    // The security check is bound to the browser's cookie: keep the cookies like a browser.
    const cookies = new Map<string, string>();
    const remember = (r: Response): Response => {
      for (const line of r.headers.getSetCookie()) {
        const [name, ...rest] = (line.split(";")[0] ?? "").split("=");
        if (name) cookies.set(name, rest.join("="));
      }
      return r;
    };
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json", cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: JSON.stringify(body),
    });
    assert.equal(remember(await fetch(`${base}/api/v1/accounts`, json({ identifier: email, password: PASSWORD }))).status, 202);
    const code = await latestCode(outboxDir, email);
    // The link in the message: /verify?identifier=…&code=…
    const confirm = await fetch(`${base}/verify?identifier=${encodeURIComponent(email)}&code=${code}`, { redirect: "manual" });
    assert.ok(confirm.status < 500);
    assert.equal((await fetch(`${base}/api/v1/accounts/verify`, json({ identifier: email, code }))).status, 200);

    const captcha = (await remember(await fetch(`${base}/api/v1/captcha`, json({ purpose: "password_reset" }))).json()) as { id: string };
    assert.equal((await fetch(`${base}/api/v1/password-resets`, json({ identifier: email, captcha: { id: captcha.id, answer: "testme" } }))).status, 202);
    let token: string | undefined;
    for (let i = 0; i < 50 && !token; i++) {
      const mail = (await readEmails(outboxDir)).filter((e) => e.subject === "Reset your password").at(-1);
      token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1];
      if (!token) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(token, "a reset link was sent");
    assert.ok((await fetch(`${base}/password/reset/confirm?token=${token}`)).status < 500);
    // Refused requests log their detail too: an unknown path and a page only admins may see.
    await fetch(`${base}/no-such-page?token=${token}&code=${code}`);
    remember(await fetch(`${base}/api/v1/session`, json({ identifier: email, password: PASSWORD })));
    const refused = await fetch(`${base}/admin?q=${encodeURIComponent(email)}`, { headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    assert.equal(refused.status, 404);
    await stop();

    const log = readFileSync(logFile, "utf8");
    assert.match(log, /"url":"\/verify\?identifier=\[redacted\]&code=\[redacted\]"/, "the request line is there, redacted");
    assert.match(log, /"url":"\/password\/reset\/confirm\?token=\[redacted\]"/);
    assert.ok(!log.includes(token), "the reset token is not in the log");
    assert.ok(!log.includes(code), "the confirmation code is not in the log");
    assert.ok(!log.includes(email) && !log.includes(encodeURIComponent(email)), "the e-mail address is not in the log");
  });
});
