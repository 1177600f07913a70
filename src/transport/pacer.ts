/**
 * Client-side quota pacing: calls wait for a slot of their quota family instead of being sent
 * into a 429. Separate from retry (as octokit separates throttling from retry): the transport asks
 * the pacer for a slot before each attempt and tells it about every 429 that still arrives.
 * @packageDocumentation
 */
import { describe, rejectUnknownOptions } from '../checks.js';
import { InvalidArgumentError, RateLimitError, type QuotaKind } from '../errors.js';
import type { Logger } from '../types.js';

/**
 * A quota family: `incidents` (list and update), `incidents.get`, `hunting` (advanced hunting),
 * `alerts`. Both wire APIs use the same names; the API is part of every bucket's key, so
 * `hunting` on Graph and `hunting` on the Defender API are paced apart.
 */
export type QuotaFamily = 'incidents' | 'incidents.get' | 'alerts' | 'hunting';

/** At most `limit` calls in any `intervalMs` milliseconds (a sliding window, as the service counts). */
export interface RateLimitWindow {
  /** How many calls the window allows. */
  limit: number;
  /** The window's length, in milliseconds (60,000 for "per minute"). */
  intervalMs: number;
}

/** What {@link RateLimitOptions.onRateLimit} is told when a call is about to wait for a slot. */
export interface RateLimitInfo {
  /** The quota family the call counts against, e.g. `incidents.get`. */
  family: QuotaFamily;
  /** The wire API: `'defender'` or `'graph'`. */
  api: string;
  /** The SDK operation, e.g. `incidents.get`. */
  operation: string;
  /** How long the call will wait, in milliseconds. */
  waitMs: number;
  /** Which attempt of the call is waiting: 1 for the first send, 2 for the first retry, … */
  attempt: number;
}

/** The `rateLimit` option of `DefenderClient`: client-side pacing of the documented quotas. */
export interface RateLimitOptions {
  /**
   * Windows per family that replace the defaults (the documented quotas: hunting 45/min,
   * incidents 50/min and 1,500/h, `incidents.get` and alerts 100/min and 1,500/h); every window of
   * a family must have room for a call to go. An empty array turns pacing off for that family
   * (429 feedback still holds it).
   */
  limits?: Partial<Record<QuotaFamily, readonly RateLimitWindow[]>>;
  /**
   * Called when a call is about to wait for a slot (or for a `Retry-After` to pass). Return
   * `false` to cancel the wait: the call then fails at once with `RateLimitError`.
   */
  onRateLimit?: (info: RateLimitInfo) => boolean | void;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * The documented quotas (reference §3.2, §4.1), per tenant and app. The Graph security API
 * publishes no numbers for incidents, alerts_v2 or runHuntingQuery (§5.8), so Graph families are
 * paced with the same numbers as the Defender API's.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<QuotaFamily, readonly RateLimitWindow[]>> = {
  incidents: [
    { limit: 50, intervalMs: MINUTE },
    { limit: 1500, intervalMs: HOUR },
  ],
  'incidents.get': [
    { limit: 100, intervalMs: MINUTE },
    { limit: 1500, intervalMs: HOUR },
  ],
  hunting: [{ limit: 45, intervalMs: MINUTE }],
  // MDE list alerts: 100/min and 1,500/hour (§4.1); nothing published for Graph alerts_v2.
  alerts: [
    { limit: 100, intervalMs: MINUTE },
    { limit: 1500, intervalMs: HOUR },
  ],
};

/**
 * The longest a 429 may hold each family: the longest documented window of its quotas (the
 * hourly call quotas; hunting's CPU quota, reset every 15 minutes). A longer `Retry-After` is
 * not believed: one absurd answer would otherwise stop every client of the app until a restart.
 */
const MAX_HOLD_MS: Readonly<Record<QuotaFamily, number>> = {
  incidents: HOUR,
  'incidents.get': HOUR,
  hunting: 15 * MINUTE,
  alerts: HOUR,
};

/** Error code of a `RateLimitError` raised by the pacer: the call was never sent. */
export const CLIENT_RATE_LIMIT_CODE = 'ClientRateLimited';

/** Every quota family, in the order of {@link DEFAULT_RATE_LIMITS}. */
export const QUOTA_FAMILIES = Object.keys(DEFAULT_RATE_LIMITS) as readonly QuotaFamily[];

const RATE_LIMIT_KEYS = ['limits', 'onRateLimit'];

