/**
 * {@link RedisLease}: a lease in Redis, taken, renewed and given up by Lua scripts, with a
 * fencing number that outlives every holder.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { LeaseUnavailableError } from '../errors.js';
import { checkLeaseKey, checkLeaseToken, checkLeaseTtl, type Lease, type LeaseGrant } from '../stores/lease.js';
import { RedisConnection, script, type RedisClientLike, type RedisStoreOptions, type Script } from './connection.js';

/** KEYS: holder, fence. ARGV: token, ttl ms. Returns the new fence, or nil when held. */
const ACQUIRE = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return fence
`);

/** KEYS: holder. ARGV: token, ttl ms. Returns 1 when `token` holds it (and it was extended). */
const RENEW = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

/** KEYS: holder. ARGV: token. Deletes the holder when `token` holds it. */
const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`);

/** Options of {@link RedisLease}. */
export type RedisLeaseOptions = RedisStoreOptions;

/**
 * A lease in Redis, for workers in several processes or on several machines: at most one holds a
 * key until its time to live runs out (Redis expires it, on Redis's clock). Each acquisition gets
 * a fence one greater than the last (a counter kept after release and expiry, so it never goes
 * back), which a checkpoint store uses to refuse the writes of a worker that lost the lease.
 * Keys: `m365d:lease:{<name>}:holder` and `…:fence`, one hash tag, so Redis Cluster keeps them on
 * one node.
 *
 * It never falls back: when Redis cannot be reached every method throws
 * {@link LeaseUnavailableError}, and the worker must act as if it did not hold the lease.
 */
export class RedisLease implements Lease {
  readonly #redis: RedisConnection;

  /**
   * @param client - a connected client of `redis` or `ioredis` (the lease never connects or closes it).
   * @throws InvalidArgumentError when `client` is neither, or an option is wrong.
   */
  constructor(client: RedisClientLike, options?: RedisLeaseOptions) {
    this.#redis = new RedisConnection('RedisLease', client, options);
  }

  /**
   * Takes the lease for `ttlMs` if nobody holds it: resolves `{ token, fence }` (the fence one more
   * than any before), or `undefined` when another holder has it.
   * @throws LeaseUnavailableError when Redis cannot be reached.
   */
  async acquire(key: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    checkLeaseKey(key);
    checkLeaseTtl(ttlMs);
    const token = randomUUID();
    let fence: unknown;
    try {
      fence = await this.#run(key, 'acquire', ACQUIRE, ['holder', 'fence'], [token, String(ttlMs)]);
    } catch (error) {
      // A command that timed out may still run; a release sent after it on the same connection
      // frees the lease it took, which nobody could otherwise use or release for a whole ttl.
      this.release(key, token).catch(() => {});
      throw error;
    }
    return fence === null || fence === undefined ? undefined : { token, fence: Number(fence) };
  }

  /**
   * Extends the lease to `ttlMs` from now if `token` still holds it; resolves `false` when it does not.
   * @throws LeaseUnavailableError when Redis cannot be reached: act as if the lease were lost.
   */
  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    checkLeaseKey(key);
    checkLeaseToken(token);
    checkLeaseTtl(ttlMs);
    return Number(await this.#run(key, 'renew', RENEW, ['holder'], [token, String(ttlMs)])) === 1;
  }

  /**
   * Gives the lease up if `token` holds it; otherwise does nothing. The fence is kept.
   * @throws LeaseUnavailableError when Redis cannot be reached (the lease then expires on its own).
   */
  async release(key: string, token: string): Promise<void> {
    checkLeaseKey(key);
    checkLeaseToken(token);
    await this.#run(key, 'release', RELEASE, ['holder'], [token]);
  }

  /** Runs `s` on the lease's `parts` (`m365d:lease:{<key>}:holder`, `…:fence`). */
  #run(key: string, what: string, s: Script, parts: readonly ('holder' | 'fence')[], args: string[]): Promise<unknown> {
    const base = this.#redis.key('lease', key);
    return this.#redis.runFor(s, parts.map((part) => `${base}:${part}`), args, `${what} lease "${key}"`, (message) => new LeaseUnavailableError(message, { key }));
  }
}
