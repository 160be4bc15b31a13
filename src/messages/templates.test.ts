import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../config/load.ts";
import { composeEmail, composeSMS } from "./compose.ts";
import { passwordResetLinkEmail, verificationCodeEmail, verificationCodeSMS } from "./notifications.ts";
import { EMAIL_MESSAGES, loadMessageTemplates, SMS_MESSAGES } from "./templates.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A branding folder whose templates/ holds `files` (paths relative to templates/). */
function brandingWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-templates-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, "templates", path);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

function startProblems(dir: string): string[] {
  try {
    loadConfig({ NODE_ENV: "test", LATCHKEY_DATA_DIR: dir, LATCHKEY_SECRET: "x".repeat(40), LATCHKEY_BRANDING_DIR: dir });
  } catch (error) {
    if (error instanceof ConfigError) {
      assert.match(error.message, /^Latchkey cannot start, the configuration has \d+ problem\(s\):/);
      return error.problems;
    }
    throw error;
  }
  assert.fail("the start was not refused");
}

describe("message templates", () => {
  it("accepts a Markdown e-mail and a text message that use known placeholders", () => {
    const dir = brandingWith({
      "email/password-reset-link.en.md": "Subject: Reset your {siteName} password\n\n[Choose a new password]({link}) within {minutes} minutes.",
      "sms/verification-code.en.txt": "{code} is your code for {siteName}.",
    });
    const { templates, problems } = loadMessageTemplates(join(dir, "templates"));
    assert.deepEqual(problems, []);
    assert.equal(templates.get("email/password-reset-link.en")?.format, "markdown");
    assert.equal(templates.get("email/password-reset-link.en")?.subject, "Reset your {siteName} password");
    assert.equal(templates.get("sms/verification-code.en")?.body, "{code} is your code for {siteName}.");
  });

  it("stops the start on an unknown placeholder, naming the file and the placeholders on offer", () => {
    const dir = brandingWith({ "email/password-reset-link.en.md": "Subject: Reset\n\nOpen {link} for {acount}." });
    const file = join(dir, "templates", "email", "password-reset-link.en.md");
    assert.deepEqual(startProblems(dir), [`${file}: unknown placeholder {acount} (this message offers {link}, {minutes}, {siteName}, {supportContact})`]);
  });

  it("stops the start when a required placeholder is missing", () => {
    const dir = brandingWith({ "sms/password-reset-code.en.txt": "Your reset code is on its way." });
    assert.deepEqual(startProblems(dir), [`${join(dir, "templates", "sms", "password-reset-code.en.txt")}: the required placeholder {code} is missing`]);
  });

  it("stops the start on an unknown message, a language not offered, Markdown for SMS, a missing subject and stray files", () => {
    const dir = brandingWith({
      "email/pasword-reset-link.en.md": "Subject: x\n\n{link}",
      "email/password-reset-link.pt.md": "Subject: x\n\n{link}",
      "email/identifier-added.en.txt": "{identifier} was added.",
      "sms/verification-code.en.md": "{code}",
      "notes.txt": "hello",
    });
    const t = (path: string) => join(dir, "templates", path);
    const problems = startProblems(dir);
    assert.ok(
      problems.some((p) => p.startsWith(`${t("email/pasword-reset-link.en.md")}: there is no e-mail called pasword-reset-link (known: verification-code,`)),
      problems.join("\n"),
    );
    assert.ok(problems.includes(`${t("email/password-reset-link.pt.md")}: the language pt is not offered (offered: en, de, fr, es, ar)`), problems.join("\n"));
    assert.ok(
      problems.includes(`${t("email/identifier-added.en.txt")}: must start with a line "Subject: …" followed by an empty line, then the message`),
      problems.join("\n"),
    );
    assert.ok(problems.includes(`${t("sms/verification-code.en.md")}: text messages are plain text; name it verification-code.en.txt`), problems.join("\n"));
    assert.ok(problems.includes(`${t("notes.txt")}: templates live in ${t("email")} and ${t("sms")}`), problems.join("\n"));
  });

  it("every message a draft can name has a spec, so each can be rewritten", () => {
    assert.ok(Object.hasOwn(EMAIL_MESSAGES, passwordResetLinkEmail("x", 1).message));
    assert.ok(Object.hasOwn(SMS_MESSAGES, verificationCodeSMS("1", 1).message));
    for (const spec of [...Object.values(EMAIL_MESSAGES), ...Object.values(SMS_MESSAGES)]) {
      for (const name of spec.required) assert.ok((spec.placeholders as readonly string[]).includes(name));
    }
  });

  it("escapes values in Markdown e-mails, so an address cannot add markup, and keeps subjects on one line", () => {
    const dir = brandingWith({
      "email/identifier-added.en.md": "Subject: Added {identifier}\n\n**{identifier}** was added to your {siteName} account.",
      "sms/identifier-added.en.txt": "{identifier} added",
    });
    const config = loadConfig({
      NODE_ENV: "test",
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_SECRET: "x".repeat(40),
      LATCHKEY_BRANDING_DIR: dir,
      LATCHKEY_SITE_NAME: "Harbour & Co",
    });
    const draft = {
      message: "identifier-added" as const,
      values: { identifier: '<img src=x onerror="alert(1)">\r\nBcc: x@example.com' },
      renderDefault: () => ({ subject: "", text: "", html: "" }),
    };
    const mail = composeEmail(config, draft, "en");
    assert.equal(mail.subject, 'Added <img src=x onerror="alert(1)"> Bcc: x@example.com');
    assert.match(
      mail.html,
      /<p><strong>&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;\r?\nBcc: x@example\.com<\/strong> was added to your Harbour &amp; Co account\.<\/p>/,
    );
    assert.doesNotMatch(mail.html, /<img src=x/);
    assert.match(
      composeSMS(config, { message: "identifier-added", values: { identifier: "+447400123456" }, renderDefault: () => "" }, "en"),
      /^\+447400123456 added$/,
    );
  });

  it("uses the owner's template written for the person's language, else the built-in text in that language", () => {
    const dir = brandingWith({
      "email/verification-code.de.md": "Subject: Ihr Code für {siteName}: {code}\n\nBitte geben Sie **{code}** ein.",
      "email/verification-code.en.md": "Subject: Your {siteName} code: {code}\n\nPlease type **{code}**.",
    });
    const config = loadConfig({ NODE_ENV: "test", LATCHKEY_DATA_DIR: dir, LATCHKEY_SECRET: "x".repeat(40), LATCHKEY_BRANDING_DIR: dir });
    const draft = verificationCodeEmail("123456", "https://example.test/verify", 10);
    const german = composeEmail(config, draft, "de");
    assert.equal(german.subject, "Ihr Code für Latchkey: 123456");
    assert.match(german.html, /<html lang="de" dir="ltr">/);
    assert.match(german.text, /Bitte geben Sie \*\*123456\*\* ein\./);
    assert.equal(composeEmail(config, draft, "en").subject, "Your Latchkey code: 123456");
    // No French template: the built-in French text, not the owner's English one.
    const french = composeEmail(config, draft, "fr");
    assert.doesNotMatch(french.subject, /Your Latchkey code/);
    assert.match(french.subject, /123456/);
    assert.match(french.html, /<html lang="fr" dir="ltr">/);
  });

  it("writes the built-in text message in the person's language, right to left for Arabic e-mails", () => {
    const dir = brandingWith({});
    const config = loadConfig({ NODE_ENV: "test", LATCHKEY_DATA_DIR: dir, LATCHKEY_SECRET: "x".repeat(40), LATCHKEY_SITE_NAME: "Harbour" });
    const sms = composeSMS(config, verificationCodeSMS("654321", 10), "ar");
    assert.match(sms, /654321/);
    assert.match(sms, /Harbour/);
    assert.match(sms, /[\u0600-\u06FF]/, "Arabic letters");
    assert.doesNotMatch(sms, /confirmation code/);
    const mail = composeEmail(config, passwordResetLinkEmail("https://example.test/r", 30), "ar");
    assert.match(mail.html, /<html lang="ar" dir="rtl">/);
    assert.doesNotMatch(mail.text, /Reset your password/);
  });
});
