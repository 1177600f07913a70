/**
 * A hunting response body read as it arrives (`advancedHunting.stream()`), for both wire APIs:
 * legacy `{Stats, Schema: [{Name, Type}], Results: [row…]}` and Graph
 * `{schema: [{name, type}], results: [row…]}`, keys in any letter case, members in any order.
 *
 * Rows are cut from the body's bytes by a {@link RowSplitter} and parsed one by one with
 * `JSON.parse`, so memory holds one chunk of the body and the row being read, not the result.
 * The body is read only as fast as rows are consumed (or the schema is asked for).
 *
 * This module is itself loaded lazily (`await import()` in the adapters' `streamHunting`, on the
 * first stream() call): a user who never streams never loads it.
 *
 * @packageDocumentation
 */
import { causeCode, connectionFailureCause } from '../../causes.js';
import { isPlainObject as isObject } from '../../checks.js';
import { ConnectionError, TimeoutError, type ValidationIssue } from '../../errors.js';
import type { HuntingColumn, HuntingStats } from '../../models/hunting.js';
import { formatIssuePath, responseValidationError } from '../../models/validation.js';
import { LARGEST_MAX_RESPONSE_BYTES } from '../../transport/read-body.js';
import { closedError, huntingKeys, parseHuntingColumn, type HuntingWire } from './hunting.js';
import { RowSplitter, SplitError } from './row-splitter.js';

/**
 * The longest row (or envelope member) held while its bytes arrive: what `run()` would read of a
 * whole body, and under V8's longest string, so that any row within it can be decoded.
 */
const MAX_ROW_BYTES = LARGEST_MAX_RESPONSE_BYTES;
type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

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
 * Reads one hunting response body incrementally. Internal: `RowStream` (`resources/hunting-stream.ts`) drives it.
 *
 * Wire order does not matter: rows that arrive before the schema (`Results` before `Schema`)
 * are held until the schema has been parsed, so that the schema is always known before the first
 * row is handed out; with the documented order (`Stats`, `Schema`, then `Results`) nothing waits.
 */
export class HuntingBodyReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  readonly #splitter: RowSplitter;
  readonly #options: HuntingBodyOptions;
  /** The member names a missing member is reported under. */
  readonly #keys: { schema: string; results: string };

  /** Rows parsed and not yet taken; `#head` is the next one. */
  #rows: Record<string, unknown>[] = [];
  #head = 0;
  #nextIndex = 0;
  /** Elements of the results array parsed so far (the index of a bad one). */
  #received = 0;
  readonly #columns: HuntingColumn[] = [];
  #stats: HuntingStats | undefined;
  #schemaDone = false;
  /** The results member's key as sent, once its array has begun. */
  #resultsKey: string | undefined;
  /** Set when the body has been read to its end and found complete. */
  #ended = false;
  #closed = false;
  #failure: unknown;
  #hasFailure = false;
  #pumping: Promise<void> | undefined;

  private constructor(body: ReadableStream<Uint8Array> | null, options: HuntingBodyOptions) {
    this.#reader = body?.getReader();
    this.#options = options;
    this.#keys = huntingKeys(options.wire ?? (options.keepStats ? 'defender' : 'graph'));
    this.#splitter = new RowSplitter(
      {
        member: (key, value) => this.#onMember(key, value),
        rowsStart: (key) => {
          this.#resultsKey = key;
        },
        row: (value) => this.#onRow(value),
      },
      { isRowsKey: (key) => key.toLowerCase() === 'results', maxValueBytes: MAX_ROW_BYTES },
    );
  }

  /** A reader for `body`. */
  static create(body: ReadableStream<Uint8Array> | null, options: HuntingBodyOptions): HuntingBodyReader {
    return new HuntingBodyReader(body, options);
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
    try {
      this.#splitter.write(chunk.value);
    } catch (error) {
      this.#fail(this.#bodyError(error));
    }
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
      throw new ConnectionError(`${operation}: the connection failed while reading the result${code ? ` (${code})` : ''}.`, { operation, cause: connectionFailureCause(error) });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The body ended: check that it was a whole hunting result. */
  #finish(): void {
    if (this.#hasFailure) return;
    try {
      this.#splitter.end();
    } catch (error) {
      this.#fail(this.#bodyError(error));
      return;
    }
    if (this.#resultsKey === undefined) {
      this.#fail(responseValidationError(this.#options.operation, [{ path: this.#keys.results, message: 'expected an array of rows' }]));
      return;
    }
    this.#schemaDone = true;
    this.#ended = true;
  }

  #fail(error: unknown): void {
    if (this.#hasFailure) return;
    this.#hasFailure = true;
    this.#failure = error;
  }

  /** The error of a body the splitter refused (or of a handler's own failure, passed on). */
  #bodyError(error: unknown): unknown {
    if (!(error instanceof SplitError)) return error;
    const { operation } = this.#options;
    switch (error.fault) {
      case 'not-object':
        return responseValidationError(operation, [{ path: '(root)', message: `expected an object with ${this.#keys.schema} and ${this.#keys.results}` }]);
      case 'too-large':
        return responseValidationError(operation, [
          { path: this.#resultsKey === undefined ? '(root)' : formatIssuePath([this.#resultsKey, this.#received]), message: `expected at most ${MAX_ROW_BYTES} bytes of JSON in one value, got more` },
        ]);
      default:
        return responseValidationError(operation, [{ path: '', message: error.message }]);
    }
  }

  /** A top-level member other than the rows: the schema, the statistics, or one to ignore. */
  #onMember(key: string, value: unknown): void {
    if (this.#hasFailure) return;
    const { operation, keepStats } = this.#options;
    switch (key.toLowerCase()) {
      case 'results':
        this.#fail(responseValidationError(operation, [{ path: key, message: 'expected an array of rows' }]));
        return;
      case 'schema':
        if (value === null) this.#schemaDone = true;
        else if (Array.isArray(value)) this.#onSchema(key, value);
        else this.#fail(responseValidationError(operation, [{ path: key, message: 'expected an array of columns' }]));
        return;
      case 'stats':
        if (keepStats && isObject(value)) this.#stats = value;
        return;
      default:
        return;
    }
  }

  #onSchema(key: string, columns: unknown[]): void {
    const issues: ValidationIssue[] = [];
    for (let index = 0; index < columns.length && issues.length === 0; index++) {
      const parsed = parseHuntingColumn(columns[index], [key, index], issues);
      if (parsed) this.#columns.push(parsed);
    }
    if (issues.length > 0) this.#fail(responseValidationError(this.#options.operation, issues));
    else this.#schemaDone = true;
  }

  /** One element of the results array. */
  #onRow(value: unknown): void {
    if (this.#hasFailure) return;
    const index = this.#received++;
    if (isObject(value)) {
      this.#rows.push(value);
      return;
    }
    this.#fail(responseValidationError(this.#options.operation, [{ path: formatIssuePath([this.#resultsKey ?? this.#keys.results, index]), message: 'expected a row object' }]));
  }
}
