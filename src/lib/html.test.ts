import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { escapeHtml, html, SafeHtml, trustedHtml } from "./html.ts";

describe("escapeHtml", () => {
  test("escapes all five special characters", () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });

  test("escapes & first, so entities in the input stay visible as text", () => {
    assert.equal(escapeHtml("&lt;"), "&amp;lt;");
    assert.equal(escapeHtml("&amp;&#39;"), "&amp;amp;&amp;#39;");
  });

  test("leaves other text alone", () => {
    assert.equal(escapeHtml("Grüße, 世界 — ok? (1+1=2) /path"), "Grüße, 世界 — ok? (1+1=2) /path");
    assert.equal(escapeHtml(""), "");
  });
});

describe("html", () => {
  test("escapes interpolated strings, not the template", () => {
    const name = `<script>alert("x")</script>`;
    const out = html`<p class="greeting">Hello ${name}</p>`;
    assert.ok(out instanceof SafeHtml);
    assert.equal(out.value, `<p class="greeting">Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>`);
  });

  test("escapes attribute breakouts", () => {
    const value = `" onmouseover='alert(1)`;
    assert.equal(html`<input value="${value}">`.value, `<input value="&quot; onmouseover=&#39;alert(1)">`);
  });

  test("nested templates are inserted as they are, not escaped twice", () => {
    const inner = html`<em>${"a & b"}</em>`;
    const outer = html`<p>${inner} &amp; ${"<c>"}</p>`;
    assert.equal(outer.value, "<p><em>a &amp; b</em> &amp; &lt;c&gt;</p>");
    assert.equal(html`<div>${outer}</div>`.value, "<div><p><em>a &amp; b</em> &amp; &lt;c&gt;</p></div>");
  });

  test("arrays render each item, escaping strings and keeping templates", () => {
    const items = ["<one>", "two & three"].map((item) => html`<li>${item}</li>`);
    assert.equal(html`<ul>${items}</ul>`.value, "<ul><li>&lt;one&gt;</li><li>two &amp; three</li></ul>");
    assert.equal(html`${["<b>", html`<i>x</i>`, ["&", 1]]}`.value, "&lt;b&gt;<i>x</i>&amp;1");
    assert.equal(html`<ul>${[]}</ul>`.value, "<ul></ul>");
  });

  test("null, undefined and false render nothing; true, 0 and numbers render as text", () => {
    assert.equal(html`[${null}][${undefined}][${false}]`.value, "[][][]");
    assert.equal(html`[${true}][${0}][${42.5}]`.value, "[true][0][42.5]");
    const show = false;
    assert.equal(html`<p>${show && html`<b>secret</b>`}</p>`.value, "<p></p>");
  });

  test("an empty template and one without values are kept as written", () => {
    assert.equal(html``.value, "");
    assert.equal(html`<br>`.value, "<br>");
    assert.equal(String(html`<p>${"<x>"}</p>`), "<p>&lt;x&gt;</p>");
  });

  test("trustedHtml passes markup through unescaped", () => {
    const rendered = trustedHtml("<h2>From the renderer</h2>");
    assert.equal(html`<article>${rendered}</article>`.value, "<article><h2>From the renderer</h2></article>");
  });
});
