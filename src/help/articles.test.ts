import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CAPTCHA_ALPHABET } from "../captcha/alphabet.ts";
import { SHIPPED_LOCALES } from "../i18n/locales.ts";
import { type HelpArticle, HelpContentError, loadHelpLibrary } from "./articles.ts";

const CONTENT_DIR = fileURLToPath(new URL("../../content/help/", import.meta.url));
const REQUIRED_SLUGS = ["problems-signing-in", "reset-your-password", "security-check", "create-an-account", "account-security"];

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary content directory holding `files` (name → contents); a name without a folder is English (en/). */
function writeContent(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-help-"));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name.includes("/") ? name : `en/${name}`);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}

function article(front: string, body = "## Section\n\nSome text.\n"): string {
  return `---\n${front}\n---\n\n${body}`;
}

const VALID_FRONT = "title: Valid\nsummary: A valid article.\nrelated: []\nreviewed: 2026-11-26";

/** The HelpContentError thrown by loading `dir`. */
function loadError(dir: string): HelpContentError {
  try {
    loadHelpLibrary(dir);
  } catch (err) {
    assert.ok(err instanceof HelpContentError, `expected HelpContentError, got ${String(err)}`);
    return err;
  }
  assert.fail("loadHelpLibrary did not throw");
}

/** Every href in `html`. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? "");
}

describe("shipped help articles", () => {
  const library = loadHelpLibrary();
  const articles = library.list();

  test("every required article exists", () => {
    for (const slug of REQUIRED_SLUGS) assert.ok(library.get(slug), `missing article ${slug}`);
  });

  test("every article has the required front matter, existing related slugs and a version", () => {
    assert.ok(articles.length >= REQUIRED_SLUGS.length);
    for (const a of articles) {
      assert.match(a.slug, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      assert.ok(a.title.length > 0, `${a.slug}: title`);
      assert.ok(a.summary.length > 0, `${a.slug}: summary`);
      assert.match(a.reviewed, /^\d{4}-\d{2}-\d{2}$/, `${a.slug}: reviewed`);
      assert.ok(Number.isFinite(a.order), `${a.slug}: order`);
      assert.ok(a.related.length > 0, `${a.slug}: related should not be empty`);
      for (const slug of a.related) {
        assert.ok(library.get(slug), `${a.slug}: related "${slug}" does not exist`);
        assert.notEqual(slug, a.slug);
      }
      const source = readFileSync(join(CONTENT_DIR, "en", `${a.slug}.md`));
      assert.equal(a.version, createHash("sha256").update(source).digest("hex").slice(0, 12));
      assert.match(a.html, /<h2 id="[a-z0-9-]+">/, `${a.slug}: has ## headings with ids`);
      assert.ok(a.text.length > 200, `${a.slug}: text for search`);
    }
  });

  test("the summary is one sentence", () => {
    for (const a of articles) {
      assert.match(a.summary, /^[^.!?]+[.!?]$/, `${a.slug}: "${a.summary}"`);
    }
  });

  test("list() is sorted by order, then title, and is a copy", () => {
    for (let i = 1; i < articles.length; i++) {
      const prev = articles[i - 1];
      const cur = articles[i];
      assert.ok(prev && cur);
      assert.ok(prev.order < cur.order || (prev.order === cur.order && prev.title.localeCompare(cur.title) <= 0));
    }
    assert.equal(articles[0]?.slug, "problems-signing-in");
    library.list().pop();
    assert.equal(library.list().length, articles.length);
  });

  test("get() returns null for unknown slugs, including object property names", () => {
    for (const slug of ["nope", "", "__proto__", "constructor", "toString", "../package"]) {
      assert.equal(library.get(slug), null, slug);
    }
  });

  test("articles are frozen", () => {
    const a = library.get("security-check");
    assert.ok(a);
    assert.throws(() => {
      (a as { title: string }).title = "changed";
    });
    assert.throws(() => a.related.push("x"));
  });

  test("every link between articles leads to an article, and no markup is unsafe", () => {
    for (const a of articles) {
      assert.doesNotMatch(a.html, /<script|<iframe|javascript:|\son\w+=/i, a.slug);
      // Pictures only from our own help assets, each with a text alternative.
      for (const img of a.html.match(/<img[^>]*>/g) ?? []) {
        assert.match(img, /^<img src="\/assets\/help\/[a-z0-9-]+\.png" alt="[^"]{10,}"/, `${a.slug}: ${img}`);
      }
      for (const href of hrefs(a.html)) {
        const help = /^\/help\/([^#?]+)/.exec(href);
        if (help) assert.ok(library.get(help[1] ?? ""), `${a.slug}: broken link ${href}`);
        assert.match(href, /^(?:\/|#|https?:|mailto:)/, `${a.slug}: unexpected link ${href}`);
      }
    }
  });

  test("the hub covers every topic people get stuck on", () => {
    const hub = library.get("problems-signing-in");
    assert.ok(hub);
    const phrases = [
      // passwords and keys
      "case-sensitive",
      "PASSWORD",
      "Password",
      "Caps Lock",
      "Num Lock",
      "Show password",
      // e-mail address
      "name@example.com",
      ".net",
      ".org",
      ".edu",
      ".co.uk",
      "more than one address",
      "auto-complete",
      // mobile numbers
      "country code",
      "+44 7400 123456",
      "0049 1512 3456789",
      "+1 (415) 555-0132",
      "+33",
      "+61",
      // still refused
      "Forgot your password?",
      // security check and pauses
      "security check",
      "not case-sensitive",
      "Hear the challenge",
      "Try another",
      "1 minute",
      "15 minutes",
      // cache and cookies
      "cache and cookies",
      "Chrome",
      "Firefox",
      "Safari",
      "Edge",
      "Settings",
      "Privacy and security",
      "Privacy & Security",
      "Privacy, search, and services",
      "Cookies and other site data",
      "Cached images and files",
    ];
    for (const phrase of phrases) assert.ok(hub.text.includes(phrase), `hub is missing "${phrase}"`);
    assert.match(hub.text, /PASSWORD, Password and password are three different passwords/);
    const links = hrefs(hub.html);
    for (const href of ["/help/reset-your-password", "/password/reset", "/help/security-check"]) {
      assert.ok(links.includes(href), `hub does not link to ${href}`);
    }
    for (const id of [
      "caps-lock",
      "num-lock",
      "sign-in-with-a-mobile-number",
      "the-security-check",
      "if-sign-in-is-paused",
      "clear-your-browsers-cache-and-cookies",
    ]) {
      assert.ok(hub.html.includes(`id="${id}"`), `hub has no heading #${id}`);
    }
  });

  test("the hub gives numbered steps for each browser", () => {
    const hub = library.get("problems-signing-in");
    assert.ok(hub);
    for (const browser of ["chrome", "firefox", "safari", "edge"]) {
      const section = new RegExp(`<h3 id="${browser}">[^<]*</h3>\\s*(?:<p>[^]*?</p>\\s*)?<ol>`);
      assert.match(hub.html, section, browser);
    }
  });

  test("the security check article covers using neither the picture nor the audio", () => {
    const check = library.get("security-check");
    assert.ok(check);
    for (const phrase of [
      "5 characters",
      "7 digits",
      "Hear the challenge",
      "Play again",
      "Try another",
      "10 minutes",
      "only once",
      "Reset your password",
      "people who run this site",
    ]) {
      assert.ok(check.text.includes(phrase), `security-check is missing "${phrase}"`);
    }
    assert.ok(check.html.includes('id="if-neither-the-picture-nor-the-recording-works-for-you"'));
    assert.ok(hrefs(check.html).includes("/password/reset"));
    // Every character the picture can show is listed, and none it never shows.
    const listed = /\*\*((?:[A-Z0-9] )+[A-Z0-9])\*\*/.exec(readFileSync(new URL("../../content/help/en/security-check.md", import.meta.url), "utf8"));
    assert.equal(listed?.[1]?.replaceAll(" ", ""), CAPTCHA_ALPHABET);
  });

  test("the reset article states the limits people run into", () => {
    const reset = library.get("reset-your-password");
    assert.ok(reset);
    for (const phrase of [
      "30 minutes",
      "6-digit code",
      "10 minutes",
      "5 times",
      "3 messages in 15 minutes",
      "10 in a day",
      "signed out",
      "never ask for your password",
    ]) {
      assert.ok(reset.text.includes(phrase), `reset-your-password is missing "${phrase}"`);
    }
  });

  test("loading twice gives identical articles (same on every instance)", () => {
    assert.deepEqual(loadHelpLibrary().list(), articles);
  });
});

