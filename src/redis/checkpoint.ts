/**
 * {@link RedisCheckpointStore}: a change feed's checkpoints in Redis, changed only by a Lua
 * compare-and-set that also honours lease fences.
 *
 * @packageDocumentation
 */
import { CheckpointError, CheckpointUnavailableError } from '../errors.js';
import { checkCheckpointKey, checkCheckpointWrite, type CheckpointEntry, type CheckpointStore, type CheckpointWriteOptions } from '../stores/checkpoint.js';
import { RedisConnection, script, type RedisClientLike, type RedisStoreOptions, type Script } from './connection.js';

/** KEYS: the checkpoint's hash. Returns `{value, version, fence}` (`false` for an absent fence) or nil. */
const GET = script(`
local e = redis.call('HMGET', KEYS[1], 'value', 'version', 'fence')
if not e[2] then return nil end
return e
`);

/**
 * KEYS: the checkpoint's hash. ARGV: value, expected version (`''`: none yet), fence (`''`: none).
 * Returns 1 when written, 0 when the version moved or the fence is lower than the recorded one.
 */
const SET = script(`
local e = redis.call('HMGET', KEYS[1], 'version', 'fence')
local version = e[1] and tonumber(e[1])
if ARGV[2] == '' then
  if version then return 0 end
elseif version ~= tonumber(ARGV[2]) then
  return 0
end
local recorded = e[2] and tonumber(e[2])
if ARGV[3] ~= '' and recorded and tonumber(ARGV[3]) < recorded then return 0 end
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', (version or 0) + 1)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'fence', ARGV[3]) end
return 1
`);

/** Options of {@link RedisCheckpointStore}. */
export type RedisCheckpointStoreOptions = RedisStoreOptions;

/**
 * Checkpoints in Redis (a hash per checkpoint, `m365d:checkpoint:{<name>}`), for feeds whose
 * workers run in several processes or on several machines. A write is a compare-and-set on the
 * version and refuses a fence lower than the one recorded, in one Lua script. Checkpoints never
 * expire: keep Redis persistent (AOF or RDB) if a lost checkpoint matters, since a feed without one
 * starts again from its `start`.
 *
 * It never falls back: when Redis cannot be reached (not connected, or no answer within
 * `commandTimeoutMs`) `get` and `set` throw {@link CheckpointUnavailableError}, and a
 * checkpoint is never reported written unless Redis said so.
 */
export class RedisCheckpointStore implements CheckpointStore {
  readonly #redis: RedisConnection;

  /**
   * @param client - a connected client of `redis` or `ioredis` (the store never connects or closes it).
   * @throws InvalidArgumentError when `client` is neither, or an option is wrong.
   */
  constructor(client: RedisClientLike, options?: RedisCheckpointStoreOptions) {
    this.#redis = new RedisConnection('RedisCheckpointStore', client, options);
  }

  /**
   * The checkpoint named `key`, or `undefined` when there is none.
   * @throws CheckpointUnavailableError when Redis cannot be reached; CheckpointError when the key holds something this store did not write.
   */
  async get(key: string): Promise<CheckpointEntry | undefined> {
    checkCheckpointKey(key);
    const answer = await this.#run(key, 'read', GET, []);
    if (answer === null || answer === undefined) return undefined;
    const [value, version, fence] = answer as unknown[];
    const entry: CheckpointEntry = { value: String(value), version: Number(version) };
    if (typeof value !== 'string' || !Number.isSafeInteger(entry.version) || entry.version < 1) {
      throw new CheckpointError(`checkpoint "${key}" in Redis is not one this store wrote (no value or no positive version); it was left as it is.`, { key });
    }
    if (fence !== null && fence !== false && fence !== undefined) entry.fence = Number(fence);
    return entry;
  }

  /**
   * Writes `value` if the checkpoint is still at `expectedVersion` (`undefined`: none yet) and
   * `options.fence` is not lower than the fence recorded; resolves `false` otherwise.
   * @throws CheckpointUnavailableError when Redis cannot be reached: the write is not reported done.
   */
  async set(key: string, value: string, expectedVersion: number | undefined, options?: CheckpointWriteOptions): Promise<boolean> {
    checkCheckpointWrite(key, value, expectedVersion, options);
    const args = [value, expectedVersion === undefined ? '' : String(expectedVersion), options?.fence === undefined ? '' : String(options.fence)];
    return Number(await this.#run(key, 'write', SET, args)) === 1;
  }

  #run(key: string, what: 'read' | 'write', s: Script, args: string[]): Promise<unknown> {
    return this.#redis.runFor(s, [this.#redis.key('checkpoint', key)], args, `${what} checkpoint "${key}"`, (message, kind) =>
      kind === 'unavailable' ? new CheckpointUnavailableError(message, { key }) : new CheckpointError(message, { key }),
    );
  }
}
