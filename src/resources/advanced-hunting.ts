import type * as z from 'zod';
import { RowStream } from '../apis/hunting-stream.js';
import { InvalidArgumentError } from '../errors.js';
import { isKqlQuery, type KqlQuery } from '../kql.js';
import { validateRow, validateRows, type HuntingResult, type HuntingStream } from '../models/hunting.js';
import type { HuntingTimespan } from '../models/timespan.js';
import type { WireAdapter } from './adapters/types.js';
import { checkCallOptions } from './call-options.js';

/** Options of {@link AdvancedHunting.run}. */
export interface HuntingRunOptions<Schema extends z.ZodType | undefined = undefined> {
  /** A zod schema each row is validated against; rows are then typed by it. */
  rowSchema?: Schema;
  /** Timeout of the call, in milliseconds (default: the client's `huntingTimeoutMs`, 200 s). */
  timeoutMs?: number;
  /** Aborts the call; the SDK rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Graph only: the time window searched, as an ISO-8601 duration back from now (`'P7D'`,
   * `'PT12H'`), `{ start, end }` or `{ start, duration }`; Graph's default is 30 days. On
   * `api: 'defender'` it is an error: put `| where Timestamp > ago(7d)` in the query instead.
   */
  timespan?: HuntingTimespan;
}

/** Options of {@link AdvancedHunting.stream}: the same as {@link HuntingRunOptions}. */
export type HuntingStreamOptions<Schema extends z.ZodType | undefined = undefined> = HuntingRunOptions<Schema>;

/** The row type of a hunting result: the schema's output, or a plain record. */
export type HuntingRow<Schema> = Schema extends z.ZodType ? z.output<Schema> : Record<string, unknown>;

const MAX_QUERY_LENGTH = 100_000;

/** Advanced hunting (KQL). Reached as `client.advancedHunting`. */
export class AdvancedHunting {
  readonly #api: WireAdapter;
  readonly #timeoutMs: number;

