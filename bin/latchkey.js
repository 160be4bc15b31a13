#!/usr/bin/env node
// Entry point of the `latchkey` command: loads the TypeScript sources through tsx, then runs the CLI.
import { register } from "tsx/esm/api";

register();
const { runCLI } = await import("../src/cli.ts");
const code = await runCLI(process.argv.slice(2));
if (code !== null) process.exitCode = code;
