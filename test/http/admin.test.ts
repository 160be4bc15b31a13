// The admin view of help feedback: who may see it, what it shows, the CSV export and `latchkey help
// report`, checked against what was stored. Ends with the whole journey from a failed sign-in to the report.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createVerifiedAccount } from "../helpers/accounts.ts";
import { createTestApp, type TestApp, testEnv } from "../helpers/app.ts";
import { hiddenInputsIn, pageText, TestClient, withoutCsrfTokens } from "../helpers/client.ts";

/** A page's markup without the elements that mark values as data (<data value>, <code>), for matching what is shown. */
function withoutDataMarks(page: string): string {
  return page.replace(/<\/?(?:data|code)\b[^>]*>/g, "");
}

const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));

/** A minimal RFC 4180 reader: quoted cells, doubled quotes, CRLF rows. */
function parseCSV(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  assert.equal(cell, "", "the file ends with a line break");
  return rows;
}

/** A signed-in admin (admin@example.com). */
async function createAdmin(t: TestApp): Promise<TestClient> {
  const admin = await createVerifiedAccount(t, "admin@example.com");
  const found = await t.deps.stores.accounts.getAccountByIdentifier("admin@example.com");
  assert.ok(found);
  await t.deps.stores.accounts.setAccountAdmin(found.account.id, true, t.clock.now());
  return admin;
}

