// `npm run bench`: measures the figures of architecture §9 against the real server over HTTP, beside their
// references and the Better Auth peer, writes bench/results/latest.json and prints Markdown tables.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { readHugePageSetting } from "../src/accounts/huge-pages.ts";
import { parseBenchOptions } from "./args.ts";
import { measureCAPTCHA } from "./captcha.ts";
import { measureClusterMode } from "./cluster.ts";
import { createAccountCycle, measureSequentialSignins, SIGNIN_PATH } from "./latchkey-http.ts";
import {
  cleanEnvironment,
  configFromEnv,
  latchkeyServerEnv,
  PROJECT_DIR,
  RESULTS_DIR,
  SERVER_ENV,
  SERVER_NODE_FLAGS,
  startLatchkeyServer,
} from "./latchkey-server.ts";
import type { LoadSettings } from "./load.ts";
import { measureLatchkeyMode } from "./measure-mode.ts";
import { measurePasswordStrength } from "./password-strength.ts";
import { measureBetterAuthPeer } from "./peers/better-auth.ts";
import { measurePow, powMarkdown, powResultsJSON } from "./pow.ts";
import { type ChildServer, startChildServer } from "./processes.ts";
import { type BenchRun, markdownReport, resultsJSON, type ScaleFigures, targetRows } from "./report.ts";
import { seedSqliteAccounts } from "./seed.ts";
import { measureStartup } from "./startup.ts";

/** The account count the scale comparison holds a large run against. */
const REFERENCE_ACCOUNTS = 1000;
const BASELINE_PATH = "/bench/constant";

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
}

