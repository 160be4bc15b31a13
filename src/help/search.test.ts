import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import type { Locale } from "../i18n/locales.ts";
import { loadHelpLibrary } from "./articles.ts";
import type { HelpSearchResult } from "./search-index.ts";
import { buildHelpSearchIndex, MAX_QUERY_LENGTH } from "./search-index.ts";
import { helpWordAnalyzer } from "./search-languages.ts";
import { stemHelpTerm } from "./search-stemmer.ts";
import { tokenizeHelpText } from "./search-tokenizer.ts";

const library = loadHelpLibrary();

/** The snippet with its <mark> tags removed: what must be fully escaped. */
function withoutMarks(snippetHtml: string): string {
  return snippetHtml.replace(/<\/?mark>/g, "");
}

/** The words wrapped in <mark> in a snippet. */
function markedWords(result: HelpSearchResult | undefined): string[] {
  return [...(result?.snippetHtml ?? "").matchAll(/<mark>([^<]*)<\/mark>/g)].map((m) => (m[1] ?? "").toLowerCase());
}

describe("tokenizeHelpText and stemHelpTerm", () => {
  test("lower-cases, keeps Unicode letters and digits, and reports offsets", () => {
    const text = "Caps Lock, Café +44 7700";
    const tokens = tokenizeHelpText(text);
    assert.deepEqual(
      tokens.map((t) => t.term),
      ["cap", "lock", "cafe", "44", "7700"].map((w) => stemHelpTerm(w)),
    );
    for (const t of tokens) assert.ok(text.slice(t.start, t.end).length > 0);
    assert.equal(text.slice(tokens[2]?.start, tokens[2]?.end), "Café");
  });

  test("skips stop words but keeps their positions", () => {
    const tokens = tokenizeHelpText("the caps of lock");
    assert.deepEqual(
      tokens.map((t) => [t.term, t.position]),
      [
        ["cap", 1],
        ["lock", 3],
      ],
    );
  });

  test("a hyphenated word is indexed as its parts and as one word", () => {
    const terms = tokenizeHelpText("your e-mail and sign-in").map((t) => t.term);
    assert.ok(terms.includes("mail"));
    assert.ok(terms.includes("email"));
    assert.ok(terms.includes("sign"));
    assert.ok(terms.includes("signin"));
  });

  test("apostrophes are dropped inside words", () => {
    assert.deepEqual(
      tokenizeHelpText("doesn’t don't").map((t) => t.term),
      ["doesnt", "dont"],
    );
  });

  test("plurals, -ing and -ed forms share a stem", () => {
    const groups = [
      ["cookie", "cookies"],
      ["sign", "signs", "signing", "signed"],
      ["type", "types", "typing", "typed"],
      ["password", "passwords"],
      ["address", "addresses"],
      ["retry", "retries", "retried"],
      ["stop", "stopped", "stopping"],
      ["session", "sessions"],
    ];
    for (const group of groups) {
      const stems = new Set(group.map((w) => stemHelpTerm(w)));
      assert.equal(stems.size, 1, `${group.join("/")} → ${[...stems].join(", ")}`);
    }
    assert.equal(stemHelpTerm("caps"), "cap");
    assert.equal(stemHelpTerm("status"), "status");
    assert.equal(stemHelpTerm("2026"), "2026");
  });
});

