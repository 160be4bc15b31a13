// Creates accounts for tests through the real registration flow.
import type { TestApp } from "./app.ts";
import { solveCAPTCHA, TestClient } from "./client.ts";
import { latestCode } from "./outbox.ts";

export const STRONG_PASSWORD = "Correct-Horse-Battery-Staple-42";

/** Registers and confirms an account through the JSON API; returns a client signed in to it. */
export async function createVerifiedAccount(t: TestApp, identifier: string, password = STRONG_PASSWORD, sendTo?: string): Promise<TestClient> {
  const client = new TestClient(t.app);
  const registered = await client.request("POST", "/api/v1/accounts", { json: { identifier, password, captcha: await solveCAPTCHA(client) } });
  if (registered.statusCode !== 202) throw new Error(`registration answered ${registered.statusCode}: ${registered.body}`);
  const code = await latestCode(t.config.outboxDir, sendTo ?? identifier);
  const verified = await client.request("POST", "/api/v1/accounts/verify", { json: { identifier, code } });
  if (verified.statusCode !== 200) throw new Error(`verification answered ${verified.statusCode}: ${verified.body}`);
  const signedIn = await client.request("POST", "/api/v1/session", { json: { identifier, password } });
  if (signedIn.statusCode !== 200) throw new Error(`sign-in answered ${signedIn.statusCode}: ${signedIn.body}`);
  return client;
}
