import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { ImportRow } from "./import.ts";
import { detectImportFileFormat, ImportFileError, type ImportFileFormat, openImportFile } from "./import-file.ts";

const dir = mkdtempSync(join(tmpdir(), "latchkey-import-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

async function readRows(content: string | Buffer, format: ImportFileFormat): Promise<{ rows: ImportRow[]; ignored: string[] }> {
  const path = join(dir, `file-${fileCount++}`);
  writeFileSync(path, content);
  const file = await openImportFile(path, format);
  const rows: ImportRow[] = [];
  for await (const row of file.rows) rows.push(row);
  assert.equal(file.bytesRead(), file.size, "the whole file was read");
  return { rows, ignored: file.ignoredColumns() };
}

describe("detectImportFileFormat", () => {
  test("knows .csv, .jsonl and .ndjson in any case, nothing else", () => {
    assert.equal(detectImportFileFormat("users.csv"), "csv");
    assert.equal(detectImportFileFormat("/tmp/USERS.CSV"), "csv");
    assert.equal(detectImportFileFormat("users.jsonl"), "jsonl");
    assert.equal(detectImportFileFormat("users.ndjson"), "jsonl");
    assert.equal(detectImportFileFormat("users.json"), null);
    assert.equal(detectImportFileFormat("users"), null);
  });
});

describe("openImportFile, CSV", () => {
  test("reads RFC 4180 quoting, CRLF, a byte order mark and blank lines, with the line each row starts on", async () => {
    const csv =
      '\ufeffIdentifier , PASSWORD_HASH,name,is_admin\r\na@example.com,h1,"Lovelace, Ada",1\r\n\r\nb@example.com,h2,"Grace ""Amazing""\r\nHopper",0\r\nc@example.com,"$scrypt$ln=1,r=1,p=1$x$y",,\r\n';
    const { rows, ignored } = await readRows(csv, "csv");
    assert.deepEqual(rows, [
      { line: 2, values: { identifier: "a@example.com", password_hash: "h1", name: "Lovelace, Ada" } },
      { line: 4, values: { identifier: "b@example.com", password_hash: "h2", name: 'Grace "Amazing"\nHopper' } },
      { line: 6, values: { identifier: "c@example.com", password_hash: "$scrypt$ln=1,r=1,p=1$x$y", name: "" } },
    ]);
    assert.deepEqual(ignored, ["is_admin"]);
  });

  test("a line over 64 KiB is one rejected row and reading goes on", async () => {
    const csv = `identifier,password_hash\na@example.com,h1\nb@example.com,${"x".repeat(70_000)}\nc@example.com,h3\nd@example.com,h4`;
    const { rows } = await readRows(csv, "csv");
    assert.deepEqual(rows, [
      { line: 2, values: { identifier: "a@example.com", password_hash: "h1" } },
      { line: 3, unreadable: "the line is longer than 64 KiB" },
      { line: 4, values: { identifier: "c@example.com", password_hash: "h3" } },
      { line: 5, values: { identifier: "d@example.com", password_hash: "h4" } },
    ]);
  });

  test("malformed records are rejected with a reason: field count, text after a quote, bad UTF-8, unclosed quote", async () => {
    const content = Buffer.concat([
      Buffer.from('identifier,password_hash\na@example.com\n"b@example.com"x,h2\n'),
      Buffer.from([0x63, 0xff, 0x40, 0x2c, 0x68, 0x0a]),
      Buffer.from('d@example.com,h4\n"e@example.com,h5\nf@example.com,h6\n'),
    ]);
    const { rows } = await readRows(content, "csv");
    assert.deepEqual(rows, [
      { line: 2, unreadable: "the row has 1 field(s); the header has 2" },
      { line: 3, unreadable: "malformed CSV: field 1 has text after its closing quote" },
      { line: 4, unreadable: "the line is not valid UTF-8" },
      { line: 5, values: { identifier: "d@example.com", password_hash: "h4" } },
      { line: 6, unreadable: "the file ends inside a quoted field (an unclosed quote)" },
    ]);
  });

  test("an unclosed quote stops at 64 KiB and reading restarts on the next line", async () => {
    const lines = ["identifier,password_hash", '"a@example.com,h1'];
    for (let i = 0; i < 2000; i++) lines.push(`filler${i}@example.com,${"h".repeat(40)}`);
    const { rows } = await readRows(`${lines.join("\n")}\n`, "csv");
    assert.deepEqual(rows[0], { line: 2, unreadable: "the record is longer than 64 KiB (an unclosed quote?)" });
    assert.ok(rows.length > 100 && rows.slice(1).every((row) => "values" in row), "the lines after it are read as rows again");
  });

  test("a header without identifier or password_hash, or no header at all, makes the file unusable", async () => {
    await assert.rejects(
      readRows("email,hash\na@example.com,h1\n", "csv"),
      (error: unknown) => error instanceof ImportFileError && /missing: identifier, password_hash/.test(error.message),
    );
    await assert.rejects(readRows("\n\n", "csv"), ImportFileError);
    await assert.rejects(readRows("identifier,identifier,password_hash\n", "csv"), /names the column identifier twice/);
  });

  test("streams a large file row by row", async () => {
    const count = 100_000;
    const lines = ["identifier,password_hash,name"];
    for (let i = 0; i < count; i++) lines.push(`user${i}@example.com,$2b$10$${"a".repeat(53)},User ${i}`);
    const { rows } = await readRows(`${lines.join("\n")}\n`, "csv");
    assert.equal(rows.length, count);
    assert.deepEqual(rows[count - 1], {
      line: count + 1,
      values: { identifier: `user${count - 1}@example.com`, password_hash: `$2b$10$${"a".repeat(53)}`, name: `User ${count - 1}` },
    });
  });
});

describe("openImportFile, JSON lines", () => {
  test("one object per line; blank lines skipped; other lines rejected with a reason", async () => {
    const jsonl = [
      JSON.stringify({ identifier: "a@example.com", password_hash: "h1", is_admin: true }),
      "",
      "{broken",
      "[1,2]",
      "null",
      JSON.stringify({ identifier: "b@example.com", password_hash: "h2", name: "B", verified: false }),
      JSON.stringify({ identifier: "c@example.com", password_hash: "x".repeat(70_000) }),
    ].join("\r\n");
    const { rows, ignored } = await readRows(jsonl, "jsonl");
    assert.deepEqual(rows, [
      { line: 1, values: { identifier: "a@example.com", password_hash: "h1", is_admin: true } },
      { line: 3, unreadable: "the line is not valid JSON" },
      { line: 4, unreadable: "the line is not a JSON object" },
      { line: 5, unreadable: "the line is not a JSON object" },
      { line: 6, values: { identifier: "b@example.com", password_hash: "h2", name: "B", verified: false } },
      { line: 7, unreadable: "the line is longer than 64 KiB" },
    ]);
    assert.deepEqual(ignored, ["is_admin"]);
  });
});