describe("rendering hostile markdown", () => {
  const hostile = [
    "## Heading <script>alert(1)</script>",
    "",
    "<script>alert(1)</script>",
    "",
    "<img src=x onerror=alert(1)>",
    "",
    'Inline <img src=x onerror="alert(2)"> and <a href="javascript:alert(3)">raw</a>.',
    "",
    "[js](javascript:alert(1)) [upper](JaVaScRiPt:alert(1)) [tab](java&#x09;script:alert(1))",
    "[entity](&#106;avascript:alert(1)) [vb](vbscript:msgbox(1)) [file](file:///etc/passwd)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [png](data:image/png;base64,AAAA)",
    "![img](data:image/png;base64,AAAA) ![img2](javascript:alert(1))",
    "<javascript:alert(1)> [ref][r1] [space]( javascript:alert(1))",
    "",
    "[r1]: javascript:alert(3)",
    "",
    "[out](https://example.org/page) [proto](//example.org/x) [inside](/help/target) [mail](mailto:help@example.org)",
    "",
    "## Same",
    "",
    "## Same",
    "",
  ].join("\n");
  const dir = writeContent({
    "evil.md": article("title: Evil\nsummary: Hostile content.\nrelated: [target]\nreviewed: 2026-11-26", hostile),
    "target.md": article("title: Target\nsummary: A link target.\nrelated: []\nreviewed: 2026-11-26"),
  });
  const evil = loadHelpLibrary(dir).get("evil");
  assert.ok(evil);
  const html = evil.html;

  test("raw HTML never passes: it is shown as text", () => {
    assert.doesNotMatch(html, /<script|<img|<a href="javascript/i);
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
    // No element carries an event handler attribute.
    for (const tag of html.matchAll(/<[a-z][^>]*>/gi)) assert.doesNotMatch(tag[0], /\son\w+\s*=/i);
  });

  test("javascript:, vbscript:, file: and data: targets never become links or images", () => {
    for (const href of hrefs(html)) assert.doesNotMatch(href, /^(?:javascript|vbscript|file|data):/i);
    assert.doesNotMatch(html, /(?:href|src)="[^"]*(?:javascript|vbscript|data:|file:)/i);
    assert.doesNotMatch(html, /<img/);
  });

  test("links that leave the site get rel=noopener noreferrer; links inside do not", () => {
    assert.ok(html.includes('<a href="https://example.org/page" rel="noopener noreferrer">out</a>'));
    assert.ok(html.includes('<a href="//example.org/x" rel="noopener noreferrer">proto</a>'));
    assert.ok(html.includes('<a href="/help/target">inside</a>'));
    assert.ok(html.includes('<a href="mailto:help@example.org">mail</a>'));
  });

  test("headings get unique, slugified ids", () => {
    assert.ok(html.includes('<h2 id="heading-script-alert-1-script">'));
    assert.ok(html.includes('<h2 id="same">Same</h2>'));
    assert.ok(html.includes('<h2 id="same-2">Same</h2>'));
  });

  test("typographer is on", () => {
    const dir2 = writeContent({ "t.md": article(VALID_FRONT, 'Say "hello" -- wait...\n') });
    const t = loadHelpLibrary(dir2).get("t");
    assert.ok(t);
    assert.ok(t.html.includes("“hello” – wait…"), t.html);
  });
});

