// Flows in Redis (cluster mode). Each flow is a hash {k: kind, o: owner, n: version, s: state, e: expiry
// in ms}; every operation is one Lua script, so completing a step is atomic across instances. Expiry is
// judged by the injected clock, and Redis drops the key itself shortly after.
import type { Redis } from "ioredis";
import type { Clock } from "../../lib/clock.ts";
import type { FlowStore } from "../types.ts";

/** Extra real time Redis keeps a flow after its logical expiry, so clock skew cannot revive one early. */
const GRACE_MS = 5_000;

// ARGV: kind, owner, state, expiry ms, key lifetime ms
const CREATE = `
redis.call('HSET', KEYS[1], 'k', ARGV[1], 'o', ARGV[2], 'n', 1, 's', ARGV[3], 'e', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

// ARGV: kind, owner, now ms
const GET = `
local r = redis.call('HMGET', KEYS[1], 'k', 'o', 'n', 's', 'e')
if not r[5] or r[1] ~= ARGV[1] or r[2] ~= ARGV[2] or tonumber(r[5]) <= tonumber(ARGV[3]) then return false end
return {r[3], r[4], r[5]}`;

// ARGV: kind, owner, now ms, expected version, state, new expiry ms, key lifetime ms
const ADVANCE = `
local r = redis.call('HMGET', KEYS[1], 'k', 'o', 'n', 'e')
if not r[4] or r[1] ~= ARGV[1] or r[2] ~= ARGV[2] or tonumber(r[4]) <= tonumber(ARGV[3]) then return false end
if tonumber(r[3]) ~= tonumber(ARGV[4]) then return false end
local n = tonumber(r[3]) + 1
redis.call('HSET', KEYS[1], 'n', n, 's', ARGV[5], 'e', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return n`;

export function createRedisFlowStore(redis: Redis, prefix: string, clock: Clock): FlowStore {
  const key = (id: string) => `${prefix}flow:${id}`;
  return {
    async createFlow(flow) {
      const now = clock.now().getTime();
      const expiresAt = now + flow.ttlSeconds * 1000;
      await redis.eval(CREATE, 1, key(flow.id), flow.kind, flow.owner, flow.state, String(expiresAt), String(flow.ttlSeconds * 1000 + GRACE_MS));
      return { id: flow.id, kind: flow.kind, owner: flow.owner, version: 1, state: flow.state, expiresAt: new Date(expiresAt) };
    },
    async getFlow(id, kind, owner) {
      const found = (await redis.eval(GET, 1, key(id), kind, owner, String(clock.now().getTime()))) as [string, string, string] | null;
      if (!found) return null;
      const [version, state, expiresAt] = found;
      return { id, kind, owner, version: Number(version), state, expiresAt: new Date(Number(expiresAt)) };
    },
    async advanceFlow(id, kind, owner, expectedVersion, state, ttlSeconds) {
      const now = clock.now().getTime();
      const expiresAt = now + ttlSeconds * 1000;
      const version = await redis.eval(
        ADVANCE,
        1,
        key(id),
        kind,
        owner,
        String(now),
        String(expectedVersion),
        state,
        String(expiresAt),
        String(ttlSeconds * 1000 + GRACE_MS),
      );
      if (version === null || version === undefined) return null;
      return { id, kind, owner, version: Number(version), state, expiresAt: new Date(expiresAt) };
    },
    async deleteExpiredFlows() {
      // Redis removes expired keys itself.
      return 0;
    },
  };
}