/**
 * Checks the `rateLimit` option of `DefenderClient`.
 * @returns `false` when pacing is off, else the options with every family's windows resolved.
 * @throws InvalidArgumentError naming the offending option, e.g. `rateLimit.limits.hunting`.
 */
export function resolveRateLimitOptions(value: unknown): false | ResolvedRateLimit {
  if (value === false) return false;
  if (value === undefined) return { limits: { ...DEFAULT_RATE_LIMITS } };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      'rateLimit',
      `rateLimit must be false (no pacing) or an object { limits?, onRateLimit? }; got ${describe(value)}.`,
    );
  }
  const raw = value as Record<string, unknown>;
  rejectUnknownOptions(raw, RATE_LIMIT_KEYS, { what: 'rateLimit', prefix: 'rateLimit.' });
  const onRateLimit = raw.onRateLimit;
  if (onRateLimit !== undefined && typeof onRateLimit !== 'function') {
    throw new InvalidArgumentError('rateLimit.onRateLimit', `rateLimit.onRateLimit must be a function; got ${describe(onRateLimit)}.`);
  }
  const limits: Record<QuotaFamily, readonly RateLimitWindow[]> = { ...DEFAULT_RATE_LIMITS };
  if (raw.limits !== undefined) {
    if (typeof raw.limits !== 'object' || raw.limits === null || Array.isArray(raw.limits)) {
      throw new InvalidArgumentError('rateLimit.limits', `rateLimit.limits must be an object keyed by family; got ${describe(raw.limits)}.`);
    }
    for (const [family, windows] of Object.entries(raw.limits)) {
      if (!(QUOTA_FAMILIES as readonly string[]).includes(family)) {
        throw new InvalidArgumentError(
          `rateLimit.limits.${family}`,
          `rateLimit.limits has no family "${family}"; the families are ${QUOTA_FAMILIES.join(', ')}.`,
        );
      }
      limits[family as QuotaFamily] = checkWindows(`rateLimit.limits.${family}`, windows);
    }
  }
  return onRateLimit === undefined
    ? { limits }
    : { limits, onRateLimit: onRateLimit as (info: RateLimitInfo) => boolean | void };
}

function checkWindows(option: string, value: unknown): readonly RateLimitWindow[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(option, `${option} must be an array of { limit, intervalMs }; got ${describe(value)}.`);
  }
  return value.map((window: unknown, index) => {
    const name = `${option}[${index}]`;
    if (typeof window !== 'object' || window === null) {
      throw new InvalidArgumentError(name, `${name} must be { limit, intervalMs }; got ${describe(window)}.`);
    }
    const { limit, intervalMs, ...rest } = window as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) {
      throw new InvalidArgumentError(`${name}.${extra}`, `${name} has no field "${extra}"; a window is { limit, intervalMs }.`);
    }
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1_000_000) {
      throw new InvalidArgumentError(`${name}.limit`, `${name}.limit must be an integer from 1 to 1,000,000; got ${describe(limit)}.`);
    }
    if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > 86_400_000) {
      throw new InvalidArgumentError(
        `${name}.intervalMs`,
        `${name}.intervalMs must be an integer from 1 to 86,400,000 (one day); got ${describe(intervalMs)}.`,
      );
    }
    return { limit, intervalMs };
  });
}

/** The `rateLimit` option once checked. */
export interface ResolvedRateLimit {
  /** The windows in force for every family: the user's where given, else {@link DEFAULT_RATE_LIMITS}. */
  limits: Readonly<Record<QuotaFamily, readonly RateLimitWindow[]>>;
  /** The user's {@link RateLimitOptions.onRateLimit}, if any. */
  onRateLimit?: (info: RateLimitInfo) => boolean | void;
}

interface Waiter {
  windows: readonly RateLimitWindow[];
  /** Latest start the call's budget allows (epoch ms). */
  deadline: number;
  grant(): void;
  fail(error: unknown): void;
  makeError(waitMs: number): RateLimitError;
}