describe("the site's name in articles", () => {
  const NAME = `"Bits" & *Bytes* -- [Shop](https://evil.example) <b>`;
  const dir = writeContent({
    "named.md": article(
      "title: {siteName} accounts\nsummary: How {siteName} signs you in.\nrelated: []\nreviewed: 2026-11-26",
      "## About {siteName}\n\nRun by {siteName}. Type `{siteName}` as shown.\n",
    ),
  });
  const named = loadHelpLibrary(dir, { siteName: NAME }).get("named");

  test("is plain text in the title and summary, even at the start of a front-matter value", () => {
    assert.ok(named);
    assert.equal(named.title, `${NAME} accounts`);
    assert.equal(named.summary, `How ${NAME} signs you in.`);
  });

  test("is escaped text in the body, its headings, code and search text, never Markdown", () => {
    assert.ok(named);
    const escaped = "&quot;Bits&quot; &amp; *Bytes* -- [Shop](https://evil.example) &lt;b&gt;";
    assert.ok(named.html.includes(`<h2 id="about-bits-bytes-shop-https-evil-example-b">About ${escaped}</h2>`), named.html);
    assert.ok(named.html.includes(`<p>Run by ${escaped}. Type <code>${escaped}</code> as shown.</p>`), named.html);
    assert.equal(named.text, `About ${NAME}\nRun by ${NAME}. Type ${NAME} as shown.`);
  });
});

