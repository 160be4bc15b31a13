// A registration whose server is killed (kill -9) after the code was stored and before the message went
// out: what is left is an unconfirmed account with a code nobody received. It cannot be used, and the same
// person registering again (or asking for a new code) gets a working code, as the README says.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { STRONG_PASSWORD } from "../helpers/accounts.ts";
import { testEnv } from "../helpers/app.ts";
import { latestCode, readEmails } from "../helpers/outbox.ts";
import { startServerProcess } from "../helpers/server-process.ts";

const IDENTIFIER = "interrupted@example.com";

async function startServer(env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  const server = await startServerProcess(env);
  return { base: server.url, child: server.child };
}

async function post(base: string, path: string, json: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(json) });
}

describe("a registration interrupted between storing its code and sending it", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-interrupted-"));
  const children: ChildProcess[] = [];
  const held: Socket[] = [];
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const socket of held) socket.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("leaves an unusable unconfirmed account, and registering again sends a code that works", async () => {
    // An SMTP server that accepts the connection and never answers: the message is on its way, not sent.
    const smtp = createServer((socket) => {
      held.push(socket);
      smtp.emit("delivery-started");
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
    const smtpPort = (smtp.address() as { port: number }).port;
    const base = { ...testEnv(dataDir), LATCHKEY_REGISTRATION_CAPTCHA: "0" };
    const first = await startServer({ ...base, LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });
    children.push(first.child);
    const delivering = new Promise<void>((resolve) => smtp.once("delivery-started", () => resolve()));
    const pending = post(first.base, "/api/v1/accounts", { identifier: IDENTIFIER, password: STRONG_PASSWORD }).catch(() => null);
    await delivering;
    const gone = new Promise<void>((resolve) => first.child.once("exit", () => resolve()));
    first.child.kill("SIGKILL");
    await gone;
    assert.equal(await pending, null, "the client got no answer");
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    for (const socket of held) socket.destroy();

    // What is left: the account, unconfirmed, and a code (stored only as an HMAC) that nobody received.
    const db = new SQLite(join(dataDir, "latchkey.db"), { readonly: true });
    const identifiers = db.prepare("select account_id, verified_at from identifiers where value = ?").all(IDENTIFIER) as Array<{
      account_id: string;
      verified_at: number | null;
    }>;
    const codes = db.prepare("select count(*) as n from verifications where value = ? and purpose = 'registration'").get(IDENTIFIER) as { n: number };
    db.close();
    assert.equal(identifiers.length, 1);
    assert.equal(identifiers[0]?.verified_at, null, "the account is not confirmed");
    assert.equal(codes.n, 1, "the unsent code is stored");
    assert.equal((await readEmails(join(dataDir, "outbox"))).length, 0);

    // The same data directory, now delivering to the outbox.
    const second = await startServer(base);
    children.push(second.child);
    const signin = await post(second.base, "/api/v1/session", { identifier: IDENTIFIER, password: "some-other-password-guess" });
    assert.equal(signin.status, 401, "nobody signs in to the unconfirmed account with a guess");
    const again = await post(second.base, "/api/v1/accounts", { identifier: IDENTIFIER, password: STRONG_PASSWORD });
    assert.equal(again.status, 202);
    const code = await latestCode(join(dataDir, "outbox"), IDENTIFIER);
    const verified = await post(second.base, "/api/v1/accounts/verify", { identifier: IDENTIFIER, code, password: STRONG_PASSWORD });
    assert.equal(verified.status, 200);
    assert.equal((await post(second.base, "/api/v1/session", { identifier: IDENTIFIER, password: STRONG_PASSWORD })).status, 200);
    second.child.kill("SIGTERM");
  });
});
