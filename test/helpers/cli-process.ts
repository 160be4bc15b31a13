// Runs the real `latchkey` command (bin/latchkey.js) as a child process, without blocking this one: the test's
// own app, database pool and receivers keep working while it runs, and several can run at once.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/latchkey.js", import.meta.url));

export interface CLIResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `latchkey ARGS` with exactly `env` and `input` (empty by default) on its standard input; resolves when it exits. */
export function runCLI(env: Record<string, string>, args: string[], input = ""): Promise<CLIResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}
