// The admin console's account search at scale: `GET /admin/accounts?q=…` for seeded accounts, as a
// signed-in admin, against one installation with N accounts (1,000,000 by default) and one with 1,000,
// alternating request by request so both see the same machine load. Also the first page of the account
// list and a page deep inside it (keyset paging). Requests go through Fastify's inject (the whole route,
// rendering and storage, without sockets). Run on its own: `npm run bench:admin -- --accounts 1000000`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config/load.ts";
import type { Deps } from "../src/deps.ts";
import { createDeps } from "../src/wiring.ts";
import { BENCH_PASSWORD, benchIdentifier, seedSqliteAccounts } from "./seed.ts";

interface Installation {
  accounts: number;
  app: FastifyInstance;
  deps: Deps;
  cookie: string;
  dataDir: string;
}

const RESULTS = new URL("./results/", import.meta.url);

async function openInstallation(accounts: number): Promise<Installation> {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-bench-admin-"));
  const config = loadConfig({ NODE_ENV: "development", LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: "silent", LATCHKEY_RATE_SIGNIN: "100000/1m" });
  if (config.database.kind !== "sqlite") throw new Error("this benchmark seeds SQLite");
  const started = performance.now();
  await seedSqliteAccounts(config.database.file, accounts, config.argon2);
  process.stdout.write(`seeded ${accounts.toLocaleString("en")} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  const deps = await createDeps(config, { logger: { info() {}, warn() {}, error() {} } });
  const app = await buildApp(deps, { logger: false });
  await app.ready();
  const admin = await deps.stores.accounts.getAccountByIdentifier(benchIdentifier(0));
  if (!admin) throw new Error("seeded admin missing");
  await deps.stores.accounts.grantAdmin(admin.account.id, deps.clock.now());
  const signin = await app.inject({ method: "POST", url: "/api/v1/session", payload: { identifier: benchIdentifier(0), password: BENCH_PASSWORD } });
  const cookie = signin.cookies.map((c: { name: string; value: string }) => `${c.name}=${c.value}`).join("; ");
  if (signin.statusCode !== 200 || !cookie) throw new Error(`admin sign-in answered ${signin.statusCode}`);
  return { accounts, app, deps, cookie, dataDir };
}

async function timeGet(installation: Installation, url: string): Promise<number> {
  const start = performance.now();
  const response = await installation.app.inject({ method: "GET", url, headers: { cookie: installation.cookie } });
  const elapsed = performance.now() - start;
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
  return elapsed;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): { p50: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: Number(quantile(sorted, 0.5).toFixed(3)), p90: Number(quantile(sorted, 0.9).toFixed(3)) };
}

/** A search as an admin types it: the address in capitals, so the sign-in's parsing has work to do. */
function searchUrl(accounts: number, i: number): string {
  const index = (i * 7919) % accounts;
  return `/admin/accounts?q=${encodeURIComponent(benchIdentifier(index).toUpperCase())}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { accounts: { type: "string" }, samples: { type: "string" } } });
  const many = Number((values.accounts ?? "1000000").replace(/_/g, ""));
  const samples = Number(values.samples ?? "500");
  if (!Number.isInteger(many) || many < 1000 || !Number.isInteger(samples) || samples < 10) throw new Error("--accounts >= 1000 and --samples >= 10");
  const few = await openInstallation(1000);
  const big = await openInstallation(many);
  try {
    const sides = [few, big];
    const times = new Map(sides.map((s) => [s.accounts, { search: [] as number[], firstPage: [] as number[], deepPage: [] as number[] }]));
    // A cursor next to the end of the list (the 100 oldest accounts follow it): where offset paging would
    // have to skip almost every row.
    const deepCursor = async (s: Installation): Promise<string> => {
      const near = await s.deps.stores.accounts.getAccountByIdentifier(benchIdentifier(100));
      if (!near) throw new Error("seeded account missing");
      return `${near.account.createdAt.getTime()}.${near.account.id}`;
    };
    const deep = new Map(await Promise.all(sides.map(async (s) => [s.accounts, await deepCursor(s)] as const)));
    for (let i = 0; i < 20; i++) for (const s of sides) await timeGet(s, searchUrl(s.accounts, i)); // warm-up
    for (let i = 0; i < samples; i++) {
      for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
        const t = times.get(s.accounts);
        if (!t) continue;
        t.search.push(await timeGet(s, searchUrl(s.accounts, i + 20)));
        if (i % 5 === 0) {
          t.firstPage.push(await timeGet(s, "/admin/accounts"));
          t.deepPage.push(await timeGet(s, `/admin/accounts?after=${deep.get(s.accounts)}`));
        }
      }
    }
    const result = {
      admin_search: Object.fromEntries(
        sides.map((s) => {
          const t = times.get(s.accounts);
          return [
            String(s.accounts),
            t ? { search_ms: summary(t.search), list_first_page_ms: summary(t.firstPage), list_deep_page_ms: summary(t.deepPage) } : {},
          ];
        }),
      ),
      search_p50_ratio: 0,
      node: process.version,
    };
    const p50 = (n: number) => summary(times.get(n)?.search ?? []).p50;
    result.search_p50_ratio = Number((p50(many) / p50(1000)).toFixed(2));
    process.stdout.write(`\n| accounts | search p50 ms | search p90 ms | first page p50 ms | deep page p50 ms |\n|---:|---:|---:|---:|---:|\n`);
    for (const s of sides) {
      const r = result.admin_search[String(s.accounts)] as {
        search_ms: { p50: number; p90: number };
        list_first_page_ms: { p50: number };
        list_deep_page_ms: { p50: number };
      };
      process.stdout.write(
        `| ${s.accounts.toLocaleString("en")} | ${r.search_ms.p50} | ${r.search_ms.p90} | ${r.list_first_page_ms.p50} | ${r.list_deep_page_ms.p50} |\n`,
      );
    }
    process.stdout.write(`\nsearch median with ${many.toLocaleString("en")} accounts / with 1,000: ${result.search_p50_ratio} (target: within 10 %)\n`);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(new URL("admin-search.json", RESULTS), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const s of [few, big]) {
      await s.app.close();
      await s.deps.tasks.settle();
      await s.deps.stores.close();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  }
}

await main();
