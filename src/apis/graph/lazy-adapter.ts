/**
 * The Graph adapter as the client holds it: a stand-in that loads the real {@link GraphAdapter}
 * (and with it the Graph wire schemas and mappers) with `import()` on the first call that goes
 * to the wire. A client on the Defender API, the default, never loads that code, and
 * `import('m365-defender')` does not carry it.
 *
 * @packageDocumentation
 */
import type { AlertUpdate, ValidatedAlertListOptions } from '../../models/alert-options.js';
import type { Alert, Incident } from '../../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../../models/incident-options.js';
import type { Transport } from '../../transport/transport.js';
import type { AdapterCallOptions, AdapterPage, ListCursor, RawHuntingResult, WireAdapter } from '../adapter.js';
import type { HuntingBodyReader } from '../shared/hunting-body.js';
import type { GraphAdapter, GraphAdapterSettings } from './adapter.js';
import { isGraphCursor } from './cursor.js';
import { GRAPH_MAX_INCIDENT_PAGE_SIZE } from './limits.js';
import { toGraphTimespan } from './timespan.js';

/**
 * The Graph security API's {@link WireAdapter}, loaded on first use. The synchronous members
 * (`api`, `maxIncidentPageSize`, `isCursor`, `huntingTimespan`), which run while a call checks
 * its arguments, answer without loading anything; each asynchronous one loads the
 * {@link GraphAdapter} once (shared by concurrent first calls) and delegates to it.
 */
export class LazyGraphAdapter implements WireAdapter {
  readonly api = 'graph' as const;
  readonly maxIncidentPageSize = GRAPH_MAX_INCIDENT_PAGE_SIZE;
  readonly alertsEmbeddedInIncidents = false;
  readonly #transport: Transport;
  readonly #settings: GraphAdapterSettings;
  #adapter: Promise<GraphAdapter> | undefined;

  constructor(transport: Transport, settings: GraphAdapterSettings = {}) {
    this.#transport = transport;
    this.#settings = settings;
  }

  /** The real adapter, loaded once; a failed load is tried again on the next call. */
  #load(): Promise<GraphAdapter> {
    this.#adapter ??= import('./adapter.js').then(
      ({ GraphAdapter }) => new GraphAdapter(this.#transport, this.#settings),
      (error: unknown) => {
        this.#adapter = undefined;
        throw error;
      },
    );
    return this.#adapter;
  }

  isCursor(value: unknown): value is ListCursor {
    return isGraphCursor(value);
  }

  huntingTimespan(value: unknown): string | undefined {
    return value === undefined ? undefined : toGraphTimespan(value);
  }

  async listIncidentsPage(options: ValidatedIncidentListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Incident>> {
    return (await this.#load()).listIncidentsPage(options, cursor);
  }

  async incidentsExceed(options: ValidatedIncidentListOptions, n: number): Promise<boolean> {
    return (await this.#load()).incidentsExceed(options, n);
  }

  async getIncident(id: string, options: AdapterCallOptions & { expandAlerts: boolean }): Promise<Incident> {
    return (await this.#load()).getIncident(id, options);
  }

  async updateIncident(id: string, update: ValidatedIncidentUpdate, options: AdapterCallOptions): Promise<Incident> {
    return (await this.#load()).updateIncident(id, update, options);
  }

  async listAlertsPage(options: ValidatedAlertListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Alert>> {
    return (await this.#load()).listAlertsPage(options, cursor);
  }

  async alertsExceed(options: ValidatedAlertListOptions, n: number): Promise<boolean> {
    return (await this.#load()).alertsExceed(options, n);
  }

  async getAlert(id: string, options: AdapterCallOptions): Promise<Alert> {
    return (await this.#load()).getAlert(id, options);
  }

  async updateAlert(id: string, update: AlertUpdate, options: AdapterCallOptions): Promise<Alert> {
    return (await this.#load()).updateAlert(id, update, options);
  }

  async runHunting(query: string, timespan: string | undefined, options: AdapterCallOptions & { timeoutMs: number }): Promise<RawHuntingResult> {
    return (await this.#load()).runHunting(query, timespan, options);
  }

  async streamHunting(
    query: string,
    timespan: string | undefined,
    options: AdapterCallOptions & { timeoutMs: number; operation: string },
  ): Promise<HuntingBodyReader> {
    return (await this.#load()).streamHunting(query, timespan, options);
  }
}
