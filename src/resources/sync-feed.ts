/**
 * The change feed behind `incidents.sync()` and `alerts.sync()`: time-boundary paging on the
 * last-update time, an overlap window for late arrivals, a boundary set against repeats, and a
 * checkpoint committed by compare-and-set when the consumer asks for the next batch.
 *
 * @packageDocumentation
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkOptionsObject, checkSignal, describe } from '../checks.js';
import { CheckpointConflictError, InvalidArgumentError, LeaseLostError, ResponseValidationError } from '../errors.js';
import { checkDate, checkInvalidItemHandler, type DateInput } from '../models/incident-options.js';
import type { InvalidItem, InvalidItemHandler } from '../models/invalid-item.js';
import type { Logger } from '../types.js';
import { checkCheckpointKey, MemoryCheckpointStore, type CheckpointStore } from '../stores/checkpoint.js';
import { checkLeaseKey, MAX_LEASE_TTL_MS, type Lease } from '../stores/lease.js';
import { decodeCheckpoint, encodeCheckpoint, versionKey, type FeedIdentity, type SyncState } from './sync-checkpoint.js';
import { HeldLease, leaseKeyOf } from './sync-lease.js';

/** Options every change feed takes. */
export interface SyncOptions {
  /** Where the feed keeps its place between runs. Default: a new {@link MemoryCheckpointStore} (nothing survives the process). */
  checkpoint?: CheckpointStore;
  /** The checkpoint's name in the store. Default `<api>:incidents` or `<api>:alerts`. */
  key?: string;
  /**
   * Where a feed with no checkpoint begins: changes at or after this time are delivered. Ignored
   * once the feed has a checkpoint. Default: 30 days before the first run.
   */
  start?: DateInput;
  /** After catching up, keep polling every `pollIntervalMs` until `signal` aborts. Default `false`. */
  follow?: boolean;
  /** With `follow`, the wait between polls in milliseconds. Default 60,000. */
  pollIntervalMs?: number;
  /**
   * How far before its watermark each poll reads again, in milliseconds, so that changes the
   * service indexes late are still delivered (and de-duplicated). Default 300,000 (5 minutes).
   */
  overlapMs?: number;
  /** The most items in one batch. Default 100. */
  batchSize?: number;
  /**
   * How far ahead of this machine's clock an item's last-update time may be, in milliseconds. An
   * item stamped further ahead is handed to `onInvalidItem` and not delivered until the clock
   * catches up: one bogus date (year 9999) would otherwise move the watermark past every later
   * change. Default 3,600,000 (an hour); raise it for a simulator whose clock runs ahead.
   */
  maxClockSkewMs?: number;
  /**
   * The most items the feed holds while reading one time window (besides a batch not yet full):
   * a window with more is read again, narrower. Bounds the feed's memory, and how deep an open
   * window is paged. Default 2,000.
   */
  maxWindowItems?: number;
  /**
   * Receives each item the model rejects, as `list({ onInvalidItem })` does; the feed skips it and
   * goes on (a bad record never stalls it). If it throws, the feed rejects with that error.
   * Default: a warning naming the item's id and the path at fault, through the client's `logger`
   * (or `process.emitWarning` when it has none).
   */
  onInvalidItem?: InvalidItemHandler;
  /** Stops the feed: it rejects with the signal's reason. Committed batches stay committed. */
  signal?: AbortSignal;
  /**
   * Lets one worker at a time advance the checkpoint (several timer runs or instances sharing one
   * store). The feed takes the lease named `<key>:lease` before reading, claims the checkpoint with
   * the lease's fence, renews the lease every `leaseTtlMs / 3`, confirms it before each commit and
   * releases it when the feed ends. When another worker holds it, a feed without `follow` ends at
   * once with no batch and {@link SyncFeed.leaseHeldElsewhere} `true`; with `follow` it waits as a
   * standby, trying again every `min(pollIntervalMs, leaseTtlMs / 3)`. A worker that loses it
   * stops with {@link LeaseLostError} before committing anything more. See docs/sync.md.
   */
  lease?: Lease;
  /**
   * How long the lease lasts without renewal, in milliseconds: after a worker dies, another takes
   * over within about this long. Default 60,000; from 1,000 to one day. Needs `lease`.
   */
  leaseTtlMs?: number;
}

