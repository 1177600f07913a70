/**
 * {@link FileCheckpointStore}: checkpoints in one JSON file, written atomically (a temporary file,
 * fsync, rename) under a lock file, so a crash never leaves half a checkpoint and two processes on
 * one machine never both advance the same one.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkOptionsObject, describe } from '../checks.js';
import { CheckpointError, InvalidArgumentError } from '../errors.js';
import { checkCheckpointKey, checkCheckpointWrite, type CheckpointEntry, type CheckpointStore, type CheckpointWriteOptions } from './checkpoint.js';

/** What marks a file as this SDK's checkpoint file. */
const FORMAT = 'm365-defender/checkpoints';
const FORMAT_VERSION = 1;

/** Options of {@link FileCheckpointStore}. */
export interface FileCheckpointStoreOptions {
  /**
   * How long a writer waits for another writer's lock on the file before failing with a
   * {@link CheckpointError}, in milliseconds. Default 10,000.
   */
  lockTimeoutMs?: number;
  /**
   * A lock file older than this was left by a writer that died mid-write, and is taken over, in
   * milliseconds. Default 30,000 (a write holds the lock for milliseconds).
   */
  staleLockMs?: number;
}

interface FileContent {
  format: typeof FORMAT;
  formatVersion: typeof FORMAT_VERSION;
  /** `fence`: the greatest lease fence a write of the checkpoint carried, absent when none did. */
  checkpoints: Record<string, { value: string; version: number; writtenAt: string; fence?: number }>;
}

/** Writes in this process wait for each other per file; the lock file orders them across processes. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Keeps checkpoints in one JSON file, for a feed run from a timer on one machine (a cron job, a
 * function app with a mounted share). Several checkpoints (keys) share the file. A missing file
 * means no checkpoints yet (the parent folder is created on the first write); a file that is not
 * valid JSON, or is not a checkpoint file of this SDK, is a {@link CheckpointError}, never a
 * silent start from zero.
 *
 * Each write takes the lock file `<path>.lock`, re-reads the file, checks the version, writes a
 * temporary file beside it, fsyncs it and renames it over the file. Readers take no lock: the
 * rename makes them see the old file or the new one, whole. For writers on several machines, use
 * a shared store (`m365-defender/redis`).
 */
export class FileCheckpointStore implements CheckpointStore {
  /** The checkpoint file, as an absolute path. */
  readonly path: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;

