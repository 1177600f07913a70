/**
 * What keeps pacing going when a shared quota store (Redis) fails or hangs: each call to the
 * store is bounded, and a failure (an error, no answer in time, or an answer of the wrong shape)
 * switches the store's users in this process to a local memory store (one warning), trying the
 * shared store again at most once per interval.
 *
 * @packageDocumentation
 */
import type { QuotaKind } from '../errors.js';
import { MemoryQuotaStore, type QuotaHold, type QuotaStore, type QuotaTakeRequest } from '../stores/quota.js';
import type { Logger } from '../types.js';

/** How one client uses the failover: its bounds and its logger. */
export interface FailoverSettings {
  /** The longest a store call may take before the local store answers instead, in milliseconds. */
  timeoutMs: number;
  /** After a failure, how long before the shared store is tried again, in milliseconds. */
  retryMs: number;
  /** Where the switch to the local store (warn) and back (info) are told. */
  logger?: Logger | undefined;
}

type Answer<T> = T | Promise<T>;

function isThenable<T>(value: Answer<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * A store and its local stand-in, shared by every client of this process that uses the store.
 * Never rejects and never waits longer than `timeoutMs` for the store: pacing must not stop calls.
 */
export class QuotaFailover {
  /** Counts and holds while the store is down; holds are written here too, for a switch. */
  readonly local = new MemoryQuotaStore();
  #down = false;
  #retryAt = 0;
  #probing = false;

  constructor(readonly store: QuotaStore) {}

  /** `true` while the store is failing and the local store answers. */
  get fallingBack(): boolean {
    return this.#down;
  }

  /** {@link QuotaStore.take}, by the store, or locally while it fails. */
  take(key: string, request: QuotaTakeRequest, settings: FailoverSettings): Answer<number> {
    return this.#call(settings, 'take', () => this.store.take(key, request), isWait, () => this.local.take(key, request));
  }

  /** {@link QuotaStore.hold}, by the store and locally. */
  hold(key: string, holdMs: number, quota: QuotaKind, settings: FailoverSettings): Answer<boolean> {
    const local = this.local.hold(key, holdMs, quota);
    return this.#call(settings, 'hold', () => this.store.hold(key, holdMs, quota), isBoolean, () => local);
  }

  /** {@link QuotaStore.getHold}, by the store, or locally while it fails. */
  getHold(key: string, settings: FailoverSettings): Answer<QuotaHold | undefined> {
    return this.#call(settings, 'getHold', () => this.store.getHold(key), isHoldOrNone, () => this.local.getHold(key));
  }

  /**
   * Asks the store, and the local store instead when it throws, rejects, hangs or answers
   * something of the wrong shape (a wait that is not a number would spin the pacer).
   */
  #call<T>(settings: FailoverSettings, method: StoreMethod, shared: () => Answer<T>, valid: (value: unknown) => value is T, local: () => T): Answer<T> {
    if (this.#down && (this.#probing || Date.now() < this.#retryAt)) return local();
    let answer: Answer<T>;
    try {
      answer = shared();
    } catch (error) {
      this.#failed(settings, error);
      return local();
    }
    const wrongShape = (value: unknown) => new Error(`${method} answered ${shapeOf(value)}, not ${EXPECTED[method]}`);
    const checked = (value: unknown): T => {
      if (!valid(value)) throw wrongShape(value);
      return value;
    };
    // a store in memory answers at once: no promise, so pacing adds no turn of the event loop
    if (!isThenable(answer)) {
      if (!valid(answer)) {
        this.#failed(settings, wrongShape(answer));
        return local();
      }
      this.#answered(settings);
      return answer;
    }
    if (this.#down) this.#probing = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within rateLimit.storeTimeoutMs (${settings.timeoutMs} ms)`)), settings.timeoutMs);
    });
    return Promise.race([Promise.resolve(answer).then(checked), timeout]).then(
      (value) => {
        clearTimeout(timer);
        this.#probing = false;
        this.#answered(settings);
        return value;
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.#probing = false;
        this.#failed(settings, error);
        return local();
      },
    );
  }

  #failed(settings: FailoverSettings, error: unknown): void {
    this.#retryAt = Date.now() + settings.retryMs;
    if (this.#down) return;
    this.#down = true;
    settings.logger?.warn?.(
      `rateLimit.store failed (${reason(error)}): pacing with this process's memory alone until it answers again (tried every ${settings.retryMs} ms); calls of other processes sharing the store are not counted meanwhile.`,
    );
  }

  #answered(settings: FailoverSettings): void {
    if (!this.#down) return;
    this.#down = false;
    settings.logger?.info?.('rateLimit.store answers again: pacing with it again.');
  }
}

const QUOTA_KINDS: readonly unknown[] = ['calls', 'cpu', 'unknown'] satisfies readonly QuotaKind[];

type StoreMethod = keyof QuotaStore;

/** What each store method must answer, for the warning. */
const EXPECTED: Record<StoreMethod, string> = {
  take: 'a wait in milliseconds (a finite number, 0 or more)',
  hold: 'true or false',
  getHold: 'undefined or { remainingMs, quota }',
};

function isWait(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

function isHoldOrNone(value: unknown): value is QuotaHold | undefined {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  const { remainingMs, quota } = value as Record<string, unknown>;
  return typeof remainingMs === 'number' && Number.isFinite(remainingMs) && remainingMs > 0 && QUOTA_KINDS.includes(quota);
}

/** The kind of a store's wrong answer, never its content (a string could be anything, and long). */
function shapeOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : !Number.isFinite(value) ? 'an infinite number' : value < 0 ? 'a negative number' : 'a number';
  if (typeof value === 'object') return 'an object of another shape';
  return `a ${typeof value}`;
}

/** A failure's first line, without any `user:password@` of a URL in it, cut to 200 characters. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').replace(/\/\/[^/@\s]*@/g, '//').slice(0, 200);
}
