/**
 * m365-defender: a typed SDK for Microsoft 365 Defender (Defender XDR), as an app with no
 * signed-in user.
 * @packageDocumentation
 * @module m365-defender
 */
export { DefenderClient, type DefenderClientOptions } from './client.js';
export type { Incidents, IncidentCallOptions, IncidentGetOptions, IncidentSyncOptions } from './resources/incidents.js';
export type { SyncBatch, SyncFeed, SyncOptions, SyncStats } from './resources/sync-feed.js';
export type { Alerts, AlertCallOptions } from './resources/alerts.js';
export { LEGACY_HUNTING_DEPRECATION_CODE } from './apis/defender/deprecation.js';
export type { AdvancedHunting, HuntingRunOptions, HuntingRow } from './resources/advanced-hunting.js';
export type { HuntingStreamOptions } from './resources/advanced-hunting.js';
export type { HuntingStats, HuntingStream } from './models/hunting.js';
export type { ClientAuth, AuthCallOptions } from './resources/auth.js';
export type {
  Devices,
  DeviceCallOptions,
  DeviceActionOptions,
  IsolateOptions,
  AntivirusScanOptions,
  StopAndQuarantineOptions,
} from './resources/devices.js';
export {
  ActionFailedError,
  ActionInProgressError,
  DeviceAction,
  type ActionInProgressErrorDetails,
  type DeviceActions,
  type DeviceActionCallOptions,
  type DeviceActionCancelOptions,
  type DeviceActionWaitOptions,
  type PackageUriOptions,
} from './resources/device-actions.js';
export type { Indicators, IndicatorCallOptions, IndicatorSubmitResult } from './resources/indicators.js';
export * from './errors.js';
export * from './models/index.js';
export { clientOptionsFromEnv } from './env.js';
export { kql, KqlQuery, type KqlScalar, type KqlTag, type KqlValue } from './kql.js';
export {
  adminConsentUrl,
  credentialsFromEnv,
  type AdminConsentUrlOptions,
  type CertificateSource,
  type ClientCertificateCredentialOptions,
  type ClientSecretCredentialOptions,
  type CredentialEnvironment,
  type CredentialInput,
  type KeyVaultCredentialOptions,
  type KeyVaultLocation,
  type TokenInfo,
} from './auth/index.js';
export type { CloudName, CustomCloud, DefenderRegion, ResolvedCloud } from './clouds.js';
export {
  MemoryCheckpointStore,
  type CheckpointEntry,
  type CheckpointStore,
  type CheckpointWriteOptions,
} from './stores/checkpoint.js';
export { FileCheckpointStore, type FileCheckpointStoreOptions } from './stores/file-checkpoint.js';
export { MemoryLease, type Lease, type LeaseGrant } from './stores/lease.js';
export type { Page, PagedList, ByPageOptions, ToArrayOptions } from './pagination.js';
export type { MdeQuotaFamily, QuotaFamily, RateLimitInfo, RateLimitOptions } from './transport/pacer.js';
export {
  MemoryQuotaStore,
  type QuotaHold,
  type QuotaStore,
  type QuotaTakeRequest,
  type RateLimitWindow,
} from './stores/quota.js';
export type { AccessToken, GetTokenOptions, Logger, TokenCredential, WireApiName } from './types.js';
export { SDK_VERSION } from './version.js';
