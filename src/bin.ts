// What the `latchkey` command runs: `serve` goes straight to the server so start-up loads only what
// serving needs; every other command goes through the CLI.
const argv = process.argv.slice(2);

async function runCommand(): Promise<number | null> {
  if (argv.length === 1 && argv[0] === "serve") {
    await import("./serve.ts");
    return null;
  }
  const { runCLI } = await import("./cli.ts");
  return runCLI(argv);
}

const code = await runCommand();
if (code !== null) process.exitCode = code;
