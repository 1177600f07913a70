/**
 * What callers pass to `alerts.list` and `alerts.update`, and the checks run before anything is
 * sent. Inputs use the public (Graph) vocabulary.
 *
 * @packageDocumentation
 */
import { checkSignal, describe, isPlainObject, rejectUnknownOptions } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';
import { ALERT_STATUSES, CLASSIFICATIONS, SERVICE_SOURCES, SEVERITIES } from './enums.js';
import {
  checkDate,
  checkRange,
  checkEnum,
  checkInvalidItemHandler,
  checkNonEmptyString,
  checkSomeChange,
  checkTriageFields,
  checkUpdateObject,
  type DateInput,
  type IncidentUpdateDetermination,
  type SeverityFilter,
} from './incident-options.js';
import type { InvalidItemHandler } from './invalid-item.js';

/** An alert status you can filter on: one of {@link ALERT_STATUSES}. */
export type AlertStatusFilter = (typeof ALERT_STATUSES)[number];
/** A service source you can filter on: one of {@link SERVICE_SOURCES}. */
export type ServiceSourceFilter = (typeof SERVICE_SOURCES)[number];

/**
 * Options of `client.alerts.list()`. On Graph every filter is applied by the service
 * (`GET /security/alerts_v2`). The Defender API has no alerts endpoint: there the SDK reads the
 * alerts embedded in every incident and applies the same filters itself, so a listing reads
 * all incidents.
 */
export interface AlertListOptions {
  /** Only alerts with this status. */
  status?: AlertStatusFilter;
  /** Only alerts with this severity. */
  severity?: SeverityFilter;
  /** Only alerts raised by this product, e.g. `microsoftDefenderForEndpoint`. */
  serviceSource?: ServiceSourceFilter;
  /** Only alerts created at or after this time (inclusive). */
  createdAfter?: DateInput;
  /** Only alerts last updated at or after this time (inclusive). */
  updatedAfter?: DateInput;
  /** Only alerts last updated before this time (exclusive). */
  updatedBefore?: DateInput;
  /** Only alerts assigned to this owner, matched exactly. */
  assignedTo?: string;
  /**
   * Alerts per request on Graph, 1 to 1,000 (default 100). On the Defender API incidents are read
   * 100 per request whatever this says.
   */
  pageSize?: number;
  /**
   * Skip an alert the model rejects instead of failing the listing. The SDK calls this with
   * `{ error, raw, id }` for each such alert (before the page's other items are yielded), leaves
   * it out and goes on; an async handler is awaited. Without it the listing is strict: the first
   * such alert rejects it with a `ResponseValidationError` naming the alert's index and id. If the
   * handler throws (or its promise rejects), the listing rejects with that same error.
   */
  onInvalidItem?: InvalidItemHandler;
  /** Aborts the listing; the SDK rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** {@link AlertListOptions} after {@link validateAlertListOptions}: dates are `Date`s. */
export interface ValidatedAlertListOptions {
  /** Status filter. */
  status?: AlertStatusFilter;
  /** Severity filter. */
  severity?: SeverityFilter;
  /** Service source filter. */
  serviceSource?: ServiceSourceFilter;
  /** Created at or after. */
  createdAfter?: Date;
  /** Updated at or after. */
  updatedAfter?: Date;
  /** Updated before. */
  updatedBefore?: Date;
  /** Owner filter. */
  assignedTo?: string;
  /** Alerts per request. */
  pageSize?: number;
  /** Handler of items the model rejects; without it the listing throws on the first. */
  onInvalidItem?: InvalidItemHandler;
  /** Aborts the listing. */
  signal?: AbortSignal;
}

/** Statuses an alert update may set. */
export const ALERT_UPDATE_STATUSES = ['new', 'inProgress', 'resolved'] as const;
/** A status an alert update may set: one of {@link ALERT_UPDATE_STATUSES}. */
export type AlertUpdateStatus = (typeof ALERT_UPDATE_STATUSES)[number];

/** Changes to make to an alert (Graph only). Fields you leave out keep their value. */
export interface AlertUpdate {
  /** New status. */
  status?: AlertUpdateStatus;
  /** New owner (UPN); `null` unassigns. */
  assignedTo?: string | null;
  /** New classification. */
  classification?: (typeof CLASSIFICATIONS)[number];
  /** New determination; needs `classification` in the same update, as on incidents. */
  determination?: IncidentUpdateDetermination;
  /** A comment to add (`POST /security/alerts_v2/{id}/comments`). */
  comment?: string;
}

/** The most alerts the SDK asks Graph for per request (the only written cap, reference §5.2). */
export const MAX_ALERT_PAGE_SIZE = 1000;

const LIST_OPTIONS = ['status', 'severity', 'serviceSource', 'createdAfter', 'updatedAfter', 'updatedBefore', 'assignedTo', 'pageSize', 'onInvalidItem', 'signal'] as const;
const UPDATE_FIELDS = ['status', 'assignedTo', 'classification', 'determination', 'comment'] as const;

/**
 * Checks the options of `alerts.list` before any request.
 * @throws InvalidArgumentError naming the option.
 */
export function validateAlertListOptions(options: AlertListOptions): ValidatedAlertListOptions {
  const input: unknown = options ?? {};
  if (!isPlainObject(input)) {
    throw new InvalidArgumentError('options', `alerts.list options must be an object; got ${describe(input)}.`);
  }
  rejectUnknownOptions(input, LIST_OPTIONS, { what: 'alerts.list', allowUndefined: true });
  const out: ValidatedAlertListOptions = {};
  if (input.status !== undefined) out.status = checkEnum('status', input.status, ALERT_STATUSES);
  if (input.severity !== undefined) out.severity = checkEnum('severity', input.severity, SEVERITIES);
  if (input.serviceSource !== undefined) out.serviceSource = checkEnum('serviceSource', input.serviceSource, SERVICE_SOURCES);
  if (input.createdAfter !== undefined) out.createdAfter = checkDate('createdAfter', input.createdAfter);
  if (input.updatedAfter !== undefined) out.updatedAfter = checkDate('updatedAfter', input.updatedAfter);
  if (input.updatedBefore !== undefined) out.updatedBefore = checkDate('updatedBefore', input.updatedBefore);
  checkRange(out.updatedAfter, out.updatedBefore, 'updatedAfter', 'updatedBefore');
  if (input.assignedTo !== undefined) out.assignedTo = checkNonEmptyString('assignedTo', input.assignedTo);
  if (input.pageSize !== undefined) {
    const size = input.pageSize;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_ALERT_PAGE_SIZE) {
      throw new InvalidArgumentError('pageSize', `pageSize must be an integer from 1 to ${MAX_ALERT_PAGE_SIZE}; got ${describe(size)}.`);
    }
    out.pageSize = size;
  }
  if (input.onInvalidItem !== undefined) out.onInvalidItem = checkInvalidItemHandler(input.onInvalidItem);
  const signal = checkSignal(input.signal);
  if (signal) out.signal = signal;
  return out;
}

/**
 * Checks an alert update before it is sent: at least one field, known enum values, a non-empty
 * comment.
 * @throws InvalidArgumentError naming the field.
 */
export function validateAlertUpdate(update: AlertUpdate): AlertUpdate {
  const input = checkUpdateObject(update, UPDATE_FIELDS, 'alerts.update');
  return checkSomeChange(checkTriageFields(input, ALERT_UPDATE_STATUSES), UPDATE_FIELDS);
}
