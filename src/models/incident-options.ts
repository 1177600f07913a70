/**
 * What callers pass to `incidents.list` and `incidents.update`, and the checks run before
 * anything is sent. Inputs use the public vocabulary (Graph's camelCase names); each wire API
 * maps them to its own.
 *
 * @packageDocumentation
 */
import { checkSignal, describe, hasLoneSurrogate, isPlainObject, rejectUnknownOptions } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';
import { parseDateTime } from './dates.js';
import { CLASSIFICATIONS, INCIDENT_STATUSES, SEVERITIES } from './enums.js';
import type { InvalidItemHandler } from './invalid-item.js';

/** An incident status you can filter on: one of {@link INCIDENT_STATUSES}. */
export type IncidentStatusFilter = (typeof INCIDENT_STATUSES)[number];

/** A severity you can filter on: one of {@link SEVERITIES}. */
export type SeverityFilter = (typeof SEVERITIES)[number];

/**
 * A point in time given by the caller: a valid `Date`, or an ISO-8601 string that carries a
 * time zone (`2024-05-01T00:00:00Z`, `2024-05-01T02:00:00+02:00`). A string without one is
 * refused because it is ambiguous.
 */
export type DateInput = Date | string;

/**
 * Options of `client.incidents.list()`. Every filter is applied by the service, except
 * `severity` on the Defender API, which cannot filter on it: there the SDK reads every page and
 * drops the other severities itself (Graph filters it server-side).
 */
