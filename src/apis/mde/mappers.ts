/**
 * Defender for Endpoint wire objects → the public model, and the public words → the wire's
 * (reference mde-actions.md §3.2, §4.3).
 *
 * @packageDocumentation
 */
import type { Device, DeviceActionFields, DeviceActionStatus, DeviceActionType, Indicator, IndicatorInput } from '../../models/device.js';
import type { IndicatorWire, MachineActionWire, MachineWire } from './wire.js';

const date = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);
const num = (value: string | number | null | undefined): number | null => (value === null || value === undefined || value === '' ? null : Number(value));

/** Public action type → wire `type`. */
export const ACTION_TYPES: Readonly<Record<Exclude<DeviceActionType, 'unknown'>, string>> = {
  isolate: 'Isolate',
  release: 'Unisolate',
  runAntivirusScan: 'RunAntiVirusScan',
  collectInvestigationPackage: 'CollectInvestigationPackage',
  restrictAppExecution: 'RestrictCodeExecution',
  removeAppRestriction: 'UnrestrictCodeExecution',
  stopAndQuarantineFile: 'StopAndQuarantineFile',
  offboard: 'Offboard',
  liveResponse: 'LiveResponse',
};

/** Public status → wire `status`. */
export const ACTION_STATUSES: Readonly<Record<Exclude<DeviceActionStatus, 'unknown'>, string>> = {
  pending: 'Pending',
  inProgress: 'InProgress',
  succeeded: 'Succeeded',
  failed: 'Failed',
  timedOut: 'TimeOut',
  cancelled: 'Cancelled',
};

const invert = <K extends string>(table: Readonly<Record<K, string>>): Map<string, K> =>
  new Map(Object.entries(table).map(([k, v]) => [(v as string).toLowerCase(), k as K]));
const TYPE_OF_WIRE = invert(ACTION_TYPES);
const STATUS_OF_WIRE = invert(ACTION_STATUSES);

/** A machine in the public model. */
export function toDevice(wire: MachineWire): Device {
  return {
    id: wire.id,
    name: wire.computerDnsName ?? null,
    osPlatform: wire.osPlatform ?? null,
    osVersion: wire.version === null || wire.version === undefined ? null : String(wire.version),
    osBuild: num(wire.osBuild),
    lastIpAddress: wire.lastIpAddress ?? null,
    lastExternalIpAddress: wire.lastExternalIpAddress ?? null,
    healthStatus: wire.healthStatus ?? null,
    riskScore: wire.riskScore ?? null,
    exposureLevel: wire.exposureLevel ?? null,
    aadDeviceId: wire.aadDeviceId ?? null,
    rbacGroupName: wire.rbacGroupName ?? null,
    tags: wire.machineTags ?? [],
    firstSeen: date(wire.firstSeen),
    lastSeen: date(wire.lastSeen),
    raw: wire,
  };
}

/** A machine action's fields in the public model. */
export function toDeviceActionFields(wire: MachineActionWire): DeviceActionFields {
  const status = STATUS_OF_WIRE.get(wire.status.toLowerCase()) ?? 'unknown';
  const cancelled = wire.cancellationDateTimeUtc || wire.cancellationRequestor || status === 'cancelled';
  const file = wire.relatedFileInfo;
  return {
    id: wire.id,
    type: TYPE_OF_WIRE.get(wire.type.toLowerCase()) ?? 'unknown',
    status,
    scope: wire.scope ?? null,
    deviceId: wire.machineId,
    deviceName: wire.computerDnsName ?? null,
    requestor: wire.requestor ?? null,
    comment: wire.requestorComment ?? null,
    createdDateTime: new Date(wire.creationDateTimeUtc),
    lastUpdateDateTime: date(wire.lastUpdateDateTimeUtc ?? wire.lastUpdateTimeUtc),
    cancellation: cancelled
      ? { requestor: wire.cancellationRequestor ?? null, comment: wire.cancellationComment ?? null, dateTime: date(wire.cancellationDateTimeUtc) }
      : null,
    error: status === 'failed' || status === 'timedOut' ? { hresult: wire.errorHResult ?? null } : null,
    fileSha1: file && (file.fileIdentifierType ?? 'Sha1').toLowerCase() === 'sha1' ? (file.fileIdentifier ?? null) : null,
    raw: wire,
  };
}

const pascal = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const camel = (word: string): string => word.charAt(0).toLowerCase() + word.slice(1);

/** An indicator in the public model; enum words in camel case. */
export function toIndicator(wire: IndicatorWire): Indicator {
  return {
    id: String(wire.id),
    value: wire.indicatorValue,
    type: camel(wire.indicatorType),
    action: camel(wire.action),
    title: wire.title ?? null,
    description: wire.description ?? null,
    severity: wire.severity ? camel(wire.severity) : null,
    recommendedActions: wire.recommendedActions ?? null,
    expiresAt: date(wire.expirationTime),
    createdDateTime: date(wire.creationTimeDateTimeUtc),
    lastUpdateDateTime: date(wire.lastUpdateTime),
    createdBy: wire.createdBy ?? null,
    deviceGroups: wire.rbacGroupNames ?? [],
    raw: wire,
  };
}

/** The wire body of a submitted indicator. */
export function indicatorBody(input: IndicatorInput): Record<string, unknown> {
  return {
    indicatorValue: input.value,
    indicatorType: pascal(input.type),
    action: pascal(input.action),
    title: input.title,
    description: input.description ?? input.title,
    ...(input.expiresAt ? { expirationTime: input.expiresAt.toISOString() } : {}),
    ...(input.severity ? { severity: pascal(input.severity) } : {}),
    ...(input.recommendedActions !== undefined ? { recommendedActions: input.recommendedActions } : {}),
    ...(input.generateAlert !== undefined ? { generateAlert: input.generateAlert } : {}),
    ...(input.deviceGroups ? { rbacGroupNames: input.deviceGroups } : {}),
    ...(input.application !== undefined ? { application: input.application } : {}),
  };
}

/** The wire words of the public indicator words, for filters. */
export const indicatorWord = pascal;
