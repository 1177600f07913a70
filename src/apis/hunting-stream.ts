/**
 * A hunting response body read as it arrives (`advancedHunting.stream()`), for both wire APIs:
 * legacy `{Stats, Schema: [{Name, Type}], Results: [row…]}` and Graph
 * `{schema: [{name, type}], results: [row…]}`, keys in any letter case, members in any order.
 *
 * Rows are parsed one by one with `@streamparser/json` (loaded lazily, here only) and dropped from
 * the parser as soon as they are emitted, so memory holds one chunk of the body, not the result.
 * The body is read only as fast as rows are consumed (or the schema is asked for).
 *
 * @packageDocumentation
 */
import type { JSONParser } from '@streamparser/json';
import { ConnectionError, DefenderError, TimeoutError, type ValidationIssue } from '../errors.js';
import type { HuntingColumn, HuntingStats, HuntingStream } from '../models/hunting.js';
import { formatIssuePath, responseValidationError } from '../models/validation.js';
import { causeCode, safeCause } from '../transport/transport.js';
import { huntingKeys, parseHuntingColumn, type HuntingWire } from './defender/hunting.js';

// TokenType values of @streamparser/json (a const enum upstream; not importable without loading it).
const LEFT_BRACE = 0;
const RIGHT_BRACE = 1;
const LEFT_BRACKET = 2;
const RIGHT_BRACKET = 3;
const COLON = 4;
const COMMA = 5;
const STRING = 9;

type Section = 'schema' | 'results' | 'stats' | 'other';
type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** How a {@link HuntingBodyReader} reads its body. */
export interface HuntingBodyOptions {
  /** The public operation, for error messages (`advancedHunting.stream`). */
  operation: string;
  /** Keep the response's statistics (Defender API); Graph sends none. */
  keepStats: boolean;
  /**
   * The API that sends the body, which names missing members in issue paths (`Results` or
   * `results`). Default: `'defender'` when `keepStats`, else `'graph'` (only the Defender API
   * sends statistics).
   */
  wire?: HuntingWire | undefined;
  /** The longest wait for the next chunk of the body, in milliseconds. */
  idleTimeoutMs: number;
  /** The caller's signal: aborts the read, which rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Loads the streaming JSON parser: the only place the package is imported, on the first
 * `stream()` call, before its request is sent (a missing module must not cost a query).
 * The CJS build keeps this `import()` (Node ≥ 20 runs it from CommonJS and loads the package's ESM
 * entry), so the parser stays out of `require('m365-defender')` too.
 */
export async function loadHuntingParser(): Promise<typeof JSONParser> {
  const module = await import('@streamparser/json');
  return module.JSONParser;
}

/**
 * Reads one hunting response body incrementally. Internal: {@link RowStream} drives it.
 *
 * Wire order does not matter: rows that arrive before the schema (`Results` before `Schema`)
 * are held until the schema has been parsed, so that the schema is always known before the first
 * row is handed out; with the documented order (`Stats`, `Schema`, then `Results`) nothing waits.
 */
export class HuntingBodyReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  readonly #parser: JSONParser;
  readonly #options: HuntingBodyOptions;
  /** The member names a missing member is reported under. */
  readonly #keys: { schema: string; results: string };

  /** Rows parsed and not yet taken; `#head` is the next one. */
  #rows: Record<string, unknown>[] = [];
  #head = 0;
  #nextIndex = 0;
  readonly #columns: HuntingColumn[] = [];
  #stats: HuntingStats | undefined;
  #schemaDone = false;
  #resultsSeen = false;
  #rootSeen = false;
  /** Set when the body has been read to its end and found complete. */
  #ended = false;
  #closed = false;
  #failure: unknown;
  #hasFailure = false;
  #pumping: Promise<void> | undefined;

  // The tokenizer watch: depth in the document and the top-level member being read.
  #depth = 0;
  #expectKey = false;
  #key = '';
  #section: Section = 'other';

  private constructor(body: ReadableStream<Uint8Array> | null, Parser: typeof JSONParser, options: HuntingBodyOptions) {
    this.#reader = body?.getReader();
    this.#options = options;
    this.#keys = huntingKeys(options.wire ?? (options.keepStats ? 'defender' : 'graph'));
    // `$.*.*`: the members of each top-level value (rows, columns, statistics); with keepStack
    // false each is deleted from its parent once emitted, so the Results array never grows.
    const parser = new Parser({ paths: ['$.*.*'], keepStack: false });
    parser.onToken = ({ token, value }) => this.#onToken(token, value);
    parser.onValue = ({ value, key }) => this.#onValue(value, key);
    parser.onError = (error) => this.#fail(this.#invalidJson(error));
    this.#parser = parser;
  }

