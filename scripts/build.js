#!/usr/bin/env node
// Compiles src/ to dist/ with the TypeScript compiler (tsconfig.build.json). Run by `npm run build`, by the
// `prepare` script on `npm install`, and by bin/latchkey.js when dist/ is missing. With `--if-possible` it
// succeeds without building when TypeScript is not installed (`npm ci --omit=dev`) but dist/ exists.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUILT_ENTRY = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

function findCompiler() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  } catch {
    return null;
  }
}

/** Builds dist/; throws when the compiler is missing or reports errors. */
export function buildProject({ quiet = true } = {}) {
  const tsc = findCompiler();
  if (!tsc) throw new Error("dist/ is missing and TypeScript is not installed: run `npm install` (with dev dependencies), then `npm run build`");
  if (!quiet) process.stderr.write("Building dist/ from src/ (first start)…\n");
  const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  if (run.status !== 0) throw new Error(`the TypeScript build failed (exit ${run.status ?? run.signal})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifPossible = process.argv.includes("--if-possible");
  if (ifPossible && !findCompiler() && existsSync(BUILT_ENTRY)) {
    process.stderr.write("TypeScript is not installed; keeping the existing dist/.\n");
  } else {
    try {
      buildProject();
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
