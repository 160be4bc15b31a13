// `latchkey serve` on its own, the entry that scripts/build.js bundles into dist/serve/ (bin/latchkey.js
// runs it): the server without the command-line interface.
import { runServe } from "./main.ts";

const code = await runServe();
if (code !== 0) process.exitCode = code;
