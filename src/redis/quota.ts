/**
 * {@link RedisQuotaStore}: the pacer's counts and 429 holds in Redis, so that every process of an
 * app paces against one count. One Lua script takes a slot in every window of a family at once,
 * on Redis's own clock.
 *
 * @packageDocumentation
 */
import { describe } from '../checks.js';
import { InvalidArgumentError, type QuotaKind } from '../errors.js';
import type { QuotaHold, QuotaStore, QuotaTakeRequest, RateLimitWindow } from '../stores/quota.js';
import { RedisConnection, script, type RedisClientLike, type RedisStoreOptions } from './connection.js';

/**
 * Shared by the scripts: `now` in milliseconds on Redis's clock (TIME), and the sliding-window
 * search of MemoryQuotaStore (when a call could start after the sends logged and the calls
 * ahead), reading of the log only the one send each window's verdict depends on.
 */
const COMMON = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local logged = {}
-- the n-th most recent send of the log (one ZRANGE each, remembered), or nil
local function logNth(n)
  if logged[n] == nil then
    local r = redis.call('ZRANGE', KEYS[1], -n, -n, 'WITHSCORES')
    logged[n] = r[2] and tonumber(r[2]) or false
  end
  return logged[n] or nil
end
-- the n-th most recent of the log followed by the starts of the calls ahead
local function nth(ahead, n)
  if n <= #ahead then return ahead[#ahead - n + 1] end
  return logNth(n - #ahead)
end
-- when a call with these windows could start: a window is full while its limit-th most recent send is in it
local function earliest(ahead, windows, from)
  local start = math.max(from, nth(ahead, 1) or 0)
  local moved = true
  while moved do
    moved = false
    for _, w in ipairs(windows) do
      local sent = nth(ahead, w[1])
      if sent and sent + w[2] > start then start = sent + w[2]; moved = true end
    end
  end
  return start
end
`;

/**
 * KEYS: the send log (a sorted set of send times) and the state (a hash: hold end, hold quota,
 * longest window, sequence). ARGV: the request as JSON `{w: [[limit, ms], …], a: [[[limit, ms], …], …]}`.
 * Returns 0 when a send was recorded, else the wait in milliseconds.
 */
const TAKE = script(`${COMMON}
local req = cjson.decode(ARGV[1])
local state = redis.call('HMGET', KEYS[2], 'until', 'longest')
local holdUntil = tonumber(state[1]) or 0
local longest = tonumber(state[2]) or 0
for _, w in ipairs(req.w) do longest = math.max(longest, w[2]) end
for _, group in ipairs(req.a) do for _, w in ipairs(group) do longest = math.max(longest, w[2]) end end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local from = math.max(now, holdUntil)
local ahead = {}
for _, group in ipairs(req.a) do ahead[#ahead + 1] = earliest(ahead, group, from) end
local start = earliest(ahead, req.w, from)
if start > now or #req.a > 0 then return start - now end
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('ZADD', KEYS[1], now, now .. ':' .. seq)
redis.call('HSET', KEYS[2], 'longest', longest)
redis.call('PEXPIRE', KEYS[1], longest + 1000)
-- the state outlives the log, so that the sequence never restarts under live members
redis.call('PEXPIRE', KEYS[2], math.max(longest, holdUntil - now) + 2000)
return 0
`);

/** KEYS: the state. ARGV: hold length in ms, quota. Returns 1 when the hold was extended. */
const HOLD = script(`${COMMON}
local untilNow = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
local holdUntil = now + tonumber(ARGV[1])
if holdUntil <= untilNow then return 0 end
redis.call('HSET', KEYS[1], 'until', holdUntil, 'quota', ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
redis.call('PEXPIRE', KEYS[1], math.max(ttl, tonumber(ARGV[1]) + 2000))
return 1
`);

/** KEYS: the state. Returns `{remainingMs, quota}` or nil. */
const GET_HOLD = script(`${COMMON}
local state = redis.call('HMGET', KEYS[1], 'until', 'quota')
local remaining = (tonumber(state[1]) or 0) - now
if remaining <= 0 then return nil end
return {remaining, state[2]}
`);

/** Options of {@link RedisQuotaStore}. */
export type RedisQuotaStoreOptions = RedisStoreOptions;

const QUOTA_KINDS: readonly QuotaKind[] = ['calls', 'cpu', 'unknown'];

/**
 * Quota counts and 429 holds in Redis, shared by every process given a store on the same Redis
 * (and `keyPrefix`): pass it as `rateLimit: { store }` to each `DefenderClient`. A slot is taken
 * in every window of a family by one Lua script, on Redis's clock (the processes' clocks may
 * differ); a 429 one process meets holds the family for all of them. The keys of one family share
 * a hash tag (`m365d:quota:{<family's key>}:log` and `…:state`), so Redis Cluster keeps them on
 * one node. Keys expire once their longest window has passed.
 *
 * When Redis cannot be reached, a call fails (after `commandTimeoutMs` at the most); the client's
 * pacer then paces with its own memory until Redis answers again (see `docs/scaling.md`).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisQuotaStore } from 'm365-defender/redis';
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const client = new DefenderClient({ credential, rateLimit: { store: new RedisQuotaStore(redis) } });
 * ```
 */
export class RedisQuotaStore implements QuotaStore {
  readonly #redis: RedisConnection;

  /**
   * @param client - a connected client of `redis` or `ioredis` (the store never connects or closes it).
   * @throws InvalidArgumentError when `client` is neither, or an option is wrong.
   */
  constructor(client: RedisClientLike, options?: RedisQuotaStoreOptions) {
    this.#redis = new RedisConnection('RedisQuotaStore', client, options);
  }

  #keys(key: string): [log: string, state: string] {
    if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('key', `key must be a non-empty string; got ${describe(key)}.`);
    const base = this.#redis.key('quota', key);
    return [`${base}:log`, `${base}:state`];
  }

  /**
   * Atomically, on Redis's clock and across every window: when nothing is `ahead`, no hold is in
   * force and every window has room, records a send and resolves 0; otherwise records nothing and
   * resolves how long, in milliseconds, until the call could go.
   * @throws Error when Redis cannot be reached or refuses the script (the pacer then paces in memory).
   */
  async take(key: string, request: QuotaTakeRequest): Promise<number> {
    const pairs = (windows: readonly RateLimitWindow[]) => windows.map((w) => [w.limit, w.intervalMs]);
    // cjson decodes an empty array as an object; ipairs reads both alike
    const json = JSON.stringify({ w: pairs(request.windows), a: (request.ahead ?? []).map(pairs) });
    return Number(await this.#redis.run(TAKE, this.#keys(key), [json]));
  }

  /** Holds `key` for `holdMs` from now (Redis's clock) unless a longer hold is in force; resolves whether it extended it. */
  async hold(key: string, holdMs: number, quota: QuotaKind): Promise<boolean> {
    if (!QUOTA_KINDS.includes(quota)) throw new InvalidArgumentError('quota', `quota must be one of ${QUOTA_KINDS.join(', ')}; got ${describe(quota)}.`);
    return Number(await this.#redis.run(HOLD, [this.#keys(key)[1]], [String(Math.max(0, Math.ceil(holdMs))), quota])) === 1;
  }

  /** The hold in force on `key` (its time left and quota), or `undefined`. */
  async getHold(key: string): Promise<QuotaHold | undefined> {
    const answer = await this.#redis.run(GET_HOLD, [this.#keys(key)[1]], []);
    if (!Array.isArray(answer)) return undefined;
    const quota = String(answer[1]) as QuotaKind;
    return { remainingMs: Number(answer[0]), quota: QUOTA_KINDS.includes(quota) ? quota : 'unknown' };
  }
}
