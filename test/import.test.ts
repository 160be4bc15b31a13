// `latchkey accounts import`, run as a real process against a real SQLite file, then sign-in through the
// HTTP API with each imported hash format: it works, and the stored hash becomes our argon2id.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { hash as hashArgon2 } from "@node-rs/argon2";
import { hash as hashBcrypt } from "@node-rs/bcrypt";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config/load.ts";
import type { Deps } from "../src/deps.ts";
import { createDeps } from "../src/wiring.ts";
import { STRONG_PASSWORD } from "./helpers/accounts.ts";
import { testEnv } from "./helpers/app.ts";

const BIN = fileURLToPath(new URL("../bin/latchkey.js", import.meta.url));

const b64 = (bytes: Buffer): string => bytes.toString("base64").replace(/=+$/, "");
const ab64 = (bytes: Buffer): string => b64(bytes).replaceAll("+", ".");
const csvLine = (cells: string[]): string => `${cells.join(",")}\n`;

/** A password of each imported account, and the hash the "old system" stored for it. */
interface Legacy {
  identifier: string;
  password: string;
  hash: string;
}

async function makeLegacyAccounts(): Promise<Record<string, Legacy>> {
  const salt = Buffer.concat([Buffer.from([0xfb, 0xef, 0xbe]), randomBytes(13)]);
  const scrypt = (password: string): string => `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 }))}`;
  const passlib = (password: string): string => `$pbkdf2-sha256$1000$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, 1000, 32, "sha256"))}`;
  const django = (password: string): string => `pbkdf2_sha256$1200$Xy7Kp2Lm$${pbkdf2Sync(password, "Xy7Kp2Lm", 1200, 32, "sha256").toString("base64")}`;
  const accounts: Record<string, Legacy> = {};
  const add = async (key: string, identifier: string, password: string, make: (password: string) => string | Promise<string>) => {
    accounts[key] = { identifier, password, hash: await make(password) };
  };
  await add("bcrypt", "bcrypt@example.com", "Bcrypt-Horse-Staple-1", (p) => hashBcrypt(p, 4));
  await add("bcrypt2y", "bcrypt2y@example.com", "Bcrypt-2y-Horse-Staple", async (p) => (await hashBcrypt(p, 4)).replace("$2b$", "$2y$"));
  await add("scrypt", "+4915123456789", "Scrypt-Horse-Staple-3", scrypt);
  await add("passlib", "passlib@example.com", "Passlib-Horse-Staple-4", passlib);
  await add("django", "django@example.com", "Django-Horse-Staple-5", django);
  await add("argon2id", "argon2id@example.com", "Argon2id-Horse-Staple-6", (p) => hashArgon2(p, { algorithm: 2, memoryCost: 2048, timeCost: 1 }));
  await add("argon2i", "argon2i@example.com", "Argon2i-Horse-Staple-7", (p) => hashArgon2(p, { algorithm: 1, memoryCost: 1024, timeCost: 2 }));
  await add("unicode", "unicode@example.com", "Pässwörd-Ωmega-日本-8", (p) => hashBcrypt(p, 4));
  await add("unverified", "pending@example.com", "Pending-Horse-Staple-9", (p) => hashBcrypt(p, 4));
  return accounts;
}