  /** A reader for `body`, parsed with `Parser` (from {@link loadHuntingParser}). */
  static create(body: ReadableStream<Uint8Array> | null, Parser: typeof JSONParser, options: HuntingBodyOptions): HuntingBodyReader {
    return new HuntingBodyReader(body, Parser, options);
  }

  /** The columns, once parsed (`undefined` before). */
  get schema(): HuntingColumn[] | undefined {
    return this.#schemaDone ? this.#columns : undefined;
  }

  /** The statistics seen so far. */
  get stats(): HuntingStats | undefined {
    return this.#stats;
  }

  /**
   * The next row and its index in the result, `undefined` at the end of a complete body.
   * @throws ResponseValidationError for a body that is not a hunting result (invalid JSON,
   *   truncated, a row that is not an object…), after the rows before the fault.
   * @throws ConnectionError when the connection breaks mid-body; TimeoutError when no data
   *   arrives for the idle timeout; the signal's reason on abort.
   */
  async next(): Promise<{ row: Record<string, unknown>; index: number } | undefined> {
    for (;;) {
      if (this.#schemaDone && this.#head < this.#rows.length) {
        const row = this.#rows[this.#head] as Record<string, unknown>;
        this.#rows[this.#head] = undefined as never;
        const index = this.#nextIndex++;
        if (++this.#head === this.#rows.length) {
          this.#rows = [];
          this.#head = 0;
        }
        return { row, index };
      }
      if (this.#hasFailure) throw this.#failure;
      if (this.#ended || this.#closed) return undefined;
      await this.#pump();
    }
  }

  /** Reads until the schema has been parsed, and returns it. */
  async readSchema(): Promise<HuntingColumn[]> {
    while (!this.#schemaDone) {
      if (this.#hasFailure) throw this.#failure;
      if (this.#closed) throw closedError(this.#options.operation, 'before its schema arrived');
      await this.#pump();
    }
    return this.#columns;
  }

  /**
   * Reads the rest of the body and discards its rows (unmapped, unvalidated), so that the
   * statistics and the schema are known; returns how many rows were discarded. Stops early, and
   * quietly, if the reader is closed.
   * @throws what {@link next} throws, for a body that fails.
   */
  async skipRest(): Promise<number> {
    let skipped = 0;
    for (;;) {
      const pending = this.#rows.length - this.#head;
      skipped += pending;
      this.#nextIndex += pending;
      this.#rows = [];
      this.#head = 0;
      if (this.#hasFailure) throw this.#failure;
      if (this.#ended || this.#closed) return skipped;
      await this.#pump();
    }
  }

  /** Stops reading and cancels the rest of the body (the connection is released). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rows = [];
    if (!this.#ended) this.#cancelBody();
  }

  /**
   * Cancels the body, which closes the connection. Not awaited: a body that something else has
   * teed (a response clone, a test interceptor) only finishes cancelling when every branch has.
   */
  #cancelBody(): void {
    void this.#reader?.cancel().catch(() => undefined);
  }

  /** Reads and parses one chunk; one read at a time, shared by concurrent callers. */
  #pump(): Promise<void> {
    this.#pumping ??= this.#readChunk().finally(() => {
      this.#pumping = undefined;
    });
    return this.#pumping;
  }

  async #readChunk(): Promise<void> {
    let chunk: ReadResult;
    try {
      chunk = this.#reader ? await this.#read(this.#reader) : { done: true, value: undefined };
    } catch (error) {
      this.#fail(error);
      this.#cancelBody();
      return;
    }
    if (this.#closed) return;
    if (chunk.done) {
      this.#finish();
      return;
    }
    if (chunk.value.byteLength > 0) this.#parser.write(chunk.value);
    if (this.#hasFailure) this.#cancelBody();
  }

  /** One `read()`, raced against the idle timeout and the caller's signal. */
  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadResult> {
    const { signal, idleTimeoutMs, operation } = this.#options;
    signal?.throwIfAborted();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`${operation}: no data arrived for ${idleTimeoutMs} ms while reading the result.`, { timeoutMs: idleTimeoutMs, operation })),
        idleTimeoutMs,
      );
      onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([reader.read(), stop]);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof TimeoutError) throw error;
      // The body broke after the response had started: never resent (rows were handed out).
      const code = causeCode(error);
      throw new ConnectionError(`${operation}: the connection failed while reading the result${code ? ` (${code})` : ''}.`, { operation, cause: safeCause(error) });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The body ended: check that it was a whole hunting result. */
  #finish(): void {
    if (!this.#parser.isEnded && !this.#hasFailure) this.#parser.end();
    if (this.#hasFailure) return;
    const issues: ValidationIssue[] = [];
    if (!this.#rootSeen) issues.push({ path: '(root)', message: this.#rootMessage() });
    else if (!this.#resultsSeen) issues.push({ path: this.#keys.results, message: 'expected an array of rows' });
    if (issues.length > 0) {
      this.#fail(responseValidationError(this.#options.operation, issues));
      return;
    }
    this.#schemaDone = true;
    this.#ended = true;
  }

  #rootMessage(): string {
    return `expected an object with ${this.#keys.schema} and ${this.#keys.results}`;
  }

  #fail(error: unknown): void {
    if (this.#hasFailure) return;
    this.#hasFailure = true;
    this.#failure = error;
  }

  #invalidJson(error: Error): DefenderError {
    const truncated = /ended in (the )?mid/i.test(error.message);
    return responseValidationError(this.#options.operation, [
      { path: '', message: truncated ? 'the body ended before the JSON document did (truncated)' : 'expected JSON, got invalid JSON' },
    ]);
  }

