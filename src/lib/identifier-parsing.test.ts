import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { identifierMessage } from "../messages/identifiers.ts";
import { maskIdentifier } from "./identifier-masking.ts";
import type { Identifier, IdentifierErrorCode, IdentifierParseResult } from "./identifier-parsing.ts";
import { IDENTIFIER_ERROR_CODES, normalizeEmailIdentifier, parseIdentifier, parsePhoneIdentifier, suggestEmailCorrection } from "./identifier-parsing.ts";

/** Every code the tests below have seen, so a code nothing produces fails the coverage test. */
const seenCodes = new Set<IdentifierErrorCode>();

function expectIdentifier(result: IdentifierParseResult, input: string): Identifier {
  assert.ok(result.ok, `${JSON.stringify(input)} was refused with ${result.ok ? "" : result.code}`);
  return result.identifier;
}

function expectCode(result: IdentifierParseResult, code: IdentifierErrorCode, input: string): void {
  assert.deepEqual(result.ok ? result : { ok: false, code: result.code }, { ok: false, code }, `${JSON.stringify(input)}`);
  seenCodes.add(code);
}

describe("parseIdentifier: valid e-mail addresses", () => {
  // [typed, value used for matching, display]
  const cases: readonly [string, string, string][] = [
    ["ada@example.com", "ada@example.com", "ada@example.com"],
    ["Ada.Lovelace@Example.COM", "ada.lovelace@example.com", "Ada.Lovelace@example.com"],
    ["ADA@EXAMPLE.COM", "ada@example.com", "ADA@example.com"],
    ["ada+newsletter@example.com", "ada+newsletter@example.com", "ada+newsletter@example.com"],
    ["ada+tag+more@example.com", "ada+tag+more@example.com", "ada+tag+more@example.com"],
    ["ada@mail.example.co.uk", "ada@mail.example.co.uk", "ada@mail.example.co.uk"],
    ["ada@a.b.c.d.example.org", "ada@a.b.c.d.example.org", "ada@a.b.c.d.example.org"],
    ["o'brien@example.ie", "o'brien@example.ie", "o'brien@example.ie"],
    ["ada_lovelace@example.com", "ada_lovelace@example.com", "ada_lovelace@example.com"],
    ["ada-lovelace@example-domain.com", "ada-lovelace@example-domain.com", "ada-lovelace@example-domain.com"],
    ["a.b.c@example.com", "a.b.c@example.com", "a.b.c@example.com"],
    ["1234567890@example.com", "1234567890@example.com", "1234567890@example.com"],
    ["!#$%&'*+/=?^_`{|}~-@example.com", "!#$%&'*+/=?^_`{|}~-@example.com", "!#$%&'*+/=?^_`{|}~-@example.com"],
    ["x@example.io", "x@example.io", "x@example.io"],
    ["ada@123.example.com", "ada@123.example.com", "ada@123.example.com"],
    ["ada@example.museum", "ada@example.museum", "ada@example.museum"],
    ["ada@example.photography", "ada@example.photography", "ada@example.photography"],
    ["ada@example.international", "ada@example.international", "ada@example.international"],
    ["ada@bücher.de", "ada@xn--bcher-kva.de", "ada@bücher.de"],
    ["ada@BÜCHER.DE", "ada@xn--bcher-kva.de", "ada@bücher.de"],
    ["ada@xn--bcher-kva.de", "ada@xn--bcher-kva.de", "ada@bücher.de"],
    ["jörg@bücher.de", "jörg@xn--bcher-kva.de", "jörg@bücher.de"],
    ["JÖRG@example.com", "jörg@example.com", "JÖRG@example.com"],
    ["ÉLODIE@Exemple.FR", "élodie@exemple.fr", "ÉLODIE@exemple.fr"],
    ["ada@пример.рф", "ada@xn--e1afmkfd.xn--p1ai", "ada@пример.рф"],
    ["ada@example.xn--p1ai", "ada@example.xn--p1ai", "ada@example.рф"],
    ["用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v", "用户@例子.广告"],
    ["δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp", "δοκιμή@παράδειγμα.δοκιμή"],
    // The ideographic full stop is a dot in IDNA.
    ["ada@例え。jp", "ada@xn--r8jz45g.jp", "ada@例え.jp"],
    // Typed with an East Asian input method in full-width mode.
    ["ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ada@example.com", "ada@example.com"],
    // Decomposed (NFD) input matches the composed form.
    ["Jo\u0308rg@example.com", "jörg@example.com", "Jörg@example.com"],
    // The Kelvin sign folds into the ASCII K under NFC, so it cannot pose as another mailbox.
    ["\u212Aada@example.com", "kada@example.com", "Kada@example.com"],
    [`${"a".repeat(64)}@example.com`, `${"a".repeat(64)}@example.com`, `${"a".repeat(64)}@example.com`],
    [`ada@${"a".repeat(63)}.com`, `ada@${"a".repeat(63)}.com`, `ada@${"a".repeat(63)}.com`],
    // Trimmed: ASCII and Unicode spaces, line breaks and a byte-order mark at either end.
    ["  ada@example.com  ", "ada@example.com", "ada@example.com"],
    ["\tada@example.com\r\n", "ada@example.com", "ada@example.com"],
    ["\u00A0ada@example.com\u2003\u3000", "ada@example.com", "ada@example.com"],
    ["\uFEFFada@example.com\u200B", "ada@example.com", "ada@example.com"],
  ];
  for (const [input, value, display] of cases) {
    test(`accepts ${JSON.stringify(input)}`, () => {
      const identifier = expectIdentifier(parseIdentifier(input), input);
      assert.deepEqual(identifier, { kind: "email", value, display });
      assert.deepEqual(normalizeEmailIdentifier(input), parseIdentifier(input));
    });
  }

  test("the longest usable address (64 + 1 + 253) is accepted", () => {
    const label = "d".repeat(61);
    const domain = `${label}.${label}.${label}.${"e".repeat(63)}.com`;
    assert.equal(domain.length, 253);
    const input = `${"l".repeat(64)}@${domain}`;
    assert.equal(expectIdentifier(parseIdentifier(input), input).value, input);
  });

  test("upper- and lower-case spellings of one address share one value", () => {
    const values = ["Ada@Example.com", "ada@EXAMPLE.COM", "ADA@example.com"].map((input) => expectIdentifier(parseIdentifier(input), input).value);
    assert.deepEqual(new Set(values), new Set(["ada@example.com"]));
  });
});

