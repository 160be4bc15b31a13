// The OpenID Connect provider's short-lived artifacts (authorization codes, interactions, replay marks) in
// Redis, for cluster mode. Each artifact is a hash {p: payload, e: expiry ms, c: consumed ms, …}; every
// operation is one Lua script, so consuming a code is atomic across instances. Expiry follows the injected
// clock, and Redis drops the key itself a little later.
import type { Redis } from "ioredis";
import type { Clock } from "../../lib/clock.ts";
import type { OIDCArtifactRecord, OIDCArtifactStore } from "../types.ts";

const GRACE_MS = 5_000;
/** Artifacts without an expiry still leave Redis eventually: short-lived state only. */
const NO_EXPIRY_MS = 14 * 86_400_000;

// KEYS: artifact, grant set (or ""), uid index (or ""), user code index (or "")
// ARGV: payload, expiry ms, ttl ms, grantId, uid, userCode, accountId, clientId
const SAVE = `
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'e', ARGV[2], 'g', ARGV[4], 'u', ARGV[5], 'uc', ARGV[6], 'a', ARGV[7], 'cl', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
for i = 2, 4 do
  if KEYS[i] ~= '' then
    if i == 2 then redis.call('SADD', KEYS[i], KEYS[1]) else redis.call('SET', KEYS[i], KEYS[1]) end
    local left = redis.call('PTTL', KEYS[i])
    if left < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
  end
end
return 1`;

// ARGV: now
const GET = `
local key = KEYS[1]
if ARGV[2] == 'index' then
  key = redis.call('GET', KEYS[1])
  if not key then return false end
end
local r = redis.call('HMGET', key, 'p', 'e', 'c', 'g', 'u', 'uc', 'a', 'cl')
if not r[2] or tonumber(r[2]) <= tonumber(ARGV[1]) then return false end
return {key, r[1], r[2], r[3] or '', r[4], r[5], r[6], r[7], r[8]}`;

// ARGV: now
const CONSUME = `
local r = redis.call('HMGET', KEYS[1], 'e', 'c')
if not r[1] or tonumber(r[1]) <= tonumber(ARGV[1]) or r[2] then return 0 end
redis.call('HSET', KEYS[1], 'c', ARGV[1])
return 1`;

const REVOKE_GRANT = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(members) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return #members`;

export function createRedisOIDCArtifactStore(redis: Redis, prefix: string, clock: Clock): OIDCArtifactStore {
  const artifactKey = (kind: string, id: string) => `${prefix}oidc:${kind}:${id}`;
  const grantKey = (grantId: string) => `${prefix}oidc-grant:${grantId}`;
  const uidKey = (kind: string, uid: string) => `${prefix}oidc-uid:${kind}:${uid}`;
  const userCodeKey = (kind: string, code: string) => `${prefix}oidc-user-code:${kind}:${code}`;
  const ms = (at: Date) => String(at.getTime());

  const toRecord = (kind: string, raw: unknown): OIDCArtifactRecord | null => {
    if (!Array.isArray(raw)) return null;
    const [key, payload, expires, consumed, grantId, uid, userCode, accountId, clientId] = raw as string[];
    const id = (key ?? "").slice(artifactKey(kind, "").length);
    const orNull = (v: string | undefined) => (v ? v : null);
    const expiresMs = Number(expires);
    return {
      kind,
      id,
      payload: payload ?? "{}",
      grantId: orNull(grantId),
      uid: orNull(uid),
      userCode: orNull(userCode),
      accountId: orNull(accountId),
      clientId: orNull(clientId),
      expiresAt: expiresMs >= clock.now().getTime() + NO_EXPIRY_MS - GRACE_MS ? null : new Date(expiresMs),
      consumedAt: consumed ? new Date(Number(consumed)) : null,
    };
  };

  return {
    async saveArtifact(a) {
      const at = clock.now().getTime();
      const expires = a.expiresAt ? a.expiresAt.getTime() : at + NO_EXPIRY_MS;
      const ttl = Math.max(1, expires - at) + GRACE_MS;
      await redis.eval(
        SAVE,
        4,
        artifactKey(a.kind, a.id),
        a.grantId ? grantKey(a.grantId) : "",
        a.uid ? uidKey(a.kind, a.uid) : "",
        a.userCode ? userCodeKey(a.kind, a.userCode) : "",
        a.payload,
        String(expires),
        String(ttl),
        a.grantId ?? "",
        a.uid ?? "",
        a.userCode ?? "",
        a.accountId ?? "",
        a.clientId ?? "",
      );
    },
    async getArtifact(kind, id, at) {
      return toRecord(kind, await redis.eval(GET, 1, artifactKey(kind, id), ms(at), "direct"));
    },
    async getArtifactByUid(kind, uid, at) {
      return toRecord(kind, await redis.eval(GET, 1, uidKey(kind, uid), ms(at), "index"));
    },
    async getArtifactByUserCode(kind, userCode, at) {
      return toRecord(kind, await redis.eval(GET, 1, userCodeKey(kind, userCode), ms(at), "index"));
    },
    async consumeArtifact(kind, id, at) {
      return Number(await redis.eval(CONSUME, 1, artifactKey(kind, id), ms(at))) === 1;
    },
    async deleteArtifact(kind, id) {
      await redis.del(artifactKey(kind, id));
    },
    async revokeGrantArtifacts(grantId) {
      return Number(await redis.eval(REVOKE_GRANT, 1, grantKey(grantId)));
    },
    async listArtifactsOfAccount() {
      // Grants, the only artifacts listed per account, live in the database, never here.
      return [];
    },
    async deleteExpiredArtifacts() {
      // Redis removes expired keys itself.
      return 0;
    },
  };
}
