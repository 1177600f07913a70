/**
 * The options of `client.devices`, `client.deviceActions` and `client.indicators`, and their
 * checks: every bad value is an `InvalidArgumentError` naming the option, before anything is sent.
 *
 * @packageDocumentation
 */
import { checkOptionsObject, checkSignal, describe, hasLoneSurrogate } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';
import type { DeviceActionStatus, DeviceActionType, IndicatorAction, IndicatorInput, IndicatorSeverity, IndicatorType } from './device.js';
import type { InvalidItemHandler } from './invalid-item.js';

/** The most items one list request asks for (the service's page limit is 10,000). */
export const MAX_DEVICE_PAGE_SIZE = 10_000;
/** The most indicators one `submitMany` request carries (the service's batch limit). */
export const MAX_INDICATOR_BATCH = 500;
/**
 * The most characters (UTF-16 code units) each free-text option of `devices` and `deviceActions`
 * takes: `name` (a DNS name), `osPlatform`, `tag`, `deviceId` (a `deviceActions.list` filter)
 * and a response action's `comment` (the portal's limit). A longer value is an
 * `InvalidArgumentError` naming the option, before anything is sent; as is a blank one, or one
 * with a control character other than tab, line feed and carriage return.
 */
export const DEVICE_TEXT_LIMITS: Readonly<{ name: 255; osPlatform: 64; tag: 200; deviceId: 128; comment: 4_000 }> = Object.freeze({
  name: 255,
  osPlatform: 64,
  tag: 200,
  deviceId: 128,
  comment: 4_000,
});

/** Options every list takes. */
export interface ListCallOptions {
  /** Items per request, 1 to 10,000 (default 1,000). */
  pageSize?: number;
  /** Aborts the listing. */
  signal?: AbortSignal;
  /** Called with each item the model rejects, which is then skipped; without it such an item fails the listing. */
  onInvalidItem?: InvalidItemHandler;
}

/** The sensor health values `devices.list` filters on, as the Defender for Endpoint API spells them. */
export const DEVICE_HEALTH_STATUS_FILTERS = ['Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData', 'NoSensorDataImpairedCommunication', 'Unknown'] as const;
/** The risk scores `devices.list` filters on, as the Defender for Endpoint API spells them. */
export const DEVICE_RISK_SCORE_FILTERS = ['None', 'Informational', 'Low', 'Medium', 'High'] as const;
/** A sensor health to filter devices on: one of {@link DEVICE_HEALTH_STATUS_FILTERS}, also lower-camelled (`active`) as Graph writes it. */
export type DeviceHealthStatusFilter = (typeof DEVICE_HEALTH_STATUS_FILTERS)[number] | Uncapitalize<(typeof DEVICE_HEALTH_STATUS_FILTERS)[number]>;
/** A risk score to filter devices on: one of {@link DEVICE_RISK_SCORE_FILTERS}, also lower-camelled (`high`) as Graph writes it. */
export type DeviceRiskScoreFilter = (typeof DEVICE_RISK_SCORE_FILTERS)[number] | Uncapitalize<(typeof DEVICE_RISK_SCORE_FILTERS)[number]>;

/** Options of `devices.list`. */
export interface DeviceListOptions extends ListCallOptions {
  /** Exact DNS name, e.g. `ws-0042.contoso.com`. */
  name?: string;
  /** Sensor health, one of {@link DEVICE_HEALTH_STATUS_FILTERS} in any letter case, e.g. `Active`. */
  healthStatus?: DeviceHealthStatusFilter;
  /** OS platform, e.g. `Windows11` (the service does not list its values). */
  osPlatform?: string;
  /** Risk score, one of {@link DEVICE_RISK_SCORE_FILTERS} in any letter case, e.g. `High`. */
  riskScore?: DeviceRiskScoreFilter;
}

/** What `devices.find` looks for: exactly one of a DNS name, an internal IP (at a time), or a tag. */
export type DeviceQuery =
  | { name: string; ip?: never; at?: never; tag?: never }
  | { ip: string; at?: Date; name?: never; tag?: never }
  | { tag: string; name?: never; ip?: never; at?: never };

/** Options of `deviceActions.list`. */
export interface DeviceActionListOptions extends ListCallOptions {
  /** Only this device's actions. */
  deviceId?: string;
  /** Only actions in this status (or any of these). */
  status?: Exclude<DeviceActionStatus, 'unknown'> | Exclude<DeviceActionStatus, 'unknown'>[];
  /** Only actions of this type (or any of these). */
  type?: Exclude<DeviceActionType, 'unknown'> | Exclude<DeviceActionType, 'unknown'>[];
}

