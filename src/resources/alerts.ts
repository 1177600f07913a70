import type { Alert } from '../models/incident.js';
import { validateAlertListOptions, validateAlertUpdate, type AlertListOptions, type AlertUpdate } from '../models/alert-options.js';
import { listingKey, pagedList, type PagedList } from '../pagination.js';
import type { ListCursor, WireAdapter } from '../apis/adapter.js';
import { checkCallOptions, checkId } from '../checks.js';
import { validateIncidentListOptions } from '../models/incident-options.js';
import type { Incident } from '../models/incident.js';
import { pagesOf, windowFilter } from './incidents.js';
import { SyncFeed, validateSyncOptions, type SyncEntry, type SyncOptions, type SyncPage, type SyncWindow } from './sync-feed.js';
import type { Logger } from '../types.js';

/** The page size an alerts feed asks alerts_v2 for. */
const ALERTS_PAGE_SIZE = 1000;

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
  readonly #logger: Logger | undefined;

  /** @internal */
  constructor(api: WireAdapter, logger?: Logger) {
    this.#api = api;
    this.#logger = logger;
  }

  /**
   * Lists alerts matching the filters, across as many pages as you read.
   *
   * Each alert is checked on its own (on the Defender API too, where alerts come embedded in
   * incidents: an incident the model rejects still gives its valid alerts). By default an alert the
   * model rejects fails the listing with a `ResponseValidationError` naming its index and id; with
   * `onInvalidItem` it is handed to your handler (`{ error, raw, id }`) and skipped.
   *
   * @example
   * ```ts
   * for await (const alert of client.alerts.list({ severity: 'high', status: 'new' })) {
   *   console.log(alert.id, alert.title, alert.serviceSource);
   * }
   * ```
   * @throws InvalidArgumentError (synchronously) when an option is not valid.
   * @throws ResponseValidationError (when iterating) for a page that is not a page, or, without
   *   `onInvalidItem`, for the first alert the model rejects.
   */
  list(options: AlertListOptions = {}): PagedList<Alert> {
    const valid = validateAlertListOptions(options);
    return pagedList<Alert, ListCursor>({
      fetchPage: async (cursor) => {
        const page = await this.#api.listAlertsPage(valid, cursor);
        // Before the page's items are yielded; a throw (or rejection) ends the listing with it.
        const handler = valid.onInvalidItem;
        for (const problem of page.invalid) await handler?.(problem);
        return page;
      },
      isCursor: (value): value is ListCursor => this.#api.isCursor(value),
      idOf: (alert) => alert.id,
      operation: 'alerts.list',
      // Skipping invalid items does not change where pages start: tokens resume either way.
      listing: listingKey('alerts.list', this.#api.api, { ...valid, onInvalidItem: undefined }),
    });
  }

  /**
   * A change feed of alerts: every alert created or changed since the feed's checkpoint (or
   * since `start` on the first run), in batches, oldest change first, committed as
   * `incidents.sync()` commits (see docs/sync.md). On Graph it pages `alerts_v2` by each alert's
   * last-update time. The Defender API has no alerts endpoint: there it reads the incidents
   * changed in each window and delivers those of their alerts that changed since the poll began
   * (permission `Incident.Read.All`).
   *
   * @example
   * ```ts
   * for await (const batch of client.alerts.sync({ checkpoint, start: '2026-12-01T00:00:00Z' })) {
   *   await index(batch.items);
   * }
   * ```
   * @throws InvalidArgumentError (synchronously) when an option is not valid.
   */
  sync(options: SyncOptions = {}): SyncFeed<Alert> {
    const identity = { feed: 'alerts', api: this.#api.api } as const;
    const valid = validateSyncOptions(options, identity, 'alerts.sync', this.#logger);
    const embedded = this.#api.alertsEmbeddedInIncidents;
    // Read through their incidents, a page lists incidents; alerts_v2 pages 1,000 alerts.
    return new SyncFeed(identity, 'alerts.sync', valid, {
      pageSize: embedded ? this.#api.maxIncidentPageSize : ALERTS_PAGE_SIZE,
      exceeds: (window, n) =>
        embedded
          ? this.#api.incidentsExceed(validateIncidentListOptions(windowFilter(window, {}), this.#api.maxIncidentPageSize), n)
          : this.#api.alertsExceed(validateAlertListOptions(windowFilter(window, {})), n),
      read: (window) => (embedded ? this.#alertsOfChangedIncidents(window) : pagesOf(this.list(windowFilter(window, { pageSize: ALERTS_PAGE_SIZE })), (alert) => ownTime(alert, window.from))),
    });
  }

  /** Alerts of the incidents changed in a window, positioned at their incident's last update. */
  #alertsOfChangedIncidents(window: SyncWindow): AsyncIterable<SyncPage<Alert>> {
    const valid = validateIncidentListOptions(windowFilter(window, {}), this.#api.maxIncidentPageSize);
    const incidents = pagedList<Incident, ListCursor>({
      fetchPage: async (cursor) => {
        const page = await this.#api.listIncidentsPage(valid, cursor);
        for (const problem of page.invalid) await window.onInvalidItem(problem);
        return page;
      },
      isCursor: (value): value is ListCursor => this.#api.isCursor(value),
      idOf: (incident) => incident.id,
      operation: 'alerts.sync',
      listing: listingKey('alerts.sync', this.#api.api, valid),
    });
    return pagesOf(incidents, (incident) => {
      const position = incident.lastUpdateDateTime.getTime();
      return incident.alerts.map((alert) => ({ item: alert, id: alert.id, version: alert.lastUpdateDateTime?.getTime() ?? position, position, moves: true }));
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

/**
 * An alert paged by its own last update (Graph `alerts_v2`). One the service sent with neither a
 * last-update nor a creation time (it matched a last-update filter, so it should have one) is
 * still delivered, placed at the start of its window.
 */
function ownTime(alert: Alert, windowStart: number): SyncEntry<Alert>[] {
  const time = (alert.lastUpdateDateTime ?? alert.createdDateTime)?.getTime() ?? windowStart;
  return [{ item: alert, id: alert.id, version: time, position: time }];
}
