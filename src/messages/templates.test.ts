import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../config/load.ts";
import { composeEmail, composeSMS } from "./compose.ts";
import { passwordResetLinkEmail, verificationCodeSMS } from "./notifications.ts";
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
      "email/password-reset-link.de.md": "Subject: x\n\n{link}",
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
    assert.ok(problems.includes(`${t("email/password-reset-link.de.md")}: the language de is not offered (offered: en)`), problems.join("\n"));
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
    const mail = composeEmail(config, draft);
    assert.equal(mail.subject, 'Added <img src=x onerror="alert(1)"> Bcc: x@example.com');
    assert.match(
      mail.html,
      /<p><strong>&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;\r?\nBcc: x@example\.com<\/strong> was added to your Harbour &amp; Co account\.<\/p>/,
    );
    assert.doesNotMatch(mail.html, /<img src=x/);
    assert.match(
      composeSMS(config, { message: "identifier-added", values: { identifier: "+447400123456" }, renderDefault: () => "" }),
      /^\+447400123456 added$/,
    );
  });
});
