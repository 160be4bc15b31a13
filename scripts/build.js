#!/usr/bin/env node
// Compiles src/ to dist/ with the TypeScript compiler (tsconfig.build.json), then bundles what `latchkey
// serve` loads into dist/serve/ with esbuild (one file and a few chunks loaded on first use, instead of
// hundreds of modules: start-up spends its time finding, reading and compiling modules), and packs the
// password strength estimator's word lists into dist/password-dictionaries/. Run by `npm run
// build`, by the `prepare` script on `npm install`, and by bin/latchkey.js when dist/ is missing. With
// `--if-possible` it succeeds without building when TypeScript is not installed (`npm ci --omit=dev`) but
// dist/ exists.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUILT_ENTRY = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const SERVE_DIR = join(ROOT, "dist", "serve");
/**
 * Loaded from node_modules as they are: native addons; @fastify/cookie, whose `await import("cookie")` of a
 * CommonJS package comes out of a bundle without the package's functions; and what the server loads only when
 * a request first needs it (src/lib/lazy-require.ts): the schema compilers (Ajv, fast-json-stringify) and the
 * Markdown and YAML parsers of help articles and messages. A bundle would parse and keep their code at start.
 */
const NOT_BUNDLED = [
  "better-sqlite3",
  "@node-rs/*",
  "@napi-rs/*",
  "pg-native",
  "@fastify/cookie",
  "@fastify/ajv-compiler",
  "@fastify/fast-json-stringify-compiler",
  "markdown-it",
  "yaml",
];

function findCompiler() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  } catch {
    return null;
  }
}

/**
 * Every source file keeps the import.meta.url of its compiled twin in dist/ (the bundle lives one folder
 * deeper), so the paths it builds from it (public/, content/help/, fonts, voices, the strength worker) hold.
 */
const keepModuleURLs = {
  name: "keep-module-urls",
  setup(build) {
    build.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return { contents: text, loader: "ts" };
      const compiledTwin = `../${relative(join(ROOT, "src"), args.path).replaceAll("\\", "/").replace(/\.ts$/, ".js")}`;
      return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(compiledTwin)}, import.meta.url).href`), loader: "ts" };
    });
  },
};

/**
 * V8 keeps the source of every module for as long as the process runs, as Latin-1 when every character is
 * one and as UTF-16 (twice the size) otherwise. esbuild escapes strings, but not the text of tagged
 * templates (html`…`) or regular expressions: write those characters as \u escapes in src/.
 */
function assertASCIIOnly(dir) {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".js")) continue;
    const bytes = readFileSync(join(dir, name));
    const at = bytes.findIndex((byte) => byte > 0x7f);
    if (at >= 0) {
      const near = bytes.subarray(Math.max(0, at - 40), at + 10).toString("utf8");
      throw new Error(`${join("dist", "serve", name)} has a non-ASCII character near ${JSON.stringify(near)}: write it as a \\u escape in src/`);
    }
  }
}

/** Bundles the server (src/serve.ts) into dist/serve/; null when esbuild is not installed. */
async function bundleServer() {
  // Never leave a bundle older than dist/ behind: without esbuild the server runs dist/ itself.
  rmSync(SERVE_DIR, { recursive: true, force: true });
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    return null;
  }
  await esbuild.build({
    entryPoints: { main: join(ROOT, "src", "serve.ts") },
    outdir: SERVE_DIR,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    chunkNames: "chunk-[hash]",
    external: NOT_BUNDLED,
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: 'import { createRequire as __latchkeyCreateRequire } from "node:module"; const require = __latchkeyCreateRequire(import.meta.url);' },
    plugins: [keepModuleURLs],
    // Without comments and spaces the code V8 reads, keeps and pre-parses at start is 30% smaller. Only the
    // white space: esbuild's syntax minification rewrites classes so that some lose their names, and
    // oidc-provider finds each token's lifetime by its class name (`this.name`). Licence comments go to a
    // .LEGAL.txt file beside each output.
    minifyWhitespace: true,
    legalComments: "external",
    logLevel: "warning",
  });
  assertASCIIOnly(SERVE_DIR);
  return SERVE_DIR;
}

/** Builds dist/ (and dist/serve/); throws when the compiler is missing or reports errors. */
export async function buildProject({ quiet = true } = {}) {
  const tsc = findCompiler();
  if (!tsc) throw new Error("dist/ is missing and TypeScript is not installed: run `npm install` (with dev dependencies), then `npm run build`");
  if (!quiet) process.stderr.write("Building dist/ from src/ (first start)…\n");
  const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  if (run.status !== 0) throw new Error(`the TypeScript build failed (exit ${run.status ?? run.signal})`);
  await bundleServer();
  await writeStrengthDictionaries();
}

/**
 * Packs the password strength estimator's word lists into dist/password-dictionaries/, one file per language
 * (src/accounts/strength-dictionaries.ts): the strength worker then reads them in tens of milliseconds instead
 * of unpacking the packages' lists, which takes most of a second and 25 MB of heap each time it starts.
 */
async function writeStrengthDictionaries() {
  const { writeStrengthDictionaryFiles } = await import(pathToFileURL(join(ROOT, "dist", "accounts", "strength-dictionaries.js")).href);
  writeStrengthDictionaryFiles();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifPossible = process.argv.includes("--if-possible");
  if (ifPossible && !findCompiler() && existsSync(BUILT_ENTRY)) {
    process.stderr.write("TypeScript is not installed; keeping the existing dist/.\n");
  } else {
    try {
      await buildProject();
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