  /** @internal */
  constructor(api: WireAdapter, timeoutMs: number) {
    this.#api = api;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Runs an advanced-hunting query. Build queries with the {@link kql} tag so that values are
   * escaped. The service caps results at 100,000 rows and runs for at most 3 minutes.
   *
   * On `api: 'defender'` the first call in a process emits a `DeprecationWarning`
   * (code `M365D_DEP_LEGACY_HUNTING`): that endpoint is being retired; `api: 'graph'` is the fix,
   * and the client option `silenceDeprecationWarnings` silences it.
   *
   * @example
   * ```ts
   * const { rows } = await client.advancedHunting.run(
   *   kql`DeviceProcessEvents | where DeviceName == ${host} | take 10`,
   *   { rowSchema: z.object({ DeviceName: z.string(), Timestamp: z.coerce.date() }) });
   * ```
   * @throws QueryError when the service refuses the query (syntax, semantics, result too large).
   * @throws RateLimitError with `quota: 'calls' | 'cpu'` when a quota is exhausted.
   */
  async run<Schema extends z.ZodType | undefined = undefined>(
    query: string | KqlQuery,
    options: HuntingRunOptions<Schema> = {},
  ): Promise<HuntingResult<HuntingRow<Schema>>> {
    const { text, timeoutMs, rowSchema, timespan } = this.#prepare(query, options, 'advancedHunting.run');
    const result = await this.#api.runHunting(text, timespan, { signal: options.signal, timeoutMs });
    const rows = rowSchema ? validateRows(result.rows, rowSchema, 'advancedHunting.run') : result.rows;
    const out: HuntingResult<HuntingRow<Schema>> = { schema: result.schema, rows: rows as HuntingRow<Schema>[] };
    if (result.stats !== undefined) out.stats = result.stats;
    return out;
  }

  /**
   * Runs an advanced-hunting query and hands out its rows as they arrive, parsed one by one from
   * the response body: a 100,000-row result is never held in memory. Use it for large results
   * (or in a memory-limited function); {@link run} is simpler for small ones.
   *
   * Nothing is sent until the iteration starts (or `schema` is read). `schema` resolves before the
   * first row; `stats` at the end (Defender API only). Failures before the body starts are retried
   * as for {@link run}; once rows flow nothing is resent, and a broken connection raises
   * `ConnectionError`, a body that is not a whole hunting result `ResponseValidationError`.
   * `break`, `close()` or `await using` cancel the rest of the body; `stats` awaited before the
   * iteration starts reads (and discards) the rows itself. `timeoutMs` bounds the wait for the response and then
   * for each chunk of the body (not the whole iteration, which goes at the caller's pace).
   *
   * @example
   * ```ts
   * const stream = client.advancedHunting.stream(kql`DeviceProcessEvents | where Timestamp > ago(1d)`, { rowSchema });
   * console.log((await stream.schema).map((column) => column.name));
   * for await (const row of stream) process(row);
   * ```
   * @throws InvalidArgumentError (synchronously) for a bad query or option, before anything is sent.
   * @throws QueryError, RateLimitError, … from the iteration, as {@link run} does.
   * @throws ResponseValidationError from the iteration for a row that fails `rowSchema` (path
   *   `rows[12].DeviceName`), after the rows before it.
   */
  stream<Schema extends z.ZodType | undefined = undefined>(
    query: string | KqlQuery,
    options: HuntingStreamOptions<Schema> = {},
  ): HuntingStream<HuntingRow<Schema>> {
    const operation = 'advancedHunting.stream';
    const { text, timeoutMs, rowSchema, timespan } = this.#prepare(query, options, operation);
    const { signal } = options;
    const mapRow = rowSchema
      ? (row: Record<string, unknown>, index: number) => validateRow(row, index, rowSchema, operation) as HuntingRow<Schema>
      : (row: Record<string, unknown>) => row as HuntingRow<Schema>;
    // The stream's close() aborts a request still in flight, as the caller's signal does.
    const open = (closeSignal: AbortSignal) =>
      this.#api.streamHunting(text, timespan, { signal: signal ? AbortSignal.any([signal, closeSignal]) : closeSignal, timeoutMs, operation });
    return new RowStream(open, mapRow, operation);
  }

  /** Checks a query and its options (shared by run and stream), before anything is sent. */
  #prepare<Schema extends z.ZodType | undefined>(query: string | KqlQuery, options: HuntingRunOptions<Schema>, call: string) {
    checkCallOptions(options, ['rowSchema', 'timeoutMs', 'signal', 'timespan'], call);
    const text = typeof query === 'string' ? query : isKqlQuery(query) ? query.text : undefined;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new InvalidArgumentError('query', 'query must be a non-empty KQL string or a kql`…` query.');
    }
    if (text.length > MAX_QUERY_LENGTH) {
      throw new InvalidArgumentError('query', `query is ${text.length} characters long; the SDK sends at most ${MAX_QUERY_LENGTH}.`);
    }
    const { timeoutMs = this.#timeoutMs } = options;
    // At most an hour, as the client option: Node clamps longer timers to 1 ms (an instant timeout).
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 3_600_000) {
      throw new InvalidArgumentError('timeoutMs', `timeoutMs must be an integer of milliseconds from 1 to 3,600,000 (one hour); got ${String(timeoutMs)}.`);
    }
    const { rowSchema } = options;
    if (rowSchema !== undefined && typeof (rowSchema as { safeParse?: unknown })?.safeParse !== 'function') {
      // Checked before sending: a bad schema found after the query ran would waste CPU quota.
      throw new InvalidArgumentError('rowSchema', 'rowSchema must be a zod schema, e.g. z.object({ DeviceName: z.string() }).');
    }
    const timespan = this.#api.huntingTimespan(options.timespan);
    return { text, timeoutMs, rowSchema: rowSchema as z.ZodType | undefined, timespan };
  }
}
