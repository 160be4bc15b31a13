#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=2 --heap-growing-percent=20 --expose-gc --no-maglev
// Entry point of the `latchkey` command: runs the compiled JavaScript in dist/ (no TypeScript loader in the
// process). `npm start` and the first line run it with the same settings (docs/deployment.md says why): a
// young generation of 2 MB semi-spaces keeps the server about 20 MB smaller, and its requests allocate
// little, so the extra collections cost next to nothing; the old generation grows by a fifth before the next
// full collection (V8 otherwise lets it double and more under load); `--expose-gc` lets the password strength
// worker give back the heap its dictionaries used while they were unpacked; `--no-maglev` leaves out V8's
// middle compiler (Node.js 22 and later), whose code and compilations took 15 to 20 MB at the peak of
// sign-ins; the two glibc settings give memory that V8's compilers and other threads borrowed for a moment
// back to the system (about 10 MB right after start). `npm install` builds dist/ (the `prepare` script); a
// checkout without it is built on first start.
import { existsSync } from "node:fs";
import module from "node:module";

// Node.js 22.1 and later keep compiled code between starts (in the system's temporary folder); 20 starts without.
module.enableCompileCache?.();

const entry = new URL("../dist/bin.js", import.meta.url);
// `serve` runs the bundle of the server when the build made one (see scripts/build.js), every other command dist/.
const serveBundle = new URL("../dist/serve/main.js", import.meta.url);
if (!existsSync(entry)) {
  const { buildProject } = await import("../scripts/build.js");
  await buildProject({ quiet: false });
}
const args = process.argv.slice(2);
await import((args.length === 1 && args[0] === "serve" && existsSync(serveBundle) ? serveBundle : entry).href);
