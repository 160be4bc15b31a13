// Real delivery: e-mail over SMTP to an smtp-server started here, SMS to a webhook on loopback that checks
// the signature, and what happens when either fails.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createTCPServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SMTPServer } from "smtp-server";
import { consumeSendAllowance } from "../../src/accounts/send-limits.ts";
import { signSMSWebhookBody } from "../../src/delivery/sms.ts";
import { STRONG_PASSWORD, seedVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { solveCAPTCHA, TestClient } from "../helpers/client.ts";
import { startSMTPServer, type TestSMTPServer } from "../helpers/smtp.ts";

interface WebhookCall {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function startWebhook(status: () => number): Promise<{ server: Server; url: string; calls: WebhookCall[] }> {
  const calls: WebhookCall[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      calls.push({ headers: req.headers, body });
      res.writeHead(status()).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, calls }));
  });
}

describe("delivery over SMTP", () => {
  let smtp: TestSMTPServer;
  let t: TestApp;
  before(async () => {
    smtp = await startSMTPServer();
    t = await createTestApp({
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
      LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      LATCHKEY_MAIL_FROM: "Latchkey <no-reply@latchkey.test>",
    });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it("sends the confirmation code through a real SMTP exchange, and the code works", async () => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "smtp@example.com", password: STRONG_PASSWORD } });
    assert.equal(response.statusCode, 202);
    const mail = smtp.received.find((m) => m.to.includes("smtp@example.com"));
    assert.ok(mail, "the SMTP server received the message");
    assert.match(mail.subject, /is your confirmation code/);
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1] ?? "";
    // A client without cookies is not the one that chose the password: it sends the password with the code.
    const verified = await t.app.inject({
      method: "POST",
      url: "/api/v1/accounts/verify",
      payload: { identifier: "smtp@example.com", code, password: STRONG_PASSWORD },
    });
    assert.equal(verified.statusCode, 200);
  });

  it("writes the confirmation e-mail in the language the browser asks for", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/accounts",
      headers: { "accept-language": "de-DE,de;q=0.9,en;q=0.5" },
      payload: { identifier: "deutsch@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(response.statusCode, 202);
    const mail = smtp.received.find((m) => m.to.includes("deutsch@example.com"));
    assert.ok(mail, "the SMTP server received the message");
    assert.match(mail.subject, /^\d{6} ist Ihr Bestätigungscode$/);
    assert.match(mail.text, /Der Code gilt 10 Minuten lang\./);
    assert.match(mail.text, /Wir fragen Sie niemals per E-Mail oder SMS nach Ihrem Passwort\./);
    assert.doesNotMatch(mail.text, /confirmation code/);
  });
});

describe("messages in the person's language, with the owner's templates per language", () => {
  let smtp: TestSMTPServer;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  let t: TestApp;
  let brandingDir: string;
  before(async () => {
    smtp = await startSMTPServer();
    webhook = await startWebhook(() => 200);
    brandingDir = mkdtempSync(join(tmpdir(), "latchkey-branding-"));
    mkdirSync(join(brandingDir, "templates", "email"), { recursive: true });
    writeFileSync(
      join(brandingDir, "templates", "email", "verification-code.de.md"),
      "Subject: Willkommen bei {siteName}: Code {code}\n\nHallo! Ihr Code lautet **{code}**, gültig für {minutes} Minuten.",
    );
    t = await createTestApp({
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
      LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      LATCHKEY_MAIL_FROM: "Latchkey <no-reply@latchkey.test>",
      LATCHKEY_BRANDING_DIR: brandingDir,
      LATCHKEY_SMS_PROVIDER: "webhook",
      LATCHKEY_SMS_WEBHOOK_URL: webhook.url,
      LATCHKEY_SMS_WEBHOOK_SECRET: "webhook-secret-0123456789",
    });
  });
  after(async () => {
    await t.close();
    await smtp.close();
    await new Promise<void>((resolve) => webhook.server.close(() => resolve()));
    rmSync(brandingDir, { recursive: true, force: true });
  });

  it("uses the owner's German template for a German request, and the built-in text for an English one", async () => {
    const german = await t.app.inject({
      method: "POST",
      url: "/api/v1/accounts",
      headers: { "accept-language": "de" },
      payload: { identifier: "vorlage@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(german.statusCode, 202);
    const mail = smtp.received.find((m) => m.to.includes("vorlage@example.com"));
    assert.ok(mail);
    assert.match(mail.subject, /^Willkommen bei Latchkey: Code \d{6}$/);
    assert.match(mail.text, /Ihr Code lautet \*\*\d{6}\*\*, gültig für 10 Minuten\./);
    const english = await t.app.inject({
      method: "POST",
      url: "/api/v1/accounts",
      headers: { "accept-language": "en-GB" },
      payload: { identifier: "template-en@example.com", password: STRONG_PASSWORD },
    });
    assert.equal(english.statusCode, 202);
    const builtIn = smtp.received.find((m) => m.to.includes("template-en@example.com"));
    assert.match(builtIn?.subject ?? "", /^\d{6} is your confirmation code$/);
  });

  it("sends the text message in Arabic when the browser asks for Arabic", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/accounts",
      headers: { "accept-language": "ar" },
      payload: { identifier: "+33 6 11 22 33 44", password: STRONG_PASSWORD },
    });
    assert.equal(response.statusCode, 202);
    const payload = JSON.parse(webhook.calls.at(-1)?.body ?? "{}") as { to: string; body: string };
    assert.equal(payload.to, "+33611223344");
    assert.match(payload.body, /^\d{6} هو رمز التأكيد الخاص بك على Latchkey\. صالح لمدة 10 دقائق\./);
  });
});