export interface IncidentListOptions {
  /** Only incidents with this status. */
  status?: IncidentStatusFilter;
  /** Only incidents with this severity (server-side on Graph, client-side on the Defender API). */
  severity?: SeverityFilter;
  /** Only incidents assigned to this owner (UPN), matched exactly. */
  assignedTo?: string;
  /** Only incidents created at or after this time (inclusive). */
  createdAfter?: DateInput;
  /** Only incidents created before this time (exclusive). */
  createdBefore?: DateInput;
  /** Only incidents last updated at or after this time (inclusive: dedupe by id when you sync incrementally). */
  updatedAfter?: DateInput;
  /** Only incidents last updated before this time (exclusive). */
  updatedBefore?: DateInput;
  /** Incidents per request: an integer from 1 to the API's maximum (100 on the Defender API, 50 on Graph). Default: the maximum. */
  pageSize?: number;
  /**
   * Include each incident's alerts. The Defender API always embeds them; on Graph they come only
   * with this option (`$expand=alerts`), else `alerts` is `[]`. Default `false`.
   */
  expandAlerts?: boolean;
  /**
   * Skip an incident the model rejects instead of failing the listing. The SDK calls this with
   * `{ error, raw, id }` for each such incident (before the page's other items are yielded), leaves
   * it out and goes on; an async handler is awaited. Without it the listing is strict: the first
   * such incident rejects it with a `ResponseValidationError` naming the incident's index and id. If the
   * handler throws (or its promise rejects), the listing rejects with that same error.
   */
  onInvalidItem?: InvalidItemHandler;
  /** Aborts the listing; the SDK rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** {@link IncidentListOptions} after {@link validateIncidentListOptions}: dates are `Date`s. */
export interface ValidatedIncidentListOptions {
  /** Only incidents with this status. */
  status?: IncidentStatusFilter;
  /** Only incidents with this severity. */
  severity?: SeverityFilter;
  /** Only incidents assigned to this owner. */
  assignedTo?: string;
  /** Created at or after. */
  createdAfter?: Date;
  /** Created before. */
  createdBefore?: Date;
  /** Updated at or after. */
  updatedAfter?: Date;
  /** Updated before. */
  updatedBefore?: Date;
  /** Incidents per request. */
  pageSize?: number;
  /** Include each incident's alerts. */
  expandAlerts?: boolean;
  /** Handler of items the model rejects; without it the listing throws on the first. */
  onInvalidItem?: InvalidItemHandler;
  /** Aborts the listing. */
  signal?: AbortSignal;
}

/** Statuses an update may set. `awaitingAction` is Microsoft's to set, not yours. */
export const INCIDENT_UPDATE_STATUSES = ['active', 'inProgress', 'resolved', 'redirected'] as const;
/** A status an update may set: one of {@link INCIDENT_UPDATE_STATUSES}. */
export type IncidentUpdateStatus = (typeof INCIDENT_UPDATE_STATUSES)[number];

/** A classification an update may set: one of {@link CLASSIFICATIONS}. */
export type IncidentUpdateClassification = (typeof CLASSIFICATIONS)[number];

/**
 * The determinations each classification allows, as Microsoft's update documentation pairs
 * them (Defender API reference, "Update incident"). An update that sets `determination` must
 * set `classification` too, to one of these keys. The deprecated `apt` and `securityPersonnel`
 * are not settable.
 */
export const DETERMINATIONS_BY_CLASSIFICATION = {
  truePositive: [
    'multiStagedAttack',
    'maliciousUserActivity',
    'compromisedAccount',
    'malware',
    'phishing',
    'unwantedSoftware',
    'other',
  ],
  informationalExpectedActivity: ['securityTesting', 'lineOfBusinessApplication', 'confirmedUserActivity', 'other'],
  falsePositive: ['notMalicious', 'notEnoughDataToValidate', 'other'],
  unknown: ['unknown'],
} as const satisfies Record<IncidentUpdateClassification, readonly string[]>;

/** A determination an update may set: one allowed by {@link DETERMINATIONS_BY_CLASSIFICATION}. */
export type IncidentUpdateDetermination =
  (typeof DETERMINATIONS_BY_CLASSIFICATION)[keyof typeof DETERMINATIONS_BY_CLASSIFICATION][number];

/** Changes to make to an incident. Fields you leave out keep their value. */
export interface IncidentUpdate {
  /** New status, e.g. `resolved`. */
  status?: IncidentUpdateStatus;
  /** New owner (UPN); `null` or `''` unassigns. */
  assignedTo?: string | null;
  /** New classification. */
  classification?: IncidentUpdateClassification;
  /** New determination; needs `classification` in the same update (see {@link DETERMINATIONS_BY_CLASSIFICATION}). */
  determination?: IncidentUpdateDetermination;
  /** The complete new tag list (replaces the old one; `[]` clears it). */
  tags?: readonly string[];
  /** A comment to add to the incident. */
  comment?: string;
}

/** {@link IncidentUpdate} after {@link validateIncidentUpdate}. */
export interface ValidatedIncidentUpdate {
  /** New status. */
  status?: IncidentUpdateStatus;
  /** New owner; `null` unassigns. */
  assignedTo?: string | null;
  /** New classification. */
  classification?: IncidentUpdateClassification;
  /** New determination (paired with `classification`). */
  determination?: IncidentUpdateDetermination;
  /** New tag list. */
  tags?: string[];
  /** Comment to add. */
  comment?: string;
}

const LIST_OPTIONS = ['status', 'severity', 'assignedTo', 'createdAfter', 'createdBefore', 'updatedAfter', 'updatedBefore', 'pageSize', 'expandAlerts', 'onInvalidItem', 'signal'] as const;
const UPDATE_FIELDS = ['status', 'assignedTo', 'classification', 'determination', 'tags', 'comment'] as const;

const quoteList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');


/** Checks that `value` is one of `allowed`, hinting at the camelCase name of a PascalCase value. Internal helper. */
export function checkEnum<T extends string>(option: string, value: unknown, allowed: readonly T[], context = ''): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  let hint = '';
  if (typeof value === 'string') {
    const camel = value.charAt(0).toLowerCase() + value.slice(1);
    if ((allowed as readonly string[]).includes(camel)) hint = ` (the SDK uses Graph's camelCase names: '${camel}')`;
  }
  throw new InvalidArgumentError(
    option,
    `${option}${context} must be one of ${quoteList(allowed)}; got ${describe(value)}${hint}.`,
  );
}

/** Checks `onInvalidItem` of a list call: a function. Internal helper. */
export function checkInvalidItemHandler(value: unknown): InvalidItemHandler {
  if (typeof value === 'function') return value as InvalidItemHandler;
  throw new InvalidArgumentError('onInvalidItem', `onInvalidItem must be a function (it receives { error, raw, id }); got ${describe(value)}.`);
}

/** Reads a caller's {@link DateInput} into a `Date`, refusing strings without a time zone. Internal helper. */
export function checkDate(option: string, value: unknown): Date {
  if (Object.prototype.toString.call(value) === '[object Date]') {
    const time = (value as Date).getTime();
    if (!Number.isNaN(time)) return checkYear(option, new Date(time));
    throw new InvalidArgumentError(option, `${option} is an invalid Date (its time is NaN).`);
  }
  if (typeof value === 'string') {
    const parsed = parseDateTime(value, { requireOffset: true });
    if (parsed) return checkYear(option, parsed);
  }
  throw new InvalidArgumentError(
    option,
    `${option} must be a valid Date or an ISO-8601 date-time string with a time zone ` +
      `(e.g. "2024-05-01T00:00:00Z"); got ${describe(value)}.`,
  );
}

