import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildHelpSearchIndex } from "./search-index.ts";
import { buildHelpSnippet } from "./search-snippets.ts";
import { tokenizeHelpBlocks, tokenizeHelpText } from "./search-tokenizer.ts";

describe("buildHelpSnippet", () => {
  const text = `Paste <script>alert("x")</script> & 'quoted' zebra text.`;

  test("a snippet escapes <script>, & and both quotes from the article, and still marks the matched word", () => {
    const index = buildHelpSearchIndex([{ slug: "hostile", title: "Hostile", summary: "S.", text }]);
    const [result] = index.search("zebra");
    assert.equal(result?.snippetHtml, "Paste &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; <mark>zebra</mark> text.");
  });

  test("a matched word inside markup is marked and its surroundings escaped", () => {
    const index = buildHelpSearchIndex([{ slug: "hostile", title: "Hostile", summary: "S.", text }]);
    assert.equal(
      index.search("alert")[0]?.snippetHtml,
      "Paste &lt;script&gt;<mark>alert</mark>(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; zebra text.",
    );
    assert.equal(
      index.search("quoted")[0]?.snippetHtml,
      "Paste &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;<mark>quoted</mark>&#39; zebra text.",
    );
  });

  test("when no body block matches, the summary is used, escaped the same way", () => {
    const summary = `Tom & "Jerry" <b>zebra</b>`;
    const snippet = buildHelpSnippet(
      tokenizeHelpBlocks(["Nothing relevant here."]),
      { text: summary, tokens: tokenizeHelpText(summary) },
      new Map([["zebra", 1]]),
    );
    assert.equal(snippet.value, "Tom &amp; &quot;Jerry&quot; &lt;b&gt;<mark>zebra</mark>&lt;/b&gt;");
  });
});