describe("delivery failures", () => {
  let t: TestApp;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  let webhookStatus = 200;
  before(async () => {
    webhook = await startWebhook(() => webhookStatus);
    // Port 9 (discard) is closed on loopback: every SMTP attempt fails at once.
    t = await createTestApp({
      LATCHKEY_REGISTRATION_CAPTCHA: "0",
      LATCHKEY_SMTP_URL: "smtp://127.0.0.1:9",
      LATCHKEY_SMS_PROVIDER: "webhook",
      LATCHKEY_SMS_WEBHOOK_URL: webhook.url,
      LATCHKEY_SMS_WEBHOOK_SECRET: "webhook-secret-0123456789",
    });
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => webhook.server.close(() => resolve()));
  });

  it("reports an unreachable SMTP server as DELIVERY_FAILED and leaves no account behind", async () => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "nomail@example.com", password: STRONG_PASSWORD } });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().error.code, "DELIVERY_FAILED");
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("nomail@example.com"), null);
  });

  it("POSTs SMS as signed JSON to the webhook", async () => {
    webhookStatus = 200;
    const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "+33 6 12 34 56 78", password: STRONG_PASSWORD } });
    assert.equal(response.statusCode, 202);
    const call = webhook.calls.at(-1);
    assert.ok(call);
    const payload = JSON.parse(call.body) as { to: string; body: string };
    assert.equal(payload.to, "+33612345678");
    assert.match(payload.body, /\d{6} is your Latchkey confirmation code/);
    const timestamp = call.headers["x-latchkey-timestamp"] as string;
    assert.equal(call.headers["x-latchkey-signature"], signSMSWebhookBody("webhook-secret-0123456789", timestamp, call.body));
    assert.notEqual(call.headers["x-latchkey-signature"], signSMSWebhookBody("wrong-secret-0123456789", timestamp, call.body));
  });

  it("gives the send allowance back when a message cannot be sent, so retrying through an outage costs nothing", async () => {
    // Registration answers at once: each failure is DELIVERY_FAILED with Retry-After, never SEND_LIMITED.
    webhookStatus = 500;
    for (let i = 0; i < 5; i++) {
      const failed = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "+33 6 11 22 33 44", password: STRONG_PASSWORD } });
      assert.equal(failed.statusCode, 503);
      assert.equal(failed.json().error.code, "DELIVERY_FAILED");
      assert.equal(failed.headers["retry-after"], "60");
    }
    // A reset is sent in the background (the answer is the same for everyone); its failures give back too.
    const phone = "+33611223355";
    await seedVerifiedAccount(t, phone);
    const client = new TestClient(t.app);
    const requestReset = async () =>
      client.request("POST", "/api/v1/password-resets", { json: { identifier: phone, captcha: await solveCAPTCHA(client, "password_reset") } });
    for (let i = 0; i < 5; i++) {
      assert.equal((await requestReset()).statusCode, 202);
      await t.deps.tasks.settle();
    }

    // A code the gateway refused is dead even if it reached the phone: asking again, now free, never adds
    // tries at a code.
    const refusedCode = /\b(\d{6})\b/.exec(webhook.calls.at(-1)?.body ?? "")?.[1] ?? "";
    assert.match(refusedCode, /^\d{6}$/);
    const guessed = await client.request("POST", "/api/v1/password-resets/complete", {
      json: { identifier: phone, code: refusedCode, password: "Lantern-Orchard-Velvet-Comet-9" },
    });
    assert.equal(guessed.statusCode, 400);
    assert.equal(guessed.json().error.code, "RESET_CODE_EXPIRED");

    webhookStatus = 200;
    const registered = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "+33 6 11 22 33 44", password: STRONG_PASSWORD } });
    assert.equal(registered.statusCode, 202, registered.body);
    assert.match(webhook.calls.at(-1)?.body ?? "", /\+33611223344/);
    assert.equal((await requestReset()).statusCode, 202);
    await t.deps.tasks.settle();
    const sent = JSON.parse(webhook.calls.at(-1)?.body ?? "{}") as { to?: string; body?: string };
    assert.equal(sent.to, phone, "the reset code went out once the gateway was back");

    // The same for a confirmation code sent again while the gateway fails.
    webhookStatus = 500;
    const resent = await t.app.inject({ method: "POST", url: "/api/v1/accounts/verify/resend", payload: { identifier: "+33 6 11 22 33 44" } });
    assert.equal(resent.statusCode, 202);
    await t.deps.tasks.settle();
    const refusedConfirmation = /\b(\d{6})\b/.exec(webhook.calls.at(-1)?.body ?? "")?.[1] ?? "";
    const confirmed = await t.app.inject({
      method: "POST",
      url: "/api/v1/accounts/verify",
      payload: { identifier: "+33 6 11 22 33 44", code: refusedConfirmation },
    });
    assert.equal(confirmed.statusCode, 400);
    // The code was ended when it could not be sent: it is no longer one that works.
    assert.equal(confirmed.json().error.code, "VERIFICATION_CODE_INVALID");
  });

  it("reports a failing SMS gateway as DELIVERY_FAILED and leaves no account behind", async () => {
    webhookStatus = 500;
    const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier: "+33 6 98 76 54 32", password: STRONG_PASSWORD } });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().error.code, "DELIVERY_FAILED");
    assert.equal(await t.deps.stores.accounts.getAccountByIdentifier("+33698765432"), null);
  });
});

