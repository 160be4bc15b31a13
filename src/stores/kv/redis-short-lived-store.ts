// Short-lived state in Redis (cluster mode). Each key is a hash {v: value, e: expiry in ms}; every
// operation is one Lua script, so it is atomic across instances. Expiry is judged by the injected clock
// (so tests move time instead of sleeping) and Redis also expires the key itself shortly after.
import type { Redis } from "ioredis";
import type { Clock } from "../../lib/clock.ts";
import type { ShortLivedStore } from "../types.ts";

/** Extra real time Redis keeps a key after its logical expiry, so clock skew between instances cannot revive one early. */
const GRACE_MS = 5_000;

const SET = `
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

const GET = `
local e = tonumber(redis.call('HGET', KEYS[1], 'e'))
if not e or e <= tonumber(ARGV[1]) then return false end
return redis.call('HGET', KEYS[1], 'v')`;

const GET_AND_DELETE = `
local r = redis.call('HMGET', KEYS[1], 'v', 'e')
redis.call('DEL', KEYS[1])
if not r[2] or tonumber(r[2]) <= tonumber(ARGV[1]) then return false end
return r[1]`;

// Counts up the counter under `key`: a missing or expired one starts at 1 and expires `ttl` ms after `now`;
// otherwise it keeps its expiry, or with `sliding` moves it to `ttl` ms after `now`. Returns the count and
// the expiry.
const BUMP = `
local function bump(key, now, ttl, sliding)
  local r = redis.call('HMGET', key, 'v', 'e')
  local v = 1
  local e = now + ttl
  if r[2] and tonumber(r[2]) > now then
    v = tonumber(r[1]) + 1
    if not sliding then e = tonumber(r[2]) end
  end
  redis.call('HSET', key, 'v', v, 'e', e)
  redis.call('PEXPIRE', key, e - now + ${GRACE_MS})
  return v, e
end`;

// ARGV: now, ttl ms, sliding (1/0)
const INCREMENT = `${BUMP}
return (bump(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'))`;

// KEYS: lock, window, failures, mark. ARGV: now, window ms, window limit, failure ms.
const RESERVE_ATTEMPT = `${BUMP}
local now = tonumber(ARGV[1])
local lock = tonumber(redis.call('HGET', KEYS[1], 'e'))
if lock and lock > now then return {'locked', lock - now} end
local checks, e = bump(KEYS[2], now, tonumber(ARGV[2]), false)
if checks > tonumber(ARGV[3]) then return {'ceiling', e - now} end
local position = bump(KEYS[3], now, tonumber(ARGV[4]), true)
local m = redis.call('HMGET', KEYS[4], 'v', 'e')
if m[2] and tonumber(m[2]) > now then return {'reserved', position, m[1]} end
return {'reserved', position}`;

const DECREMENT = `
local r = redis.call('HMGET', KEYS[1], 'v', 'e')
if not r[2] or tonumber(r[2]) <= tonumber(ARGV[1]) then return 0 end
local v = tonumber(r[1])
if v > 0 then v = v - 1 end
redis.call('HSET', KEYS[1], 'v', v)
return v`;

// KEYS: the counter, then the keys to delete. ARGV: now.
const DECREMENT_AND_DELETE = `
local r = redis.call('HMGET', KEYS[1], 'v', 'e')
if r[2] and tonumber(r[2]) > tonumber(ARGV[1]) then
  local v = tonumber(r[1])
  if v > 0 then redis.call('HSET', KEYS[1], 'v', v - 1) end
end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`;

const TTL = `
local e = tonumber(redis.call('HGET', KEYS[1], 'e'))
if not e then return 0 end
return e - tonumber(ARGV[1])`;

export function createRedisShortLivedStore(redis: Redis, prefix: string, clock: Clock): ShortLivedStore {
  const k = (key: string) => `${prefix}${key}`;
  const now = () => String(clock.now().getTime());
  const run = async (script: string, key: string, ...args: string[]): Promise<unknown> => redis.eval(script, 1, k(key), ...args);
  return {
    async set(key, value, ttlSeconds) {
      const ms = ttlSeconds * 1000;
      await run(SET, key, value, String(clock.now().getTime() + ms), String(ms + GRACE_MS));
    },
    async get(key) {
      const value = await run(GET, key, now());
      return typeof value === "string" ? value : null;
    },
    async getAndDelete(key) {
      const value = await run(GET_AND_DELETE, key, now());
      return typeof value === "string" ? value : null;
    },
    async delete(...keys) {
      if (keys.length > 0) await redis.del(...keys.map(k));
    },
    async increment(key, ttlSeconds) {
      return Number(await run(INCREMENT, key, now(), String(ttlSeconds * 1000), "0"));
    },
    async incrementSliding(key, ttlSeconds) {
      return Number(await run(INCREMENT, key, now(), String(ttlSeconds * 1000), "1"));
    },
    async decrement(key) {
      return Number(await run(DECREMENT, key, now()));
    },
    async ttl(key) {
      const ms = Number(await run(TTL, key, now()));
      return ms > 0 ? Math.ceil(ms / 1000) : 0;
    },
    async reserveAttempt(keys, limits) {
      const answer = (await redis.eval(
        RESERVE_ATTEMPT,
        4,
        k(keys.lock),
        k(keys.window),
        k(keys.failures),
        k(keys.mark),
        now(),
        String(limits.windowSeconds * 1000),
        String(limits.windowLimit),
        String(limits.failureSeconds * 1000),
      )) as [string, number, string?];
      const [outcome, figure, mark] = answer;
      if (outcome === "locked" || outcome === "ceiling") return { outcome, seconds: Math.ceil(Number(figure) / 1000) };
      return { outcome: "reserved", position: Number(figure), mark: mark ?? null };
    },
    async decrementAndDelete(counter, keys) {
      await redis.eval(DECREMENT_AND_DELETE, 1 + keys.length, k(counter), ...keys.map(k), now());
    },
    async deleteExpired() {
      // Redis removes expired keys itself.
      return 0;
    },
  };
}
