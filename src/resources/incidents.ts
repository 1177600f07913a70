import {
  LEGACY_MAX_PAGE_SIZE,
  buildIncidentListQuery,
  buildIncidentUpdateBody,
  parseIncident,
  parseIncidentListPage,
} from '../apis/defender/index.js';
import { DEFENDER_OPERATIONS } from '../apis/defender/operations.js';
import { InvalidArgumentError } from '../errors.js';
import type { Incident, IncidentListOptions, IncidentUpdate } from '../models/index.js';
import { validateIncidentListOptions, validateIncidentUpdate } from '../models/incident-options.js';
import { pagedList, type PagedList } from '../pagination.js';
import type { Transport } from '../transport/transport.js';
import { checkCallOptions } from './call-options.js';

/** Options of a single-incident call. */
export interface IncidentCallOptions {
  /** Aborts the call; the SDK rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Where the next page starts: an offset, or a link the API gave (with the offset it stands for). */
type Cursor = { skip: number; link?: string };

// The transport checks a link's origin again before sending anything to it.
const isCursor = (value: unknown): value is Cursor => {
  if (typeof value !== 'object' || value === null) return false;
  const { skip, link } = value as { skip?: unknown; link?: unknown };
  return Number.isSafeInteger(skip) && (skip as number) >= 0 && (link === undefined || typeof link === 'string');
};

function checkId(id: unknown): string {
  const text = typeof id === 'number' && Number.isInteger(id) ? String(id) : id;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidArgumentError('id', `id must be a non-empty incident id string; got ${typeof id === 'string' ? 'an empty string' : typeof id}.`);
  }
  // "." and ".." survive encodeURIComponent and would change the path (PATCH /api/incidents/).
  if (/^\.{1,2}$/.test(text)) {
    throw new InvalidArgumentError('id', `id "${text}" is not an incident id.`);
  }
  return text;
}

/** Incidents: list, get and update. Reached as `client.incidents`. */
export class Incidents {
  readonly #transport: Transport;
  readonly #mapOptions: { portalBaseUrl?: string };

  /** @internal */
  constructor(transport: Transport, portalBaseUrl: string | undefined) {
    this.#transport = transport;
    this.#mapOptions = portalBaseUrl ? { portalBaseUrl } : {};
  }

  /**
   * Lists incidents, newest first as the API returns them, across as many pages as you read.
   *
   * @example
   * ```ts
   * for await (const incident of client.incidents.list({ status: 'active', updatedAfter: since })) {
   *   console.log(incident.id, incident.displayName);
   * }
   * ```
   * @throws InvalidArgumentError (synchronously) when an option is not valid.
   */
  list(options: IncidentListOptions = {}): PagedList<Incident> {
    const valid = validateIncidentListOptions(options, LEGACY_MAX_PAGE_SIZE);
    const top = valid.pageSize ?? LEGACY_MAX_PAGE_SIZE;
    const op = DEFENDER_OPERATIONS.listIncidents;
    return pagedList<Incident, Cursor>(
      async (cursor) => {
        const skip = cursor?.skip ?? 0;
        const response = cursor?.link
          ? await this.#transport.request({ method: 'GET', path: cursor.link, operation: op, signal: valid.signal })
          : await this.#transport.request({
              method: 'GET',
              path: '/api/incidents',
              query: buildIncidentListQuery(valid, { top, skip }),
              operation: op,
              signal: valid.signal,
            });
        const page = parseIncidentListPage(response.body, op.name, this.#mapOptions);
        const after = skip + page.items.length;
        // Follow @odata.nextLink if the API gives one (never the same link twice in a row);
        // else page by $skip until a short page.
        const next: Cursor | undefined =
          page.nextLink && page.nextLink !== cursor?.link
            ? { skip: after, link: page.nextLink }
            : page.items.length < top || page.nextLink
              ? undefined
              : { skip: after };
        return { items: page.items, next };
      },
      isCursor,
      (incident) => incident.id,
    );
  }

  /**
   * Gets one incident by id.
   * @throws NotFoundError when there is no such incident.
   */
  async get(id: string, options: IncidentCallOptions = {}): Promise<Incident> {
    checkCallOptions(options, ['signal'], 'incidents.get');
    const op = DEFENDER_OPERATIONS.getIncident;
    const response = await this.#transport.request({
      method: 'GET',
      path: `/api/incidents/${encodeURIComponent(checkId(id))}`,
      operation: op,
      signal: options.signal,
    });
    return parseIncident(response.body, op.name, this.#mapOptions);
  }

  /**
   * Updates an incident: status, assignment, classification and determination, tags (replaced as
   * a whole), and a comment to append. Only the fields you pass change. Returns the updated incident.
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
    const op = DEFENDER_OPERATIONS.updateIncident;
    const path = `/api/incidents/${encodeURIComponent(checkId(id))}`;
    const body = buildIncidentUpdateBody(validateIncidentUpdate(update));
    const response = await this.#transport.request({ method: 'PATCH', path, body, operation: op, signal: options.signal });
    return parseIncident(response.body, op.name, this.#mapOptions);
  }
}
