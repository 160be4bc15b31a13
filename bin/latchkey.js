#!/usr/bin/env node
// Entry point of the `latchkey` command: runs the compiled JavaScript in dist/ (no TypeScript loader in the
// process). `npm install` builds dist/ (the `prepare` script); a checkout without it is built on first start.
import { existsSync } from "node:fs";

const entry = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(entry)) {
  const { buildProject } = await import("../scripts/build.js");
  buildProject({ quiet: false });
}
await import(entry.href);
