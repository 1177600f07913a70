/**
 * The seam between the resources (one public behaviour) and the wire APIs: each API implements
 * {@link WireAdapter} once (`defender/adapter.ts`, `graph/adapter.ts`), and the resources
 * (`resources/incidents.ts`, `alerts.ts`, `advanced-hunting.ts`) hold the logic that is the same
 * for both (validation, paging, row typing).
 *
 * @packageDocumentation
 */
import type { AlertUpdate, ValidatedAlertListOptions } from '../models/alert-options.js';
import type { HuntingColumn } from '../models/hunting.js';
import type { Alert, Incident } from '../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../models/incident-options.js';
import type { InvalidItem } from '../models/invalid-item.js';
import type { ErrorBodyReader } from '../transport/operation.js';
import type { WireApiName } from '../types.js';
import type { HuntingBodyReader } from './shared/hunting-body.js';

/**
 * Where the next page of a list starts, as a continuation token encodes it: an offset (Defender
 * API `$skip` paging), a link the API gave (`@odata.nextLink`), and on Graph whether alerts are
 * being fetched per incident after an `$expand=alerts` failure.
 */
export interface ListCursor {
  /** Items already read (Defender API `$skip`). */
  skip?: number;
  /** The API's next link; the transport refuses one that leaves the API origin. */
  link?: string;
  /** Graph only: the `$expand=alerts` fallback is in force. */
  perIncidentAlerts?: boolean;
}

/** What the transport sends on every request of one wire API, and how it reads that API's errors. */
export interface WireHttp {
  /** Headers sent on every request. */
  headers: Readonly<Record<string, string>>;
  /** Reads an error body's code, message and request id. */
  readErrorBody: ErrorBodyReader;
}

/** One page a wire API returned, and where the next starts (`undefined` on the last page). */
export interface AdapterPage<T> {
  /** The page's items, in the public model. */
  items: T[];
  /**
   * The page's items the model rejects, for the caller's `onInvalidItem`. Always empty without
   * one: the adapter then throws on the first.
   */
  invalid: InvalidItem[];
  /** Where the next page starts. */
  next: ListCursor | undefined;
  /** The ids of every item the service sent, when the adapter filtered some out itself. */
  sentIds?: readonly string[];
}

/** Per-call settings every adapter call takes. */
export interface AdapterCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal | undefined;
}

/** A hunting result before row typing. */
export interface RawHuntingResult {
  /** The columns. */
  schema: HuntingColumn[];
  /** The rows as sent. */
  rows: Record<string, unknown>[];
  /** Statistics (Defender API only). */
  stats?: unknown;
}

/** What a wire API does for the resources. Internal. */
export interface WireAdapter {
  /** Which API this is. */
  readonly api: WireApiName;
  /** The most incidents one list request may ask for. */
  readonly maxIncidentPageSize: number;
  /**
   * Whether alerts are listed from the incidents they are embedded in (the Defender API has no
   * alerts endpoint), so an alerts change feed pages by its incidents' last-update time.
   */
  readonly alertsEmbeddedInIncidents: boolean;
  /** Whether a decoded continuation token's cursor is one this adapter issues. */
  isCursor(value: unknown): value is ListCursor;
  /** Fetches one page of incidents. */
  listIncidentsPage(options: ValidatedIncidentListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Incident>>;
  /**
   * Whether the listing of `options` holds more than `n` incidents, asked in one request that
   * returns at most one: a change feed learns with it whether a time window fits before paging
   * through it. Defender API: the item at `$skip` `n`; Graph: `$count`.
   */
  incidentsExceed(options: ValidatedIncidentListOptions, n: number): Promise<boolean>;
  /** Gets one incident. */
  getIncident(id: string, options: AdapterCallOptions & { expandAlerts: boolean }): Promise<Incident>;
  /** Updates one incident and returns it. */
  updateIncident(id: string, update: ValidatedIncidentUpdate, options: AdapterCallOptions): Promise<Incident>;
  /** Fetches one page of alerts. */
  listAlertsPage(options: ValidatedAlertListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Alert>>;
  /**
   * As {@link WireAdapter.incidentsExceed}, for alerts. The Defender API has no alerts endpoint to
   * count: it rejects with `UnsupportedOperationError` (when `alertsEmbeddedInIncidents`, ask
   * {@link WireAdapter.incidentsExceed} of the incidents instead).
   */
  alertsExceed(options: ValidatedAlertListOptions, n: number): Promise<boolean>;
  /** Gets one alert. */
  getAlert(id: string, options: AdapterCallOptions): Promise<Alert>;
  /** Updates one alert and returns it. */
  updateAlert(id: string, update: AlertUpdate, options: AdapterCallOptions): Promise<Alert>;
  /** Checks a caller's `timespan` and returns the wire form, before anything is sent. */
  huntingTimespan(value: unknown): string | undefined;
  /** Runs a hunting query. */
  runHunting(query: string, timespan: string | undefined, options: AdapterCallOptions & { timeoutMs: number }): Promise<RawHuntingResult>;
  /**
   * Sends a hunting query and returns a reader of its response body as it arrives
   * (`advancedHunting.stream`); `timeoutMs` bounds the wait for the headers and for each chunk.
   */
  streamHunting(query: string, timespan: string | undefined, options: AdapterCallOptions & { timeoutMs: number; operation: string }): Promise<HuntingBodyReader>;
}