/** Options of `indicators.list`. */
export interface IndicatorListOptions extends ListCallOptions {
  /** Exact value. */
  value?: string;
  /** Type. */
  type?: IndicatorType;
  /** Action. */
  action?: IndicatorAction;
  /** Severity. */
  severity?: IndicatorSeverity;
}

const STATUSES: readonly string[] = ['pending', 'inProgress', 'succeeded', 'failed', 'timedOut', 'cancelled'];
const TYPES: readonly string[] = [
  'isolate', 'release', 'runAntivirusScan', 'collectInvestigationPackage', 'restrictAppExecution', 'removeAppRestriction',
  'stopAndQuarantineFile', 'offboard', 'liveResponse',
];
/** Indicator types. */
export const INDICATOR_TYPES: readonly IndicatorType[] = ['fileSha1', 'fileSha256', 'fileMd5', 'certificateThumbprint', 'ipAddress', 'domainName', 'url'];
/** Indicator actions. */
export const INDICATOR_ACTIONS: readonly IndicatorAction[] = ['allowed', 'audit', 'warn', 'block', 'blockAndRemediate', 'alert', 'alertAndBlock'];
/** Indicator severities. */
export const INDICATOR_SEVERITIES: readonly IndicatorSeverity[] = ['informational', 'low', 'medium', 'high'];

/** A non-empty single string option without control characters or lone surrogates. */
export function checkText(value: unknown, option: string, { required = false, max = 1_000 } = {}): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || hasLoneSurrogate(value) || /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)) {
    throw new InvalidArgumentError(option, `${option} must be a non-empty string of at most ${max} characters; got ${describe(value)}.`);
  }
  return value;
}

function checkOneOf<T extends string>(value: unknown, option: string, allowed: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new InvalidArgumentError(option, `${option} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${describe(value)}.`);
  }
  return value as T;
}

/** One of `allowed` in any letter case, returned as `allowed` spells it (the spelling the service filters on). */
function checkOneOfAnyCase<T extends string>(value: unknown, option: string, allowed: readonly T[]): T | undefined {
  const found = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  return found ?? checkOneOf<T>(value, option, allowed);
}

function checkList<T extends string>(value: unknown, option: string, allowed: readonly string[]): T[] | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new InvalidArgumentError(option, `${option} must name at least one value when given.`);
  return values.map((v) => checkOneOf<T>(v, option, allowed) as T);
}

/** The options of a list call, checked. */
function checkListCall(options: Record<string, unknown>): { pageSize: number; signal: AbortSignal | undefined; onInvalidItem: InvalidItemHandler | undefined } {
  const pageSize = options.pageSize ?? 1_000;
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_DEVICE_PAGE_SIZE) {
    throw new InvalidArgumentError('pageSize', `pageSize must be an integer from 1 to ${MAX_DEVICE_PAGE_SIZE}; got ${describe(pageSize)}.`);
  }
  const onInvalidItem = options.onInvalidItem;
  if (onInvalidItem !== undefined && typeof onInvalidItem !== 'function') {
    throw new InvalidArgumentError('onInvalidItem', `onInvalidItem must be a function; got ${describe(onInvalidItem)}.`);
  }
  return { pageSize, signal: checkSignal(options.signal), onInvalidItem: onInvalidItem as InvalidItemHandler | undefined };
}

const LIST_KEYS = ['pageSize', 'signal', 'onInvalidItem'];

/** Checks `devices.list` options. */
export function validateDeviceListOptions(options: unknown) {
  const o = checkOptionsObject(options, [...LIST_KEYS, 'name', 'healthStatus', 'osPlatform', 'riskScore'], 'devices.list');
  return {
    ...checkListCall(o),
    name: checkText(o.name, 'name', { max: DEVICE_TEXT_LIMITS.name }),
    healthStatus: checkOneOfAnyCase(o.healthStatus, 'healthStatus', DEVICE_HEALTH_STATUS_FILTERS),
    osPlatform: checkText(o.osPlatform, 'osPlatform', { max: DEVICE_TEXT_LIMITS.osPlatform }),
    riskScore: checkOneOfAnyCase(o.riskScore, 'riskScore', DEVICE_RISK_SCORE_FILTERS),
  };
}