/** What a feed has done so far. */
export interface SyncStats {
  /** Polls started (one without `follow`). */
  polls: number;
  /** Batches delivered. */
  batches: number;
  /** Items delivered. */
  items: number;
  /** Items read again (the overlap window, a shared boundary timestamp) and not delivered twice. */
  duplicatesSkipped: number;
  /** Items the model rejected, handed to `onInvalidItem` and skipped. */
  invalid: number;
  /** List requests answered: each page read, and each one-item request asking whether an open window fits. */
  pages: number;
  /** Time windows read again, narrower, because they held more than one request (bounded) or `maxWindowItems` (open) lists. */
  windowsSplit: number;
}

/** One batch of a change feed: new or changed items, oldest change first. */
export interface SyncBatch<T> {
  /** The items: each a new or changed incident or alert, as of its last update. */
  readonly items: readonly T[];
  /**
   * Commits this batch now, rather than when the next batch is asked for: after it, a new run
   * resumes after these items. Idempotent.
   * @throws CheckpointConflictError when another writer moved the checkpoint.
   */
  commit(): Promise<void>;
}

/** One item as a window reader gives it: where it sorts and how it is told apart. @internal */
export interface SyncEntry<T> {
  /** The item. */
  item: T;
  /** Its id. */
  id: string;
  /** Its own last-update time (ms): one (id, version) is delivered once. */
  version: number;
  /** The time it is paged by (ms): its own last update, or its incident's. */
  position: number;
  /** Whether it can be read again later at another position with the same version (an alert read through its incident). */
  moves?: boolean;
}

/** A time window to read: positions from `from` (inclusive) to `to` (exclusive; open when undefined). @internal */
export interface SyncWindow {
  from: number;
  to: number | undefined;
  signal: AbortSignal | undefined;
  /** Pass to the listing: counts the item and hands it to the feed's handler. */
  onInvalidItem: InvalidItemHandler;
}

/** An entry to deliver, with its boundary-set key. */
type Fresh<T> = SyncEntry<T> & { key: string };

/** One page of a window as a reader gives it. @internal */
export interface SyncPage<T> {
  /** The page's entries. */
  entries: SyncEntry<T>[];
  /** How many items the listing gave (incidents, for alerts read through them): how full the page is. */
  listed: number;
  /** Whether the listing has another page. */
  more: boolean;
}

/** Reads one window, page by page. @internal */
export interface WindowReader<T> {
  /** The most items (incidents, for alerts read through them) one page lists. */
  pageSize: number;
  /** Whether the window lists more than `n` items (incidents, for alerts read through them), asked in one request. */
  exceeds(window: SyncWindow, n: number): Promise<boolean>;
  /** The window's pages. */
  read(window: SyncWindow): AsyncIterable<SyncPage<T>>;
}

/** What reading one window gave. */
interface WindowRead<T> {
  /** It must be read again, narrower: a bounded one needed more than one request, or it held more than maxWindowItems. */
  tooBig: boolean;
  entries: SyncEntry<T>[];
  /** How many items the listing gave. */
  listed: number;
  /** The earliest and latest positions read. */
  earliest: number;
  latest: number;
  pages: number;
}

/** How full of a page a bounded window is sized to be: most are then read in one request, few need more. */
const WINDOW_FILL = 0.7;
/**
 * The most a window narrows at once. The items a read gives before it stops are the newest the
 * service lists (it lists newest first), so their density is that of the window's end: the start
 * is often sparser, and a window narrowed by that density alone grows back over several reads.
 */
const MAX_NARROWING = 8;

const SYNC_OPTIONS = [
  'checkpoint', 'key', 'start', 'follow', 'pollIntervalMs', 'overlapMs', 'batchSize', 'maxClockSkewMs', 'maxWindowItems', 'onInvalidItem', 'signal', 'lease', 'leaseTtlMs',
] as const;
const DAY_MS = 86_400_000;

/** Checked feed options. @internal */
export interface ValidatedSyncOptions {
  checkpoint: CheckpointStore;
  key: string;
  start: number;
  follow: boolean;
  pollIntervalMs: number;
  overlapMs: number;
  batchSize: number;
  maxWindowItems: number;
  maxClockSkewMs: number;
  onInvalidItem: InvalidItemHandler;
  signal: AbortSignal | undefined;
  /** The lease and its checked name and ttl, when one guards the checkpoint. */
  lease: { lease: Lease; key: string; ttlMs: number } | undefined;
  logger: Logger | undefined;
}

