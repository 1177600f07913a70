import type { z } from 'zod';
import { parseHuntingResponse } from '../apis/defender/index.js';
import { DEFENDER_OPERATIONS } from '../apis/defender/operations.js';
import { InvalidArgumentError } from '../errors.js';
import { isKqlQuery, type KqlQuery } from '../kql.js';
import { validateRows, type HuntingResult } from '../models/hunting.js';
import type { Transport } from '../transport/transport.js';
import { checkCallOptions } from './call-options.js';

/** Options of {@link AdvancedHunting.run}. */
export interface HuntingRunOptions<Schema extends z.ZodType | undefined = undefined> {
  /** A zod schema each row is validated against; rows are then typed by it. */
  rowSchema?: Schema;
  /** Timeout of the call, in milliseconds (default: the client's `huntingTimeoutMs`, 200 s). */
  timeoutMs?: number;
  /** Aborts the call; the SDK rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The row type of a hunting result: the schema's output, or a plain record. */
export type HuntingRow<Schema> = Schema extends z.ZodType ? z.output<Schema> : Record<string, unknown>;

const MAX_QUERY_LENGTH = 100_000;

/** Advanced hunting (KQL). Reached as `client.advancedHunting`. */
export class AdvancedHunting {
  readonly #transport: Transport;
  readonly #timeoutMs: number;

  /** @internal */
  constructor(transport: Transport, timeoutMs: number) {
    this.#transport = transport;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Runs an advanced-hunting query. Build queries with the {@link kql} tag so that values are
   * escaped. The service caps results at 100,000 rows and runs for at most 3 minutes.
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
    checkCallOptions(options, ['rowSchema', 'timeoutMs', 'signal'], 'advancedHunting.run');
    const text = typeof query === 'string' ? query : isKqlQuery(query) ? query.text : undefined;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new InvalidArgumentError('query', 'query must be a non-empty KQL string or a kql`…` query.');
    }
    if (text.length > MAX_QUERY_LENGTH) {
      throw new InvalidArgumentError('query', `query is ${text.length} characters long; the SDK sends at most ${MAX_QUERY_LENGTH}.`);
    }
    const { timeoutMs = this.#timeoutMs } = options;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new InvalidArgumentError('timeoutMs', `timeoutMs must be a positive integer of milliseconds; got ${String(timeoutMs)}.`);
    }
    const { rowSchema } = options;
    if (rowSchema !== undefined && typeof (rowSchema as { safeParse?: unknown })?.safeParse !== 'function') {
      // Checked before sending: a bad schema found after the query ran would waste CPU quota.
      throw new InvalidArgumentError('rowSchema', 'rowSchema must be a zod schema, e.g. z.object({ DeviceName: z.string() }).');
    }
    const op = DEFENDER_OPERATIONS.runHuntingQuery;
    const response = await this.#transport.request({
      method: 'POST',
      path: '/api/advancedhunting/run',
      body: { Query: text },
      operation: op,
      signal: options.signal,
      timeoutMs,
    });
    const result = parseHuntingResponse(response.body, op.name);
    const rows = rowSchema ? validateRows(result.rows, rowSchema, op.name) : result.rows;
    return { schema: result.schema, rows: rows as HuntingRow<Schema>[], stats: result.stats };
  }
}
