import { InvalidArgumentError } from '../errors.js';
import type { Incident, IncidentListOptions, IncidentUpdate } from '../models/index.js';
import { validateIncidentListOptions, validateIncidentUpdate } from '../models/incident-options.js';
import { listingKey, pagedList, type PagedList } from '../pagination.js';
import type { ListCursor, WireAdapter } from '../apis/adapter.js';
import { checkCallOptions, checkId } from '../checks.js';
import { SyncFeed, validateSyncOptions, type SyncEntry, type SyncOptions, type SyncPage, type SyncWindow } from './sync-feed.js';
import type { Logger } from '../types.js';

/** Options of `incidents.sync`. */
export interface IncidentSyncOptions extends SyncOptions {
  /**
   * Include each incident's alerts, as `list({ expandAlerts })` does (the Defender API always
   * embeds them; on Graph the `$expand=alerts` fallback applies). Default `false`.
   */
  expandAlerts?: boolean;
}

/** Options of a single-incident call. */
export interface IncidentCallOptions {
  /** Aborts the call; the SDK rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of `incidents.get`. */
export interface IncidentGetOptions extends IncidentCallOptions {
  /**
   * Include the incident's alerts. The Defender API always embeds them; on Graph they come only
   * with this option (`$expand=alerts`). Default `false`.
   */
  expandAlerts?: boolean;
}

/** Incidents: list, get and update, on whichever API the client uses. Reached as `client.incidents`. */
export class Incidents {
  readonly #api: WireAdapter;
  readonly #logger: Logger | undefined;

  /** @internal */
  constructor(api: WireAdapter, logger?: Logger) {
    this.#api = api;
    this.#logger = logger;
  }