/**
 * Refuses a date outside the years 1–9999 (in UTC): `toISOString()` writes those with a sign
 * and six digits (`+010000-01-01…`), which no OData or KQL date literal accepts.
 */
function checkYear(option: string, date: Date): Date {
  const year = date.getUTCFullYear();
  if (year >= 1 && year <= 9999) return date;
  throw new InvalidArgumentError(option, `${option} must fall in the years 1 to 9999 (UTC); got a date in the year ${year}.`);
}

/**
 * Checks an update's `determination` against the `classification` sent with it: the APIs accept
 * a determination only as a pair with its classification. Shared by incident and alert updates.
 * Internal helper.
 */
export function checkDetermination(value: unknown, classification: (typeof CLASSIFICATIONS)[number] | undefined): IncidentUpdateDetermination {
  if (classification === undefined) {
    throw new InvalidArgumentError(
      'determination',
      'determination must be sent together with classification (the API accepts a determination only as a ' +
        "pair with its classification, e.g. { classification: 'truePositive', determination: 'malware' }).",
    );
  }
  return checkEnum<IncidentUpdateDetermination>('determination', value, DETERMINATIONS_BY_CLASSIFICATION[classification], ` with classification '${classification}'`);
}

/** Checks a non-empty string option. Internal helper. */
export function checkNonEmptyString(option: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') {
    // Encoding would silently turn a lone surrogate into U+FFFD and match something else.
    if (hasLoneSurrogate(value)) {
      throw new InvalidArgumentError(option, `${option} must be well-formed Unicode text; it holds a lone surrogate (U+D800–U+DFFF).`);
    }
    return value;
  }
  throw new InvalidArgumentError(option, `${option} must be a non-empty string; got ${describe(value)}.`);
}

/** Checks that a range's lower bound is earlier than its upper bound. @internal */
export function checkRange(after: Date | undefined, before: Date | undefined, afterName: string, beforeName: string): void {
  if (after && before && after.getTime() >= before.getTime()) {
    throw new InvalidArgumentError(
      afterName,
      `${afterName} (${after.toISOString()}) must be earlier than ${beforeName} (${before.toISOString()}).`,
    );
  }
}

/**
 * Checks the options of `incidents.list` before any request and returns them with dates as
 * `Date`s. `maxPageSize` is the wire API's page-size limit (100 on the Defender API).
 *
 * @throws InvalidArgumentError naming the option, and the allowed values where there is a list.
 */
export function validateIncidentListOptions(options: IncidentListOptions, maxPageSize: number): ValidatedIncidentListOptions {
  const input: unknown = options ?? {};
  if (!isPlainObject(input)) {
    throw new InvalidArgumentError('options', `incidents.list options must be an object; got ${describe(input)}.`);
  }
  rejectUnknownOptions(input, LIST_OPTIONS, { what: 'incidents.list', allowUndefined: true });
  const out: ValidatedIncidentListOptions = {};
  if (input.status !== undefined) out.status = checkEnum('status', input.status, INCIDENT_STATUSES);
  if (input.severity !== undefined) out.severity = checkEnum('severity', input.severity, SEVERITIES);
  if (input.expandAlerts !== undefined) {
    if (typeof input.expandAlerts !== 'boolean') {
      throw new InvalidArgumentError('expandAlerts', `expandAlerts must be true or false; got ${describe(input.expandAlerts)}.`);
    }
    out.expandAlerts = input.expandAlerts;
  }
  if (input.assignedTo !== undefined) out.assignedTo = checkNonEmptyString('assignedTo', input.assignedTo);
  if (input.createdAfter !== undefined) out.createdAfter = checkDate('createdAfter', input.createdAfter);
  if (input.createdBefore !== undefined) out.createdBefore = checkDate('createdBefore', input.createdBefore);
  if (input.updatedAfter !== undefined) out.updatedAfter = checkDate('updatedAfter', input.updatedAfter);
  if (input.updatedBefore !== undefined) out.updatedBefore = checkDate('updatedBefore', input.updatedBefore);
  checkRange(out.createdAfter, out.createdBefore, 'createdAfter', 'createdBefore');
  checkRange(out.updatedAfter, out.updatedBefore, 'updatedAfter', 'updatedBefore');
  if (input.pageSize !== undefined) {
    const size = input.pageSize;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > maxPageSize) {
      throw new InvalidArgumentError(
        'pageSize',
        `pageSize must be an integer from 1 to ${maxPageSize} (the API's maximum page size); got ${describe(size)}.`,
      );
    }
    out.pageSize = size;
  }
  if (input.onInvalidItem !== undefined) out.onInvalidItem = checkInvalidItemHandler(input.onInvalidItem);
  const signal = checkSignal(input.signal);
  if (signal) out.signal = signal;
  return out;
}

