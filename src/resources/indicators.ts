import type { ListCursor } from '../apis/adapter.js';
import type { ResponseActionsAdapter } from '../apis/response-adapter.js';
import { checkCallOptions, checkId, describe } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';
import type { Indicator, IndicatorInput } from '../models/device.js';
import { MAX_INDICATOR_BATCH, validateIndicatorInput, validateIndicatorListOptions, type IndicatorListOptions } from '../models/device-options.js';
import { listingKey, pagedList, type PagedList } from '../pagination.js';

/** Options of a single indicator call. */
export interface IndicatorCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** What `indicators.submitMany` reports for each indicator, in the order given. */
export type IndicatorSubmitResult =
  | { ok: true; index: number; id: string; value: string }
  | { ok: false; index: number; value: string; reason: string };

/**
 * Custom indicators of compromise (file hashes, IPs, domains, URLs, certificates) on the Defender
 * for Endpoint API. Reached as `client.indicators`; needs `Ti.ReadWrite` (own indicators) or
 * `Ti.ReadWrite.All`. A tenant holds at most 15,000 active indicators (`IndicatorLimitError`).
 */
export class Indicators {
  readonly #api: ResponseActionsAdapter;

  /** @internal */
  constructor(api: ResponseActionsAdapter) {
    this.#api = api;
  }

  /**
   * Lists the active indicators (an app with `Ti.ReadWrite` sees only its own).
   * @throws InvalidArgumentError (synchronously) for a bad option.
   */
  list(options: IndicatorListOptions = {}): PagedList<Indicator> {
    const valid = validateIndicatorListOptions(options);
    const filter = { ...valid, skipInvalid: valid.onInvalidItem !== undefined };
    return pagedList<Indicator, ListCursor>({
      fetchPage: async (cursor) => {
        const page = await this.#api.listIndicatorsPage(filter, cursor);
        for (const problem of page.invalid) await valid.onInvalidItem?.(problem);
        return { items: page.items, next: page.next };
      },
      isCursor: (value): value is ListCursor => typeof value === 'object' && value !== null && typeof (value as ListCursor).skip === 'number',
      idOf: (indicator) => indicator.id,
      operation: 'indicators.list',
      listing: listingKey('indicators.list', 'mde', { ...valid, onInvalidItem: undefined }),
    });
  }

  /**
   * Submits an indicator; one with the same value, type and action is updated instead.
   *
   * @example
   * ```ts
   * await client.indicators.submit({ value: '203.0.113.7', type: 'ipAddress', action: 'block', title: 'INC-1234 C2' });
   * ```
   * @throws IndicatorLimitError when the tenant is at its cap (`error.cap`).
   */
  async submit(indicator: IndicatorInput, options?: IndicatorCallOptions): Promise<Indicator> {
    const input = validateIndicatorInput(indicator);
    checkCallOptions(options, ['signal'], 'indicators.submit');
    return this.#api.submitIndicator(input, { signal: options?.signal });
  }

  /**
   * Submits many indicators, 500 per request, and reports each one's outcome: the service
   * answers 200 even when some fail (e.g. past the tenant's cap), so check `ok` of each result.
   * @throws InvalidArgumentError (before anything is sent) naming the first bad indicator, e.g. `indicators[3].type`.
   */
  async submitMany(indicators: readonly IndicatorInput[], options?: IndicatorCallOptions): Promise<IndicatorSubmitResult[]> {
    if (!Array.isArray(indicators) || indicators.length === 0) {
      throw new InvalidArgumentError('indicators', `indicators must be a non-empty array; got ${describe(indicators)}.`);
    }
    const inputs = indicators.map((indicator, index) => validateIndicatorInput(indicator, `indicators[${index}].`));
    checkCallOptions(options, ['signal'], 'indicators.submitMany');
    const out: IndicatorSubmitResult[] = [];
    for (let start = 0; start < inputs.length; start += MAX_INDICATOR_BATCH) {
      const results = await this.#api.importIndicators(inputs.slice(start, start + MAX_INDICATOR_BATCH), { signal: options?.signal });
      results.forEach((result, offset) => out.push({ ...result, index: start + offset }));
    }
    return out;
  }

  /**
   * Deletes an indicator.
   * @throws NotFoundError when there is none with that id.
   */
  async delete(id: string, options?: IndicatorCallOptions): Promise<void> {
    const checked = checkId(id, 'indicator');
    checkCallOptions(options, ['signal'], 'indicators.delete');
    await this.#api.deleteIndicator(checked, { signal: options?.signal });
  }
}