/** The default `onInvalidItem` of a feed: a warning with the item's id and what is wrong, and on. */
function warnInvalidItem(what: string, logger: Logger | undefined): InvalidItemHandler {
  return ({ error, id }: InvalidItem) => {
    const issue = error.issues[0];
    const message = `${what}: skipped an item the model rejects (id ${id === undefined ? 'unknown' : JSON.stringify(id)}${issue ? `; ${issue.path}: ${issue.message}` : ''}); pass onInvalidItem to handle it.`;
    if (logger?.warn) logger.warn(message);
    else process.emitWarning(message, { code: 'M365D_INVALID_ITEM' });
  };
}

/**
 * Checks a feed's options; `extra` names the options the caller reads itself (`expandAlerts`).
 * `logger` is the client's, for the default `onInvalidItem`. @internal
 */
export function validateSyncOptions(
  options: unknown,
  identity: FeedIdentity,
  what: string,
  logger: Logger | undefined,
  extra: readonly string[] = [],
): ValidatedSyncOptions {
  const o = checkOptionsObject(options, [...SYNC_OPTIONS, ...extra], what);
  const store = o.checkpoint ?? new MemoryCheckpointStore();
  if (typeof store !== 'object' || store === null || typeof (store as CheckpointStore).get !== 'function' || typeof (store as CheckpointStore).set !== 'function') {
    throw new InvalidArgumentError('checkpoint', `checkpoint must be a CheckpointStore (an object with get and set methods); got ${describe(o.checkpoint)}.`);
  }
  if (o.follow !== undefined && typeof o.follow !== 'boolean') {
    throw new InvalidArgumentError('follow', `follow must be true or false; got ${describe(o.follow)}.`);
  }
  const key = o.key === undefined ? `${identity.api}:${identity.feed}` : checkCheckpointKey(o.key);
  return {
    checkpoint: store as CheckpointStore,
    key,
    start: o.start === undefined ? Date.now() - 30 * DAY_MS : checkDate('start', o.start).getTime(),
    follow: o.follow === true,
    pollIntervalMs: integerIn(o.pollIntervalMs, 'pollIntervalMs', 1, 2_147_483_647, 60_000),
    overlapMs: integerIn(o.overlapMs, 'overlapMs', 0, DAY_MS, 300_000),
    batchSize: integerIn(o.batchSize, 'batchSize', 1, 10_000, 100),
    maxWindowItems: integerIn(o.maxWindowItems, 'maxWindowItems', 1, 1_000_000, 2_000),
    maxClockSkewMs: integerIn(o.maxClockSkewMs, 'maxClockSkewMs', 0, 366 * DAY_MS, 3_600_000),
    onInvalidItem: o.onInvalidItem === undefined ? warnInvalidItem(what, logger) : checkInvalidItemHandler(o.onInvalidItem),
    signal: checkSignal(o.signal),
    lease: checkLeaseOptions(o.lease, o.leaseTtlMs, key),
    logger,
  };
}

/** Checks `lease` and `leaseTtlMs`; the lease's name comes from the checkpoint's. */
function checkLeaseOptions(lease: unknown, ttlMs: unknown, key: string): ValidatedSyncOptions['lease'] {
  if (lease === undefined) {
    if (ttlMs !== undefined) throw new InvalidArgumentError('leaseTtlMs', 'leaseTtlMs needs lease: pass the Lease the feed should hold (e.g. new MemoryLease()).');
    return undefined;
  }
  const methods = ['acquire', 'renew', 'release'] as const;
  if (typeof lease !== 'object' || lease === null || methods.some((method) => typeof (lease as Record<string, unknown>)[method] !== 'function')) {
    throw new InvalidArgumentError('lease', `lease must be a Lease (an object with acquire, renew and release methods, e.g. new MemoryLease()); got ${describe(lease)}.`);
  }
  const leaseKey = leaseKeyOf(key);
  if (leaseKey.length > 256) {
    throw new InvalidArgumentError('key', `with a lease, key must be at most 250 characters: the lease is named "<key>:lease", at most 256; got ${key.length} characters.`);
  }
  return { lease: lease as Lease, key: checkLeaseKey(leaseKey), ttlMs: integerIn(ttlMs, 'leaseTtlMs', 1_000, MAX_LEASE_TTL_MS, 60_000) };
}

