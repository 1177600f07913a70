/**
 * Where a change feed keeps its place between runs: a {@link CheckpointStore}, and the one that
 * lives in memory. A store holds named, versioned strings and changes one only by
 * compare-and-set, so two writers never both advance the same checkpoint.
 *
 * @packageDocumentation
 */
import { checkStoreKey, describe } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';

/** A checkpoint as a store holds it. */
export interface CheckpointEntry {
  /** The checkpoint: an opaque string the SDK alone reads. */
  value: string;
  /** Increases by one on every successful write: the first write makes version 1. */
  version: number;
  /** The greatest lease fence a write has carried, when one has (see {@link CheckpointWriteOptions.fence}). */
  fence?: number;
}

/** How a checkpoint is written: by whom, when a {@link Lease} guards it. */
export interface CheckpointWriteOptions {
  /**
   * The writer's lease fence ({@link LeaseGrant.fence}). A store that honours fences refuses
   * (resolves `false`) a write whose fence is lower than one it has already recorded for the
   * key, and records the fence of every write it makes, so that a worker that lost its lease
   * cannot commit once the next holder has written. The SDK's stores all honour it.
   */
  fence?: number;
}

/**
 * Keeps checkpoints: named strings changed only by compare-and-set. Implement it to keep a
 * feed's place in your own database; the SDK ships {@link MemoryCheckpointStore} and
 * {@link FileCheckpointStore} (and Redis in `m365-defender/redis`).
 *
 * An implementation must never reset or drop a checkpoint it cannot read: it throws
 * (a {@link CheckpointError}) instead, since a feed with no checkpoint starts again from the
 * beginning.
 */
export interface CheckpointStore {
  /** The checkpoint named `key`, or `undefined` when there is none. */
  get(key: string): Promise<CheckpointEntry | undefined>;
  /**
   * Writes `value` under `key` if the checkpoint is still at `expectedVersion` (`undefined`:
   * there is no checkpoint yet). Resolves `true` when written (the version is then
   * `expectedVersion + 1`, or 1), `false` when another writer moved it first, or when
   * `options.fence` is lower than a fence the store has recorded for the key.
   */
  set(key: string, value: string, expectedVersion: number | undefined, options?: CheckpointWriteOptions): Promise<boolean>;
}

/** Checks a checkpoint name: a non-empty string of at most 256 characters with no control character. */
export function checkCheckpointKey(key: unknown): string {
  return checkStoreKey(key, 'checkpoint');
}

/** Checks the arguments of {@link CheckpointStore.set}. */
export function checkCheckpointWrite(key: unknown, value: unknown, expectedVersion: unknown, options?: unknown): void {
  checkCheckpointKey(key);
  if (typeof value !== 'string') {
    throw new InvalidArgumentError('value', `value must be a string (the checkpoint); got ${describe(value)}.`);
  }
  if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && (expectedVersion as number) >= 1)) {
    throw new InvalidArgumentError(
      'expectedVersion',
      `expectedVersion must be the version read with get() (a positive integer), or undefined when there was no checkpoint; got ${describe(expectedVersion)}.`,
    );
  }
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('options', `options must be an object ({ fence }) or undefined; got ${describe(options)}.`);
  }
  const { fence } = options as CheckpointWriteOptions;
  if (fence !== undefined && !(Number.isSafeInteger(fence) && fence >= 1)) {
    throw new InvalidArgumentError('options.fence', `options.fence must be a lease's fence (a positive integer) or undefined; got ${describe(fence)}.`);
  }
}

/**
 * Keeps checkpoints in this process's memory: what a feed uses when you give it no store, and
 * what tests want. Everything is gone when the process ends, so a feed on a timer with this
 * store starts again from its `start` on every run.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #entries = new Map<string, CheckpointEntry>();

  /** {@inheritDoc CheckpointStore.get} */
  async get(key: string): Promise<CheckpointEntry | undefined> {
    checkCheckpointKey(key);
    const entry = this.#entries.get(key);
    return entry && { ...entry };
  }

  /** {@inheritDoc CheckpointStore.set} */
  async set(key: string, value: string, expectedVersion: number | undefined, options?: CheckpointWriteOptions): Promise<boolean> {
    checkCheckpointWrite(key, value, expectedVersion, options);
    const current = this.#entries.get(key);
    if (current?.version !== expectedVersion) return false;
    const fence = options?.fence;
    if (fence !== undefined && current?.fence !== undefined && fence < current.fence) return false;
    const kept = fence ?? current?.fence;
    this.#entries.set(key, { value, version: (expectedVersion ?? 0) + 1, ...(kept === undefined ? {} : { fence: kept }) });
    return true;
  }
}