/** A mail server that accepts connections and never says a word (not even its greeting). */
function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTCPServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: async () => {
          for (const socket of sockets) socket.destroy();
          await new Promise<void>((done) => server.close(() => done()));
        },
      }),
    );
  });
}

/** A real SMTP server that greets, takes the envelope and the message, and never answers the end of DATA. */
function startStallingSMTP(): Promise<{ port: number; stalled: string[]; close(): Promise<void> }> {
  const stalled: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session) {
      stream.on("end", () => stalled.push(session.envelope.rcptTo.map((r) => r.address).join(", ")));
      stream.resume();
    },
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.server.address() as AddressInfo).port,
        stalled,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}

// No wall-clock assertion: the outcome tells. The SMTP client gives up after its own timeouts (10 s), well
// before the request's deadline here (15 s); with nodemailer's defaults (30 s for the greeting, 10 min of
// silence) the request timed out as SERVICE_UNAVAILABLE while the send went on. Both run at once.
describe("a mail server that stalls", { concurrency: true }, () => {
  const registerDuringStall = async (smtp: { port: number; close(): Promise<void> }, identifier: string) => {
    const t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0", LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LATCHKEY_REQUEST_TIMEOUT: "15s" });
    try {
      const response = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier, password: STRONG_PASSWORD } });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().error.code, "DELIVERY_FAILED", "the person is told the message could not be sent");
      assert.equal(response.headers["retry-after"], "60");
      // Nothing is left behind: no pending account, and the message is not counted against the address.
      assert.equal(await t.deps.stores.accounts.getAccountByIdentifier(identifier), null);
      for (let i = 0; i < 3; i++) await consumeSendAllowance(t.deps, "verification", identifier);
    } finally {
      await t.close();
      await smtp.close();
    }
  };

  it("answers DELIVERY_FAILED when the server accepts the connection and never greets", async () => {
    await registerDuringStall(await startSilentServer(), "no-greeting@example.com");
  });

  it("answers DELIVERY_FAILED when the server stops answering in the middle of DATA", async () => {
    const smtp = await startStallingSMTP();
    await registerDuringStall(smtp, "stalled-data@example.com");
    assert.deepEqual(smtp.stalled, ["stalled-data@example.com"], "the stall came after the whole message");
  });
});

describe("signing in to an unconfirmed account while the mail server is down", () => {
  let smtp: TestSMTPServer;
  let refuse = false;
  let t: TestApp;
  before(async () => {
    smtp = await startSMTPServer();
    // While `refuse` is set the server turns every connection away, as one that is down for maintenance.
    smtp.server.onConnect = (_session, callback) => callback(refuse ? Object.assign(new Error("down"), { responseCode: 421 }) : undefined);
    t = await createTestApp({ LATCHKEY_REGISTRATION_CAPTCHA: "0", LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it("does not count the codes that could not be sent: once the server is back, signing in sends one", async () => {
    const identifier = "unconfirmed-signin@example.com";
    const registered = await t.app.inject({ method: "POST", url: "/api/v1/accounts", payload: { identifier, password: STRONG_PASSWORD } });
    assert.equal(registered.statusCode, 202);
    const signIn = () => t.app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier, password: STRONG_PASSWORD } });

    refuse = true;
    const before = smtp.received.length;
    for (let i = 0; i < 4; i++) {
      const refused = await signIn();
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, "ACCOUNT_NOT_VERIFIED");
    }
    assert.equal(smtp.received.length, before, "nothing went out while the server was down");

    refuse = false;
    const answered = await signIn();
    assert.equal(answered.statusCode, 403);
    assert.equal(answered.json().error.code, "ACCOUNT_NOT_VERIFIED");
    const mail = smtp.received.slice(before).find((m) => m.to.includes(identifier));
    assert.ok(mail, "a new code went out once the server was back (not SEND_LIMITED)");
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1] ?? "";
    const verified = await t.app.inject({ method: "POST", url: "/api/v1/accounts/verify", payload: { identifier, code, password: STRONG_PASSWORD } });
    assert.equal(verified.statusCode, 200);
  });
});
