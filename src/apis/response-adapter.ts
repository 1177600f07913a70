/**
 * The seam between the response-action resources (`client.devices`, `client.deviceActions`,
 * `client.indicators`) and the wire API that serves them: today the Defender for Endpoint API
 * (`mde/adapter.ts`); a successor (Graph, should it gain app-only device actions) implements the
 * same interface.
 *
 * @packageDocumentation
 */
import type { Device, DeviceActionFields, DeviceActionStatus, DeviceActionType, Indicator, IndicatorAction, IndicatorInput, IndicatorSeverity, IndicatorType } from '../models/device.js';
import type { ApiErrorDetails } from '../errors.js';
import type { AdapterCallOptions, AdapterPage, ListCursor } from './adapter.js';

/** The filters of a device listing, checked. */
export interface DeviceFilter {
  /** Exact DNS name. */
  name?: string | undefined;
  /** Sensor health, e.g. `Active`. */
  healthStatus?: string | undefined;
  /** OS platform, e.g. `Windows11`. */
  osPlatform?: string | undefined;
  /** Risk score, e.g. `High`. */
  riskScore?: string | undefined;
  /** Items per request. */
  pageSize: number;
  /** Aborts the listing. */
  signal?: AbortSignal | undefined;
  /** Whether an item the model rejects is returned rather than thrown. */
  skipInvalid: boolean;
}

/** The filters of a device-action listing, checked. */
export interface DeviceActionFilter {
  /** The device. */
  deviceId?: string | undefined;
  /** Statuses (any of). */
  status?: readonly Exclude<DeviceActionStatus, 'unknown'>[] | undefined;
  /** Types (any of). */
  type?: readonly Exclude<DeviceActionType, 'unknown'>[] | undefined;
  /** Items per request. */
  pageSize: number;
  /** Aborts the listing. */
  signal?: AbortSignal | undefined;
  /** Whether an item the model rejects is returned rather than thrown. */
  skipInvalid: boolean;
}

/** The filters of an indicator listing, checked. */
export interface IndicatorFilter {
  /** Exact value. */
  value?: string | undefined;
  /** Type. */
  type?: IndicatorType | undefined;
  /** Action. */
  action?: IndicatorAction | undefined;
  /** Severity. */
  severity?: IndicatorSeverity | undefined;
  /** Items per request. */
  pageSize: number;
  /** Aborts the listing. */
  signal?: AbortSignal | undefined;
  /** Whether an item the model rejects is returned rather than thrown. */
  skipInvalid: boolean;
}

/** An action to ask of a device, in the public words. */
export type ActionRequest =
  | { type: 'isolate'; comment: string; isolation: 'full' | 'selective' }
  | { type: 'runAntivirusScan'; comment: string; scan: 'quick' | 'full' }
  | { type: 'stopAndQuarantineFile'; comment: string; sha1: string }
  | { type: 'release' | 'collectInvestigationPackage' | 'restrictAppExecution' | 'removeAppRestriction'; comment: string };

/** One item's outcome of a batch submit. */
export type IndicatorImportResult = { ok: true; id: string; value: string } | { ok: false; value: string; reason: string };

/**
 * What `requestAction` rejects with when the service refuses the action because one of its type
 * is already running on the device. Internal: the resources answer with that pending action when
 * it does what was asked, else with the public `ActionInProgressError` built of these details.
 */
export class RunningActionRefusal extends Error {
  override name = 'RunningActionRefusal';
  constructor(
    message: string,
    /** The service's answer, for the public error. */
    readonly details: ApiErrorDetails,
  ) {
    super(message);
  }
}

/** What a response-action wire API does for the resources. Internal. */
export interface ResponseActionsAdapter {
  /** The resource app whose permissions the calls need, for messages. */
  readonly permissionApi: string;
  listDevicesPage(filter: DeviceFilter, cursor: ListCursor | undefined): Promise<AdapterPage<Device>>;
  getDevice(id: string, options: AdapterCallOptions): Promise<Device>;
  findDevicesByIp(ip: string, at: Date, options: AdapterCallOptions): Promise<Device[]>;
  findDevicesByTag(tag: string, options: AdapterCallOptions): Promise<Device[]>;
  /**
   * Asks for `action`: the service's answer, which may be an action of the type already pending on
   * the device. Rejects with {@link RunningActionRefusal} when the service refuses a repeat.
   */
  requestAction(deviceId: string, action: ActionRequest, options: AdapterCallOptions): Promise<DeviceActionFields>;
  listActionsPage(filter: DeviceActionFilter, cursor: ListCursor | undefined): Promise<AdapterPage<DeviceActionFields>>;
  getAction(id: string, options: AdapterCallOptions): Promise<DeviceActionFields>;
  cancelAction(id: string, comment: string, options: AdapterCallOptions): Promise<DeviceActionFields>;
  /** The package link, or `undefined` while the service answers 404 (collection still running). */
  packageUri(actionId: string, options: AdapterCallOptions): Promise<string | undefined>;
  listIndicatorsPage(filter: IndicatorFilter, cursor: ListCursor | undefined): Promise<AdapterPage<Indicator>>;
  submitIndicator(input: IndicatorInput, options: AdapterCallOptions): Promise<Indicator>;
  importIndicators(inputs: readonly IndicatorInput[], options: AdapterCallOptions): Promise<IndicatorImportResult[]>;
  deleteIndicator(id: string, options: AdapterCallOptions): Promise<void>;
}