  /**
   * @param path - The checkpoint file, e.g. `.state/defender-sync.json` (relative to the
   *   working directory).
   */
  constructor(path: string, options?: FileCheckpointStoreOptions) {
    if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) {
      throw new InvalidArgumentError('path', `new FileCheckpointStore path must be a file path (a non-empty string); got ${describe(path)}.`);
    }
    const checked = checkOptionsObject(options, ['lockTimeoutMs', 'staleLockMs'], 'new FileCheckpointStore');
    this.path = resolve(path);
    this.#lockTimeoutMs = positiveMs(checked.lockTimeoutMs, 'lockTimeoutMs', 10_000);
    this.#staleLockMs = positiveMs(checked.staleLockMs, 'staleLockMs', 30_000);
  }

  /** {@inheritDoc CheckpointStore.get} */
  async get(key: string): Promise<CheckpointEntry | undefined> {
    checkCheckpointKey(key);
    const checkpoints = (await this.#read())?.checkpoints;
    const entry = checkpoints && Object.hasOwn(checkpoints, key) ? checkpoints[key] : undefined;
    return entry && { value: entry.value, version: entry.version, ...(entry.fence === undefined ? {} : { fence: entry.fence }) };
  }

  /** {@inheritDoc CheckpointStore.set} */
  async set(key: string, value: string, expectedVersion: number | undefined, options?: CheckpointWriteOptions): Promise<boolean> {
    checkCheckpointWrite(key, value, expectedVersion, options);
    const fence = options?.fence;
    const previous = queues.get(this.path) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => this.#locked(() => this.#compareAndSet(key, value, expectedVersion, fence)));
    queues.set(this.path, write);
    try {
      return await write;
    } finally {
      if (queues.get(this.path) === write) queues.delete(this.path);
    }
  }

  async #compareAndSet(key: string, value: string, expectedVersion: number | undefined, fence: number | undefined): Promise<boolean> {
    const content = (await this.#read()) ?? { format: FORMAT, formatVersion: FORMAT_VERSION, checkpoints: Object.create(null) as FileContent['checkpoints'] };
    const current = Object.hasOwn(content.checkpoints, key) ? content.checkpoints[key] : undefined;
    if (current?.version !== expectedVersion) return false;
    // A writer whose lease was since taken by another (a higher fence was written) is refused.
    if (fence !== undefined && current?.fence !== undefined && fence < current.fence) return false;
    const kept = fence ?? current?.fence;
    content.checkpoints[key] = { value, version: (expectedVersion ?? 0) + 1, writtenAt: new Date().toISOString(), ...(kept === undefined ? {} : { fence: kept }) };
    await this.#writeAtomically(`${JSON.stringify(content, null, 2)}\n`);
    return true;
  }

  /** The file's content, `undefined` when there is no file; a CheckpointError when it is not ours. */
  async #read(): Promise<FileContent | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw this.#error('is not valid JSON: it is corrupt, or not a checkpoint file. Restore it from a backup, or delete it to start the feeds again from their start', error);
    }
    return this.#checkContent(parsed);
  }

  #checkContent(parsed: unknown): FileContent {
    const content = parsed as Partial<FileContent> | null;
    if (typeof content !== 'object' || content === null || content.format !== FORMAT) {
      throw this.#error(`is not a checkpoint file of m365-defender (no "format": "${FORMAT}"): refusing to read or overwrite it`);
    }
    if (content.formatVersion !== FORMAT_VERSION) {
      throw this.#error(`has format version ${describe(content.formatVersion)}; this release reads version ${FORMAT_VERSION} (was it written by a newer release?)`);
    }
    const checkpoints = content.checkpoints;
    if (typeof checkpoints !== 'object' || checkpoints === null || Array.isArray(checkpoints)) {
      throw this.#error('is corrupt: "checkpoints" is not an object');
    }
    for (const [key, entry] of Object.entries(checkpoints)) {
      if (typeof entry?.value !== 'string' || !Number.isSafeInteger(entry.version) || entry.version < 1 || (entry.fence !== undefined && !(Number.isSafeInteger(entry.fence) && entry.fence >= 1))) {
        throw new CheckpointError(`Checkpoint file ${this.path} is corrupt: checkpoint "${key}" has no string value and positive integer version (or a fence that is not a positive integer).`, {
          key,
          location: this.path,
        });
      }
    }
    // Keys are the caller's: kept in an object with no prototype, so "__proto__" or "constructor" is just a name.
    return { ...(content as FileContent), checkpoints: Object.assign(Object.create(null) as FileContent['checkpoints'], checkpoints) };
  }

  async #writeAtomically(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(text, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw this.#error(`cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
    }
    await syncDirectory(dirname(this.path));
  }

  /** Runs `work` holding `<path>.lock`, created exclusively; takes over a lock older than staleLockMs. */
  async #locked<T>(work: () => Promise<T>): Promise<T> {
    const lockPath = `${this.path}.lock`;
    await mkdir(dirname(this.path), { recursive: true }).catch((error: unknown) => {
      throw this.#error(`cannot be created: its folder cannot be made (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
    });
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const lock = await open(lockPath, 'wx', 0o600);
        await lock.writeFile(JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
        await lock.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw this.#error(`cannot be locked (${(error as NodeJS.ErrnoException).code ?? 'error'} on ${lockPath})`, error);
        }
      }
      if (await this.#removeIfStale(lockPath)) continue;
      if (Date.now() >= deadline) {
        throw this.#error(`is locked by another writer (${lockPath}) for longer than lockTimeoutMs (${this.#lockTimeoutMs} ms)`);
      }
      await sleep(Math.min(5 * 2 ** Math.min(attempt, 5), 100));
    }
    try {
      return await work();
    } finally {
      await unlink(lockPath).catch(() => undefined);
    }
  }

  async #removeIfStale(lockPath: string): Promise<boolean> {
    try {
      const info = await stat(lockPath);
      if (Date.now() - info.mtimeMs < this.#staleLockMs) return false;
      await unlink(lockPath);
      return true;
    } catch (error) {
      // Released between our open and stat: try again at once.
      return (error as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }

  #error(problem: string, cause?: unknown): CheckpointError {
    return new CheckpointError(`Checkpoint file ${this.path} ${problem}.`, { location: this.path, cause });
  }
}

/** Makes a rename durable; some platforms cannot open a folder for fsync, and need not. */
async function syncDirectory(path: string): Promise<void> {
  try {
    const folder = await open(path, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  }
}

function positiveMs(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2_147_483_647) {
    throw new InvalidArgumentError(option, `${option} must be a positive number of milliseconds (at most 2147483647); got ${describe(value)}.`);
  }
  return value;
}