describe("translated help articles", () => {
  const library = loadHelpLibrary();
  const translated = SHIPPED_LOCALES.filter((l) => l !== "en" && existsSync(join(CONTENT_DIR, l)));

  /** What a translation must keep of the English article: its sections, lists, pictures, table rows and links. */
  function shape(a: HelpArticle) {
    const count = (re: RegExp): number => [...a.html.matchAll(re)].length;
    return {
      related: a.related,
      order: a.order,
      h2: count(/<h2 /g),
      h3: count(/<h3 /g),
      listItems: count(/<li>/g),
      pictures: count(/<img /g),
      tableRows: count(/<tr>/g),
      // Headings are named in each language, so a link keeps its target article, not its #fragment.
      links: hrefs(a.html)
        .map((href) => href.replace(/#.*$/, "") || "#")
        .sort(),
    };
  }

  test("every translated article keeps the English one's sections, list items, pictures, table rows and links", () => {
    assert.ok(translated.length > 0, "some language has translations");
    for (const locale of translated) {
      for (const article of library.list(locale).filter((a) => a.locale === locale)) {
        const english = library.get(article.slug);
        assert.ok(english, `${locale}/${article.slug}: no English article`);
        assert.deepEqual(shape(article), shape(english), `${locale}/${article.slug}.md differs in structure from en/${article.slug}.md`);
      }
    }
  });

  test("German, French and Spanish translate every article, title and summary", () => {
    for (const locale of ["de", "fr", "es"] as const) {
      for (const article of library.list(locale)) {
        assert.equal(article.locale, locale, `${article.slug} is not translated into ${locale}`);
        const english = library.get(article.slug);
        assert.notEqual(article.title, english?.title, `${locale}/${article.slug}: title`);
        assert.notEqual(article.summary, english?.summary, `${locale}/${article.slug}: summary`);
        assert.match(article.summary, /^[^.!?]+[.!?]$/, `${locale}/${article.slug}: the summary is one sentence`);
      }
    }
  });

  test("the security check's characters are listed the same way in every language", () => {
    for (const locale of translated) {
      const check = library.get("security-check", locale);
      if (check?.locale !== locale) continue;
      const listed = /\*\*((?:[A-Z0-9] )+[A-Z0-9])\*\*/.exec(readFileSync(join(CONTENT_DIR, locale, "security-check.md"), "utf8"));
      assert.equal(listed?.[1]?.replaceAll(" ", ""), CAPTCHA_ALPHABET, locale);
    }
  });
});

describe("invalid help content", () => {
  const cases: { name: string; files: Record<string, string>; file: string; field: string }[] = [
    { name: "missing title", files: { "a.md": article("summary: S.\nrelated: []\nreviewed: 2026-11-26") }, file: "a.md", field: "title" },
    { name: "empty title", files: { "a.md": article('title: "  "\nsummary: S.\nrelated: []\nreviewed: 2026-11-26') }, file: "a.md", field: "title" },
    { name: "summary not a string", files: { "a.md": article("title: T\nsummary: 42\nrelated: []\nreviewed: 2026-11-26") }, file: "a.md", field: "summary" },
    { name: "related not a list", files: { "a.md": article("title: T\nsummary: S.\nrelated: other\nreviewed: 2026-11-26") }, file: "a.md", field: "related" },
    {
      name: "related slug that does not exist",
      files: { "a.md": article("title: T\nsummary: S.\nrelated: [missing]\nreviewed: 2026-11-26") },
      file: "a.md",
      field: "related",
    },
    { name: "related lists itself", files: { "a.md": article("title: T\nsummary: S.\nrelated: [a]\nreviewed: 2026-11-26") }, file: "a.md", field: "related" },
    { name: "reviewed missing", files: { "a.md": article("title: T\nsummary: S.\nrelated: []") }, file: "a.md", field: "reviewed" },
    { name: "reviewed not a date", files: { "a.md": article("title: T\nsummary: S.\nrelated: []\nreviewed: last week") }, file: "a.md", field: "reviewed" },
    {
      name: "reviewed impossible date",
      files: { "a.md": article("title: T\nsummary: S.\nrelated: []\nreviewed: 2026-02-30") },
      file: "a.md",
      field: "reviewed",
    },
    { name: "order not a number", files: { "a.md": article(`${VALID_FRONT}\norder: first`) }, file: "a.md", field: "order" },
    { name: "misspelt field", files: { "a.md": article(`${VALID_FRONT}\nsumary: typo`) }, file: "a.md", field: "sumary" },
    { name: "no front matter", files: { "a.md": "# Just text\n" }, file: "a.md", field: "front matter" },
    { name: "broken YAML", files: { "a.md": article("title: [unclosed\nsummary: S.") }, file: "a.md", field: "front matter" },
    { name: "front matter is a list", files: { "a.md": article("- one\n- two") }, file: "a.md", field: "front matter" },
    { name: "duplicate key", files: { "a.md": article(`${VALID_FRONT}\ntitle: Again`) }, file: "a.md", field: "front matter" },
    { name: "file name is not a slug", files: { "Bad_Name.md": article(VALID_FRONT) }, file: "Bad_Name.md", field: "slug" },
    { name: "empty body", files: { "a.md": article(VALID_FRONT, "\n") }, file: "a.md", field: "body" },
    { name: "link to a missing article", files: { "a.md": article(VALID_FRONT, "See [this](/help/missing).\n") }, file: "a.md", field: "body" },
    { name: "link to a missing heading", files: { "a.md": article(VALID_FRONT, "## Here\n\nSee [this](#there).\n") }, file: "a.md", field: "body" },
  ];

  for (const c of cases) {
    test(`${c.name}: the error names the file and the field`, () => {
      const err = loadError(writeContent(c.files));
      const file = `en/${c.file}`;
      assert.ok(
        err.problems.some((p) => p.file === file && p.field === c.field),
        `problems: ${JSON.stringify(err.problems)}`,
      );
      assert.ok(err.message.includes(`${file}: ${c.field}:`), err.message);
    });
  }

  test("every problem in every file is reported at once", () => {
    const err = loadError(
      writeContent({
        "a.md": article("summary: S.\nrelated: []\nreviewed: 2026-11-26"),
        "b.md": article("title: T\nrelated: [nope]\nreviewed: 2026-11-26"),
      }),
    );
    const found = err.problems.map((p) => `${p.file}:${p.field}`).sort();
    assert.deepEqual(found, ["en/a.md:title", "en/b.md:related", "en/b.md:summary"]);
  });

  test("translations: each language's problems are reported with the English ones, naming the language's folder", () => {
    const err = loadError(
      writeContent({
        "a.md": article(VALID_FRONT, "## Where to look\n\nText.\n"),
        "b.md": article("title: B\nsummary: B.\nrelated: [a]\nreviewed: 2026-11-26"),
        // A translation links to headings as its target reads in the same language.
        "de/b.md": article("title: B\nsummary: B.\nrelated: [a]\nreviewed: 2026-11-26", "## Teil\n\nSiehe [a](/help/a#wo-suchen).\n"),
        "de/a.md": article("title: A\nsummary: A.\nrelated: []\nreviewed: 2026-11-26", "## Wo suchen\n\nText.\n"),
        "fr/b.md": article("title: B\nsummary: B.\nrelated: [a]\nreviewed: 2026-11-26", "## Partie\n\nVoir [a](/help/a#ou-chercher).\n"),
        "es/only-here.md": article(VALID_FRONT),
        "./notes.md": article(VALID_FRONT),
        "xx/a.md": article(VALID_FRONT),
      }),
    );
    const found = err.problems.map((p) => `${p.file}:${p.field}`).sort();
    assert.deepEqual(found, ["es/only-here.md:slug", "fr/b.md:body", "notes.md:directory", "xx:directory"]);
  });

  test("a language serves its own article where there is one and the English one elsewhere", () => {
    const dir = writeContent({
      "a.md": article("title: Apple\nsummary: A.\nrelated: [b]\nreviewed: 2026-11-26\norder: 1", "## Where to look\n\nText.\n"),
      "b.md": article("title: Banana\nsummary: B.\nrelated: [a]\nreviewed: 2026-11-26\norder: 2", "See [a](/help/a#where-to-look).\n"),
      "de/a.md": article("title: Apfel\nsummary: A.\nrelated: [b]\nreviewed: 2026-11-27\norder: 1", "## Wo suchen\n\nText.\n"),
    });
    const library = loadHelpLibrary(dir);
    assert.deepEqual(
      library.list("de").map((a) => [a.slug, a.locale, a.title]),
      [
        ["a", "de", "Apfel"],
        ["b", "en", "Banana"],
      ],
    );
    assert.equal(library.get("a")?.title, "Apple");
    assert.equal(library.get("a", "fr")?.locale, "en", "a language without a folder reads English");
    assert.notEqual(library.get("a", "de")?.version, library.get("a")?.version);
    assert.equal(library.get("missing", "de"), null);
  });

  test("a missing or empty directory is an error", () => {
    const empty = writeContent({ "notes.txt": "not an article" });
    assert.match(loadError(empty).message, /no \*\.md articles/);
    assert.match(loadError(join(empty, "does-not-exist")).message, /cannot be read/);
  });

  test("links to existing articles and headings are accepted; order defaults after ordered articles", () => {
    const dir = writeContent({
      "a.md": article(`${VALID_FRONT}\norder: 5`, "## Where to look\n\nSee [b](/help/b#steps), [here](#where-to-look).\n"),
      "b.md": article("title: Another\nsummary: B.\nrelated: [a]\nreviewed: 2026-11-26", "## Steps\n\n1. One.\n"),
    });
    const library = loadHelpLibrary(dir);
    assert.deepEqual(
      library.list().map((a) => [a.slug, a.order]),
      [
        ["a", 5],
        ["b", 1000],
      ],
    );
  });

  test("the version changes when the file changes", () => {
    const dir = writeContent({ "a.md": article(VALID_FRONT) });
    const before = loadHelpLibrary(dir).get("a")?.version;
    writeFileSync(join(dir, "en", "a.md"), article(VALID_FRONT, "## Section\n\nOther text.\n"));
    const after = loadHelpLibrary(dir).get("a")?.version;
    assert.match(before ?? "", /^[0-9a-f]{12}$/);
    assert.notEqual(before, after);
  });

  test("a byte-order mark and Windows line endings are accepted", () => {
    const dir = writeContent({ "a.md": `\uFEFF${article(VALID_FRONT)}`.replace(/\n/g, "\r\n") });
    assert.equal(loadHelpLibrary(dir).get("a")?.title, "Valid");
  });
});