describe("admin", () => {
  let t: TestApp;
  let admin: TestClient;
  let member: TestClient;
  before(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    member = await createVerifiedAccount(t, "member@example.com");
  });
  after(async () => {
    await t.close();
  });

  /** A new anonymous reader answers through the API, reading in `language` (the default, English, without one). */
  async function answer(slug: string, body: Record<string, unknown>, language?: string): Promise<void> {
    const reader = new TestClient(t.app, language ? { "accept-language": language } : {});
    await reader.get(`/help/${slug}`);
    const response = await reader.request("POST", `/api/v1/help/articles/${slug}/feedback`, { json: body });
    assert.equal(response.statusCode, 201, response.body);
  }

  function runCLI(args: string[]) {
    return spawnSync(process.execPath, [BIN, ...args], {
      env: { ...(process.env as Record<string, string>), ...testEnv(t.dataDir) },
      encoding: "utf8",
      timeout: 60_000,
    });
  }

  it("answers anonymous visitors and signed-in non-admins exactly like an unknown page", async () => {
    for (const [who, client] of [
      ["anonymous", new TestClient(t.app)],
      ["member", member],
    ] as const) {
      const unknown = await client.get("/no-such-page");
      assert.equal(unknown.statusCode, 404);
      for (const url of ["/admin", "/admin?days=30", "/admin/feedback.csv"]) {
        const refused = await client.get(url);
        assert.equal(refused.statusCode, 404, `${who} ${url}`);
        assert.equal(refused.headers["content-type"], unknown.headers["content-type"], `${who} ${url}`);
        // Only the per-response CSRF token of the language menu may differ.
        assert.equal(withoutCsrfTokens(refused.body), withoutCsrfTokens(unknown.body), `${who} ${url}: the same page as an unknown address`);
      }
      assert.equal((await client.get("/account")).body.includes('href="/admin"'), false, `${who}: no admin link`);
      for (const method of ["POST", "DELETE"]) {
        const other = await client.request(method, "/admin", { form: { x: "1" } });
        const unknownOther = await client.request(method, "/no-such-page", { form: { x: "1" } });
        assert.equal(other.statusCode, 404, `${who} ${method} /admin`);
        assert.equal(other.statusCode, unknownOther.statusCode);
        assert.equal(other.headers.allow, undefined, "no Allow header that would reveal the address");
        assert.match(pageText(other.body), /Page not found/);
      }
    }
  });

  it("shows an admin every article's views, answers, helpful share and reasons, drawn as SVG", async () => {
    const slug = "account-security";
    const reader = new TestClient(t.app);
    await reader.get(`/help/${slug}`);
    await reader.get(`/help/${slug}`);
    await answer(slug, { helpful: true });
    await answer(slug, { helpful: true });
    await answer(slug, { helpful: true });
    await answer(slug, { helpful: false, reason: "too_long" });

    const page = await admin.get("/admin/help-feedback");
    assert.equal(page.statusCode, 200);
    const post = await admin.request("POST", "/admin/help-feedback", { form: { x: "1" } });
    assert.equal(post.statusCode, 405, "an admin learns that only GET is accepted");
    assert.equal(post.headers.allow, "GET, HEAD");
    const html = withoutDataMarks(page.body);
    assert.match(html, /<a href="\/admin" aria-current="page">Admin<\/a>/, "the navigation links to /admin for admins");
    const summary = (await t.deps.stores.helpFeedback.summarizeFeedback()).find((s) => s.slug === slug);
    assert.ok(summary);
    const row = new RegExp(
      `<tr data-slug="${slug}"><th scope="row"><a href="/help/${slug}">Keep your account secure</a></th><td class="num">${summary.views}</td><td class="num">3</td><td class="num">1</td><td class="num">75%</td><td>Too long</td><td>en 3/1</td></tr>`,
    );
    assert.match(html, row);
    // Every published article has a row, answered or not.
    for (const other of ["problems-signing-in", "reset-your-password", "security-check", "create-an-account"]) {
      assert.match(html, new RegExp(`<tr data-slug="${other}">`));
    }

    const chart = html.slice(html.indexOf(`<figure class="chart" data-slug="${slug}">`));
    const svg = chart.slice(0, chart.indexOf("</svg>"));
    assert.match(
      svg,
      /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img" aria-labelledby="reasons-account-security-title reasons-account-security-desc"/,
    );
    assert.match(
      svg,
      /<desc id="reasons-account-security-desc">Confusing or hard to follow: 0; Didn&#39;t answer my question: 0; Inaccurate or out of date: 0; Too long: 1; Something else: 0<\/desc>/,
    );
    assert.match(svg, /fill="currentColor" data-value="1"/);
    assert.match(html, /<svg[^>]*aria-labelledby="trend-title trend-desc"/, "the trend chart");
    assert.doesNotMatch(html, /\sstyle=/, "no inline styles (the CSP forbids them)");
    const week = await admin.get("/admin/help-feedback?days=7");
    assert.equal(week.statusCode, 200);
    assert.match(week.body, /<strong aria-current="page">Last 7 days<\/strong>/);
    assert.match(week.body, /<caption[^>]*>Articles \(last 7 days\)<\/caption>/);
    // The only script that runs is the site's own file; the page's texts for it are a JSON data block.
    assert.deepEqual(
      [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => tag !== '<script type="application/json" id="page-texts">'),
      ['<script src="/assets/app.js" defer type="module">'],
    );
  });

  it("shows the latest comments escaped", async () => {
    await answer("security-check", { helpful: false, reason: "other", comment: '<script>alert("admin")</script>\nsecond line' });
    const page = await admin.get("/admin/help-feedback");
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /&lt;script&gt;alert\(&quot;admin&quot;\)&lt;\/script&gt;<br>second line/);
    assert.match(pageText(page.body), /The security check · No · Something else/);
  });

  it("exports every answer as CSV with quoting and without spreadsheet formulas", async () => {
    const slug = "create-an-account";
    const hostile = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2", "@SUM(A1)", 'plain, with "quotes"\nand a second line'];
    for (const comment of hostile) {
      t.clock.advance(1000);
      await answer(slug, { helpful: false, reason: "confusing", comment });
    }

    const csv = await admin.get("/admin/feedback.csv");
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert.match(csv.headers["content-disposition"] as string, /^attachment; filename="help-feedback-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCSV(csv.body);
    assert.deepEqual(rows[0], ["answered_at", "article", "article_version", "current_version", "helpful", "reason", "comment", "language"]);
    const stored = await t.deps.stores.helpFeedback.listFeedback();
    assert.equal(rows.length - 1, stored.length, "one row per stored answer");
    const comments = rows.filter((r) => r[1] === slug).map((r) => r[6]);
    assert.deepEqual(comments, [`'${hostile[0]}`, "'+1+1", "'-2", "'@SUM(A1)", hostile[4]]);
    const first = rows.find((r) => r[1] === slug);
    assert.equal(first?.[3], "yes");
    assert.equal(first?.[4], "no");
    assert.equal(first?.[5], "confusing");
    assert.ok(!Number.isNaN(Date.parse(first?.[0] ?? "")));
    assert.match(csv.body, /"'=HYPERLINK\(""http:\/\/evil\.example"",""click""\)"/, "quotes doubled inside a quoted cell");
  });

  it("latchkey help report prints the numbers that were stored", async () => {
    await answer("reset-your-password", { helpful: true });
    await answer("reset-your-password", { helpful: false, reason: "inaccurate" });
    await answer("reset-your-password", { helpful: false, reason: "inaccurate" });
    const result = runCLI(["help", "report"]);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split("\n");
    assert.match(lines[2] ?? "", /^Article\s+Views\s+Yes\s+No\s+Helpful\s+Top reason$/);

    const summaries = await t.deps.stores.helpFeedback.summarizeFeedback();
    for (const slug of ["problems-signing-in", "reset-your-password", "security-check", "create-an-account", "account-security"]) {
      const s = summaries.find((x) => x.slug === slug) ?? { views: 0, yes: 0, no: 0 };
      const line = lines.find((l) => l.startsWith(`${slug} `));
      assert.ok(line, `a line for ${slug}`);
      const [, views, yes, no, helpful] = line.split(/\s{2,}/);
      assert.deepEqual([Number(views), Number(yes), Number(no)], [s.views, s.yes, s.no], slug);
      assert.equal(helpful, s.yes + s.no === 0 ? "–" : `${Math.round((100 * s.yes) / (s.yes + s.no))}%`, slug);
    }
    assert.match(lines.find((l) => l.startsWith("reset-your-password ")) ?? "", /\s33%\s+Inaccurate or out of date$/);
    const total = lines.find((l) => l.startsWith("Total "));
    const sum = summaries.reduce((acc, s) => acc + s.yes, 0);
    assert.equal(Number(total?.split(/\s{2,}/)[2]), sum);

    const recent = runCLI(["help", "report", "--days", "7"]);
    assert.equal(recent.status, 0, recent.stderr);
    assert.match(recent.stdout, /^Help feedback, since \d{4}-\d{2}-\d{2} /);
    assert.equal(runCLI(["help", "report", "--days", "soon"]).status, 2);
    assert.equal(runCLI(["help"]).status, 0, "help alone prints the usage");
    const unknown = runCLI(["help", "frobnicate"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown help command: frobnicate/);
  });

  it("a reader finds the sign-in article from a failed sign-in, answers No with a reason, and an admin sees it", async () => {
    const before = (await t.deps.stores.helpFeedback.summarizeFeedback()).find((s) => s.slug === "problems-signing-in");
    const reader = new TestClient(t.app);
    const failed = await reader.submitForm("/signin", "/signin", { identifier: "member@example.com", password: "not the password at all" });
    assert.equal(failed.statusCode, 303);
    const signinPage = await reader.get(failed.headers.location as string);
    const link = /<div class="error-summary"[\s\S]*?href="(\/help\/problems-signing-in)"/.exec(signinPage.body)?.[1];
    assert.equal(link, "/help/problems-signing-in", "the error summary links to the article");

    const article = await reader.get(link);
    assert.equal(article.statusCode, 200);
    const no = await reader.request("POST", "/help/problems-signing-in/feedback", {
      form: { ...hiddenInputsIn(article.body, "/help/problems-signing-in/feedback"), helpful: "no" },
    });
    assert.equal(no.headers.location, "/help/problems-signing-in?feedback=reason#feedback");
    const reasonStep = await reader.get("/help/problems-signing-in?feedback=reason");
    const csrf = hiddenInputsIn(reasonStep.body, "/help/problems-signing-in/feedback")._csrf as string;
    const sent = await reader.request("POST", "/help/problems-signing-in/feedback", {
      form: { _csrf: csrf, helpful: "no", reason: "didnt_answer", comment: "My keyboard has no Caps Lock light." },
    });
    const thanks = await reader.get((sent.headers.location as string).replace(/#.*$/, ""));
    assert.match(pageText(thanks.body), /Thank you\. We can't reply to individual answers, but we read every one and use them to improve this help\./);

    const page = await admin.get("/admin/help-feedback");
    const chart = page.body.slice(page.body.indexOf('<figure class="chart" data-slug="problems-signing-in">'));
    const didntAnswer = (before?.reasons.didnt_answer ?? 0) + 1;
    assert.match(chart.slice(0, chart.indexOf("</figure>")), new RegExp(`Didn&#39;t answer my question: ${didntAnswer};`));
    assert.match(page.body, /My keyboard has no Caps Lock light\./);

    const report = runCLI(["help", "report"]);
    const line = report.stdout.split("\n").find((l) => l.startsWith("problems-signing-in "));
    assert.equal(Number(line?.split(/\s{2,}/)[3]), (before?.no ?? 0) + 1);
    assert.match(line ?? "", /Didn't answer my question$/);
  });

  it("shows the report in French to an admin whose browser prefers French, numbers and charts included", async () => {
    await answer("reset-your-password", { helpful: false, reason: "too_long" });
    const page = await admin.get("/admin/help-feedback", { "accept-language": "fr-FR,fr;q=0.9" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="fr" dir="ltr">/);
    const text = pageText(page.body);
    assert.match(text, /Avis sur l’aide/);
    assert.match(text, /Comment les lecteurs jugent les articles d’aide/);
    assert.match(text, /Depuis le début/);
    assert.match(text, /Réponses par jour/);
    assert.match(text, /Pourquoi des articles n’ont pas aidé/);
    assert.match(text, /Trop long/);
    assert.match(page.body, /<desc id="trend-desc">\d+ oui et \d+ non du /);
    assert.match(withoutDataMarks(page.body), /<td class="num">\d+\u202f%<\/td>|<td class="num">\d+\u00a0%<\/td>/, "percentages the French way");
    assert.doesNotMatch(text, /Help feedback|Answers per day|Why articles did not help/);

    const accounts = pageText((await admin.get("/admin/accounts", { "accept-language": "fr" })).body);
    assert.match(accounts, /Tous les comptes, du plus récent au plus ancien/);
    assert.match(accounts, /Événements de sécurité/);
    const found = await t.deps.stores.accounts.getAccountByIdentifier("member@example.com");
    assert.ok(found);
    const detail = pageText((await admin.get(`/admin/accounts/${found.account.id}`, { "accept-language": "fr" })).body);
    assert.match(detail, /Envoyer une réinitialisation du mot de passe/);
    assert.match(detail, /Événements de sécurité récents/);
    assert.match(detail, /Adresse ou numéro confirmé/);
    const confirm = pageText((await admin.get(`/admin/accounts/${found.account.id}/disable`, { "accept-language": "fr" })).body);
    assert.match(confirm, /Désactiver le compte : member@example\.com \?/);
    assert.match(confirm, /Nous prévenons la personne par e-mail ou par SMS\./);
  });

  it("filters the report by the language of the article shown and breaks each article's answers down by language", async () => {
    const slug = "passkeys-and-second-factors";
    await answer(slug, { helpful: true }, "de");
    await answer(slug, { helpful: false, reason: "confusing", comment: "Zu viele Schritte." }, "de");
    await answer(slug, { helpful: true }, "es");
    await answer(slug, { helpful: true });

    const all = await admin.get("/admin/help-feedback");
    const row = (html: string): string => new RegExp(`<tr data-slug="${slug}">.*?</tr>`).exec(withoutDataMarks(html))?.[0] ?? "";
    assert.match(row(all.body), /<td class="num">3<\/td><td class="num">1<\/td>.*<td>de 1\/1 · en 1\/0 · es 1\/0<\/td><\/tr>$/);
    assert.match(all.body, /<option value="">All languages<\/option>/);

    const german = await admin.get("/admin/help-feedback?lang=de&days=30");
    assert.equal(german.statusCode, 200);
    assert.match(german.body, /<option value="de" selected>Deutsch<\/option>/);
    assert.match(german.body, /<input type="hidden" name="days" value="30">/, "the filter keeps the period");
    assert.match(german.body, /<a href="\/admin\/help-feedback\?days=7&amp;lang=de">Last 7 days<\/a>/, "the periods keep the language");
    assert.match(
      row(german.body),
      /<td class="num">1<\/td><td class="num">1<\/td><td class="num">50%<\/td><td>Confusing or hard to follow<\/td><td>de 1\/1<\/td><\/tr>$/,
    );
    assert.match(german.body, /Zu viele Schritte\./);
    const spanish = await admin.get("/admin/help-feedback?lang=es");
    assert.doesNotMatch(spanish.body, /Zu viele Schritte\./, "comments are filtered too");
    const unknown = await admin.get("/admin/help-feedback?lang=xx");
    assert.equal(unknown.statusCode, 200);
    assert.match(unknown.body, /<option value="" selected>|<option value="">All languages/);

    const csv = parseCSV((await admin.get("/admin/feedback.csv")).body);
    const germanRows = csv.filter((r) => r[1] === slug && r[7] === "de");
    assert.equal(germanRows.length, 2);
    assert.ok(
      germanRows.every((r) => r[3] === "yes"),
      "the German answers concern the German article as it reads now",
    );

    const report = runCLI(["help", "report", "--lang", "de"]);
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /^Help feedback, all time, in de /);
    const line = report.stdout.split("\n").find((l) => l.startsWith(`${slug} `));
    assert.deepEqual(line?.split(/\s{2,}/).slice(2, 4), ["1", "1"]);
    assert.notEqual(runCLI(["help", "report", "--lang", "xx"]).status, 0);
  });
});

describe("help feedback export of a large table", () => {
  let t: TestApp;
  let admin: TestClient;
  before(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
  });
  after(async () => {
    await t.close();
  });

  it("reads the answers page by page and still exports every one, oldest first", async () => {
    // Anyone can add answers (a browser without cookies is a new visitor each time), so the table has no
    // upper size: an export that read it whole could exhaust the server's memory.
    const start = t.clock.now();
    const total = 2345;
    for (let i = 0; i < total; i++) {
      await t.deps.stores.helpFeedback.saveFeedback({
        slug: i % 3 === 0 ? "security-check" : "create-an-account",
        locale: "en",
        articleVersion: "v1",
        visitorId: `visitor-${String(i).padStart(5, "0")}`,
        helpful: i % 2 === 0,
        reason: null,
        comment: `comment ${i}`,
        // Many answers share a second, so pages must split ties without losing or repeating any.
        at: new Date(start.getTime() + Math.floor(i / 7) * 1000),
      });
    }
    const store = t.deps.stores.helpFeedback;
    const original = store.listFeedback;
    const reads: Array<number | undefined> = [];
    // Each read, and each turn of the event loop: a page read must never follow another without a turn in
    // between, or a large export holds every other request of the instance until it is done.
    const steps: string[] = [];
    store.listFeedback = (options) => {
      reads.push(options?.limit);
      steps.push("read");
      return original.call(store, options);
    };
    let exporting = true;
    const turn = (): void => {
      steps.push("turn");
      if (exporting) setImmediate(turn);
    };
    setImmediate(turn);
    try {
      const csv = await admin.get("/admin/feedback.csv");
      exporting = false;
      assert.ok(
        steps.every((step, i) => !(step === "read" && steps[i - 1] === "read")),
        `never two page reads without a turn of the event loop between them: ${steps.join(" ")}`,
      );
      assert.equal(csv.statusCode, 200);
      const rows = parseCSV(csv.body);
      assert.equal(rows.length - 1, total, "one row per stored answer");
      assert.deepEqual(
        rows
          .slice(1)
          .map((r) => r[6])
          .sort(),
        Array.from({ length: total }, (_, i) => `comment ${i}`).sort(),
        "every answer exactly once",
      );
      const times = rows.slice(1).map((r) => Date.parse(r[0] ?? ""));
      assert.ok(
        times.every((time, i) => i === 0 || time >= (times[i - 1] as number)),
        "oldest first",
      );
      assert.ok(reads.length >= 3, `read in pages (${reads.length} reads)`);
      assert.ok(
        reads.every((limit) => limit !== undefined && limit <= 1000),
        `every read has a limit: ${reads.join(", ")}`,
      );
    } finally {
      exporting = false;
      store.listFeedback = original;
    }
  });
});
