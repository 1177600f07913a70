/**
 * Client-side quota pacing: calls wait for a slot of their quota family instead of being sent
 * into a 429. Separate from retry (as octokit separates throttling from retry): the transport asks
 * the pacer for a slot before each attempt and tells it about every 429 that still arrives.
 * @packageDocumentation
 */
import { describe, rejectUnknownOptions } from '../checks.js';
import { InvalidArgumentError, RateLimitError, type QuotaKind } from '../errors.js';
import { MemoryQuotaStore, type QuotaStore, type RateLimitWindow } from '../stores/quota.js';
import type { Logger } from '../types.js';
import { QuotaFailover, type FailoverSettings } from './quota-failover.js';

export type { RateLimitWindow };

/**
 * A quota family: `incidents` (list and update), `incidents.get`, `hunting` (advanced hunting),
 * `alerts`. Both wire APIs use the same names; the API is part of every bucket's key, so
 * `hunting` on Graph and `hunting` on the Defender API are paced apart.
 */
export type QuotaFamily = 'incidents' | 'incidents.get' | 'alerts' | 'hunting' | MdeQuotaFamily;

/**
 * The Defender for Endpoint API's families (`client.devices`, `client.deviceActions`,
 * `client.indicators`): `machines` (reads), `machineActions` (actions, their list, get and cancel),
 * `indicators`, `indicators.import` (30 a minute) and `packageUri` (the investigation package
 * link: 2 a minute, 120 an hour).
 */
export type MdeQuotaFamily = 'machines' | 'machineActions' | 'indicators' | 'indicators.import' | 'packageUri';

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
  /**
   * `true` when `rateLimit.store` failed or did not answer in time (a Redis that is down), so this
   * wait was counted in this process's memory alone: other processes sharing the store are not
   * counted until it answers again. `false` otherwise.
   */
  fallback: boolean;
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
  /**
   * Where the counts and 429 holds live. Omitted: one store in this process's memory per tenant
   * and app (per credential object for a `TokenCredential`), shared by every client of the
   * process. `new MemoryQuotaStore()` gives a client counts of its own; a store given to several
   * clients is shared by them. When the store fails or does not answer within `storeTimeoutMs`,
   * the client paces with its own memory (one warning, and `fallback: true` in `onRateLimit`)
   * and tries the store again every `storeRetryMs`: pacing never stops calls.
   */
  store?: QuotaStore;
  /** The longest a call to `store` may take before this process paces alone, in milliseconds. Default 1,000; from 1 to 600,000. */
  storeTimeoutMs?: number;
  /** After `store` failed, how long before it is tried again, in milliseconds. Default 5,000; from 1 to 600,000. */
  storeRetryMs?: number;
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
  // Defender for Endpoint: 100 calls a minute and 1,500 an hour per endpoint (mde-actions.md §1.4).
  machines: [
    { limit: 100, intervalMs: MINUTE },
    { limit: 1500, intervalMs: HOUR },
  ],
  machineActions: [
    { limit: 100, intervalMs: MINUTE },
    { limit: 1500, intervalMs: HOUR },
  ],
  indicators: [
    { limit: 100, intervalMs: MINUTE },
    { limit: 1500, intervalMs: HOUR },
  ],
  'indicators.import': [{ limit: 30, intervalMs: MINUTE }],
  packageUri: [
    { limit: 2, intervalMs: MINUTE },
    { limit: 120, intervalMs: HOUR },
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
  machines: HOUR,
  machineActions: HOUR,
  indicators: HOUR,
  'indicators.import': MINUTE,
  packageUri: HOUR,
};

/** Error code of a `RateLimitError` raised by the pacer: the call was never sent. */
export const CLIENT_RATE_LIMIT_CODE = 'ClientRateLimited';

/** Every quota family, in the order of {@link DEFAULT_RATE_LIMITS}. */
export const QUOTA_FAMILIES = Object.keys(DEFAULT_RATE_LIMITS) as readonly QuotaFamily[];

const RATE_LIMIT_KEYS = ['limits', 'onRateLimit', 'store', 'storeTimeoutMs', 'storeRetryMs'];
const DEFAULT_STORE_TIMEOUT_MS = 1_000;
const DEFAULT_STORE_RETRY_MS = 5_000;
const QUOTA_STORE_METHODS = ['take', 'hold', 'getHold'] as const;