/** Checks `deviceActions.list` options. */
export function validateDeviceActionListOptions(options: unknown) {
  const o = checkOptionsObject(options, [...LIST_KEYS, 'deviceId', 'status', 'type'], 'deviceActions.list');
  return {
    ...checkListCall(o),
    deviceId: checkText(o.deviceId, 'deviceId', { max: DEVICE_TEXT_LIMITS.deviceId }),
    status: checkList<Exclude<DeviceActionStatus, 'unknown'>>(o.status, 'status', STATUSES),
    type: checkList<Exclude<DeviceActionType, 'unknown'>>(o.type, 'type', TYPES),
  };
}

/** Checks `indicators.list` options. */
export function validateIndicatorListOptions(options: unknown) {
  const o = checkOptionsObject(options, [...LIST_KEYS, 'value', 'type', 'action', 'severity'], 'indicators.list');
  return {
    ...checkListCall(o),
    value: checkText(o.value, 'value', { max: 2_048 }),
    type: checkOneOf<IndicatorType>(o.type, 'type', INDICATOR_TYPES),
    action: checkOneOf<IndicatorAction>(o.action, 'action', INDICATOR_ACTIONS),
    severity: checkOneOf<IndicatorSeverity>(o.severity, 'severity', INDICATOR_SEVERITIES),
  };
}

const INDICATOR_KEYS = ['value', 'type', 'action', 'title', 'description', 'expiresAt', 'severity', 'recommendedActions', 'generateAlert', 'deviceGroups', 'application'];

/** Checks one indicator to submit; `prefix` names its place (`indicators[3].`). */
export function validateIndicatorInput(input: unknown, prefix = ''): IndicatorInput {
  const o = checkOptionsObject(input, INDICATOR_KEYS, 'indicators.submit', prefix === '' ? 'indicator' : prefix.slice(0, -1));
  if (input === undefined) throw new InvalidArgumentError(`${prefix || 'indicator'}`, 'An indicator { value, type, action, title, … } is required.');
  const expiresAt = o.expiresAt;
  if (expiresAt !== undefined && (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()))) {
    throw new InvalidArgumentError(`${prefix}expiresAt`, `${prefix}expiresAt must be a valid Date; got ${describe(expiresAt)}.`);
  }
  if (o.generateAlert !== undefined && typeof o.generateAlert !== 'boolean') {
    throw new InvalidArgumentError(`${prefix}generateAlert`, `${prefix}generateAlert must be true or false; got ${describe(o.generateAlert)}.`);
  }
  const groups = o.deviceGroups;
  if (groups !== undefined && (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || g === ''))) {
    throw new InvalidArgumentError(`${prefix}deviceGroups`, `${prefix}deviceGroups must be an array of device group names; got ${describe(groups)}.`);
  }
  const out: IndicatorInput = {
    value: checkText(o.value, `${prefix}value`, { required: true, max: 2_048 }) as string,
    type: checkOneOf<IndicatorType>(o.type, `${prefix}type`, INDICATOR_TYPES) ?? fail(`${prefix}type`, INDICATOR_TYPES),
    action: checkOneOf<IndicatorAction>(o.action, `${prefix}action`, INDICATOR_ACTIONS) ?? fail(`${prefix}action`, INDICATOR_ACTIONS),
    title: checkText(o.title, `${prefix}title`, { required: true, max: 500 }) as string,
  };
  const description = checkText(o.description, `${prefix}description`, { max: 10_000 });
  if (description !== undefined) out.description = description;
  if (expiresAt !== undefined) out.expiresAt = expiresAt as Date;
  const severity = checkOneOf<IndicatorSeverity>(o.severity, `${prefix}severity`, INDICATOR_SEVERITIES);
  if (severity !== undefined) out.severity = severity;
  const recommended = checkText(o.recommendedActions, `${prefix}recommendedActions`, { max: 10_000 });
  if (recommended !== undefined) out.recommendedActions = recommended;
  if (o.generateAlert !== undefined) out.generateAlert = o.generateAlert as boolean;
  if (groups !== undefined) out.deviceGroups = [...(groups as string[])];
  const application = checkText(o.application, `${prefix}application`, { max: 500 });
  if (application !== undefined) out.application = application;
  return out;
}

function fail(option: string, allowed: readonly string[]): never {
  throw new InvalidArgumentError(option, `${option} is required: one of ${allowed.map((a) => `'${a}'`).join(', ')}.`);
}