function integerIn(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(option, `${option} must be an integer from ${min} to ${max}; got ${describe(value)}.`);
  }
  return value;
}

/**
 * A change feed: iterate it with `for await` to get batches of new and changed items. Asking for
 * the next batch commits the one before (at least once, never lost): a crash, a thrown error or a
 * `break` before that means the batch is delivered again on the next run. A feed is iterated once.
 */
export class SyncFeed<T> implements AsyncIterable<SyncBatch<T>> {
  /** What the feed has done so far. */
  readonly stats: SyncStats = { polls: 0, batches: 0, items: 0, duplicatesSkipped: 0, invalid: 0, pages: 0, windowsSplit: 0 };
  readonly #identity: FeedIdentity;
  readonly #operation: string;
  readonly #options: ValidatedSyncOptions;
  readonly #readWindow: WindowReader<T>;
  #iterated = false;
  /** The width of the next window; each poll first reads one open window up to now, then windows sized by the density of the items read. */
  #spanMs = Number.POSITIVE_INFINITY;
  /** Ids of the rejected items already reported in this run. */
  readonly #invalidReported = new Set<string>();
  /** The latest position any read has seen. */
  #horizon = Number.NEGATIVE_INFINITY;
  #state: SyncState | undefined;
  #version: number | undefined;
  /** The lease this run holds, when the feed has one. */
  #held: HeldLease | undefined;
  /** What stops reads: the caller's signal, and the loss of the lease. */
  #signal: AbortSignal | undefined;
  #leaseHeldElsewhere = false;

  /** @internal */
  constructor(identity: FeedIdentity, operation: string, options: ValidatedSyncOptions, readWindow: WindowReader<T>) {
    this.#identity = identity;
    this.#operation = operation;
    this.#options = options;
    this.#readWindow = readWindow;
  }

  /**
   * `true` when the run ended at once, with no batch, because another worker holds the feed's
   * lease (`lease` without `follow`): the other worker is doing the work, so this run has nothing
   * to do. A timer function logs it and returns.
   */
  get leaseHeldElsewhere(): boolean {
    return this.#leaseHeldElsewhere;
  }

  /** Iterates the feed's batches. A feed is iterated once: call `sync()` again for another pass. */
  [Symbol.asyncIterator](): AsyncIterator<SyncBatch<T>> {
    if (this.#iterated) {
      throw new InvalidArgumentError('feed', `A ${this.#operation}() feed is iterated once; call ${this.#operation}() again (with the same checkpoint) to resume.`);
    }
    this.#iterated = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<SyncBatch<T>, void, undefined> {
    const { signal, follow, pollIntervalMs } = this.#options;
    signal?.throwIfAborted();
    this.#signal = signal;
    if (this.#options.lease) {
      this.#held = await this.#takeLease(this.#options.lease);
      if (!this.#held) {
        this.#leaseHeldElsewhere = true;
        return;
      }
      this.#signal = signal ? AbortSignal.any([signal, this.#held.signal]) : this.#held.signal;
    }
    try {
      await this.#open();
      for (;;) {
        for await (const batch of this.#poll(this.#state!)) {
          yield batch;
          await batch.commit();
        }
        if (!follow) return;
        await this.#sleep(pollIntervalMs, this.#signal);
      }
    } catch (error) {
      // Reads aborted by the loss of the lease fail with whatever the transport makes of it.
      if (this.#held?.signal.aborted) throw this.#held.signal.reason;
      throw error;
    } finally {
      await this.#held?.release();
    }
  }

  /** Waits `ms`, or rejects with the reason of `signal`. */
  async #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    await sleep(ms, undefined, { signal }).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    });
  }

  /**
   * Takes the lease; when another worker has it, `undefined` without `follow`, and with `follow`
   * waits as a standby, trying again every `min(pollIntervalMs, ttl / 3)` until it gets it.
   */
  async #takeLease({ lease, key, ttlMs }: NonNullable<ValidatedSyncOptions['lease']>): Promise<HeldLease | undefined> {
    const { follow, pollIntervalMs, signal, logger } = this.#options;
    for (;;) {
      const held = await HeldLease.take(lease, key, ttlMs, this.#operation, logger);
      if (held || !follow) return held;
      await this.#sleep(Math.min(pollIntervalMs, Math.max(1, Math.floor(ttlMs / 3))), signal);
    }
  }