/** One quota family of one tenant+app on one API: a log of send times, a hold, a FIFO of waiters. */
class Bucket {
  /** Send times, ascending, pruned to the longest window seen. */
  log: number[] = [];
  holdUntil = 0;
  holdQuota: QuotaKind = 'calls';
  queue: Waiter[] = [];
  longestIntervalMs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** When a call with `windows` could start, after everything in `log` plus `ahead` (ascending). */
  earliestStart(windows: readonly RateLimitWindow[], from: number, ahead: readonly number[] = []): number {
    const times = ahead.length === 0 ? this.log : [...this.log, ...ahead];
    let start = Math.max(from, this.holdUntil, times.at(-1) ?? 0);
    for (let moved = true; moved; ) {
      moved = false;
      for (const { limit, intervalMs } of windows) {
        const span = guardedSpan(intervalMs);
        // Calls in (start - span, start]; a slot frees when the oldest of the last `limit` leaves it.
        const first = firstAfter(times, start - span);
        const inWindow = times.length - first;
        if (inWindow >= limit) {
          const frees = times[times.length - limit]! + span;
          if (frees > start) {
            start = frees;
            moved = true;
          }
        }
      }
    }
    return start;
  }

  /** When the next waiter (after every one queued) could start. */
  estimate(windows: readonly RateLimitWindow[], now: number): number {
    const ahead: number[] = [];
    for (const waiter of this.queue) ahead.push(this.earliestStart(waiter.windows, now, ahead));
    return this.earliestStart(windows, now, ahead);
  }

  record(now: number, windows: readonly RateLimitWindow[]): void {
    for (const w of windows) this.longestIntervalMs = Math.max(this.longestIntervalMs, w.intervalMs);
    this.log.push(now);
    const keepFrom = firstAfter(this.log, now - this.longestIntervalMs);
    if (keepFrom > 0) this.log.splice(0, keepFrom);
  }

  /** Grants slots to the head of the queue while there is room; else waits for the next free slot. */
  drain(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const now = Date.now();
      const start = this.earliestStart(head.windows, now);
      if (start > now) {
        this.#timer = setTimeout(() => this.drain(), start - now);
        return;
      }
      this.queue.shift();
      this.record(now, head.windows);
      head.grant();
    }
  }

  /** After a hold grew: fails at once every waiter whose budget no longer covers its wait. */
  recheck(): void {
    const now = Date.now();
    const ahead: number[] = [];
    for (const waiter of [...this.queue]) {
      const start = this.earliestStart(waiter.windows, now, ahead);
      if (start > waiter.deadline) {
        this.queue.splice(this.queue.indexOf(waiter), 1);
        waiter.fail(waiter.makeError(start - now));
      } else {
        ahead.push(start);
      }
    }
    this.drain();
  }

  remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index >= 0) this.queue.splice(index, 1);
    this.drain();
  }
}

/**
 * The window the pacer keeps, a little longer than the service's: the pacer counts a call when it
 * sends it, the service when it arrives, so a call sent exactly one window after another can
 * arrive "early" by the difference in their latencies and be refused. One percent of the window
 * (600 ms of a minute) absorbs that, at one percent of the throughput.
 */
function guardedSpan(intervalMs: number): number {
  return intervalMs + Math.ceil(intervalMs * 0.01);
}