/**
 * Checks the `rateLimit` option of `DefenderClient`.
 * @returns `false` when pacing is off, else the options with every family's windows resolved.
 * @throws InvalidArgumentError naming the offending option, e.g. `rateLimit.limits.hunting`.
 */
export function resolveRateLimitOptions(value: unknown): false | ResolvedRateLimit {
  if (value === false) return false;
  if (value === undefined) return { limits: { ...DEFAULT_RATE_LIMITS }, storeTimeoutMs: DEFAULT_STORE_TIMEOUT_MS, storeRetryMs: DEFAULT_STORE_RETRY_MS };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      'rateLimit',
      `rateLimit must be false (no pacing) or an object { limits?, onRateLimit?, store?, storeTimeoutMs?, storeRetryMs? }; got ${describe(value)}.`,
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
  const store = raw.store === undefined ? undefined : checkStore(raw.store);
  return {
    limits,
    storeTimeoutMs: checkStoreMs('storeTimeoutMs', raw.storeTimeoutMs, DEFAULT_STORE_TIMEOUT_MS),
    storeRetryMs: checkStoreMs('storeRetryMs', raw.storeRetryMs, DEFAULT_STORE_RETRY_MS),
    ...(onRateLimit === undefined ? {} : { onRateLimit: onRateLimit as (info: RateLimitInfo) => boolean | void }),
    ...(store === undefined ? {} : { store }),
  };
}

function checkStore(value: unknown): QuotaStore {
  const missing =
    typeof value === 'object' && value !== null
      ? QUOTA_STORE_METHODS.filter((name) => typeof (value as Record<string, unknown>)[name] !== 'function')
      : QUOTA_STORE_METHODS;
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      'rateLimit.store',
      `rateLimit.store must be a QuotaStore (an object with methods take, hold and getHold, such as new MemoryQuotaStore()); got ${describe(value)}${typeof value === 'object' && value !== null ? `, which has no ${missing.join(', ')}` : ''}.`,
    );
  }
  return value as QuotaStore;
}

function checkStoreMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 600_000) {
    throw new InvalidArgumentError(`rateLimit.${name}`, `rateLimit.${name} must be an integer from 1 to 600,000, in milliseconds; got ${describe(value)}.`);
  }
  return value;
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
  /** The user's {@link RateLimitOptions.store}, if any. */
  store?: QuotaStore;
  /** {@link RateLimitOptions.storeTimeoutMs}, or its default. */
  storeTimeoutMs: number;
  /** {@link RateLimitOptions.storeRetryMs}, or its default. */
  storeRetryMs: number;
}

interface Waiter {
  /** The family's windows as configured; the queue lengthens them by its margin when it asks. */
  windows: readonly RateLimitWindow[];
  /** The waiting client's bounds and logger, for the store calls made on its behalf. */
  settings: FailoverSettings;
  /** Latest start the call's budget allows (epoch ms). */
  deadline: number;
  grant(): void;
  /** Fails the call: its wait of `waitMs` is longer than its budget. */
  tooLong(waitMs: number): void;
  fail(error: unknown): void;
}

/**
 * The calls of this process waiting for one key of one store, first come first served: the store
 * counts the sends, the queue keeps the order (and lets an aborted call leave it).
 */
class Queue {
  readonly waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A store's answer is awaited: no second question until it comes. */
  #asking = false;
  /** How late this key's recent calls answered: the margin of every window asked for. */
  readonly lags = new Lags();

  constructor(
    readonly store: QuotaFailover,
    readonly key: string,
  ) {}