  /**
   * Reads the checkpoint. Under a lease, claims it too: writes it back unchanged (or the initial
   * state) with the lease's fence, so that a worker that held the lease before can no longer
   * commit even if it does not know yet that it lost it.
   */
  async #open(): Promise<void> {
    const { checkpoint, key, start } = this.#options;
    const held = this.#held;
    for (let attempt = 1; ; attempt += 1) {
      const entry = await checkpoint.get(key);
      const state: SyncState = entry ? decodeCheckpoint(entry.value, this.#identity, key) : { watermark: start, floor: start, settled: start, seen: new Map() };
      if (!held) {
        this.#state = state;
        this.#version = entry?.version;
        return;
      }
      if (entry?.fence !== undefined && entry.fence > held.fence) held.lostToFence(entry.fence);
      held.check();
      if (await checkpoint.set(key, entry?.value ?? encodeCheckpoint(state, this.#identity), entry?.version, { fence: held.fence })) {
        this.#state = state;
        this.#version = (entry?.version ?? 0) + 1;
        return;
      }
      // The worker before us committed between our read and our claim: read again.
      if (attempt === 3) {
        throw new CheckpointConflictError(`${this.#operation}: could not claim checkpoint "${key}" under the lease: it kept moving (a store that does not honour fences?).`, {
          key,
          expectedVersion: entry?.version,
        });
      }
    }
  }

  /** One pass from the watermark (less the overlap) to the latest change, window by window. */
  async *#poll(state: SyncState): AsyncGenerator<SyncBatch<T>, void, undefined> {
    this.stats.polls += 1;
    const lower = Math.max(state.watermark - this.#options.overlapMs, state.floor);
    // A poll of a few pages is read as one open window, as a listing would: the windows that ended the last poll were sized for its density, not this one's.
    this.#spanMs = Number.POSITIVE_INFINITY;
    const { batchSize } = this.#options;
    // Entries read but not handed over yet: a batch may span windows, which are sized by the page, not the batch.
    let pending: Fresh<T>[] = [];
    // The end of the last window found too big, and how many of the items it listed may lie ahead.
    let crowded: { to: number; items: number } | undefined;
    for (let from = lower; ; ) {
      let end = from + this.#spanMs;
      // Where that window was is not read whole again while most of its items lie ahead: the next window ends halfway into it.
      if (crowded && crowded.items > this.#fill() && end >= crowded.to) end = from + Math.max(1, Math.floor((crowded.to - from) / 2));
      // A window reaching past both this machine's clock and the latest change seen is left open
      // (no upper bound): the service's clock may run ahead of ours.
      const to = end > Math.max(Date.now(), this.#horizon) ? undefined : end;
      const read = await this.#readSettled({ from, to, signal: this.#signal, onInvalidItem: this.#invalidItemHandler() });
      if (read.tooBig) {
        this.#spanMs = this.#narrower(from, to, read);
        crowded = { to: to ?? read.latest + 1, items: read.listed };
        this.stats.windowsSplit += 1;
        continue;
      }
      pending = [...pending, ...this.#fresh(read.entries, state.settled, new Set(pending.map((entry) => entry.key)))];
      while (pending.length >= batchSize || (to === undefined && pending.length > 0)) {
        const items = pending.slice(0, batchSize);
        pending = pending.slice(batchSize);
        // An abort, or the loss of the lease, stops the batches of a window already read, too.
        this.#signal?.throwIfAborted();
        // Committing the poll's last batch settles what the poll read.
        yield this.#batch(items, to === undefined && pending.length === 0 ? lower : undefined);
      }
      if (to === undefined) {
        state.settled = Math.max(state.settled, lower);
        return;
      }
      if (crowded) crowded = to >= crowded.to || crowded.items <= read.listed ? undefined : { to: crowded.to, items: crowded.items - read.listed };
      // The next window as wide as the density just read fills to the target, at most four times as wide (a quiet stretch may end).
      this.#spanMs = Math.max(1, Math.floor((to - from) * Math.min(4, this.#fill() / Math.max(1, read.listed))));
      from = to;
    }
  }

  /** How many items a bounded window is sized to list: a share of a page, and of maxWindowItems. */
  #fill(): number {
    return Math.max(1, Math.floor(WINDOW_FILL * Math.min(this.#readWindow.pageSize, this.#options.maxWindowItems)));
  }

  /**
   * The width of the window to read instead of one that held too many: at most half of it (or
   * of the stretch its items cover, if narrower), and no wider than the density of the items it
   * gave fills to the target, but not narrower than 1/{@link MAX_NARROWING}th.
   */
  #narrower(from: number, to: number | undefined, read: WindowRead<T>): number {
    const stretch = Math.min(this.#spanMs, to === undefined ? Number.POSITIVE_INFINITY : to - from, read.latest + 1 - from);
    const dense = ((read.latest - read.earliest + 1) * this.#fill()) / Math.max(1, read.listed);
    return Math.max(1, Math.floor(Math.min(stretch / 2, Math.max(dense, stretch / MAX_NARROWING))));
  }

  /**
   * The handler a window's listing gets: counts each rejected item and hands it to the caller's
   * handler once per run of the feed, though windows read again (narrowed, or re-read to check
   * nothing moved) meet it again.
   */
  #invalidItemHandler(): InvalidItemHandler {
    return (item) => {
      if (item.id !== undefined) {
        if (this.#invalidReported.has(item.id)) return;
        this.#invalidReported.add(item.id);
      }
      this.stats.invalid += 1;
      return this.#options.onInvalidItem(item);
    };
  }

  /**
   * A window's entries, read so that none is skipped: the APIs page a window by offset, so an item
   * that leaves a bounded window (it changed) after being read moves the rest up one place and the
   * next page skips one. So a bounded window is read in one request (one that lists more is read
   * again, narrower), and an open one may take several, as deep as maxWindowItems: it loses
   * nothing that way, since items only enter it. A window of one millisecond cannot be narrowed:
   * read in several pages, it is read twice, and both reads together miss only what both skipped.
   */
  async #readSettled(window: SyncWindow): Promise<WindowRead<T>> {
    const read = await this.#read(window);
    if (read.tooBig || window.to === undefined || read.pages < 2) return read;
    const again = await this.#read(window);
    const versions = (entries: SyncEntry<T>[]) => new Set(entries.map((entry) => `${entry.id}\u0000${entry.version}`));
    const first = versions(read.entries);
    const second = versions(again.entries);
    if (first.size === second.size && [...first].every((key) => second.has(key))) return again;
    return { ...again, entries: [...read.entries, ...again.entries], earliest: Math.min(read.earliest, again.earliest), latest: Math.max(read.latest, again.latest) };
  }

  /**
   * A window's entries, or `tooBig` when it can be narrowed and must be: a bounded window whose
   * listing has a second page, an open one with more than maxWindowItems, or one whose first
   * pages show it holds more (their items, spread over the stretch from its start, would).
   */
  async #read(window: SyncWindow): Promise<WindowRead<T>> {
    const { maxWindowItems } = this.#options;
    const entries: SyncEntry<T>[] = [];
    const ahead: SyncEntry<T>[] = [];
    const limit = Date.now() + this.#options.maxClockSkewMs;
    // A window of one millisecond, open or not, is read whole: it cannot be narrowed.
    const narrowable = (window.to ?? window.from + this.#spanMs) - window.from > 1;
    let earliest = Number.POSITIVE_INFINITY;
    let latest = window.from;
    let listed = 0;
    let pages = 0;
    // Whether the service was asked if the open window fits: once at most.
    let asked = false;
    for await (const page of this.#readWindow.read(window)) {
      this.stats.pages += 1;
      pages += 1;
      listed += page.listed;
      for (const entry of page.entries) {
        if (entry.position > limit) {
          ahead.push(entry);
          continue;
        }
        entries.push(entry);
        earliest = Math.min(earliest, entry.position);
        latest = Math.max(latest, entry.position);
      }
      this.#horizon = Math.max(this.#horizon, latest);
      if (!narrowable) continue;
      const tooBig = { tooBig: true, entries: [], listed, earliest, latest, pages };
      // A bounded window is read in one request; an open one holds at most maxWindowItems.
      if (entries.length > maxWindowItems || (page.more && window.to !== undefined)) return tooBig;
      if (page.more && !asked && this.#tooDense(window, entries.length, earliest, latest)) {
        asked = true;
        this.stats.pages += 1;
        // Asked in the listing's items (incidents, for alerts read through them): as many as hold
        // maxWindowItems entries at the density read so far (one each for incidents).
        if (await this.#readWindow.exceeds(window, Math.max(1, Math.floor((maxWindowItems * listed) / entries.length)))) return tooBig;
      }
    }
    for (const entry of ahead) await window.onInvalidItem(this.#tooFarAhead(entry));
    return { tooBig: false, entries, listed, earliest, latest, pages };
  }

  /**
   * Whether the items read so far of an open window whose listing goes on, spread over the
   * stretch from its start, would be more than maxWindowItems. Paging through a window that holds
   * more costs up to maxWindowItems ÷ page size requests for nothing, so then one request asks
   * the service (`exceeds`) before the feed pages on.
   */
  #tooDense(window: SyncWindow, count: number, earliest: number, latest: number): boolean {
    return count > 0 && (count * (latest + 1 - window.from)) / (latest + 1 - earliest) > this.#options.maxWindowItems;
  }

  /** An item stamped further ahead than maxClockSkewMs, as `onInvalidItem` receives it. */
  #tooFarAhead(entry: SyncEntry<T>): InvalidItem {
    const at = new Date(entry.position).toISOString();
    const message =
      `${this.#operation}: ${JSON.stringify(entry.id)} was last updated at ${at}, more than maxClockSkewMs ` +
      `(${this.#options.maxClockSkewMs} ms) ahead of this machine's clock; not delivered until the clock reaches it.`;
    return {
      error: new ResponseValidationError(message, { operation: this.#operation, issues: [{ path: 'lastUpdateDateTime', message: `${at} is in the future` }] }),
      raw: entry.item,
      id: entry.id,
    };
  }

  /** The entries not delivered before (nor `pending`), oldest first; a version older than `settled` is not new. */
  #fresh(entries: SyncEntry<T>[], settled: number, pending: ReadonlySet<string>): Fresh<T>[] {
    const seen = this.#state!.seen;
    const keys = new Set<string>(pending);
    const fresh: Fresh<T>[] = [];
    entries.sort((a, b) => a.position - b.position || a.version - b.version || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const entry of entries) {
      const key = versionKey(entry.id, entry.version);
      if (entry.version < settled || seen.has(key) || keys.has(key)) {
        this.stats.duplicatesSkipped += 1;
        continue;
      }
      keys.add(key);
      fresh.push({ ...entry, key });
    }
    return fresh;
  }

  #batch(entries: Fresh<T>[], settles: number | undefined): SyncBatch<T> {
    let committing: Promise<void> | undefined;
    this.stats.batches += 1;
    this.stats.items += entries.length;
    return {
      items: Object.freeze(entries.map((entry) => entry.item)),
      commit: () => (committing ??= this.#commit(entries, settles)),
    };
  }

  /** Writes the state after `entries` (and `settles`, when they end a poll) by compare-and-set. */
  async #commit(entries: readonly { key: string; position: number; version: number; moves?: boolean }[], settles: number | undefined): Promise<void> {
    const current = this.#state!;
    const settled = Math.max(current.settled, settles ?? current.settled);
    const next: SyncState = { watermark: current.watermark, floor: current.floor, settled, seen: new Map(current.seen) };
    for (const { key, position, version, moves } of entries) {
      next.seen.set(key, moves ? { position, version } : { position });
      next.watermark = Math.max(next.watermark, position);
    }
    // An item is read again within the overlap only; an alert read through its incident, whenever the incident changes again.
    const keepFrom = next.watermark - this.#options.overlapMs;
    for (const [key, { position, version }] of next.seen) {
      if (position < keepFrom && (version === undefined || version < settled)) next.seen.delete(key);
    }
    const { checkpoint, key } = this.#options;
    const held = this.#held;
    // Confirmed just before writing; should it lapse in between, the fence makes the store refuse the write.
    await held?.confirm();
    if (!(await checkpoint.set(key, encodeCheckpoint(next, this.#identity), this.#version, held ? { fence: held.fence } : undefined))) {
      const now = held && (await checkpoint.get(key));
      if (held && now?.fence !== undefined && now.fence > held.fence) held.lostToFence(now.fence);
      throw new CheckpointConflictError(
        `${this.#operation}: checkpoint "${key}" was moved by another writer since this feed read it; this batch was not committed (another run of the feed is probably going on).`,
        { key, expectedVersion: this.#version },
      );
    }
    this.#version = (this.#version ?? 0) + 1;
    current.watermark = next.watermark;
    current.settled = next.settled;
    current.seen = next.seen;
  }
}
