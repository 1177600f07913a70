/**
 * The public {@link HuntingStream} of `advancedHunting.stream()`: created synchronously, it sends
 * the query on first use and hands out the rows a {@link HuntingBodyReader} parses from the body.
 *
 * The reader (`apis/shared/hunting-body.ts`, with its row splitter) is loaded by the
 * adapters on the first stream() call, so that `import('m365-defender')` does not carry it.
 *
 * @packageDocumentation
 */
import { closedError } from '../apis/shared/hunting.js';
import type { HuntingBodyReader } from '../apis/shared/hunting-body.js';
import { DefenderError } from '../errors.js';
import type { HuntingColumn, HuntingStats, HuntingStream } from '../models/hunting.js';

/**
 * A promise that reports when it is first waited on: `then` (which `await`, `catch`, `finally`,
 * `Promise.all`… all call) runs `onUse` first. Derived promises are plain ones.
 */
class WatchedPromise<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #onUse: () => void;

  constructor(executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void, onUse: () => void) {
    super(executor);
    this.#onUse = onUse;
  }

  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#onUse();
    return super.then(onfulfilled, onrejected);
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
  settled: boolean;
}

/** A promise settled from outside; with `onUse`, a {@link WatchedPromise}. */
function deferred<T>(onUse?: () => void): Deferred<T> {
  const d = { settled: false } as Deferred<T>;
  const executor = (resolve: (value: T) => void, reject: (reason: unknown) => void) => {
    d.resolve = (value) => {
      d.settled = true;
      resolve(value);
    };
    d.reject = (reason) => {
      d.settled = true;
      reject(reason);
    };
  };
  d.promise = onUse ? new WatchedPromise<T>(executor, onUse) : new Promise<T>(executor);
  // Nobody has to read schema or stats: an unread rejection is not an unhandled one. (The
  // prototype's `then`, so that this does not count as waiting on a watched promise.)
  Promise.prototype.then.call(d.promise, undefined, () => undefined);
  return d;
}

/**
 * The public {@link HuntingStream}: sends the query on first use (through `open`), hands out rows
 * (each mapped by `mapRow`, e.g. validated by a `rowSchema`), and settles `schema` and `stats`.
 *
 * `open` gets a signal that aborts when the stream is closed while the request is in flight; the
 * caller combines it with its own.
 */
export class RowStream<Row> implements HuntingStream<Row> {
  readonly #open: (closeSignal: AbortSignal) => Promise<HuntingBodyReader>;
  readonly #mapRow: (row: Record<string, unknown>, index: number) => Row;
  readonly #operation: string;
  readonly #schema = deferred<HuntingColumn[]>();
  readonly #stats = deferred<HuntingStats | undefined>(() => this.#statsAwaited());
  readonly #abort = new AbortController();
  #opening: Promise<HuntingBodyReader> | undefined;
  #reader: HuntingBodyReader | undefined;
  /** An iterator has been handed out. */
  #iterated = false;
  /** `stats` was awaited before any iteration: the stream reads (and drops) the rows itself. */
  #drained = false;
  /** close() (or the iterator's return()) was called. */
  #closed = false;
  #closing: Promise<void> | undefined;
  /** `schema` and `stats` are settled; the iteration is over. */
  #finished = false;
  #error: unknown;

  /** @internal */
  constructor(
    open: (closeSignal: AbortSignal) => Promise<HuntingBodyReader>,
    mapRow: (row: Record<string, unknown>, index: number) => Row,
    operation: string,
  ) {
    this.#open = open;
    this.#mapRow = mapRow;
    this.#operation = operation;
  }

  get schema(): Promise<HuntingColumn[]> {
    if (!this.#schema.settled && !this.#finished) {
      this.#reader$()
        .then((reader) => reader.readSchema())
        .then((columns) => this.#schema.resolve(columns), (error: unknown) => this.#end(error));
    }
    return this.#schema.promise;
  }

  get stats(): Promise<HuntingStats | undefined> {
    return this.#stats.promise;
  }

  [Symbol.asyncIterator](): AsyncIterator<Row> {
    if (this.#iterated) {
      throw new DefenderError(`${this.#operation}: a hunting stream can be iterated once; call stream() again to rerun the query.`);
    }
    if (this.#closed) {
      throw new DefenderError(`${this.#operation}: the stream was closed, so it can no longer be iterated; call stream() again to rerun the query.`);
    }
    if (this.#drained) {
      throw new DefenderError(
        `${this.#operation}: stats was awaited before the iteration started, so the stream read the rest of the result and ` +
          'discarded its rows to settle it. Await stats after the loop, or call stream() again to rerun the query.',
      );
    }
    this.#iterated = true;
    return {
      next: () => this.#next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#end(undefined);
    if (this.#opening === undefined) return;
    // Still waiting for the response: abort the request (a retry wait included).
    if (this.#reader === undefined) this.#abort.abort(closedError(this.#operation, 'before the response arrived'));
    const reader = await this.#opening.catch(() => undefined);
    await reader?.close();
  }

  #reader$(): Promise<HuntingBodyReader> {
    this.#opening ??= this.#open(this.#abort.signal).then((reader) => {
      this.#reader = reader;
      if (this.#finished) void reader.close();
      return reader;
    });
    return this.#opening;
  }

  /** `stats` is being waited on: if no iteration has begun, read the body to its end for it. */
  #statsAwaited(): void {
    if (this.#iterated || this.#drained || this.#finished) return;
    this.#drained = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      const reader = await this.#reader$();
      await reader.skipRest();
      if (!this.#schema.settled && reader.schema) this.#schema.resolve(reader.schema);
      this.#end(undefined);
    } catch (error) {
      this.#end(error);
      await this.#reader?.close();
    }
  }

  async #next(): Promise<IteratorResult<Row>> {
    if (this.#finished) {
      if (this.#error !== undefined) throw this.#error;
      return { done: true, value: undefined };
    }
    try {
      const reader = await this.#reader$();
      const next = await reader.next();
      if (!this.#schema.settled) this.#schema.resolve(reader.schema ?? []);
      if (next === undefined) {
        this.#end(undefined);
        return { done: true, value: undefined };
      }
      return { done: false, value: this.#mapRow(next.row, next.index) };
    } catch (error) {
      // Closed while this call waited (e.g. for the response): the iteration just ends.
      if (this.#closed && this.#error === undefined) return { done: true, value: undefined };
      this.#end(error);
      await this.#reader?.close();
      throw error;
    }
  }

  /** Settles what is still open: with `error`, or (at the end or on close) with what was read. */
  #end(error: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error;
    if (!this.#schema.settled) this.#schema.reject(error ?? closedError(this.#operation, 'before its schema arrived'));
    if (error !== undefined) this.#stats.reject(error);
    else this.#stats.resolve(this.#reader?.stats);
  }
}