  /** Grants slots to the head of the queue while there is room; else waits for the next free slot. */
  drain(): void {
    if (this.#asking) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const head = this.waiters[0];
      if (!head) return;
      const answer = this.take(head.windows, [], head.settings);
      if (typeof answer === 'number') {
        if (!this.#answered(head, answer)) return;
        continue;
      }
      this.#asking = true;
      answer.then(
        (waitMs) => {
          this.#asking = false;
          if (this.#answered(head, waitMs)) this.drain();
        },
        (error: unknown) => {
          this.#asking = false;
          this.#leave(head);
          head.fail(error);
          this.drain();
        },
      );
      return;
    }
  }

  /** The store said `waitMs` to `head`: grants it (true: next), fails it, or waits (false). */
  #answered(head: Waiter, waitMs: number): boolean {
    if (waitMs <= 0) {
      // an aborted head's slot is spent all the same: the store has counted it
      this.#leave(head);
      head.grant();
      return true;
    }
    if (Date.now() + waitMs > head.deadline) {
      this.#leave(head);
      head.tooLong(waitMs);
      return true;
    }
    this.#timer = setTimeout(() => this.drain(), waitMs);
    return false;
  }

  /** After a hold grew: fails at once every waiter whose budget no longer covers its wait. */
  async recheck(settings: FailoverSettings): Promise<void> {
    this.drain();
    const ahead: (readonly RateLimitWindow[])[] = [];
    for (const waiter of [...this.waiters]) {
      if (ahead.length > 0) {
        const waitMs = await this.take(waiter.windows, ahead, settings);
        if (!this.waiters.includes(waiter)) continue;
        if (Date.now() + waitMs > waiter.deadline) {
          this.#leave(waiter);
          waiter.tooLong(waitMs);
          continue;
        }
      }
      ahead.push(waiter.windows);
    }
  }

  /** Asks the store for a slot with `windows` after `ahead`, every window lengthened by the margin in force now. */
  take(windows: readonly RateLimitWindow[], ahead: readonly (readonly RateLimitWindow[])[], settings: FailoverSettings): number | Promise<number> {
    const now = Date.now();
    const guard = (w: readonly RateLimitWindow[]) => guarded(w, this.lags, now);
    return this.store.take(this.key, ahead.length === 0 ? { windows: guard(windows) } : { windows: guard(windows), ahead: ahead.map(guard) }, settings);
  }

  remove(waiter: Waiter): void {
    this.#leave(waiter);
    this.drain();
  }

  #leave(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }
}

/** The least a window is lengthened by, as a share of it: 600 ms of a minute. */
const MIN_MARGIN = 0.01;
/** The most a window is lengthened by, as a share of it (6 s of a minute): the most throughput pacing gives up to a slow call. */
const MAX_MARGIN = 0.1;

/**
 * The longest send→response-headers times of one key's recent calls, as a sliding-window maximum:
 * each sample is kept only while no later sample is as long, so it holds a few entries, not one
 * per call, and {@link Lags.since} is the longest of those recorded since a moment.
 */
class Lags {
  /** Recorded times ascending, lags descending. */
  readonly #samples: { at: number; lagMs: number }[] = [];
  /** How long a sample can matter: the longest guarded window asked about (clients may differ). */
  #keepMs = 0;