/**
 * Checks an incident update before it is sent.
 *
 * Enforced: at least one field; `status` one of {@link INCIDENT_UPDATE_STATUSES};
 * `classification` one of {@link CLASSIFICATIONS}; `determination` only together with
 * `classification`, and only a value {@link DETERMINATIONS_BY_CLASSIFICATION} pairs with it;
 * `assignedTo` a string or `null`; `tags` an array of non-empty strings; `comment` a non-empty
 * string.
 *
 * @throws InvalidArgumentError naming the field, and the allowed values where there is a list.
 */
export function validateIncidentUpdate(update: IncidentUpdate): ValidatedIncidentUpdate {
  const input = checkUpdateObject(update, UPDATE_FIELDS, 'incidents.update');
  const out: ValidatedIncidentUpdate = checkTriageFields(input, INCIDENT_UPDATE_STATUSES);
  if (input.tags !== undefined) {
    const tags = input.tags;
    if (!Array.isArray(tags)) {
      throw new InvalidArgumentError('tags', `tags must be an array of strings (the complete new list); got ${describe(tags)}.`);
    }
    tags.forEach((tag: unknown, index) => {
      if (typeof tag !== 'string' || tag.trim() === '') {
        throw new InvalidArgumentError('tags', `tags[${index}] must be a non-empty string; got ${describe(tag)}.`);
      }
    });
    out.tags = [...(tags as string[])];
  }
  return checkSomeChange(out, UPDATE_FIELDS);
}

/** Checks that an update is an object with known fields only. Internal helper of the update checks. */
export function checkUpdateObject(update: unknown, fields: readonly string[], call: string): Record<string, unknown> {
  if (!isPlainObject(update)) {
    throw new InvalidArgumentError('update', `update must be an object of changes; got ${describe(update)}.`);
  }
  rejectUnknownOptions(update, fields, { what: call, allowUndefined: true });
  return update;
}

/**
 * Checks the triage fields incidents and alerts share: `status` (one of `statuses`), `assignedTo`
 * (`''` unassigns, as `null`), `classification`, `determination` (paired with the classification)
 * and `comment`. Internal helper of the update checks.
 */
export function checkTriageFields<S extends string>(input: Record<string, unknown>, statuses: readonly S[]) {
  const out: {
    status?: S;
    assignedTo?: string | null;
    classification?: (typeof CLASSIFICATIONS)[number];
    determination?: IncidentUpdateDetermination;
    comment?: string;
  } = {};
  if (input.status !== undefined) out.status = checkEnum('status', input.status, statuses);
  if (input.assignedTo !== undefined) {
    if (input.assignedTo !== null && typeof input.assignedTo !== 'string') {
      throw new InvalidArgumentError(
        'assignedTo',
        `assignedTo must be the owner's UPN, or null (or '') to unassign; got ${describe(input.assignedTo)}.`,
      );
    }
    out.assignedTo = input.assignedTo === '' ? null : input.assignedTo;
  }
  if (input.classification !== undefined) out.classification = checkEnum('classification', input.classification, CLASSIFICATIONS);
  if (input.determination !== undefined) out.determination = checkDetermination(input.determination, out.classification);
  if (input.comment !== undefined) out.comment = checkNonEmptyString('comment', input.comment);
  return out;
}

/** Refuses an update that changes nothing. Internal helper of the update checks. */
export function checkSomeChange<T extends object>(out: T, fields: readonly string[]): T {
  if (Object.keys(out).length === 0) {
    throw new InvalidArgumentError('update', `update must change at least one of ${fields.join(', ')}.`);
  }
  return out;
}