describe("searching the shipped articles", () => {
  const expectations: [string, string][] = [
    ["caps lock", "problems-signing-in"],
    ["Caps Lock", "problems-signing-in"],
    ["num lock", "problems-signing-in"],
    ["country code", "problems-signing-in"],
    ["cookies", "problems-signing-in"],
    ["clear cache", "problems-signing-in"],
    ["passw", "reset-your-password"],
    ["reset password", "reset-your-password"],
    ["hear the challenge", "security-check"],
    ["security check", "security-check"],
    ["register", "create-an-account"],
    ["send a new code", "create-an-account"],
    ["sign up", "create-an-account"],
    ["change password", "account-security"],
    ["forgot password", "reset-your-password"],
    ["audio", "security-check"],
    ["sign out other sessions", "account-security"],
  ];
  for (const [query, slug] of expectations) {
    test(`"${query}" ranks ${slug} first`, () => {
      const results = library.search(query);
      assert.ok(results.length > 0, "no results");
      assert.equal(results[0]?.slug, slug, results.map((r) => `${r.slug} ${r.score}`).join(", "));
    });
  }

  test("matched words are wrapped in <mark>", () => {
    assert.deepEqual(new Set(markedWords(library.search("caps lock")[0])), new Set(["caps", "lock"]));
    assert.ok(markedWords(library.search("country code")[0]).includes("country"));
    assert.ok(markedWords(library.search("cookies")[0]).includes("cookies"));
  });

  test("the last word matches as a prefix", () => {
    const results = library.search("passw");
    assert.ok(results.length >= 3);
    assert.ok(markedWords(results[0]).some((w) => w.startsWith("password")));
    assert.equal(library.search("securit")[0]?.slug, "security-check");
    assert.equal(library.search("caps lo")[0]?.slug, "problems-signing-in");
  });

  test("only the last word matches as a prefix", () => {
    assert.deepEqual(library.search("passw xyzzyq"), []);
  });

  test("nonsense, stop words and empty queries find nothing", () => {
    for (const query of ["xyzzyq", "qwrtpz flrbnx", "", "   ", "the of and to", "!!! ??? ---", "<zqxj>"]) {
      assert.deepEqual(library.search(query), [], query);
    }
  });

  test("the result carries the article's slug, title and summary; scores are descending", () => {
    const results = library.search("password");
    assert.ok(results.length > 1);
    for (const r of results) {
      const a = library.get(r.slug);
      assert.ok(a);
      assert.equal(r.title, a.title);
      assert.equal(r.summary, a.summary);
      assert.ok(r.score > 0);
    }
    for (let i = 1; i < results.length; i++) assert.ok((results[i - 1]?.score ?? 0) >= (results[i]?.score ?? 0));
  });

  test("limit is respected and clamped", () => {
    assert.equal(library.search("password", 2).length, 2);
    assert.equal(library.search("password", 0).length, 1);
    assert.equal(library.search("password", Number.NaN).length, library.search("password").length);
  });

  test("long queries are capped by length and by word count", () => {
    const long = `${"zz ".repeat(5000)}cookies`;
    assert.deepEqual(library.search(long), []);
    assert.ok(MAX_QUERY_LENGTH <= 200);
    // Cookies is the 11th word, so it is ignored.
    assert.deepEqual(library.search(`${"xyzzyq ".repeat(10)}cookies`), []);
    assert.equal(library.search(`${"xyzzyq ".repeat(9)}cookies`)[0]?.slug, "problems-signing-in");
  });

  test("snippets of shipped articles contain no markup but <mark>", () => {
    for (const query of ["password", "e-mail", "code", "security check", "cookies", "country code", "notice", "passw"]) {
      for (const r of library.search(query, 50)) {
        assert.doesNotMatch(withoutMarks(r.snippetHtml), /[<>"]/, `${query}: ${r.snippetHtml}`);
        assert.ok(r.snippetHtml.includes("<mark>"), `${query} → ${r.slug}: ${r.snippetHtml}`);
      }
    }
  });

  test("the same content gives the same results on every instance", () => {
    assert.deepEqual(loadHelpLibrary().search("password"), library.search("password"));
  });
});

describe("search over hostile and synthetic content", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-help-search-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "en"));
  writeFileSync(
    join(dir, "en", "evil.md"),
    [
      "---",
      "title: Evil <b>title</b>",
      "summary: Contains <script> & friends.",
      "related: []",
      "reviewed: 2026-11-26",
      "---",
      "",
      "## About scripts",
      "",
      `Text before <script>alert("owned")</script> & 'quotes' with <img src=x onerror=alert(1)> after.`,
      "",
      "Use `<script>` in code too.",
    ].join("\n"),
  );
  const hostile = loadHelpLibrary(dir);

  test("everything in snippetHtml except <mark> is escaped", () => {
    const [result] = hostile.search("script");
    assert.ok(result);
    assert.ok(result.snippetHtml.includes("<mark>"));
    const rest = withoutMarks(result.snippetHtml);
    assert.doesNotMatch(rest, /[<>"']/);
    assert.ok(rest.includes("&lt;"), rest);
    assert.doesNotMatch(result.snippetHtml, /<(?!\/?mark>)/);
  });

  test("searching for markup finds the text but returns no markup", () => {
    for (const query of ["onerror", "img", "alert owned", "quotes"]) {
      const [result] = hostile.search(query);
      assert.ok(result, query);
      assert.doesNotMatch(withoutMarks(result.snippetHtml), /[<>"']/, query);
    }
  });

  test("a title match weighs more than the same word in the body", () => {
    const index = buildHelpSearchIndex([
      { slug: "body", title: "Something else", summary: "Nothing.", text: "A paragraph that mentions widgets once among many other words here." },
      { slug: "title", title: "Widgets", summary: "Nothing.", text: "A paragraph about something else entirely with many other words here." },
    ]);
    assert.deepEqual(
      index.search("widget").map((r) => r.slug),
      ["title", "body"],
    );
  });

  test("an article matching every query word ranks above one matching some", () => {
    const index = buildHelpSearchIndex([
      { slug: "one", title: "One", summary: "S.", text: "Lock lock lock lock the door." },
      { slug: "both", title: "Both", summary: "S.", text: "Turn off caps lock first." },
    ]);
    assert.equal(index.search("caps lock")[0]?.slug, "both");
  });

  test("long blocks are cut around the match, with ellipses", () => {
    const filler = "Lorem ipsum dolor sit amet consectetur. ".repeat(20);
    const index = buildHelpSearchIndex([{ slug: "long", title: "Long", summary: "S.", text: `${filler}The zebra crossing is here. ${filler}` }]);
    const [result] = index.search("zebra");
    assert.ok(result);
    assert.ok(result.snippetHtml.includes("<mark>zebra</mark>"));
    assert.ok(result.snippetHtml.startsWith("…") && result.snippetHtml.endsWith("…"), result.snippetHtml);
    assert.ok(result.snippetHtml.length < 320, result.snippetHtml);
  });

  test("property: any text around a match yields an escaped snippet that reproduces the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (before, afterText) => {
        const text = `${before} zebra ${afterText}`.replace(/\n/g, " ");
        const index = buildHelpSearchIndex([{ slug: "p", title: "P", summary: "S.", text }]);
        const [result] = index.search("zebra");
        assert.ok(result);
        const rest = withoutMarks(result.snippetHtml);
        assert.doesNotMatch(rest, /[<>"']/);
        const unescaped = rest
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, "&")
          .replace(/^…|…$/g, "");
        assert.ok(text.replace(/\s+/g, " ").includes(unescaped.trim()), `${JSON.stringify(text)} → ${JSON.stringify(unescaped)}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("help search in each language", () => {
  const top = (query: string, locale: Locale): string | undefined => library.search(query, 5, locale)[0]?.slug;

  test("each language's analyzer folds accents, drops its stop words and lets word forms meet", () => {
    const terms = (text: string, locale: Locale) => tokenizeHelpText(text, helpWordAnalyzer(locale)).map((t) => t.term);
    assert.deepEqual(terms("die Passwörter", "de"), terms("das Passwort", "de"));
    assert.deepEqual(terms("Sicherheitsprüfung", "de"), terms("sicherheitsprufung", "de"));
    assert.deepEqual(terms("l’authentification", "fr"), terms("authentification", "fr"));
    assert.deepEqual(terms("vous êtes connectés", "fr"), terms("connecter", "fr"));
    assert.deepEqual(terms("las contraseñas", "es"), terms("contrasena", "es"));
    assert.deepEqual(terms("the passwords", "de"), ["the", "password"], "German rules keep English stop words");
  });

  test("German queries find the German articles", () => {
    assert.equal(top("Passwort vergessen", "de"), "reset-your-password");
    assert.equal(top("Feststelltaste", "de"), "problems-signing-in");
    assert.equal(top("Wiederherstellungscodes", "de"), "passkeys-and-second-factors");
    assert.equal(top("Sicherheitsprufung Bild", "de"), "security-check", "without the umlaut too");
    assert.ok(library.search("Passwort", 10, "de").every((r) => r.locale === "de"));
  });

  test("French queries find the French articles, with or without accents and elisions", () => {
    assert.equal(top("réinitialiser le mot de passe", "fr"), "reset-your-password");
    assert.equal(top("verification de securite", "fr"), "security-check");
    assert.equal(top("l'application d'authentification", "fr"), "passkeys-and-second-factors");
    assert.equal(top("vider les cookies", "fr"), "problems-signing-in");
  });

  test("Spanish queries find the Spanish articles", () => {
    assert.equal(top("restablecer contraseña", "es"), "reset-your-password");
    assert.equal(top("códigos de recuperación", "es"), "passkeys-and-second-factors");
    assert.equal(top("crear una cuenta", "es"), "create-an-account");
  });

  test("each language searches only the articles its readers are shown", () => {
    assert.deepEqual(library.search("Passwort", 10, "en"), []);
    assert.deepEqual(library.search("Feststelltaste", 10, "fr"), []);
    assert.ok(library.search("password", 10, "en").every((r) => r.locale === "en"));
  });
});
