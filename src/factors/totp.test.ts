// TOTP checked against an independent implementation: Debian's oathtool computes the codes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { createManualClock } from "../lib/clock.ts";
import { createCryptoRandom } from "../lib/random.ts";
import { generateTOTPSecret, matchTOTPCode, normalizeTOTPCode, sealTOTPSecret, totpStepAt, totpURI, unsealTOTPSecret } from "./totp.ts";

function oathtool(secret: string, at: Date): string | null {
  try {
    const when = `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
    return execFileSync("oathtool", ["--totp", "-b", secret, "--now", when], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

const hasOathtool = oathtool("JBSWY3DPEHPK3PXP", new Date("2030-01-01T00:00:00Z")) !== null;

test("codes computed by oathtool are accepted within one step either side, and not two steps away", {
  skip: hasOathtool ? false : "oathtool is not installed",
}, () => {
  const random = createCryptoRandom();
  for (let i = 0; i < 5; i++) {
    const secret = generateTOTPSecret({ random });
    const now = new Date(Date.UTC(2030, 0, 1, 0, 0, 0) + i * 7919_000);
    const clock = createManualClock(now);
    const step = totpStepAt(now);
    for (const offset of [-1, 0, 1]) {
      const code = oathtool(secret, new Date(now.getTime() + offset * 30_000)) as string;
      assert.equal(matchTOTPCode({ clock }, secret, code), step + offset, `offset ${offset}`);
    }
    for (const offset of [-2, 2]) {
      const code = oathtool(secret, new Date(now.getTime() + offset * 30_000)) as string;
      const matched = matchTOTPCode({ clock }, secret, code);
      // A code may by chance equal one inside the window; it must never be reported as the far step.
      assert.notEqual(matched, step + offset);
    }
  }
});

test("the secret is sealed for storage, never kept readable, and only opens with the same key", () => {
  const random = createCryptoRandom();
  const secret = generateTOTPSecret({ random });
  const sealed = sealTOTPSecret({ config: { secret: "k".repeat(40) } as never, random }, secret);
  assert.ok(!sealed.includes(secret));
  assert.equal(unsealTOTPSecret({ config: { secret: "k".repeat(40) } as never }, sealed), secret);
  assert.equal(unsealTOTPSecret({ config: { secret: "j".repeat(40) } as never }, sealed), null);
});

test("codes are six digits; spaces and dashes are ignored; the otpauth address names the issuer", () => {
  assert.equal(normalizeTOTPCode(" 123 456 "), "123456");
  assert.equal(normalizeTOTPCode("123-456"), "123456");
  assert.equal(normalizeTOTPCode("12345"), null);
  assert.equal(normalizeTOTPCode("12345a"), null);
  // Typed on an Arabic keyboard (Arabic-Indic and Eastern Arabic-Indic digits), or in full-width digits.
  assert.equal(normalizeTOTPCode("١٢٣ ٤٥٦"), "123456");
  assert.equal(normalizeTOTPCode("۱۲۳۴۵۶"), "123456");
  assert.equal(normalizeTOTPCode("１２３４５６"), "123456");
  assert.match(
    totpURI("JBSWY3DPEHPK3PXP", "ada@example.com", "Latchkey"),
    /^otpauth:\/\/totp\/Latchkey:ada%40example\.com\?issuer=Latchkey&secret=JBSWY3DPEHPK3PXP/,
  );
  // The app shows the site's own name (LATCHKEY_SITE_NAME), not the software's.
  assert.match(
    totpURI("JBSWY3DPEHPK3PXP", "ada@example.com", "Harbour Books"),
    /^otpauth:\/\/totp\/Harbour%20Books:ada%40example\.com\?issuer=Harbour%20Books&/,
  );
});