  /**
   * Sees every token before the parser does: tracks which top-level member is being read, and
   * when its value starts and ends (the schema is complete when its array closes).
   */
  #onToken(token: number, value: unknown): void {
    if (this.#hasFailure) return;
    if (this.#depth === 0) {
      this.#rootSeen = true;
      if (token !== LEFT_BRACE) {
        this.#fail(responseValidationError(this.#options.operation, [{ path: '(root)', message: this.#rootMessage() }]));
        return;
      }
      this.#depth = 1;
      this.#expectKey = true;
      return;
    }
    if (this.#depth === 1) {
      if (this.#expectKey && token === STRING) {
        this.#key = value as string;
        this.#expectKey = false;
        const lower = this.#key.toLowerCase();
        this.#section = lower === 'schema' || lower === 'results' || lower === 'stats' ? lower : 'other';
        return;
      }
      if (token === COMMA) {
        this.#expectKey = true;
        return;
      }
      if (token === LEFT_BRACE || token === LEFT_BRACKET) {
        this.#valueStarts(token === LEFT_BRACKET ? 'array' : 'object', undefined);
        this.#depth = 2;
        return;
      }
      if (token === RIGHT_BRACE) {
        this.#depth = 0;
        return;
      }
      // A colon, or a primitive member value.
      if (token !== COLON) this.#valueStarts('primitive', value);
      return;
    }
    if (token === LEFT_BRACE || token === LEFT_BRACKET) this.#depth++;
    else if (token === RIGHT_BRACE || token === RIGHT_BRACKET) {
      if (--this.#depth === 1 && this.#section === 'schema') this.#schemaDone = true;
    }
  }

  /** A top-level member's value begins (or, for a primitive, is complete). */
  #valueStarts(kind: 'array' | 'object' | 'primitive', value: unknown): void {
    const { operation, keepStats } = this.#options;
    switch (this.#section) {
      case 'results':
        this.#resultsSeen = true;
        if (kind !== 'array') this.#fail(responseValidationError(operation, [{ path: this.#key, message: 'expected an array of rows' }]));
        return;
      case 'schema':
        if (kind === 'array') return;
        if (kind === 'primitive' && value === null) {
          this.#schemaDone = true;
          return;
        }
        this.#fail(responseValidationError(operation, [{ path: this.#key, message: 'expected an array of columns' }]));
        return;
      case 'stats':
        if (keepStats && kind === 'object') this.#stats = {};
        return;
      default:
        return;
    }
  }

  /** A member of a top-level value: a row, a column or a statistic. */
  #onValue(value: unknown, key: unknown): void {
    if (this.#hasFailure) return;
    switch (this.#section) {
      case 'results':
        if (!isObject(value)) {
          this.#fail(responseValidationError(this.#options.operation, [{ path: formatIssuePath([this.#key, key as number]), message: 'expected a row object' }]));
          return;
        }
        this.#rows.push(value);
        return;
      case 'schema':
        this.#onColumn(value, key as number);
        return;
      case 'stats':
        if (this.#stats) this.#stats[key as string] = value;
        return;
      default:
        return;
    }
  }

  #onColumn(column: unknown, index: number): void {
    const issues: ValidationIssue[] = [];
    const parsed = parseHuntingColumn(column, [this.#key, index], issues);
    if (parsed) this.#columns.push(parsed);
    else this.#fail(responseValidationError(this.#options.operation, issues));
  }
}

/**
 * The error of a stream closed by its caller: a {@link DefenderError} named `AbortError` (so that
 * code testing `error.name === 'AbortError'` treats it as a cancellation).
 */
function closedError(operation: string, when: string): DefenderError {
  const error = new DefenderError(`${operation}: the stream was closed ${when}.`);
  error.name = 'AbortError';
  return error;
}

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
