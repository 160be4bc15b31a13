// The account page and the messages sent from it, in the language of the person's browser.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { pageText } from "../helpers/client.ts";
import { readEmails } from "../helpers/outbox.ts";

describe("the account page in the person's language", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it("shows the page in German for a browser that prefers German, times and devices included", async () => {
    const client = await createVerifiedAccount(t, "konto@example.com");
    const page = await client.get("/account", { "accept-language": "de-CH, de;q=0.9, en;q=0.3" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="de" dir="ltr">/);
    const text = pageText(page.body);
    assert.match(text, /Ihr Konto/);
    assert.match(text, /E-Mail-Adressen und Handynummern/);
    assert.match(text, /Wo Sie angemeldet sind/);
    assert.match(text, /Angemeldet (gerade eben|vor \d+ \w+)/);
    assert.match(text, /Letzte Aktivitäten/);
    assert.match(text, /Adresse oder Nummer bestätigt/);
    assert.doesNotMatch(text, /Where you're signed in|Recent activity|Address or number confirmed/);

    const english = pageText((await client.get("/account")).body);
    assert.match(english, /Where you're signed in/);
    assert.match(english, /Address or number confirmed/);
  });

  it("sends the code for a new address in German, and the notice once it is added", async () => {
    const client = await createVerifiedAccount(t, "zweite@example.com");
    const added = await client.request("POST", "/api/v1/account/identifiers", {
      json: { identifier: "neu@example.com" },
      headers: { "accept-language": "de" },
    });
    assert.equal(added.statusCode, 202);
    await t.deps.tasks.settle();
    const code = (await readEmails(t.config.outboxDir)).filter((m) => m.to.includes("neu@example.com")).at(-1);
    assert.ok(code, "a code was sent");
    assert.match(code.subject, /^\d{6} ist Ihr Bestätigungscode$/);
    assert.match(code.html, /<html lang="de" dir="ltr">/);
    assert.match(code.text, /Geben Sie ihn auf der Bestätigungsseite ein/);
  });

  it("writes a security notice in the language saved on the account, whatever the request's language", async () => {
    const client = await createVerifiedAccount(t, "gespeichert@example.com");
    const saved = await client.request("PUT", "/api/v1/account/locale", { json: { locale: "de" } });
    assert.equal(saved.statusCode, 200, saved.body);
    const made = await client.request("POST", "/api/v1/account/recovery-codes", { headers: { "accept-language": "en" } });
    assert.equal(made.statusCode, 201, made.body);
    await t.deps.tasks.settle();
    const notice = (await readEmails(t.config.outboxDir)).filter((m) => m.to.includes("gespeichert@example.com")).at(-1);
    assert.ok(notice, "a notice was sent");
    assert.equal(notice.subject, "Für Ihr Konto wurden neue Wiederherstellungscodes erstellt");
    assert.match(notice.text, /Ihre bisherigen Codes funktionieren nicht mehr\./);
    assert.match(notice.html, /<html lang="de" dir="ltr">/);
  });

  it("shows the sign-in and security page in French and the confirmation step in Spanish", async () => {
    const client = await createVerifiedAccount(t, "securite@example.com");
    const page = await client.get("/account/security", { "accept-language": "fr" });
    assert.equal(page.statusCode, 200);
    const text = pageText(page.body);
    assert.match(text, /Connexion et sécurité/);
    assert.match(text, /Clés d’accès/);
    assert.match(text, /Codes de récupération/);
    assert.doesNotMatch(text, /Recovery codes|Authenticator app/);
    const goodbye = pageText((await client.get("/goodbye", { "accept-language": "es" })).body);
    assert.match(goodbye, /Tu cuenta se ha eliminado/);
  });
});