  /**
   * Lists incidents, newest first as the API returns them, across as many pages as you read.
   * Pages hold up to 100 incidents on the Defender API and 50 on Graph (`pageSize` above that is
   * refused before anything is sent). On Graph, alerts are included only with `expandAlerts`;
   * should a list with `$expand=alerts` keep failing with a 5xx, the SDK lists without it and
   * reads each incident's alerts from `/security/alerts_v2` (logged as a warning).
   *
   * Each incident is checked on its own. By default an incident the model rejects fails the
   * listing with a `ResponseValidationError` naming its index and id; with `onInvalidItem` it is
   * handed to your handler (`{ error, raw, id }`) and skipped, and the page's other incidents arrive.
   *
   * @example
   * ```ts
   * for await (const incident of client.incidents.list({ status: 'active', updatedAfter: since })) {
   *   console.log(incident.id, incident.displayName);
   * }
   * ```
   * @throws InvalidArgumentError (synchronously) when an option is not valid.
   * @throws ResponseValidationError (when iterating) for a page that is not a page, or, without
   *   `onInvalidItem`, for the first incident the model rejects.
   */
  list(options: IncidentListOptions = {}): PagedList<Incident> {
    const valid = validateIncidentListOptions(options, this.#api.maxIncidentPageSize);
    return pagedList<Incident, ListCursor>({
      fetchPage: async (cursor) => {
        const page = await this.#api.listIncidentsPage(valid, cursor);
        // Before the page's items are yielded; a throw (or rejection) ends the listing with it.
        const handler = valid.onInvalidItem;
        for (const problem of page.invalid) await handler?.(problem);
        return page;
      },
      isCursor: (value): value is ListCursor => this.#api.isCursor(value),
      idOf: (incident) => incident.id,
      operation: 'incidents.list',
      // Skipping invalid items does not change where pages start: tokens resume either way.
      listing: listingKey('incidents.list', this.#api.api, { ...valid, onInvalidItem: undefined }),
    });
  }

  /**
   * A change feed of incidents: every incident created or changed since the feed's checkpoint
   * (or since `start` on the first run), in batches, oldest change first. Asking for the next
   * batch commits the one before to `checkpoint`, so a program run from a timer picks up where
   * the last run stopped; a batch not committed (a crash, a `break`, a thrown error) is delivered
   * again. Pages by the last-update time in time windows (never a growing `$skip`), re-reads an
   * overlap of `overlapMs` for late-indexed changes, and never delivers one version of an
   * incident twice once committed. A merged incident arrives with `redirectIncidentId` set.
   * See docs/sync.md.
   *
   * @example
   * ```ts
   * const feed = client.incidents.sync({ checkpoint: new FileCheckpointStore('.state/sync.json') });
   * for await (const batch of feed) await writeSomewhere(batch.items);
   * ```
   * @throws InvalidArgumentError (synchronously) when an option is not valid.
   */
  sync(options: IncidentSyncOptions = {}): SyncFeed<Incident> {
    const identity = { feed: 'incidents', api: this.#api.api } as const;
    const valid = validateSyncOptions(options, identity, 'incidents.sync', this.#logger, ['expandAlerts']);
    if (options.expandAlerts !== undefined && typeof options.expandAlerts !== 'boolean') {
      throw new InvalidArgumentError('expandAlerts', 'expandAlerts must be true or false.');
    }
    const expandAlerts = options.expandAlerts === true;
    const pageSize = this.#api.maxIncidentPageSize;
    return new SyncFeed(identity, 'incidents.sync', valid, {
      pageSize,
      exceeds: (window, n) => this.#api.incidentsExceed(validateIncidentListOptions(windowFilter(window, {}), pageSize), n),
      read: (window) =>
        pagesOf(this.list(windowFilter(window, { expandAlerts, pageSize })), (incident) => {
          const time = incident.lastUpdateDateTime.getTime();
          return [{ item: incident, id: incident.id, version: time, position: time }];
        }),
    });
  }

  /**
   * Gets one incident by id.
   * @throws NotFoundError when there is no such incident.
   */
  async get(id: string, options: IncidentGetOptions = {}): Promise<Incident> {
    checkCallOptions(options, ['signal', 'expandAlerts'], 'incidents.get');
    if (options.expandAlerts !== undefined && typeof options.expandAlerts !== 'boolean') {
      throw new InvalidArgumentError('expandAlerts', 'expandAlerts must be true or false.');
    }
    return this.#api.getIncident(checkId(id), { signal: options.signal, expandAlerts: options.expandAlerts === true });
  }

  /**
   * Updates an incident: status, assignment, classification and determination, tags (replaced as
   * a whole), and a comment to append. Only the fields you pass change. Returns the updated incident.
   *
   * On Graph this is a `PATCH` (tags are sent as `customTags`) and, for a comment, a separate
   * `POST …/comments`; if the comment fails after the PATCH succeeded, the error says so via its
   * operation and the other changes stay made. The incident returned on Graph carries no alerts.
   *
   * A PATCH is never resent when its outcome is unknown (a 5xx or a dropped connection): you get
   * the error and decide.
   *
   * @example
   * ```ts
   * await client.incidents.update('924521', { status: 'resolved', classification: 'truePositive',
   *   determination: 'malware', comment: 'Contained.' });
   * ```
   */
  async update(id: string, update: IncidentUpdate, options: IncidentCallOptions = {}): Promise<Incident> {
    checkCallOptions(options, ['signal'], 'incidents.update');
    const validId = checkId(id);
    return this.#api.updateIncident(validId, validateIncidentUpdate(update), { signal: options.signal });
  }
}

/** The list filter of one feed window: last updated in [from, to). @internal */
export function windowFilter<O extends object>(
  window: SyncWindow,
  options: O,
): O & { updatedAfter: Date; updatedBefore?: Date; signal?: AbortSignal; onInvalidItem: SyncWindow['onInvalidItem'] } {
  return {
    ...options,
    onInvalidItem: window.onInvalidItem,
    updatedAfter: new Date(window.from),
    ...(window.to === undefined ? {} : { updatedBefore: new Date(window.to) }),
    ...(window.signal ? { signal: window.signal } : {}),
  };
}

/** A listing's pages, each mapped to feed entries. @internal */
export async function* pagesOf<T, E>(list: PagedList<T>, toEntries: (item: T) => SyncEntry<E>[]): AsyncGenerator<SyncPage<E>, void, undefined> {
  for await (const page of list.byPage()) yield { entries: page.items.flatMap(toEntries), listed: page.items.length, more: page.continuationToken !== undefined };
}
