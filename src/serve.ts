// `latchkey serve` on its own, the entry that scripts/build.js bundles into dist/serve/ (bin/latchkey.js
// runs it, and dist/bin.js where there is no bundle): the server without the command-line interface.
import { runServe } from "./main.ts";

const code = await runServe();
// A start that failed half-way may leave connections open (PostgreSQL, Redis) that would keep the process
// alive after its message: end it.
if (code !== 0) process.exit(code);
