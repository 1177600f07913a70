/**
 * Where the pacer keeps the state a quota's users share: a {@link QuotaStore}, and the one that
 * lives in memory. A store counts sends per key in sliding windows and keeps a 429's hold; the
 * order of waiting calls stays in each process (it is the pacer's).
 *
 * @packageDocumentation
 */
import type { QuotaKind } from '../errors.js';

/** At most `limit` calls in any `intervalMs` milliseconds (a sliding window, as the service counts). */
export interface RateLimitWindow {
  /** How many calls the window allows. */
  limit: number;
  /** The window's length, in milliseconds (60,000 for "per minute"). */
  intervalMs: number;
}

/** What {@link QuotaStore.take} is asked. */
export interface QuotaTakeRequest {
  /** The windows of the call's family: every one must have room. */
  windows: readonly RateLimitWindow[];
  /**
   * The windows of calls queued before this one in the asking process, first first. When there
   * are any, nothing is taken: the answer is how long until this call could go after them.
   */
  ahead?: readonly (readonly RateLimitWindow[])[];
}

/** A 429's hold on a key, as {@link QuotaStore.getHold} reads it. */
export interface QuotaHold {
  /** How long the hold still lasts, in milliseconds (more than 0). */
  remainingMs: number;
  /** What the service said was spent: `'calls'`, `'cpu'` or `'unknown'`. */
  quota: QuotaKind;
}

/**
 * The pacer's shared state: sends counted per key in sliding windows, and 429 holds. Every
 * client given the same store paces against the same counts and sees the same holds. A key names
 * one quota family of one API (and the tenant and app when the client knows them).
 *
 * Methods may answer at once or with a promise: a store in memory answers at once (pacing adds no
 * latency), a shared store (Redis, in `m365-defender/redis`) with a promise. The SDK ships
 * {@link MemoryQuotaStore}. An answer of the wrong shape (a `take` that is not a finite number of
 * 0 or more, a `hold` that is not a boolean) counts as a failure of the store: the pacer paces in
 * memory, as when the store throws.
 */
export interface QuotaStore {
  /**
   * Atomically, across every window: when nothing is `ahead`, no hold is in force and every
   * window has room, records a send now and answers 0. Otherwise records nothing and answers how
   * long, in milliseconds, until the call could go (the hold and the calls ahead included).
   */
  take(key: string, request: QuotaTakeRequest): number | Promise<number>;
  /**
   * Holds `key` for `holdMs` milliseconds from now, unless a hold already lasts longer. Answers
   * `true` when the hold was extended, `false` when the one in force already covered it.
   */
  hold(key: string, holdMs: number, quota: QuotaKind): boolean | Promise<boolean>;
  /** The hold in force on `key`, or `undefined` when there is none. */
  getHold(key: string): QuotaHold | undefined | Promise<QuotaHold | undefined>;
}

/** One key's counts: send times, ascending, and the hold. */
interface Entry {
  log: number[];
  longestIntervalMs: number;
  holdUntil: number;
  holdQuota: QuotaKind;
}

/**
 * Keeps quota counts and holds in this process's memory, answering at once. A client with no
 * `rateLimit.store` uses one such store per tenant and app (per credential object for a
 * `TokenCredential`), shared by every client of the process; `new MemoryQuotaStore()` gives
 * clients a store of their own, as a test suite wants (a 429 in one test then holds no other).
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly #entries = new Map<string, Entry>();

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (!entry) this.#entries.set(key, (entry = { log: [], longestIntervalMs: 0, holdUntil: 0, holdQuota: 'calls' }));
    return entry;
  }

  /** {@inheritDoc QuotaStore.take} */
  take(key: string, request: QuotaTakeRequest): number {
    const entry = this.#entry(key);
    const now = Date.now();
    const ahead: number[] = [];
    for (const windows of request.ahead ?? []) ahead.push(earliestStart(entry, windows, now, ahead));
    const start = earliestStart(entry, request.windows, now, ahead);
    if (start > now || ahead.length > 0) return start - now;
    for (const w of request.windows) entry.longestIntervalMs = Math.max(entry.longestIntervalMs, w.intervalMs);
    entry.log.push(now);
    const keepFrom = firstAfter(entry.log, now - entry.longestIntervalMs);
    if (keepFrom > 0) entry.log.splice(0, keepFrom);
    return 0;
  }

  /** {@inheritDoc QuotaStore.hold} */
  hold(key: string, holdMs: number, quota: QuotaKind): boolean {
    const entry = this.#entry(key);
    const until = Date.now() + holdMs;
    if (until <= entry.holdUntil) return false;
    entry.holdUntil = until;
    entry.holdQuota = quota;
    return true;
  }

  /** {@inheritDoc QuotaStore.getHold} */
  getHold(key: string): QuotaHold | undefined {
    const entry = this.#entries.get(key);
    const remainingMs = (entry?.holdUntil ?? 0) - Date.now();
    return entry && remainingMs > 0 ? { remainingMs, quota: entry.holdQuota } : undefined;
  }
}

/** When a call with `windows` could start, after everything in the log plus `ahead` (ascending). */
function earliestStart(entry: Entry, windows: readonly RateLimitWindow[], from: number, ahead: readonly number[]): number {
  const times = ahead.length === 0 ? entry.log : [...entry.log, ...ahead];
  let start = Math.max(from, entry.holdUntil, times.at(-1) ?? 0);
  for (let moved = true; moved; ) {
    moved = false;
    for (const { limit, intervalMs } of windows) {
      // Calls in (start - intervalMs, start]; a slot frees when the oldest of the last `limit` leaves it.
      const inWindow = times.length - firstAfter(times, start - intervalMs);
      if (inWindow >= limit) {
        const frees = times[times.length - limit]! + intervalMs;
        if (frees > start) {
          start = frees;
          moved = true;
        }
      }
    }
  }
  return start;
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
