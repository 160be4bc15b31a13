// Summarises a V8 CPU profile (from `npm run bench -- --cpu-prof`): self time by package or source folder,
// then by function. Run: npx tsx bench/profile-summary.ts bench/results/profiles/latchkey-sqlite.cpuprofile
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CPUProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "fastify", "@fastify/helmet", "src/stores", "(native)", … */
function ownerOf(url: string): string {
  if (url === "") return "(native or idle)";
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1] as string;
  const source = /\/(src|bench)\/([^/]+)/.exec(url);
  if (source) return `${source[1]}/${source[2]}`;
  if (url.startsWith("node:")) return "node core";
  return url;
}

function summarizeProfile(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CPUProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") {
      if (functionName === "(idle)") idle += ms;
      continue;
    }
    total += ms;
    const owner = functionName === "(garbage collector)" ? "(garbage collector)" : ownerOf(url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
    const name = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|src|bench)\//, "$1/")}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const lines: string[] = [`${file}: ${total.toFixed(0)} ms busy on the main thread, ${idle.toFixed(0)} ms idle`, "", "By package or folder:"];
  const pct = (ms: number): string => `${((ms / total) * 100).toFixed(1).padStart(5)} %`;
  for (const [owner, ms] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(ms)}  ${owner}`);
  lines.push("", "By function (self time):");
  for (const [name, ms] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(ms)}  ${name}`);
  return lines.join("\n");
}

const [file, top] = process.argv.slice(2);
if (!file) {
  process.stderr.write("Usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n");
  process.exit(64);
}
process.stdout.write(`${summarizeProfile(file, Number(top ?? 25))}\n`);
