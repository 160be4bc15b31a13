// Creates accounts for tests through the real registration flow.
import { generateTOTPSecret, sealTOTPSecret, totpStepAt } from "../../src/factors/totp.ts";
import { generateId } from "../../src/lib/crypto.ts";
import { parseIdentifier } from "../../src/lib/identifier-parsing.ts";
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

/**
 * Creates a confirmed account directly in storage (as `latchkey accounts create` does) and signs in
 * through the API. For suites whose messages go somewhere other than the outbox.
 */
export async function seedVerifiedAccount(t: TestApp, input: string, password = STRONG_PASSWORD): Promise<TestClient> {
  const parsed = parseIdentifier(input);
  if (!parsed.ok) throw new Error(`bad identifier ${input}`);
  const hash = await t.deps.hasher.hashPassword(password);
  const created = await t.deps.stores.accounts.createVerifiedAccount({
    id: generateId(t.deps.random),
    name: null,
    passwordHash: hash,
    createdAt: t.clock.now(),
    identifier: { id: generateId(t.deps.random), ...parsed.identifier },
  });
  if (!created) throw new Error(`${input} is taken`);
  const client = new TestClient(t.app);
  const signedIn = await client.request("POST", "/api/v1/session", { json: { identifier: input, password } });
  if (signedIn.statusCode !== 200) throw new Error(`sign-in answered ${signedIn.statusCode}: ${signedIn.body}`);
  return client;
}

/**
 * Turns an authenticator app on for the account straight in storage (no session is touched, so one signed in
 * with the password alone stays so); returns the app's secret.
 */
export async function seedTOTPFactor(t: TestApp, accountId: string): Promise<string> {
  const secret = generateTOTPSecret(t.deps);
  await t.deps.stores.factors.startTOTPSetup(accountId, sealTOTPSecret(t.deps, secret), t.clock.now());
  if (!(await t.deps.stores.factors.confirmTOTPFactor(accountId, totpStepAt(t.clock.now()) - 1, t.clock.now()))) {
    throw new Error(`the authenticator app of ${accountId} was not confirmed`);
  }
  return secret;
}