  record(lagMs: number, at: number): void {
    while ((this.#samples.at(-1)?.lagMs ?? Infinity) <= lagMs) this.#samples.pop();
    this.#samples.push({ at, lagMs });
  }

  /** The longest lag recorded after `from` (0 if none), for windows of at most `keepMs`, at `now`. */
  since(from: number, keepMs: number, now: number): number {
    this.#keepMs = Math.max(this.#keepMs, keepMs);
    while ((this.#samples[0]?.at ?? Infinity) <= now - this.#keepMs) this.#samples.shift();
    return this.#samples.find((sample) => sample.at > from)?.lagMs ?? 0;
  }
}

/**
 * The windows the pacer asks the store for, each a little longer than the service's. The pacer
 * counts a call when it sends it, the service when it arrives: a call sent one window after an
 * earlier one arrives too early when the earlier one took longer to arrive. A call arrives before
 * its response starts, so lengthening each window by the longest send→headers time of the calls
 * that can still be in it covers any such lag up to that margin: at least 1% of the window, at
 * most 10%.
 */
function guarded(windows: readonly RateLimitWindow[], lags: Lags, now: number): readonly RateLimitWindow[] {
  const keepMs = Math.max(0, ...windows.map((window) => window.intervalMs + Math.ceil(window.intervalMs * MAX_MARGIN)));
  return windows.map(({ limit, intervalMs }) => {
    const most = Math.ceil(intervalMs * MAX_MARGIN);
    // a call answered more than a window and the most margin ago cannot share a window with the next one
    const lagMs = Math.min(most, Math.ceil(lags.since(now - intervalMs - most, keepMs, now)));
    return { limit, intervalMs: intervalMs + Math.max(Math.ceil(intervalMs * MIN_MARGIN), lagMs) };
  });
}

/**
 * The default stores, one per credential identity, shared by every client of the process that
 * uses the same credential: keyed by the credential object, or by tenant and app for a
 * `{tenantId, clientId, …}` configuration (the service counts per tenant and app).
 */
const storesByObject = new WeakMap<object, QuotaStore>();
const storesByApp = new Map<string, QuotaStore>();

/** `tenant/app` of a `{tenantId, clientId, …}` configuration; `undefined` for a `TokenCredential`. */
function appOf(credential: unknown): string | undefined {
  if (typeof credential !== 'object' || credential === null) return undefined;
  const { tenantId, clientId, getToken } = credential as Record<string, unknown>;
  if (typeof getToken === 'function' || typeof tenantId !== 'string' || typeof clientId !== 'string') return undefined;
  return `${tenantId.toLowerCase()}/${clientId.toLowerCase()}`;
}

function defaultStoreFor(credential: unknown): QuotaStore {
  const app = appOf(credential);
  if (app !== undefined) {
    let store = storesByApp.get(app);
    if (!store) storesByApp.set(app, (store = new MemoryQuotaStore()));
    return store;
  }
  if (typeof credential !== 'object' || credential === null) return new MemoryQuotaStore();
  let store = storesByObject.get(credential);
  if (!store) storesByObject.set(credential, (store = new MemoryQuotaStore()));
  return store;
}

/** The queues of this process, per store and key: clients sharing a store share them. */
const queuesByStore = new WeakMap<QuotaStore, Map<string, Queue>>();
/** Each store's failover, shared by the clients of this process that use the store. */
const failovers = new WeakMap<QuotaStore, QuotaFailover>();

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
  /** The credential the user passed: with no `rateLimit.store`, clients sharing it share a store. */
  credential: unknown;
  /** The wire API, part of every key. */
  api: string;
  /** The checked `rateLimit` option of the client. */
  rateLimit: ResolvedRateLimit;
  /** Where waits (debug), refused waits (warn) and 429 holds (debug) are logged, if anywhere. */
  logger?: Logger | undefined;
}

/**
 * One client's view of the quota store of its credential (or the one it was given) and API. The
 * transport calls {@link Pacer.acquire} before each attempt and {@link Pacer.hold} on each 429.
 */
export class Pacer {
  readonly #settings: PacerSettings;
  readonly #store: QuotaFailover;
  readonly #failover: FailoverSettings;
  readonly #queues: Map<string, Queue>;
  /** The start of every key: the tenant and app when the credential names them, and the API. */
  readonly #keyPrefix: string;

  constructor(settings: PacerSettings) {
    this.#settings = settings;
    const store = settings.rateLimit.store ?? defaultStoreFor(settings.credential);
    let failover = failovers.get(store);
    if (!failover) failovers.set(store, (failover = new QuotaFailover(store)));
    this.#store = failover;
    this.#failover = { timeoutMs: settings.rateLimit.storeTimeoutMs, retryMs: settings.rateLimit.storeRetryMs, logger: settings.logger };
    let queues = queuesByStore.get(store);
    if (!queues) queuesByStore.set(store, (queues = new Map()));
    this.#queues = queues;
    const app = appOf(settings.credential);
    this.#keyPrefix = `${app === undefined ? '' : `${app} `}${settings.api}`;
  }

  #queue(family: QuotaFamily): Queue {
    const key = `${this.#keyPrefix} ${family}`;
    let queue = this.#queues.get(key);
    if (!queue) this.#queues.set(key, (queue = new Queue(this.#store, key)));
    return queue;
  }

  /**
   * Waits for a slot of the call's family and takes it.
   * @returns how long the call waited, in milliseconds.
   * @throws RateLimitError, before waiting, when the wait would exceed `budgetMs` or `onRateLimit`
   *   returned `false`; the signal's reason when it aborts while waiting; what the store threw.
   */
  async acquire(options: AcquireOptions): Promise<number> {
    const { family, operation, attempt, budgetMs, signal } = options;
    const { api, rateLimit, logger } = this.#settings;
    signal?.throwIfAborted();
    const windows = rateLimit.limits[family] ?? [];
    const queue = this.#queue(family);
    const now = Date.now();
    const ahead = queue.waiters.map((waiter) => waiter.windows);
    const answer = queue.take(windows, ahead, this.#failover);
    // a store in memory answers at once: no await, so pacing adds no turn of the event loop
    const waitMs = typeof answer === 'number' ? answer : await answer;
    if (ahead.length === 0 && waitMs <= 0) return 0;
    const error = async (message: string, wait: number) =>
      new RateLimitError(message, {
        status: 429,
        code: CLIENT_RATE_LIMIT_CODE,
        retryAfterMs: wait,
        operation,
        quota: (await queue.store.getHold(queue.key, this.#failover))?.quota ?? 'calls',
      });
    const tooLong = (wait: number) =>
      error(
        `${operation}: the ${api} "${family}" quota has no free slot for ${wait} ms, longer than the ${Math.max(0, Math.round(budgetMs))} ms left of maxRetryWaitMs; the call was not sent.`,
        wait,
      );
    if (waitMs > budgetMs) {
      logger?.warn?.(`${operation}: not sent: waiting ${waitMs} ms for the ${api} "${family}" quota would exceed maxRetryWaitMs.`);
      signal?.throwIfAborted();
      throw await tooLong(waitMs);
    }
    // waitMs is 0 when calls queued ahead are about to go: no wait worth telling about
    if (waitMs > 0) {
      if (rateLimit.onRateLimit?.({ family, api, operation, waitMs, attempt, fallback: queue.store.fallingBack }) === false) {
        throw await error(`${operation}: onRateLimit cancelled a wait of ${waitMs} ms for the ${api} "${family}" quota; the call was not sent.`, waitMs);
      }
      logger?.debug?.(`${operation}: waiting ${waitMs} ms for a slot of the ${api} "${family}" quota (attempt ${attempt}).`);
    }
    // onRateLimit or the logger may have aborted: an aborted signal fires no more 'abort' events
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        queue.remove(waiter);
        reject(signal?.reason);
      };
      const fail = (reason: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        reject(reason);
      };
      const waiter: Waiter = {
        windows,
        settings: this.#failover,
        deadline: now + budgetMs,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        tooLong: (wait) => void tooLong(wait).then(fail, fail),
        fail,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.waiters.push(waiter);
      queue.drain();
    });
    return Date.now() - now;
  }

  /**
   * A call of `family` sent `lagMs` ago (when its slot was taken) got its response headers, or
   * failed: it reached the service no later than that. The windows of the calls that follow it are
   * lengthened by the longest such lag recent enough to matter (see {@link guarded}).
   */
  answered(family: QuotaFamily, lagMs: number): void {
    if ((this.#settings.rateLimit.limits[family] ?? []).length === 0) return;
    this.#queue(family).lags.record(lagMs, Date.now());
  }

  /**
   * A 429 arrived (another process shares the quota, or the limits are set too high): holds the
   * whole family in the store until the wait the service asked for has passed (at most
   * `MAX_HOLD_MS`), so concurrent calls, and every client of the store, wait instead of each
   * hitting the wall. Waiters whose budget no longer covers it fail at once.
   */
  async hold(family: QuotaFamily, waitMs: number, quota: QuotaKind): Promise<void> {
    const { api, logger } = this.#settings;
    const queue = this.#queue(family);
    const heldMs = Math.min(waitMs, MAX_HOLD_MS[family]);
    if (heldMs < waitMs) {
      logger?.warn?.(
        `the service asked to hold the ${api} "${family}" quota for ${waitMs} ms after a 429; held for ${heldMs} ms, the longest documented window of that quota.`,
      );
    }
    if (!(await queue.store.hold(queue.key, heldMs, quota, this.#failover))) return;
    logger?.debug?.(`the ${api} "${family}" quota is held for ${heldMs} ms after a 429.`);
    await queue.recheck(this.#failover);
  }
}
