import { InvalidArgumentError } from '../errors.js';
import type { Incident, IncidentListOptions, IncidentUpdate } from '../models/index.js';
import { validateIncidentListOptions, validateIncidentUpdate } from '../models/incident-options.js';
import { listingKey, pagedList, type PagedList } from '../pagination.js';
import type { ListCursor, WireAdapter } from '../apis/adapter.js';
import { checkCallOptions, checkId } from '../checks.js';

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

  /** @internal */
  constructor(api: WireAdapter) {
    this.#api = api;
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
