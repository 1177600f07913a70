/**
 * The SDK's public model: incidents, alerts, evidence and hunting results in Microsoft Graph's
 * vocabulary, their zod schemas, and the checks run on caller input.
 *
 * @packageDocumentation
 */
export * from './enums.js';
export * from './evidence.js';
export * from './incident.js';
export * from './device.js';
export {
  DEVICE_HEALTH_STATUS_FILTERS,
  DEVICE_RISK_SCORE_FILTERS,
  DEVICE_TEXT_LIMITS,
  MAX_INDICATOR_BATCH,
  type DeviceActionListOptions,
  type DeviceHealthStatusFilter,
  type DeviceListOptions,
  type DeviceRiskScoreFilter,
  type DeviceQuery,
  type IndicatorListOptions,
  type ListCallOptions,
} from './device-options.js';
export type { InvalidItem, InvalidItemHandler } from './invalid-item.js';
export type { HuntingColumn, HuntingResult } from './hunting.js';
export type { StandardSchemaV1 } from './standard-schema.js';
export {
  DETERMINATIONS_BY_CLASSIFICATION,
  INCIDENT_UPDATE_STATUSES,
  type DateInput,
  type IncidentListOptions,
  type IncidentStatusFilter,
  type IncidentUpdate,
  type IncidentUpdateClassification,
  type IncidentUpdateDetermination,
  type IncidentUpdateStatus,
  type SeverityFilter,
} from './incident-options.js';
export {
  ALERT_UPDATE_STATUSES,
  MAX_ALERT_PAGE_SIZE,
  type AlertListOptions,
  type AlertStatusFilter,
  type AlertUpdate,
  type AlertUpdateStatus,
  type ServiceSourceFilter,
} from './alert-options.js';
export type { HuntingTimespan, IsoDuration } from './timespan.js';
