// The provider's signing keys: generated on first start, kept in the database sealed with LATCHKEY_SECRET
// (so every instance signs with the same keys), rotated by `latchkey keys rotate`. After a rotation the
// previous key stays published in the JWKS for a day, longer than any token it signed lives.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { Deps } from "../deps.ts";
import { generateId, sealJSON, unsealJSON } from "../lib/crypto.ts";
import type { SigningKeyRecord } from "../stores/types.ts";

const SEAL_PURPOSE = "oidc-signing-key";
export const SIGNING_ALG = "RS256";
/** How long a replaced key stays in the JWKS: ID tokens live one hour, so a day leaves a wide margin. */
export const RETIRED_KEY_PUBLISHED_SECONDS = 86_400;

type KeyDeps = Pick<Deps, "stores" | "clock" | "random" | "config">;

async function createSigningKey(deps: KeyDeps, generation: number): Promise<SigningKeyRecord> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 });
  const kid = generateId(deps.random);
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: "sig" };
  return { generation, kid, sealedJwk: sealJSON(deps.config.secret, SEAL_PURPOSE, jwk, deps.random), createdAt: deps.clock.now() };
}

/**
 * The private JWKs to publish and sign with, newest first (the provider signs with the first). Creates
 * the first key when there is none; instances starting together agree on one through its generation.
 */
export async function loadSigningKeys(deps: KeyDeps): Promise<{ generation: number; keys: JWK[] }> {
  let records = await deps.stores.signingKeys.listSigningKeys();
  if (records.length === 0) {
    await deps.stores.signingKeys.addSigningKey(await createSigningKey(deps, 1));
    records = await deps.stores.signingKeys.listSigningKeys();
  }
  const now = deps.clock.now().getTime();
  const keys: JWK[] = [];
  for (const [index, record] of records.entries()) {
    const successor = records[index - 1];
    if (successor && now - successor.createdAt.getTime() > RETIRED_KEY_PUBLISHED_SECONDS * 1000) break;
    const jwk = unsealJSON<JWK>(deps.config.secret, SEAL_PURPOSE, record.sealedJwk);
    // A key sealed under another secret cannot be used; say so plainly rather than sign with nothing.
    if (!jwk) throw new Error(`signing key ${record.kid} cannot be opened with this LATCHKEY_SECRET`);
    keys.push(jwk);
  }
  return { generation: records[0]?.generation ?? 1, keys };
}

/**
 * Adds a new key that signs from now on and deletes keys no longer published. Returns the new key's id.
 * Running instances pick it up within a minute (they check the newest generation).
 */
export async function rotateSigningKey(deps: KeyDeps): Promise<{ kid: string; removed: number }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const records = await deps.stores.signingKeys.listSigningKeys();
    const next = (records[0]?.generation ?? 0) + 1;
    const record = await createSigningKey(deps, next);
    if (!(await deps.stores.signingKeys.addSigningKey(record))) continue;
    const now = deps.clock.now().getTime();
    // Keys replaced more than a day ago signed nothing that is still valid.
    let keepFrom = next - 1;
    for (const [index, older] of records.entries()) {
      const successor = index === 0 ? record : records[index - 1];
      if (successor && now - successor.createdAt.getTime() <= RETIRED_KEY_PUBLISHED_SECONDS * 1000) keepFrom = older.generation;
    }
    const removed = await deps.stores.signingKeys.deleteSigningKeysBefore(Math.min(keepFrom, next - 1));
    return { kid: record.kid, removed };
  }
  throw new Error("another rotation is running; try again");
}

/** The newest key generation, for instances to notice a rotation. */
export async function newestSigningKeyGeneration(deps: Pick<Deps, "stores">): Promise<number> {
  const records = await deps.stores.signingKeys.listSigningKeys();
  return records[0]?.generation ?? 0;
}