async function seedTimed(file: string, count: number, argon2: Parameters<typeof seedSqliteAccounts>[2]): Promise<void> {
  const started = performance.now();
  await seedSqliteAccounts(file, count, argon2);
  log(`  seeded ${count.toLocaleString("en")} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const roundSeconds = Math.max(1, Math.floor(options.durationSeconds / options.rounds));
  const round: LoadSettings = { connections: options.connections, durationSeconds: roundSeconds, warmupSeconds: options.warmupSeconds };
  const cpuProfileDir = options.cpuProfile ? join(RESULTS_DIR, "profiles") : undefined;
  const loadavgStart = loadavg();
  const started = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), "latchkey-bench-"));
  const servers: ChildServer[] = [];
  const stopServer = async (server: ChildServer): Promise<void> => {
    const index = servers.indexOf(server);
    if (index >= 0) servers.splice(index, 1);
    await server.stop();
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  };
  process.once("SIGINT", () => {
    void stopAll().then(() => process.exit(130));
  });

  try {
    // First, while nothing else of the benchmark runs: the other measurements leave processes and caches behind.
    log("Start-up: 5 starts of `node bin/latchkey.js serve` until /healthz answers");
    const startup = await measureStartup(5);
    log(`CAPTCHA media: ${options.captchaIterations} pictures and clips`);
    const captcha = await measureCAPTCHA(options.captchaIterations).catch((error: unknown) => ({ skipped: `failed: ${errorText(error)}` }));
    log("Proof of work: client CPU per solve, server verification");
    const pow = await measurePow(40).catch((error: unknown) => ({ skipped: `failed: ${errorText(error)}` }));

    const mainEnv = latchkeyServerEnv(join(scratch, "main"));
    const config = configFromEnv(mainEnv);
    // The bare routes run with the Node.js flags and environment of `npm start`, as the server does; the
    // verify-only sign-in route answers at Latchkey's sign-in path (the load sends both the same requests)
    // and hashes with the server's parameters.
    const { memoryCost, timeCost, parallelism } = config.argon2;
    const baseline = await startChildServer({
      name: "baseline",
      command: process.execPath,
      args: [
        ...SERVER_NODE_FLAGS,
        "--import",
        "tsx",
        "bench/baseline-server.ts",
        BASELINE_PATH,
        SIGNIN_PATH,
        String(memoryCost),
        String(timeCost),
        String(parallelism),
      ],
      env: { ...cleanEnvironment(), ...SERVER_ENV, NODE_ENV: "development", LATCHKEY_LOG_LEVEL: "warn" },
      cwd: PROJECT_DIR,
      ready: /LISTENING (\d+)/,
    });
    servers.push(baseline);

    log(`SQLite mode, ${options.accounts.toLocaleString("en")} accounts`);
    if (config.database.kind !== "sqlite") throw new Error("the benchmark server is expected to use SQLite");
    await seedTimed(config.database.file, options.accounts, config.argon2);
    const main = await startLatchkeyServer({ name: "latchkey-sqlite", env: mainEnv, cpuProfileDir });
    servers.push(main);
    const nextAccount = createAccountCycle(options.accounts);
    const sqlite = await measureLatchkeyMode({
      server: main,
      nextAccount,
      baseline,
      baselinePath: BASELINE_PATH,
      argon2: config.argon2,
      rounds: options.rounds,
      round,
      signinWarmup: options.signinWarmup,
      checkWarmup: options.checkWarmup,
      samples: options.samples,
      log,
    });

    // What the sign-ins and checks peaked at, before the strength estimator's worker starts.
    const rssMBPeakBeforeStrength = main.peakRSSMB();
    log("  password strength: sequential estimates, then /healthz while 20 run at once");
    const passwordStrength = await measurePasswordStrength(main.url);

    let scale: ScaleFigures | { skipped: string } = { skipped: `run with --accounts 1000000 to compare against ${REFERENCE_ACCOUNTS.toLocaleString("en")}` };
    if (options.accounts !== REFERENCE_ACCOUNTS) {
      log(
        `  scale: sequential sign-ins, ${options.accounts.toLocaleString("en")} vs ${REFERENCE_ACCOUNTS.toLocaleString("en")} accounts, ${options.samples} each, alternating`,
      );
      const referenceEnv = latchkeyServerEnv(join(scratch, "reference"));
      const referenceConfig = configFromEnv(referenceEnv);
      if (referenceConfig.database.kind !== "sqlite") throw new Error("the reference server is expected to use SQLite");
      await seedTimed(referenceConfig.database.file, REFERENCE_ACCOUNTS, referenceConfig.argon2);
      const reference = await startLatchkeyServer({ name: "latchkey-sqlite-reference", env: referenceEnv });
      servers.push(reference);
      const [many, few] = await measureSequentialSignins(
        [
          { url: main.url, nextAccount },
          { url: reference.url, nextAccount: createAccountCycle(REFERENCE_ACCOUNTS) },
        ],
        options.samples,
      );
      if (!many || !few) throw new Error("the scale comparison measured nothing");
      scale = { accounts: options.accounts, referenceAccounts: REFERENCE_ACCOUNTS, signin: many, referenceSignin: few };
      await stopServer(reference);
    }
    const rssMBPeak = main.peakRSSMB();
    await stopServer(main);

    let peer: BenchRun["peer"] = { skipped: "--no-peer" };
    if (options.peer) {
      log("Peer: Better Auth");
      peer = await measureBetterAuthPeer({
        rounds: options.rounds,
        round,
        signinWarmup: options.signinWarmup,
        checkWarmup: options.checkWarmup,
        argon2: config.argon2,
      }).catch((error: unknown) => ({
        skipped: `failed: ${errorText(error)}`,
      }));
    }

    let cluster: BenchRun["cluster"] = { skipped: "--no-cluster" };
    if (options.cluster) {
      log("PostgreSQL + Redis mode");
      cluster = await measureClusterMode({
        baseline,
        baselinePath: BASELINE_PATH,
        rounds: options.rounds,
        round,
        signinWarmup: options.signinWarmup,
        checkWarmup: options.checkWarmup,
        samples: options.samples,
        log,
        cpuProfileDir,
      }).catch((error: unknown) => ({ skipped: `failed: ${errorText(error)}` }));
      if ("skipped" in cluster) log(`  skipped: ${cluster.skipped}`);
    }
    await stopAll();

    const run: BenchRun = {
      environment: {
        node: process.version,
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model.trim() ?? "unknown",
        transparentHugePages: readHugePageSetting(),
        loadavgStart,
        loadavgEnd: loadavg(),
      },
      settings: {
        accounts: options.accounts,
        durationSeconds: roundSeconds * options.rounds,
        rounds: options.rounds,
        warmupSeconds: options.warmupSeconds,
        signinWarmup: options.signinWarmup,
        checkWarmup: options.checkWarmup,
        connections: options.connections,
        samples: options.samples,
        argon2: { ...config.argon2 },
      },
      sqlite,
      rssMBPeak,
      rssMBPeakBeforeStrength,
      startup,
      passwordStrength,
      captcha,
      scale,
      peer,
      cluster,
    };
    const rows = targetRows(run);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, "latest.json"), `${JSON.stringify({ ...resultsJSON(run, rows), ...powResultsJSON(pow) }, null, 2)}\n`);
    process.stdout.write(markdownReport(run, rows) + powMarkdown(pow));
    log(`\nWrote bench/results/latest.json in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  } finally {
    await stopAll();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
