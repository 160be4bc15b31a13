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

/** How often a running instance looks for a rotated key (src/oidc/routes.ts). */
export const SIGNING_KEY_CHECK_SECONDS = 60;
/**
 * A new key is published at once but signs only this long after it was made. Instances notice a rotation
 * at different moments (each within SIGNING_KEY_CHECK_SECONDS); if the first to notice signed with the new
 * key at once, an application fetching the JWKS from another instance would not find the key of its token.
 */
export const NEW_KEY_SIGNS_AFTER_SECONDS = 2 * SIGNING_KEY_CHECK_SECONDS;

/** The published keys (newest first) and which of them signs: the newest one old enough, else the oldest published. */
function selectSigningKeys(
  records: SigningKeyRecord[],
  now: number,
): { published: SigningKeyRecord[]; signer: SigningKeyRecord | undefined; selection: string } {
  const published: SigningKeyRecord[] = [];
  for (const [index, record] of records.entries()) {
    const successor = records[index - 1];
    if (successor && now - successor.createdAt.getTime() > RETIRED_KEY_PUBLISHED_SECONDS * 1000) break;
    published.push(record);
  }
  const signer = published.find((record) => now - record.createdAt.getTime() >= NEW_KEY_SIGNS_AFTER_SECONDS * 1000) ?? published.at(-1);
  return { published, signer, selection: `${records[0]?.generation ?? 0}:${signer?.kid ?? ""}` };
}

/**
 * The private JWKs to publish and sign with, the signing key first (the provider signs with the first), then
 * the others newest first. Creates the first key when there is none; instances starting together agree on
 * one through its generation. `selection` names the published set and the signer, for noticing a change.
 */
export async function loadSigningKeys(deps: KeyDeps): Promise<{ selection: string; keys: JWK[] }> {
  let records = await deps.stores.signingKeys.listSigningKeys();
  if (records.length === 0) {
    await deps.stores.signingKeys.addSigningKey(await createSigningKey(deps, 1));
    records = await deps.stores.signingKeys.listSigningKeys();
  }
  const { published, signer, selection } = selectSigningKeys(records, deps.clock.now().getTime());
  const keys: JWK[] = [];
  for (const record of signer ? [signer, ...published.filter((r) => r !== signer)] : published) {
    const jwk = unsealJSON<JWK>(deps.config.secret, SEAL_PURPOSE, record.sealedJwk);
    // A key sealed under another secret cannot be used; say so plainly rather than sign with nothing.
    if (!jwk) throw new Error(`signing key ${record.kid} cannot be opened with this LATCHKEY_SECRET`);
    keys.push(jwk);
  }
  return { selection, keys };
}

/**
 * Adds a new key that signs from now on and deletes keys no longer published. Returns the new key's id.
 * Running instances publish it within a minute and sign with it NEW_KEY_SIGNS_AFTER_SECONDS after this call.
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

/** The current selection (see loadSigningKeys), for instances to notice a rotation or a new key taking over. */
export async function currentSigningKeySelection(deps: Pick<Deps, "stores" | "clock">): Promise<string> {
  return selectSigningKeys(await deps.stores.signingKeys.listSigningKeys(), deps.clock.now().getTime()).selection;
}