describe("latchkey accounts import", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let legacy: Record<string, Legacy>;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "latchkey-import-"));
    env = { ...(process.env as Record<string, string>), ...testEnv(dataDir) };
    legacy = await makeLegacyAccounts();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = (args: string[], input = "") => spawnSync(process.execPath, [BIN, ...args], { env, input, encoding: "utf8", timeout: 120_000 });
  const file = (name: string, text: string): string => {
    const path = join(dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  const get = (key: string): Legacy => {
    const account = legacy[key];
    if (!account) throw new Error(`no sample ${key}`);
    return account;
  };

  /** Runs `use` with the server's dependencies and app on the same data directory as the CLI. */
  async function withApp<T>(
    use: (deps: Deps, signIn: (identifier: string, password: string) => Promise<{ status: number; code?: string }>) => Promise<T>,
  ): Promise<T> {
    const deps = await createDeps(loadConfig(env), { logger: { info() {}, warn() {}, error() {} } });
    const app = await buildApp(deps, { logger: false });
    try {
      return await use(deps, async (identifier, password) => {
        const response = await app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier, password } });
        const body = response.json() as { error?: { code: string } };
        return body.error ? { status: response.statusCode, code: body.error.code } : { status: response.statusCode };
      });
    } finally {
      await app.close();
      await deps.tasks.settle();
      await deps.stores.close();
    }
  }

  it("answers usage errors with exit code 2", () => {
    const missing = run(["accounts", "import"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /accounts import needs exactly one FILE/);
    const unknown = run(["accounts", "import", file("users.txt", "")]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--format csv or --format jsonl/);
    assert.equal(run(["accounts", "import", "--format", "xml", file("users2.txt", "")]).status, 2);
    const absent = run(["accounts", "import", join(dataDir, "absent.csv")]);
    assert.equal(absent.status, 1);
    assert.match(absent.stderr, /cannot read .*absent\.csv/);
    const noHeader = run(["accounts", "import", file("no-header.csv", `bcrypt@example.com,${get("bcrypt").hash}\n`)]);
    assert.equal(noHeader.status, 1);
    assert.match(noHeader.stderr, /header .* needs the columns identifier and password_hash/);
  });

  it("imports good CSV rows, rejects bad ones with line and reason, and exits 1", async () => {
    const existing = run(["accounts", "create", "--identifier", "taken@example.com"], `${STRONG_PASSWORD}\n`);
    assert.equal(existing.status, 0, existing.stderr);
    const bcrypt = get("bcrypt");
    const csv =
      csvLine(["identifier", "password_hash", "name", "is_admin"]) +
      csvLine([bcrypt.identifier, bcrypt.hash, '"Lovelace, Ada"', "true"]) + // line 2
      csvLine(["07700 900123", bcrypt.hash, "No Country", "false"]) + // line 3
      csvLine(["nohash@example.com", "", "", ""]) + // line 4
      csvLine(["md5@example.com", "5f4dcc3b5aa765d61d8327deb882cf99", "", ""]) + // line 5
      csvLine(["BCRYPT@Example.com", get("django").hash, "Again", ""]) + // line 6
      csvLine(["taken@example.com", bcrypt.hash, "", ""]) + // line 7
      "\n" + // line 8: blank, skipped
      // The scrypt string holds commas, so it is quoted like any such CSV field.
      csvLine([get("scrypt").identifier, `"${get("scrypt").hash}"`, '"Grace ""Amazing""\r\nHopper"', ""]) + // lines 9–10
      csvLine([get("passlib").identifier, get("passlib").hash, "", ""]) + // line 11
      csvLine(["slow@example.com", bcrypt.hash.replace("$04$", "$20$"), "", ""]) + // line 12
      csvLine(["short@example.com", bcrypt.hash]); // line 13
    const path = file("users.csv", csv);
    const rejects = join(dataDir, "rejects.csv");
    const result = run(["accounts", "import", path, "--rejects", rejects]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^Imported 3 accounts; rejected 7 rows\.$/m);
    assert.match(result.stdout, /Ignored columns: is_admin .*administrator access is never imported/);
    assert.match(result.stdout, /line 3: identifier "07700 900123": Add your country code .*\(IDENTIFIER_PHONE_MISSING_COUNTRY_CODE\)/);
    assert.match(result.stdout, /line 4: missing password_hash/);
    assert.match(result.stdout, /line 5: password_hash: unknown password hash format/);
    assert.match(result.stdout, /line 6: duplicate: line 2 already imported bcrypt@example\.com/);
    assert.match(result.stdout, /line 7: taken@example\.com is already used by an existing account/);
    assert.match(result.stdout, /line 12: password_hash: bcrypt: cost 20 is outside 4–15/);
    assert.match(result.stdout, /line 13: the row has 2 field\(s\); the header has 4/);
    assert.match(result.stdout, new RegExp(`Rejected rows written to ${rejects.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));

    const written = readFileSync(rejects, "utf8").split("\r\n");
    assert.equal(written[0], "line,identifier,reason");
    assert.equal(written.length, 1 + 7 + 1, "header, seven rows, final line break");
    assert.match(written[1] ?? "", /^3,07700 900123,"identifier ""07700 900123"": /);

    await withApp(async (deps) => {
      const ada = await deps.stores.accounts.getAccountByIdentifier("bcrypt@example.com");
      assert.ok(ada);
      assert.equal(ada.account.name, "Lovelace, Ada");
      assert.equal(ada.account.isAdmin, false, "is_admin is never imported");
      assert.equal(ada.account.passwordHash, bcrypt.hash, "the legacy hash is stored as it is");
      assert.ok(ada.identifier.verifiedAt, "imported identifiers count as confirmed");
      const grace = await deps.stores.accounts.getAccountByIdentifier("+4915123456789");
      assert.equal(grace?.account.name, 'Grace "Amazing" Hopper');
      assert.equal(grace?.identifier.display, "+49 1512 3456789");
      assert.ok(await deps.stores.accounts.getAccountByIdentifier("passlib@example.com"));
      for (const absent of ["nohash@example.com", "md5@example.com", "slow@example.com", "short@example.com"]) {
        assert.equal(await deps.stores.accounts.getAccountByIdentifier(absent), null, absent);
      }
      const taken = await deps.stores.accounts.getAccountByIdentifier("taken@example.com");
      assert.notEqual(taken?.account.passwordHash, bcrypt.hash, "an existing account is left alone");
      const events = await deps.stores.audit.listEvents({ types: ["admin.accounts_imported"], limit: 10 });
      assert.equal(events.length, 1);
      assert.deepEqual(events[0]?.detail, { imported: 3, rejected: 7 });
    });
  });

  it("imports JSON lines, including an unconfirmed account, and exits 0 when nothing is rejected", async () => {
    const rows = ["django", "argon2id", "argon2i", "unicode", "bcrypt2y"].map((key) => {
      const account = get(key);
      return JSON.stringify({ identifier: account.identifier, password_hash: account.hash, name: key === "django" ? "Django, Reinhardt" : null });
    });
    rows.push(JSON.stringify({ identifier: get("unverified").identifier, password_hash: get("unverified").hash, verified: false }));
    const good = run(["accounts", "import", file("users.ndjson", `${rows.join("\n")}\n`)]);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^Imported 6 accounts; rejected 0 rows\.$/m);

    const bad = [
      "{not json", // line 1
      JSON.stringify(["an", "array"]), // line 2
      JSON.stringify({ identifier: "long@example.com", password_hash: get("bcrypt").hash, name: "x".repeat(70_000) }), // line 3
      JSON.stringify({ identifier: 12345, password_hash: get("bcrypt").hash }), // line 4
      JSON.stringify({ identifier: "name@example.com", password_hash: get("bcrypt").hash, name: "y".repeat(101) }), // line 5
      JSON.stringify({ identifier: "flag@example.com", password_hash: get("bcrypt").hash, verified: "maybe" }), // line 6
      JSON.stringify({ password_hash: get("bcrypt").hash }), // line 7
      JSON.stringify({ identifier: get("django").identifier, password_hash: get("bcrypt").hash }), // line 8
    ];
    const result = run(["accounts", "import", "--format", "jsonl", file("bad.txt", `${bad.join("\n")}`)]);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^Imported 0 accounts; rejected 8 rows\.$/m);
    assert.match(result.stdout, /line 1: the line is not valid JSON/);
    assert.match(result.stdout, /line 2: the line is not a JSON object/);
    assert.match(result.stdout, /line 3: the line is longer than 64 KiB/);
    assert.match(result.stdout, /line 4: identifier must be text/);
    assert.match(result.stdout, /line 5: name is longer than 100 characters/);
    assert.match(result.stdout, /line 6: verified must be true or false/);
    assert.match(result.stdout, /line 7: missing identifier/);
    assert.match(result.stdout, /line 8: django@example\.com is already used by an existing account/);
  });

  it("a dry run checks every row and stores nothing", async () => {
    const csv =
      csvLine(["identifier", "password_hash"]) + csvLine(["dry@example.com", get("bcrypt").hash]) + csvLine(["bcrypt@example.com", get("bcrypt").hash]);
    const result = run(["accounts", "import", "--dry-run", file("dry.csv", csv)]);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^Dry run: 1 account would be imported; 1 row rejected\. Nothing was stored\.$/m);
    assert.match(result.stdout, /line 3: bcrypt@example\.com is already used by an existing account/);
    await withApp(async (deps) => {
      assert.equal(await deps.stores.accounts.getAccountByIdentifier("dry@example.com"), null);
      assert.equal(
        (await deps.stores.audit.listEvents({ types: ["admin.accounts_imported"], limit: 10 })).length,
        3,
        "one per real import, none for a dry run",
      );
    });
  });

  it("every imported format signs in, is upgraded to argon2id, and still signs in; a wrong password fails", async () => {
    await withApp(async (deps, signIn) => {
      for (const key of ["bcrypt", "bcrypt2y", "scrypt", "passlib", "django", "argon2id", "argon2i", "unicode"]) {
        const { identifier, password, hash } = get(key);
        const wrong = await signIn(identifier, `${password}x`);
        assert.deepEqual(wrong, { status: 401, code: "SIGNIN_FAILED" }, `${key}: wrong password`);
        assert.deepEqual(await signIn(identifier, password.toUpperCase()), { status: 401, code: "SIGNIN_FAILED" }, `${key}: case-changed password`);
        const before = await deps.stores.accounts.getAccountByIdentifier(identifier);
        assert.equal(before?.account.passwordHash, hash, `${key}: failures leave the imported hash`);

        assert.equal((await signIn(identifier, password)).status, 200, `${key}: first sign-in`);
        const after = await deps.stores.accounts.getAccountByIdentifier(identifier);
        assert.match(after?.account.passwordHash ?? "", /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/, `${key}: upgraded`);
        assert.equal(deps.hasher.needsRehash(after?.account.passwordHash ?? ""), false);
        assert.equal((await signIn(identifier, password)).status, 200, `${key}: sign-in after the upgrade`);
        assert.deepEqual(await signIn(identifier, `${password}x`), { status: 401, code: "SIGNIN_FAILED" }, `${key}: wrong password after the upgrade`);
      }
      // Imported with verified=false: the right password asks for confirmation first, like a registration.
      const pending = get("unverified");
      assert.deepEqual(await signIn(pending.identifier, pending.password), { status: 403, code: "ACCOUNT_NOT_VERIFIED" });
    });
  });
});
