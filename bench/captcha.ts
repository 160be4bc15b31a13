// The CAPTCHA medians, from bench/captcha-media.ts (owned with the CAPTCHA media), run in a child process with
// the Node.js flags and environment of `npm start`: the server's allocator settings hand large buffers back
// to the system when they are freed, which makes a fresh picture's buffers cost page faults there, so the
// benchmark's own process would flatter the figures. A failure there is reported as "not measured" so the
// rest of the suite still runs.
import { cleanEnvironment, PROJECT_DIR, SERVER_ENV, SERVER_NODE_FLAGS } from "./latchkey-server.ts";
import { runChild } from "./processes.ts";

export type CAPTCHAOutcome = { imageMsP50: number; audioMsP50: number } | { skipped: string };

export async function measureCAPTCHA(iterations: number): Promise<CAPTCHAOutcome> {
  const args = [...SERVER_NODE_FLAGS, "--import", "tsx", "bench/captcha-media.ts", String(iterations), "--json"];
  const stdout = await runChild("CAPTCHA media", process.execPath, args, { ...cleanEnvironment(), ...SERVER_ENV }, PROJECT_DIR, 120_000);
  const figures = JSON.parse(stdout.trim().split("\n").pop() ?? "") as { imageMsP50?: unknown; audioMsP50?: unknown };
  if (
    typeof figures.imageMsP50 !== "number" ||
    typeof figures.audioMsP50 !== "number" ||
    !Number.isFinite(figures.imageMsP50) ||
    !Number.isFinite(figures.audioMsP50)
  )
    return { skipped: `bench/captcha-media.ts answered ${JSON.stringify(figures)}` };
  return { imageMsP50: figures.imageMsP50, audioMsP50: figures.audioMsP50 };
}
