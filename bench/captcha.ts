// The CAPTCHA medians, from bench/captcha-media.ts (owned with the CAPTCHA media). A failure there is
// reported as "not measured" so the rest of the suite still runs.
import { measureCAPTCHAMedia } from "./captcha-media.ts";

export type CAPTCHAOutcome = { imageMsP50: number; audioMsP50: number } | { skipped: string };

export async function measureCAPTCHA(iterations: number): Promise<CAPTCHAOutcome> {
  const figures = await measureCAPTCHAMedia(iterations);
  if (!Number.isFinite(figures.imageMsP50) || !Number.isFinite(figures.audioMsP50))
    return { skipped: `measureCAPTCHAMedia returned ${JSON.stringify(figures)}` };
  return { imageMsP50: figures.imageMsP50, audioMsP50: figures.audioMsP50 };
}