describe("parseIdentifier: refused e-mail addresses", () => {
  const cases: readonly [string, IdentifierErrorCode][] = [
    ["ada.example.com", "IDENTIFIER_EMAIL_MISSING_AT"],
    ["ada", "IDENTIFIER_EMAIL_MISSING_AT"],
    ["Ada Lovelace", "IDENTIFIER_EMAIL_MISSING_AT"],
    ["ada(at)example.com", "IDENTIFIER_EMAIL_MISSING_AT"],
    ["www.example.com", "IDENTIFIER_EMAIL_MISSING_AT"],
    ["ada@@example.com", "IDENTIFIER_EMAIL_MULTIPLE_AT"],
    ["ada@example@com", "IDENTIFIER_EMAIL_MULTIPLE_AT"],
    ['"ada@home"@example.com', "IDENTIFIER_EMAIL_MULTIPLE_AT"],
    ["ada@example.com,bob@example.com", "IDENTIFIER_EMAIL_MULTIPLE_AT"],
    ["@example.com", "IDENTIFIER_EMAIL_MISSING_LOCAL"],
    ["  @example.com", "IDENTIFIER_EMAIL_MISSING_LOCAL"],
    ["@", "IDENTIFIER_EMAIL_MISSING_LOCAL"],
    ["ada@", "IDENTIFIER_EMAIL_MISSING_DOMAIN"],
    ["ada@   ", "IDENTIFIER_EMAIL_MISSING_DOMAIN"],
    ["ada lovelace@example.com", "IDENTIFIER_EMAIL_HAS_SPACE"],
    ["ada @example.com", "IDENTIFIER_EMAIL_HAS_SPACE"],
    ["ada@ example.com", "IDENTIFIER_EMAIL_HAS_SPACE"],
    ["ada@exam ple.com", "IDENTIFIER_EMAIL_HAS_SPACE"],
    ["ada\u00A0lovelace@example.com", "IDENTIFIER_EMAIL_HAS_SPACE"],
    ["ada\u3000lovelace@example.com", "IDENTIFIER_EMAIL_HAS_SPACE"],
    ["ada@example", "IDENTIFIER_EMAIL_DOMAIN_NO_DOT"],
    ["ada@localhost", "IDENTIFIER_EMAIL_DOMAIN_NO_DOT"],
    ["ada@EXAMPLE", "IDENTIFIER_EMAIL_DOMAIN_NO_DOT"],
    ["ada@bücher", "IDENTIFIER_EMAIL_DOMAIN_NO_DOT"],
    [".ada@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada.@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada..lovelace@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example..com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@.example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example.com.", "IDENTIFIER_EMAIL_INVALID"],
    [`${"a".repeat(65)}@example.com`, "IDENTIFIER_EMAIL_INVALID"],
    // 33 two-octet letters are 66 octets, over the limit although only 33 characters.
    [`${"é".repeat(33)}@example.com`, "IDENTIFIER_EMAIL_INVALID"],
    [`ada@${"a".repeat(64)}.com`, "IDENTIFIER_EMAIL_INVALID"],
    [`a@${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(63)}.com`, "IDENTIFIER_EMAIL_INVALID"],
    ["ada@-example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example-.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example.-com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example.123", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example.c", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example.c0m", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@127.0.0.1", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@0x7f.1", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@[127.0.0.1]", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@[IPv6:::1]", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@exa_mple.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@exa%41mple.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example.com:25", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@example.com/path", "IDENTIFIER_EMAIL_INVALID"],
    ["ada@xn--zz.com", "IDENTIFIER_EMAIL_INVALID"],
    ["<ada>@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada,lovelace@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada;bob@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["(comment)ada@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ['"ada"@example.com', "IDENTIFIER_EMAIL_INVALID"],
    ["ada\\bob@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada😀@example.com", "IDENTIFIER_EMAIL_INVALID"],
    ["ada\u200D@example.com", "IDENTIFIER_EMAIL_INVALID"],
  ];
  for (const [input, code] of cases) {
    test(`refuses ${JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input)} with ${code}`, () => {
      expectCode(parseIdentifier(input), code, input);
      expectCode(normalizeEmailIdentifier(input), code, input);
    });
  }
});

describe("parseIdentifier: mobile numbers", () => {
  // [country, E.164, international display, spellings]
  const cases: readonly [string, string, string, readonly string[]][] = [
    [
      "DE",
      "+4915123456789",
      "+49 1512 3456789",
      [
        "+49 1512 3456789",
        "+4915123456789",
        "0049 1512 3456789",
        "+49 (0)1512 3456789",
        "+49 01512 3456789",
        "+49-1512-345-6789",
        "+49.1512.345.6789",
        "+49/1512/3456789",
        "00 49 151 23 45 67 89",
      ],
    ],
    [
      "GB",
      "+447400123456",
      "+44 7400 123456",
      ["+44 7400 123456", "+447400123456", "0044 7400 123456", "+44 (0)7400 123456", "+44-7400-123-456", "+44 07400 123456"],
    ],
    [
      "US",
      "+12015550123",
      "+1 201 555 0123",
      ["+1 (201) 555-0123", "+1 201 555 0123", "+12015550123", "001 201 555 0123", "+1.201.555.0123", "+1-201-555-0123"],
    ],
    ["FR", "+33612345678", "+33 6 12 34 56 78", ["+33 6 12 34 56 78", "+33612345678", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "+33.6.12.34.56.78"]],
    ["IN", "+919876543210", "+91 98765 43210", ["+91 98765 43210", "+919876543210", "0091 98765 43210", "+91-98765-43210", "+91 (98765) 43210"]],
    ["BR", "+5511961234567", "+55 11 96123 4567", ["+55 11 96123-4567", "+55 (11) 96123-4567", "+5511961234567", "0055 11 96123 4567", "+55.11.96123.4567"]],
    ["JP", "+819012345678", "+81 90 1234 5678", ["+81 90-1234-5678", "+81 90 1234 5678", "+819012345678", "0081 90 1234 5678", "+81 (0)90 1234 5678"]],
    ["NG", "+2348031234567", "+234 803 123 4567", ["+234 803 123 4567", "+2348031234567", "00234 803 123 4567", "+234 (0)803 123 4567", "+234-803-123-4567"]],
    ["AU", "+61412345678", "+61 412 345 678", ["+61 412 345 678", "+61412345678", "0061 412 345 678", "+61 (0)412 345 678", "+61.412.345.678"]],
    ["ES", "+34612345678", "+34 612 34 56 78", ["+34 612 34 56 78", "+34612345678", "0034 612 345 678", "+34-612-34-56-78", "+34 612/34/56/78"]],
    ["NL", "+31612345678", "+31 6 12345678", ["+31 6 12345678", "+31612345678", "0031 6 1234 5678", "+31 (0)6 12345678", "+31-6-12345678"]],
    ["ZA", "+27821234567", "+27 82 123 4567", ["+27 82 123 4567", "+27821234567", "0027 82 123 4567", "+27 (0)82 123 4567", "+27.82.123.4567"]],
    ["IT", "+393123456789", "+39 312 345 6789", ["+39 312 345 6789", "+393123456789", "0039 312 345 6789", "+39-312-345-6789"]],
    ["KE", "+254712123456", "+254 712 123456", ["+254 712 123456", "+254712123456", "00254 712 123 456"]],
    ["CN", "+8613123456789", "+86 131 2345 6789", ["+86 131 2345 6789", "+8613123456789", "0086 131-2345-6789"]],
    [
      "BD",
      "+8801812345678",
      "+880 1812 345678",
      // Bengali digits, as typed on a Bengali keyboard.
      ["+880 1812-345678", "+৮৮০ ১৮১২ ৩৪৫৬৭৮"],
    ],
  ];
  for (const [country, value, display, spellings] of cases) {
    test(`${country}: every spelling normalises to ${value}`, () => {
      for (const input of spellings) {
        const identifier = expectIdentifier(parseIdentifier(input), input);
        assert.deepEqual(identifier, { kind: "phone", value, display }, JSON.stringify(input));
        assert.deepEqual(parsePhoneIdentifier(input), parseIdentifier(input), JSON.stringify(input));
      }
    });
  }

  test("separators copied from formatted text (no-break, thin spaces, en dash, full-width) are accepted", () => {
    for (const input of [
      "+49\u00A01512\u00A03456789",
      "+49\u202F1512\u20093456789",
      "+49 1512\u20133456789",
      "＋４９ １５１２ ３４５６７８９",
      "  +49 1512 3456789\n",
    ]) {
      assert.equal(expectIdentifier(parseIdentifier(input), input).value, "+4915123456789", JSON.stringify(input));
    }
  });

  test("a personal number (UK 070) is accepted", () => {
    assert.equal(expectIdentifier(parseIdentifier("+44 70 1234 5678"), "070").value, "+447012345678");
  });

  const refusals: readonly [string, IdentifierErrorCode][] = [
    ["01512 3456789", "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"],
    ["(415) 555-0132", "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"],
    ["415-555-0132", "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"],
    ["06 12 34 56 78", "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"],
    ["07400 123456", "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"],
    ["0", "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"],
    ["+49 123", "IDENTIFIER_PHONE_INVALID"],
    ["+4915", "IDENTIFIER_PHONE_INVALID"],
    ["+999 1234 5678", "IDENTIFIER_PHONE_INVALID"],
    ["+0 1234 5678", "IDENTIFIER_PHONE_INVALID"],
    ["+1 555 555 5555", "IDENTIFIER_PHONE_INVALID"],
    // Ofcom reserves 07700 900xxx for drama: shaped like a mobile, never assigned.
    ["+44 7700 900123", "IDENTIFIER_PHONE_INVALID"],
    ["+49 1512 3456789 1234", "IDENTIFIER_PHONE_INVALID"],
    ["+1234567890123456", "IDENTIFIER_PHONE_INVALID"],
    ["++49 1512 3456789", "IDENTIFIER_PHONE_INVALID"],
    ["+49 1512+3456789", "IDENTIFIER_PHONE_INVALID"],
    ["01512+3456789", "IDENTIFIER_PHONE_INVALID"],
    ["+49 1512 3456789#", "IDENTIFIER_PHONE_INVALID"],
    ["*100#", "IDENTIFIER_PHONE_INVALID"],
    ["+49 30 12345678", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+44 20 7946 0018", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+33 1 23 45 67 89", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["0033 1 23 45 67 89", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+44 800 123 4567", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+1 800 555 0199", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+1 900 555 0199", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+49 800 12345678", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+49 180 12345678", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+44 56 1234 5678", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+44 871 234 5678", "IDENTIFIER_PHONE_NOT_MOBILE"],
    ["+49 1512 3456 789 000 111 222 333 44", "IDENTIFIER_TOO_LONG"],
    ["+4 9 1 5 1 2 3 4 5 6 7 8 9 0 1 2 3 4", "IDENTIFIER_TOO_LONG"],
  ];
  for (const [input, code] of refusals) {
    test(`refuses ${JSON.stringify(input)} with ${code}`, () => {
      expectCode(parseIdentifier(input), code, input);
      expectCode(parsePhoneIdentifier(input), code, input);
    });
  }
});

describe("parseIdentifier: mobile numbers typed without + or 00", () => {
  test("digits that start with a country code are read as if the + had been typed", () => {
    for (const input of ["447400123456", "44 7400 123456", "49 1512 3456789", "33612345678"]) {
      const identifier = expectIdentifier(parseIdentifier(input), input);
      assert.equal(identifier.value, parseIdentifier(`+${input}`).ok ? expectIdentifier(parseIdentifier(`+${input}`), input).value : "", input);
    }
  });

  test("without a default region, a national number is refused with the countries it could belong to", () => {
    const result = parseIdentifier("07400 123456");
    expectCode(result, "IDENTIFIER_PHONE_MISSING_COUNTRY_CODE", "07400 123456");
    assert.ok(!result.ok && result.choices?.some((c) => c.value === "+447400123456" && c.label === "+44 7400 123456 (United Kingdom)"), JSON.stringify(result));
    const us = parseIdentifier("(415) 555-0132");
    assert.ok(!us.ok && us.choices?.some((c) => c.value === "+14155550132" && /United States/.test(c.label)), JSON.stringify(us));
    // Each offered choice is itself accepted.
    for (const choice of [...(result.ok ? [] : (result.choices ?? [])), ...(us.ok ? [] : (us.choices ?? []))]) {
      assert.equal(expectIdentifier(parseIdentifier(choice.value), choice.value).value, choice.value);
    }
  });

  test("with a default region, its national numbers are accepted", () => {
    assert.equal(expectIdentifier(parseIdentifier("07400 123456", { defaultRegion: "GB" }), "GB").value, "+447400123456");
    assert.equal(expectIdentifier(parseIdentifier("(415) 555-0132", { defaultRegion: "US" }), "US").value, "+14155550132");
    assert.equal(expectIdentifier(parseIdentifier("01512 3456789", { defaultRegion: "DE" }), "DE").value, "+4915123456789");
    // Numbers with their country code are read as typed, whatever the region.
    assert.equal(expectIdentifier(parseIdentifier("+33 6 12 34 56 78", { defaultRegion: "GB" }), "FR").value, "+33612345678");
    expectCode(parseIdentifier("07400 12345", { defaultRegion: "GB" }), "IDENTIFIER_PHONE_INVALID", "short");
    expectCode(parseIdentifier("020 7946 0018", { defaultRegion: "GB" }), "IDENTIFIER_PHONE_NOT_MOBILE", "landline");
  });

  test("digits that are a valid mobile number both with a country code and in the default region are asked about", () => {
    const result = parseIdentifier("15123456789", { defaultRegion: "DE" });
    expectCode(result, "IDENTIFIER_PHONE_AMBIGUOUS", "15123456789");
    assert.deepEqual(result.ok ? [] : result.choices?.map((c) => c.value).sort(), ["+15123456789", "+4915123456789"]);
    assert.match(result.ok ? "" : (result.choices?.find((c) => c.value === "+4915123456789")?.label ?? ""), /^\+49 1512 3456789 \(Germany\)$/);
  });
});

describe("parseIdentifier: input checks shared by both kinds", () => {
  const cases: readonly [string, IdentifierErrorCode][] = [
    ["", "IDENTIFIER_REQUIRED"],
    ["   ", "IDENTIFIER_REQUIRED"],
    ["\t\r\n\u00A0\u3000\uFEFF", "IDENTIFIER_REQUIRED"],
    [`${"a".repeat(309)}@example.com`, "IDENTIFIER_TOO_LONG"],
    ["x".repeat(1_000_000), "IDENTIFIER_TOO_LONG"],
    [`${"😀".repeat(321)}`, "IDENTIFIER_TOO_LONG"],
    // Header injection through the address must never reach a mail header.
    ["ada@example.com\r\nBcc: eve@example.org", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada@example.com\nBcc: eve@example.org", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada@example.com\rBcc: eve@example.org", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada\r\n@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada@exa\nmple.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada\u0000@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada@example.com\u0000", "IDENTIFIER_INVALID_CHARACTERS"],
    ["\u0000ada@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada\t@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada@ex\u007Fample.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada\u001B[31m@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada\u0085@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada@example.com\u2028Bcc: eve@example.org", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada\u2029@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    // Bidirectional overrides make the shown address differ from the real one.
    ["ada\u202Emoc.elpmaxe@example.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["ada@example\u2066.com", "IDENTIFIER_INVALID_CHARACTERS"],
    ["+49 1512\r\n3456789", "IDENTIFIER_INVALID_CHARACTERS"],
    ["+49\t1512 3456789", "IDENTIFIER_INVALID_CHARACTERS"],
    ["+49 1512 3456789\u0000", "IDENTIFIER_INVALID_CHARACTERS"],
  ];
  for (const [input, code] of cases) {
    const label = input.length > 60 ? `${input.slice(0, 20)}... (${input.length} code units)` : input;
    test(`refuses ${JSON.stringify(label)} with ${code}`, () => {
      expectCode(parseIdentifier(input), code, input);
      expectCode(normalizeEmailIdentifier(input), code, input);
      expectCode(parsePhoneIdentifier(input), code, input);
    });
  }

  test("the length limit counts code points, not UTF-16 units", () => {
    // 320 emoji are 640 UTF-16 units but 320 characters: not too long (and not an address).
    expectCode(parseIdentifier("😀".repeat(320)), "IDENTIFIER_EMAIL_MISSING_AT", "320 emoji");
    expectCode(parseIdentifier(`${"a".repeat(308)}@example.com`), "IDENTIFIER_EMAIL_INVALID", "320 characters");
  });

  test("a line break at either end is trimmed, never kept in the value", () => {
    const identifier = expectIdentifier(parseIdentifier("\r\nada@example.com\r\n"), "edges");
    assert.equal(identifier.value, "ada@example.com");
    assert.equal(identifier.display, "ada@example.com");
  });

  test("a value that is not a string (from untyped JSON) is treated as missing", () => {
    for (const input of [undefined, null, 4915123456789, { identifier: "ada@example.com" }]) {
      expectCode(parseIdentifier(input as unknown as string), "IDENTIFIER_REQUIRED", String(input));
    }
  });

  test("each kind's own parser applies only its own rules", () => {
    expectCode(normalizeEmailIdentifier("+49 1512 3456789"), "IDENTIFIER_EMAIL_MISSING_AT", "phone as e-mail");
    expectCode(parsePhoneIdentifier("ada@example.com"), "IDENTIFIER_PHONE_INVALID", "e-mail as phone");
    expectCode(parsePhoneIdentifier("ada"), "IDENTIFIER_PHONE_INVALID", "word as phone");
  });
});

describe("identifier messages", () => {
  test("every error code has a message, and the list has no duplicates", () => {
    assert.equal(new Set(IDENTIFIER_ERROR_CODES).size, IDENTIFIER_ERROR_CODES.length);
    for (const code of IDENTIFIER_ERROR_CODES) assert.ok(identifierMessage(code).length > 20, code);
  });

  test("messages give examples of the expected forms", () => {
    assert.match(identifierMessage("IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"), /\+44 7400 123456/);
    assert.match(identifierMessage("IDENTIFIER_PHONE_MISSING_COUNTRY_CODE"), /0044 /);
    assert.match(identifierMessage("IDENTIFIER_EMAIL_MISSING_AT"), /name@example\.com/);
  });

  test("no message says whether an account exists", () => {
    for (const message of IDENTIFIER_ERROR_CODES.map(identifierMessage)) {
      assert.doesNotMatch(message, /account|registered|exists|not found|unknown|taken/i, message);
    }
  });
});

describe("properties", () => {
  const anyString = fc.oneof(
    fc.string({ unit: "binary", maxLength: 400 }),
    fc.string({ unit: "grapheme", maxLength: 80 }),
    fc.string({ unit: "binary", minLength: 300, maxLength: 5_000 }),
  );
  const separator = fc.constantFrom("", " ", "-", ".", "/", "(", ")", "\u00A0", "\u2013");
  const phoneLike = fc
    .tuple(fc.constantFrom("+", "00", "", "+0", "(+"), fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), separator), { minLength: 1, maxLength: 16 }))
    .map(([prefix, parts]) => prefix + parts.map(([digit, sep]) => `${digit}${sep}`).join(""));
  const knownMobiles = fc.constantFrom(
    "+4915123456789",
    "+447400123456",
    "+12015550123",
    "+33612345678",
    "+919876543210",
    "+5511961234567",
    "+819012345678",
    "+2348031234567",
    "+61412345678",
  );
  const emailLike = fc.oneof(
    fc.emailAddress(),
    fc
      .tuple(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
        fc.constantFrom("@", "＠", "@@"),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
        fc.constantFrom(".com", ".de", ".рф", "。jp", ".con", ""),
      )
      .map((parts) => parts.join("")),
    fc
      .tuple(fc.constantFrom("Ada", "JÖRG", "\u212Ada", "İpek", "Straße", "o'brien", "ǅemal"), fc.webAuthority())
      .map(([local, domain]) => `${local}@${domain}`),
  );
  const anyInput = fc.oneof(anyString, phoneLike, knownMobiles, emailLike);

  test("parseIdentifier never throws and always returns a known shape", () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = parseIdentifier(input);
        if (result.ok) {
          assert.ok(result.identifier.kind === "email" || result.identifier.kind === "phone");
          assert.doesNotMatch(result.identifier.value, /[\s\p{Cc}\u2028\u2029]/u);
        } else {
          assert.ok(IDENTIFIER_ERROR_CODES.includes(result.code));
        }
        normalizeEmailIdentifier(input);
        parsePhoneIdentifier(input);
        suggestEmailCorrection(input);
      }),
      { numRuns: 3_000 },
    );
  });

  test("an accepted value, and its display form, parse back to the same value", () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = parseIdentifier(input);
        if (!result.ok) return;
        accepted++;
        const { kind, value, display } = result.identifier;
        const again = parseIdentifier(value);
        assert.ok(again.ok, `${JSON.stringify(value)} was refused on re-parsing`);
        assert.equal(again.identifier.value, value);
        assert.equal(again.identifier.kind, kind);
        const fromDisplay = parseIdentifier(display);
        assert.ok(fromDisplay.ok, `${JSON.stringify(display)} was refused on re-parsing`);
        assert.equal(fromDisplay.identifier.value, value);
        maskIdentifier(result.identifier);
      }),
      { numRuns: 3_000 },
    );
    // The property must actually exercise accepted identifiers, not only refusals.
    assert.ok(accepted > 300, `only ${accepted} inputs were accepted`);
  });

  test("any valid mobile number in any spelling normalises to its E.164 form", () => {
    fc.assert(
      fc.property(knownMobiles, fc.boolean(), fc.array(separator, { minLength: 20, maxLength: 20 }), (e164, useZeroZero, seps) => {
        const digits = [...e164.slice(1)];
        const body = digits.map((digit, index) => `${digit}${seps[index] ?? ""}`).join("");
        const input = `${useZeroZero ? "00" : "+"}${body}`;
        if (input.length > 32) return;
        const result = parseIdentifier(input);
        assert.ok(result.ok, JSON.stringify(input));
        assert.equal(result.identifier.value, e164);
      }),
      { numRuns: 1_000 },
    );
  });
});

test("every error code is produced by at least one input above", () => {
  // Registered last so that it runs after every other test in this file.
  assert.deepEqual([...seenCodes].sort(), [...IDENTIFIER_ERROR_CODES].sort());
});
