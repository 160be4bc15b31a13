// The documentation stays in step with the code: every error code and every setting is documented, and
// nothing documented is missing from the code.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ENV_NAMES, envDefault } from "../src/config/schema.ts";
import { errorCatalogue } from "../src/errors/catalogue.ts";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

describe("docs", () => {
  it("docs/errors.md lists every error code with its status, and no other", () => {
    const doc = read("docs/errors.md");
    const documented = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
    for (const [code, { status }] of Object.entries(errorCatalogue)) {
      assert.equal(documented.get(code), status, `${code} (${status}) is documented in docs/errors.md`);
    }
    for (const code of documented.keys()) assert.ok(Object.hasOwn(errorCatalogue, code as string), `${code} in docs/errors.md exists in the code`);
  });

  it("docs/configuration.md lists every environment variable, and no other", () => {
    const doc = read("docs/configuration.md");
    const documented = new Set([...doc.matchAll(/^\| `((?:LATCHKEY_|NODE_ENV)[A-Z0-9_]*)` \|/gm)].map((m) => m[1]));
    for (const name of ENV_NAMES) assert.ok(documented.has(name), `${name} is documented`);
    for (const name of documented) assert.ok((ENV_NAMES as string[]).includes(name as string), `${name} in the docs is read by the code`);
  });

  it("docs/configuration.md gives every setting the default its schema has, and no default where the schema has none", () => {
    const doc = read("docs/configuration.md");
    const documented = new Map([...doc.matchAll(/^\| `((?:LATCHKEY_|NODE_ENV)[A-Z0-9_]*)` \| ([^|]*) \|/gm)].map((m) => [m[1], (m[2] ?? "").trim()]));
    for (const name of ENV_NAMES) {
      const cell = documented.get(name);
      assert.ok(cell !== undefined, `${name} is documented`);
      const schemaDefault = envDefault(name);
      if (schemaDefault === undefined) {
        // Unset means "none", or the default depends on other settings: the docs say so in words, never as
        // one value that the loader would not fill in.
        assert.doesNotMatch(cell, /^`[^`]*`$/, `${name} has no default in the schema, but the docs give ${cell}`);
      } else {
        assert.notEqual(schemaDefault, "", `${name}: a setting that is unset by default has no default in the schema`);
        assert.equal(cell, `\`${schemaDefault}\``, `${name}: the docs' default is the schema's`);
      }
    }
  });

  it("npm start, the latchkey command and the systemd unit of docs/deployment.md run the server with the same settings", () => {
    const start = (JSON.parse(read("package.json")) as { scripts: { start: string } }).scripts.start;
    const match = /^((?:[A-Z_]+=\S+ )*)node ((?:--\S+ ?)*) ?bin\/latchkey\.js serve$/.exec(start);
    assert.ok(match, start);
    const environment = (match[1] ?? "").trim();
    const flags = (match[2] ?? "").trim();
    assert.ok(flags.includes("--max-semi-space-size"), flags);
    // The password strength worker gives back the heap its dictionaries used while they were unpacked.
    assert.ok(flags.includes("--expose-gc"), flags);
    const shebang = read("bin/latchkey.js").split("\n")[0];
    assert.equal(shebang, `#!/usr/bin/env -S ${environment} node ${flags}`);
    const unit = read("docs/deployment.md");
    assert.ok(unit.includes(`Environment=${environment}\n`), "the unit's Environment= line");
    assert.ok(unit.includes(`ExecStart=/usr/bin/node ${flags} bin/latchkey.js serve\n`), "the unit's ExecStart= line");
  });

  it("the README's quick start uses the commands CI runs", () => {
    const readme = read("README.md");
    const ci = read(".ci/run");
    assert.match(readme, /npm install && npm start/);
    assert.match(readme, /npm test/);
    assert.match(ci, /npm test/);
  });
});
