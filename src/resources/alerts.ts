import type { Alert } from '../models/incident.js';
import { validateAlertListOptions, validateAlertUpdate, type AlertListOptions, type AlertUpdate } from '../models/alert-options.js';
import { listingKey, pagedList, type PagedList } from '../pagination.js';
import type { ListCursor, WireAdapter } from '../apis/adapter.js';
import { checkCallOptions, checkId } from '../checks.js';

/** Options of a single-alert call. */
export interface AlertCallOptions {
  /** Aborts the call; the SDK rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Alerts: list, get and update. Reached as `client.alerts`.
 *
 * On Graph these are `/security/alerts_v2` calls (permissions `SecurityAlert.Read.All`,
 * `SecurityAlert.ReadWrite.All`). The Defender API has no alerts endpoint: there `list` reads
 * the alerts embedded in every incident and filters them in the SDK (permission
 * `Incident.Read.All`), and `get`/`update` throw {@link UnsupportedOperationError}.
 */
export class Alerts {
  readonly #api: WireAdapter;

  /** @internal */
  constructor(api: WireAdapter) {
    this.#api = api;
  }

  /**
   * Lists alerts matching the filters, across as many pages as you read.
   *
   * @example
   * ```ts
   * for await (const alert of client.alerts.list({ severity: 'high', status: 'new' })) {
   *   console.log(alert.id, alert.title, alert.serviceSource);
   * }
   * ```
   * @throws InvalidArgumentError (synchronously) when an option is not valid.
   */
  list(options: AlertListOptions = {}): PagedList<Alert> {
    const valid = validateAlertListOptions(options);
    return pagedList<Alert, ListCursor>({
      fetchPage: (cursor) => this.#api.listAlertsPage(valid, cursor),
      isCursor: (value): value is ListCursor => this.#api.isCursor(value),
      idOf: (alert) => alert.id,
      operation: 'alerts.list',
      listing: listingKey('alerts.list', this.#api.api, valid),
    });
  }

  /**
   * Gets one alert by id (Graph only).
   * @throws NotFoundError when there is no such alert.
   * @throws UnsupportedOperationError on `api: 'defender'`.
   */
  async get(id: string, options: AlertCallOptions = {}): Promise<Alert> {
    checkCallOptions(options, ['signal'], 'alerts.get');
    return this.#api.getAlert(checkId(id, 'alert'), { signal: options.signal });
  }

  /**
   * Updates an alert: status, owner, classification, determination, and a comment to add
   * (Graph only). Returns the updated alert.
   * @throws UnsupportedOperationError on `api: 'defender'`.
   */
  async update(id: string, update: AlertUpdate, options: AlertCallOptions = {}): Promise<Alert> {
    checkCallOptions(options, ['signal'], 'alerts.update');
    const validId = checkId(id, 'alert');
    return this.#api.updateAlert(validId, validateAlertUpdate(update), { signal: options.signal });
  }
}
