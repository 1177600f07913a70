/**
 * A hunting response body read as it arrives (`advancedHunting.stream()`), for both wire APIs:
 * legacy `{Stats, Schema: [{Name, Type}], Results: [row…]}` and Graph
 * `{schema: [{name, type}], results: [row…]}`, keys in any letter case, members in any order.
 *
 * Rows are parsed one by one with `@streamparser/json` (loaded lazily, here only) and dropped from
 * the parser as soon as they are emitted, so memory holds one chunk of the body, not the result.
 * The body is read only as fast as rows are consumed (or the schema is asked for).
 *
 * This module is itself loaded lazily (`await import()` in the adapters' `streamHunting`, on the
 * first stream() call): a user who never streams never loads it.
 *
 * @packageDocumentation
 */
import type { JSONParser } from '@streamparser/json';
import { causeCode, connectionFailureCause } from '../../causes.js';
import { isPlainObject as isObject } from '../../checks.js';
import { ConnectionError, DefenderError, TimeoutError, type ValidationIssue } from '../../errors.js';
import type { HuntingColumn, HuntingStats } from '../../models/hunting.js';
import { formatIssuePath, responseValidationError } from '../../models/validation.js';
import { closedError, huntingKeys, parseHuntingColumn, type HuntingWire } from './hunting.js';

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
 * Reads one hunting response body incrementally. Internal: `RowStream` (`resources/hunting-stream.ts`) drives it.
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
    // Buffered strings and numbers: the tokenizer otherwise grows them a character at a time
    // (about 10% of the parse time on a 100,000-row result).
    const parser = new Parser({ paths: ['$.*.*'], keepStack: false, stringBufferSize: 64 * 1024, numberBufferSize: 64 });
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
      throw new ConnectionError(`${operation}: the connection failed while reading the result${code ? ` (${code})` : ''}.`, { operation, cause: connectionFailureCause(error) });
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
