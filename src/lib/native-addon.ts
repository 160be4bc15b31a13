// A package with a compiled part (better-sqlite3) loads it with dlopen. Built for another Node.js version
// (installed, then Node.js switched) or never built (an install with --ignore-scripts, a failed build), it
// fails with a message about module versions or bindings files; these say what to do instead.

/** What to do when `pkg`'s compiled part cannot be loaded by this Node.js, or null for any other error. */
export function describeUnloadableAddon(pkg: string, error: unknown): string | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== "string") return null;
  const rebuild = `With the Node.js that runs Latchkey, run \`npm rebuild ${pkg}\` (or \`npm ci\`) in Latchkey's folder, then start again.`;
  const versions = /NODE_MODULE_VERSION (\d+)\.[\s\S]*?requires\s+NODE_MODULE_VERSION (\d+)/.exec(message);
  if (code === "ERR_DLOPEN_FAILED" && versions) {
    return (
      `${pkg} in node_modules was built for another Node.js version (module version ${versions[1]}; ` +
      `Node.js ${process.version} needs ${versions[2]}), as happens when Node.js is switched after npm install. ${rebuild}`
    );
  }
  if (message.startsWith("Could not locate the bindings file")) {
    return `${pkg} in node_modules has no compiled part for Node.js ${process.version} (the install skipped or failed its build). ${rebuild}`;
  }
  return null;
}
