import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { csvCell, toCSV } from "./csv.ts";

describe("csvCell", () => {
  test("leaves plain text and numbers alone", () => {
    assert.equal(csvCell("plain text"), "plain text");
    assert.equal(csvCell(42), "42");
    assert.equal(csvCell(-3), "-3", "numbers are numbers, not formulas");
    assert.equal(csvCell(null), "");
  });

  test("quotes cells with commas, quotes or line breaks, doubling quotes", () => {
    assert.equal(csvCell("a,b"), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell("one\ntwo"), '"one\ntwo"');
  });

  test("neutralises text a spreadsheet would run as a formula", () => {
    assert.equal(csvCell("=1+1"), "'=1+1");
    assert.equal(csvCell("+1"), "'+1");
    assert.equal(csvCell("-1"), "'-1");
    assert.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
    assert.equal(csvCell("\t=1"), "'\t=1");
    assert.equal(csvCell('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
    assert.equal(csvCell("a=1"), "a=1");
  });

  test("neutralises a formula after any separator a spreadsheet may split on", () => {
    assert.equal(csvCell("a;=1+1;b"), "a;'=1+1;b");
    assert.equal(csvCell("a|@SUM(A1)"), "a|'@SUM(A1)");
    assert.equal(csvCell("a\t-1"), "a\t'-1");
    assert.equal(csvCell("a,+1"), `"a,'+1"`);
    assert.equal(csvCell("x\n=cmd"), `"x\n'=cmd"`);
    assert.equal(csvCell("a; b = c"), "a; b = c", "only a cell that starts with a formula character");
  });
});

describe("toCSV", () => {
  test("ends every row with CRLF", () => {
    assert.equal(
      toCSV([
        ["a", "b"],
        [1, null],
      ]),
      "a,b\r\n1,\r\n",
    );
  });
});
