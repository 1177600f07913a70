/**
 * The one place that talks to the user's Redis client: it tells a `redis` (node-redis) client
 * from an `ioredis` one by their shapes, runs a Lua script by EVALSHA (EVAL when the server does
 * not know it yet), bounds every call by a timeout, and turns every failure into a message with no
 * credential in it. Neither package is imported: the user brings a connected client.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { checkOptionsObject, describe } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * A connected client of `redis` (node-redis, v5 or v6: `createClient()`, `createCluster()`) or of
 * `ioredis` (v5 or v6: `new Redis()`, `new Cluster()`). Typed by shape, so that neither package is
 * needed to compile against `m365-defender/redis`.
 */
export type RedisClientLike = NodeRedisLike | IoRedisLike;

/** What the stores use of a node-redis client or cluster. */
export interface NodeRedisLike {
  /** `true` while the connection is up. */
  readonly isReady: boolean;
  /** Runs a script the server knows by its SHA1. */
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Runs a script. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** What the stores use of an ioredis client or cluster. */
export interface IoRedisLike {
  /** `'ready'` while the connection is up. */
  readonly status: string;
  /** Runs a script the server knows by its SHA1. */
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** Runs a script. */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** Options every Redis store takes. */
export interface RedisStoreOptions {
  /**
   * Put before every key the store writes, so that several applications (or environments) can
   * share one Redis. Default `'m365d:'`. At most 128 characters, no control character.
   */
  keyPrefix?: string;
  /**
   * The longest a Redis command may take, in milliseconds, before the store gives up on it: an
   * unreachable Redis is then an error, never a call that hangs. Default 5,000; from 1 to 600,000.
   */
  commandTimeoutMs?: number;
}

/** A Lua script and its SHA1, as EVALSHA names it. */
export interface Script {
  /** The Lua source. */
  readonly source: string;
  /** Its SHA1 in hex. */
  readonly sha1: string;
}

/** Makes a {@link Script} of Lua source. */
export function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Why a command failed: Redis answered with an error (`reply`), or it could not be reached. */
export class RedisCommandError extends Error {
  override name = 'RedisCommandError';
  constructor(
    message: string,
    /** `reply`: the server refused the command; `unavailable`: not connected, dropped or timed out. */
    readonly kind: 'reply' | 'unavailable',
  ) {
    super(message);
  }
}

const DEFAULT_PREFIX = 'm365d:';
const DEFAULT_TIMEOUT_MS = 5_000;

/** The checked options and the adapted client of one store. */
export class RedisConnection {
  readonly #run: (script: Script, keys: string[], args: string[]) => Promise<unknown>;
  readonly #ready: () => boolean;
  /** The prefix of every key. */
  readonly keyPrefix: string;
  /** The bound of every command, in milliseconds. */
  readonly commandTimeoutMs: number;
  /** Which library the client comes from. */
  readonly library: 'redis' | 'ioredis';

  /**
   * @param store - the store's class name, for messages (e.g. `RedisLease`).
   * @throws InvalidArgumentError when `client` is neither library's client, or an option is wrong.
   */
  constructor(store: string, client: unknown, options: unknown, extraOptions: readonly string[] = []) {
    const checked = checkOptionsObject(options, ['keyPrefix', 'commandTimeoutMs', ...extraOptions], store);
    this.keyPrefix = checkPrefix(checked.keyPrefix);
    this.commandTimeoutMs = checkTimeout(checked.commandTimeoutMs);
    const c = client as Record<string, unknown> | null;
    if (typeof c === 'object' && c !== null && typeof c.evalSha === 'function' && typeof c.eval === 'function' && 'isReady' in c) {
      const nodeRedis = client as NodeRedisLike;
      this.library = 'redis';
      this.#ready = () => nodeRedis.isReady;
      this.#run = async (s, keys, args) => {
        try {
          return await nodeRedis.evalSha(s.sha1, { keys, arguments: args });
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return await nodeRedis.eval(s.source, { keys, arguments: args });
        }
      };
    } else if (typeof c === 'object' && c !== null && typeof c.evalsha === 'function' && typeof c.eval === 'function' && typeof c.status === 'string') {
      const ioredis = client as IoRedisLike;
      this.library = 'ioredis';
      this.#ready = () => ioredis.status === 'ready';
      this.#run = async (s, keys, args) => {
        try {
          return await ioredis.evalsha(s.sha1, keys.length, ...keys, ...args);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return await ioredis.eval(s.source, keys.length, ...keys, ...args);
        }
      };
    } else {
      throw new InvalidArgumentError(
        'client',
        `${store} needs a connected client of the redis package (createClient() or createCluster(), v5 or v6) or of ioredis (new Redis() or new Cluster(), v5 or v6); got ${describe(client)}.`,
      );
    }
  }