/** Index of the first element of ascending `times` greater than `value`. */
function firstAfter(times: readonly number[], value: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Buckets per credential identity, shared by every client of the process that uses the same
 * credential: keyed by the credential object, or by tenant and app for a `{tenantId, clientId, …}`
 * configuration (the service counts per tenant and app). Inner key: `api family`.
 */
const bucketsByObject = new WeakMap<object, Map<string, Bucket>>();
const bucketsByApp = new Map<string, Map<string, Bucket>>();

function bucketsFor(credential: unknown): Map<string, Bucket> {
  if (typeof credential === 'object' && credential !== null) {
    const { tenantId, clientId, getToken } = credential as Record<string, unknown>;
    if (typeof getToken !== 'function' && typeof tenantId === 'string' && typeof clientId === 'string') {
      const key = `${tenantId.toLowerCase()}/${clientId.toLowerCase()}`;
      let map = bucketsByApp.get(key);
      if (!map) bucketsByApp.set(key, (map = new Map()));
      return map;
    }
    let map = bucketsByObject.get(credential);
    if (!map) bucketsByObject.set(credential, (map = new Map()));
    return map;
  }
  return new Map();
}

/** What the transport passes to {@link Pacer.acquire}. */
export interface AcquireOptions {
  /** The quota family the call counts against. */
  family: QuotaFamily;
  /** The SDK operation, for messages. */
  operation: string;
  /** 1 for the first send, 2 for the first retry, … */
  attempt: number;
  /** The most the call may still wait, in milliseconds; a longer wait fails at once. */
  budgetMs: number;
  /** The caller's signal: an abort ends the wait with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Settings of a {@link Pacer}. */
export interface PacerSettings {
  /** The credential the user passed: clients sharing it share buckets. */
  credential: unknown;
  /** The wire API, part of every bucket's key. */
  api: string;
  /** The checked `rateLimit` option of the client. */
  rateLimit: ResolvedRateLimit;
  /** Where waits (debug), refused waits (warn) and 429 holds (debug) are logged, if anywhere. */
  logger?: Logger | undefined;
}

/**
 * One client's view of the process-wide quota buckets of its credential and API. The transport
 * calls {@link Pacer.acquire} before each attempt and {@link Pacer.hold} on each 429.
 */
export class Pacer {
  readonly #buckets: Map<string, Bucket>;
  readonly #settings: PacerSettings;

  constructor(settings: PacerSettings) {
    this.#settings = settings;
    this.#buckets = bucketsFor(settings.credential);
  }

  #bucket(family: QuotaFamily): Bucket {
    const key = `${this.#settings.api} ${family}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new Bucket()));
    return bucket;
  }

  /**
   * Waits for a slot of the call's family and takes it.
   * @returns how long the call waited, in milliseconds.
   * @throws RateLimitError, before waiting, when the wait would exceed `budgetMs` or `onRateLimit`
   *   returned `false`; the signal's reason when it aborts while waiting.
   */
  async acquire(options: AcquireOptions): Promise<number> {
    const { family, operation, attempt, budgetMs, signal } = options;
    const { api, rateLimit, logger } = this.#settings;
    signal?.throwIfAborted();
    const windows = rateLimit.limits[family] ?? [];
    const bucket = this.#bucket(family);
    const now = Date.now();
    const start = bucket.estimate(windows, now);
    if (start <= now && bucket.queue.length === 0) {
      bucket.record(now, windows);
      return 0;
    }
    const waitMs = start - now;
    const error = (message: string, wait: number) =>
      new RateLimitError(message, {
        status: 429,
        code: CLIENT_RATE_LIMIT_CODE,
        retryAfterMs: wait,
        operation,
        quota: bucket.holdUntil > Date.now() ? bucket.holdQuota : 'calls',
      });
    const tooLong = (wait: number) =>
      error(
        `${operation}: the ${api} "${family}" quota has no free slot for ${wait} ms, longer than the ${Math.max(0, Math.round(budgetMs))} ms left of maxRetryWaitMs; the call was not sent.`,
        wait,
      );
    if (waitMs > budgetMs) {
      logger?.warn?.(`${operation}: not sent: waiting ${waitMs} ms for the ${api} "${family}" quota would exceed maxRetryWaitMs.`);
      signal?.throwIfAborted();
      throw tooLong(waitMs);
    }
    // waitMs is 0 when calls queued ahead are about to go: no wait worth telling about
    if (waitMs > 0) {
      if (rateLimit.onRateLimit?.({ family, api, operation, waitMs, attempt }) === false) {
        throw error(`${operation}: onRateLimit cancelled a wait of ${waitMs} ms for the ${api} "${family}" quota; the call was not sent.`, waitMs);
      }
      logger?.debug?.(`${operation}: waiting ${waitMs} ms for a slot of the ${api} "${family}" quota (attempt ${attempt}).`);
    }
    // onRateLimit or the logger may have aborted: an aborted signal fires no more 'abort' events
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        bucket.remove(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        windows,
        deadline: now + budgetMs,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
        makeError: tooLong,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      bucket.queue.push(waiter);
      bucket.drain();
    });
    return Date.now() - now;
  }

  /**
   * A 429 arrived (another process shares the quota, or the limits are set too high): holds the
   * whole family until the wait the service asked for has passed (at most `MAX_HOLD_MS`),
   * so concurrent calls wait instead of each hitting the wall. Waiters whose budget no longer
   * covers it fail at once.
   */
  hold(family: QuotaFamily, waitMs: number, quota: QuotaKind): void {
    const { api, logger } = this.#settings;
    const bucket = this.#bucket(family);
    const heldMs = Math.min(waitMs, MAX_HOLD_MS[family]);
    if (heldMs < waitMs) {
      logger?.warn?.(
        `the service asked to hold the ${api} "${family}" quota for ${waitMs} ms after a 429; held for ${heldMs} ms, the longest documented window of that quota.`,
      );
    }
    const until = Date.now() + heldMs;
    if (until <= bucket.holdUntil) return;
    bucket.holdUntil = until;
    bucket.holdQuota = quota;
    logger?.debug?.(`the ${api} "${family}" quota is held for ${heldMs} ms after a 429.`);
    bucket.recheck();
  }
}
