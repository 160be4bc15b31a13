// Runs the store contract against SQLite: a temporary file (as the server uses it) and `:memory:`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { openStores } from "../../src/stores/index.ts";
import { runStoreContract } from "./store-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "latchkey-contract-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
runStoreContract("SQLite file", (clock) => openStores({ database: { kind: "sqlite", file: join(dir, `stores-${++files}.db`) } }, clock));
runStoreContract("SQLite :memory:", (clock) => openStores({ database: { kind: "sqlite", file: ":memory:" } }, clock));
