import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { identifierSuggestionMessage } from "../messages/identifiers.ts";
import { suggestEmailDomainCorrection } from "./email-typos.ts";
import { parseIdentifier, suggestEmailCorrection } from "./identifier-parsing.ts";

describe("e-mail typo suggestions", () => {
  const positive: readonly [string, string][] = [
    ["ada@gmial.com", "ada@gmail.com"],
    ["ada@gmai.com", "ada@gmail.com"],
    ["ada@gnail.com", "ada@gmail.com"],
    ["ada@gamil.com", "ada@gmail.com"],
    ["ada@gmaill.com", "ada@gmail.com"],
    ["ada@gmail.con", "ada@gmail.com"],
    ["ada@gmail.co", "ada@gmail.com"],
    ["ada@gmail.cm", "ada@gmail.com"],
    ["ada@gmial.con", "ada@gmail.com"],
    ["ada@hotmial.com", "ada@hotmail.com"],
    ["ada@hotmal.com", "ada@hotmail.com"],
    ["ada@hotmail.cmo", "ada@hotmail.com"],
    ["ada@homail.co", "ada@hotmail.com"],
    ["x@hotmial.co.uk", "x@hotmail.co.uk"],
    ["ada@yaho.com", "ada@yahoo.com"],
    ["ada@yahooo.com", "ada@yahoo.com"],
    ["ada@outlok.com", "ada@outlook.com"],
    ["ada@outlook.ocm", "ada@outlook.com"],
    ["ada@icloud.comm", "ada@icloud.com"],
    ["ada@iclod.com", "ada@icloud.com"],
    ["ada@live.con", "ada@live.com"],
    ["ada@protonmial.com", "ada@protonmail.com"],
    ["ada@btinterent.com", "ada@btinternet.com"],
    ["ada@comcast.nte", "ada@comcast.net"],
    ["ada@gmx.nte", "ada@gmx.net"],
    ["ada@googlemial.com", "ada@googlemail.com"],
    ["ada@example.con", "ada@example.com"],
    ["ada@example.vom", "ada@example.com"],
    ["ada@example.ogr", "ada@example.org"],
    // The local part is kept as typed.
    ["Ada.Lovelace@GMIAL.COM", "Ada.Lovelace@gmail.com"],
  ];
  for (const [input, suggestion] of positive) {
    test(`suggests ${suggestion} for ${input}`, () => {
      const result = parseIdentifier(input);
      assert.ok(result.ok, "a suggestion never blocks the address as typed");
      assert.equal(result.suggestion, suggestion);
      assert.equal(result.identifier.display.toLowerCase(), input.toLowerCase());
      assert.equal(suggestEmailCorrection(input), suggestion);
    });
  }

  const negative: readonly string[] = [
    "ada@gmail.com",
    "ada@GMAIL.COM",
    "ada@googlemail.com",
    "ada@yahoo.co.uk",
    "ada@hotmail.co.uk",
    "ada@hotmail.fr",
    "ada@outlook.com",
    "ada@proton.me",
    "ada@me.com",
    "ada@mail.com",
    "ada@email.com",
    "ada@web.de",
    "ada@gmx.de",
    "ada@qq.com",
    "ada@163.com",
    "bob@example.com",
    "bob@example.co.uk",
    "bob@example.org",
    "ada@bücher.de",
    "ada@mycompany.com",
    "ada@university.edu",
    "ada@startup.io",
    "ada@hotmail.cl",
    "ada@yahoo.com.br",
    "ada@live.co.za",
    "ada@mac.com",
    "ada@aol.co.uk",
    "ada@be.com",
  ];
  for (const input of negative) {
    test(`suggests nothing for ${input}`, () => {
      const result = parseIdentifier(input);
      assert.ok(result.ok);
      assert.equal(result.suggestion, undefined);
      assert.equal("suggestion" in result, false);
      assert.equal(suggestEmailCorrection(input), undefined);
    });
  }

  test("invalid addresses and phone numbers get no suggestion", () => {
    assert.equal(suggestEmailCorrection("ada@gmial"), undefined);
    assert.equal(suggestEmailCorrection("ada gmial.com"), undefined);
    assert.equal(suggestEmailCorrection("+49 1512 3456789"), undefined);
    const phone = parseIdentifier("+49 1512 3456789");
    assert.ok(phone.ok);
    assert.equal(phone.suggestion, undefined);
  });

  test("the suggestion message names the corrected address", () => {
    assert.equal(identifierSuggestionMessage("ada@gmail.com"), "Did you mean ada@gmail.com?");
  });
});

describe("suggestEmailDomainCorrection", () => {
  test("corrects a provider's name and a mistyped top-level domain, and leaves known providers alone", () => {
    assert.equal(suggestEmailDomainCorrection("gmial.com"), "gmail.com");
    assert.equal(suggestEmailDomainCorrection("example.con"), "example.com");
    assert.equal(suggestEmailDomainCorrection("gmail.com"), undefined);
    assert.equal(suggestEmailDomainCorrection("mycompany.com"), undefined);
  });
});