  /**
   * The key of `name` in a store of `kind` (`checkpoint`, `lease`, `quota`), after the prefix; its
   * hash tag is the name, so Redis Cluster keeps the keys of one name on one node.
   */
  key(kind: string, name: string): string {
    return `${this.keyPrefix}${kind}:{${name}}`;
  }

  /**
   * {@link RedisConnection.run}, a failure thrown as the store's own error: `fail` gets the message
   * `could not <doing> in Redis: <why>.` and whether Redis refused or could not be reached.
   */
  async runFor(s: Script, keys: string[], args: string[], doing: string, fail: (message: string, kind: RedisCommandError['kind']) => Error): Promise<unknown> {
    try {
      return await this.run(s, keys, args);
    } catch (error) {
      if (!(error instanceof RedisCommandError)) throw error;
      throw fail(`could not ${doing} in Redis: ${error.message}.`, error.kind);
    }
  }

  /**
   * Runs `s` with `keys` and `args`.
   * @throws RedisCommandError: `unavailable` when the client is not connected (nothing is sent: a
   *   client's offline queue would otherwise send it whenever Redis comes back), when the
   *   connection fails or the answer takes longer than `commandTimeoutMs`; `reply` when Redis
   *   answered with an error. The message never holds the client's URL or password.
   */
  async run(s: Script, keys: string[], args: string[]): Promise<unknown> {
    if (!this.#ready()) throw new RedisCommandError('the Redis client is not connected', 'unavailable');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisCommandError(`Redis did not answer within commandTimeoutMs (${this.commandTimeoutMs} ms)`, 'unavailable')),
        this.commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([this.#run(s, keys, args), timeout]);
    } catch (error) {
      if (error instanceof RedisCommandError) throw error;
      throw new RedisCommandError(`Redis failed: ${redact(error)}`, isReply(error) ? 'reply' : 'unavailable');
    } finally {
      clearTimeout(timer);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** An error reply of the server (node-redis `ErrorReply`, ioredis `ReplyError`), not a connection failure. */
function isReply(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  for (let proto: unknown = Object.getPrototypeOf(error); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name === 'ErrorReply' || name === 'ReplyError') return true;
  }
  return false;
}

/**
 * The first line of an error's message, cut to 200 characters, with any `user:password@` of a URL
 * removed. Only the message is kept: an ioredis error carries the command's arguments (a lease
 * token, a checkpoint) and is never attached as a cause.
 */
export function redact(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').replace(/\/\/[^/@\s]*@/g, '//').slice(0, 200);
}

function checkPrefix(value: unknown): string {
  if (value === undefined) return DEFAULT_PREFIX;
  if (typeof value !== 'string' || value.length > 128 || /\p{Cc}/u.test(value)) {
    throw new InvalidArgumentError('keyPrefix', `keyPrefix must be a string of at most 128 characters with no control character; got ${describe(value)}.`);
  }
  return value;
}

function checkTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 600_000) {
    throw new InvalidArgumentError('commandTimeoutMs', `commandTimeoutMs must be an integer from 1 to 600,000, in milliseconds; got ${describe(value)}.`);
  }
  return value;
}
