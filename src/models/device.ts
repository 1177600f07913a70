/**
 * The public model of devices, device response actions and custom indicators (Defender for
 * Endpoint), with the checks run on caller input. Camel-case words of the SDK's own, not the
 * service's (`release`, not `Unisolate`); `raw` keeps the wire object.
 *
 * @packageDocumentation
 */

/** A device onboarded to Defender for Endpoint. */
export interface Device {
  /** Device id: 40 hex digits. */
  id: string;
  /** Fully qualified DNS name, e.g. `ws-0042.contoso.com`. */
  name: string | null;
  /** Operating system, e.g. `Windows11`, `WindowsServer2022`, `Linux`, `macOS`. */
  osPlatform: string | null;
  /** Operating system version, e.g. `22H2`. */
  osVersion: string | null;
  /** Operating system build. */
  osBuild: number | null;
  /** Last IP address of the local network interface. */
  lastIpAddress: string | null;
  /** Last IP address the device reached the internet from. */
  lastExternalIpAddress: string | null;
  /** Sensor health: `Active`, `Inactive`, `ImpairedCommunication`, `NoSensorData`, … */
  healthStatus: string | null;
  /** Risk score: `None`, `Informational`, `Low`, `Medium`, `High`. */
  riskScore: string | null;
  /** Exposure level: `None`, `Low`, `Medium`, `High`. */
  exposureLevel: string | null;
  /** Entra ID device id, if joined. */
  aadDeviceId: string | null;
  /** Device group name. */
  rbacGroupName: string | null;
  /** Device tags. */
  tags: string[];
  /** First seen. */
  firstSeen: Date | null;
  /** Last full device report (about daily; not the portal's "last seen"). */
  lastSeen: Date | null;
  /** The wire object as sent. */
  raw: Record<string, unknown>;
}

/** What a device action does. `unknown` for a type the SDK does not know (e.g. a new one). */
export type DeviceActionType =
  | 'isolate'
  | 'release'
  | 'runAntivirusScan'
  | 'collectInvestigationPackage'
  | 'restrictAppExecution'
  | 'removeAppRestriction'
  | 'stopAndQuarantineFile'
  | 'offboard'
  | 'liveResponse'
  | 'unknown';

/** Where a device action stands. `succeeded`, `failed`, `timedOut` and `cancelled` are final. */
export type DeviceActionStatus = 'pending' | 'inProgress' | 'succeeded' | 'failed' | 'timedOut' | 'cancelled' | 'unknown';

/** The statuses after which an action no longer changes. */
export const FINAL_DEVICE_ACTION_STATUSES: readonly DeviceActionStatus[] = ['succeeded', 'failed', 'timedOut', 'cancelled'];

/** The fields of a device action, as the service last reported them. */
export interface DeviceActionFields {
  /** Action id (a GUID). */
  id: string;
  /** What it does. */
  type: DeviceActionType;
  /** Where it stands. */
  status: DeviceActionStatus;
  /** Isolation `Full`/`Selective`, scan `Quick`/`Full`; else `null`. */
  scope: string | null;
  /** The device's id. */
  deviceId: string;
  /** The device's DNS name. */
  deviceName: string | null;
  /** Who asked: a UPN, or for an app its name or id. */
  requestor: string | null;
  /** The requestor's comment. */
  comment: string | null;
  /** When it was asked for. */
  createdDateTime: Date;
  /** When its status last changed. */
  lastUpdateDateTime: Date | null;
  /** Who cancelled it, why and when; `null` unless cancelled. */
  cancellation: { requestor: string | null; comment: string | null; dateTime: Date | null } | null;
  /** The failure's HRESULT when the action failed or timed out; `null` otherwise. */
  error: { hresult: number | null } | null;
  /** The SHA-1 of the file of a stop-and-quarantine action; `null` otherwise. */
  fileSha1: string | null;
  /** The wire object as sent. */
  raw: Record<string, unknown>;
}

/** What a custom indicator matches. */
export type IndicatorType = 'fileSha1' | 'fileSha256' | 'fileMd5' | 'certificateThumbprint' | 'ipAddress' | 'domainName' | 'url';

/** What Defender does on a match (`alert` and `alertAndBlock` are the older names). */
export type IndicatorAction = 'allowed' | 'audit' | 'warn' | 'block' | 'blockAndRemediate' | 'alert' | 'alertAndBlock';

/** Severity of the alert an indicator raises. */
export type IndicatorSeverity = 'informational' | 'low' | 'medium' | 'high';

/** A custom indicator of compromise. */
export interface Indicator {
  /** Indicator id (a numeric string). */
  id: string;
  /** The value matched: a hash, IP, domain, URL or certificate thumbprint. */
  value: string;
  /** What the value is; the service's word when the SDK does not know it. */
  type: IndicatorType | (string & {});
  /** What happens on a match; the service's word when the SDK does not know it. */
  action: IndicatorAction | (string & {});
  /** Title. */
  title: string | null;
  /** Description. */
  description: string | null;
  /** Severity; the service's word when the SDK does not know it. */
  severity: IndicatorSeverity | (string & {}) | null;
  /** Recommended actions. */
  recommendedActions: string | null;
  /** When it stops applying; `null` for never. */
  expiresAt: Date | null;
  /** When it was created. */
  createdDateTime: Date | null;
  /** When it was last changed. */
  lastUpdateDateTime: Date | null;
  /** Who created it. */
  createdBy: string | null;
  /** Device groups it applies to; empty for all. */
  deviceGroups: string[];
  /** The wire object as sent. */
  raw: Record<string, unknown>;
}

/** A new indicator, or a change to one with the same value, type and action (the service updates it). */
export interface IndicatorInput {
  /** The value matched. */
  value: string;
  /** What the value is. */
  type: IndicatorType;
  /** What happens on a match. */
  action: IndicatorAction;
  /** Title (required by the service). */
  title: string;
  /** Description (required by the service; default: the title). */
  description?: string;
  /** When it stops applying (must be in the future). */
  expiresAt?: Date;
  /** Severity of the alert it raises. */
  severity?: IndicatorSeverity;
  /** Recommended actions shown with its alerts. */
  recommendedActions?: string;
  /** Whether a match raises an alert (required for `audit`). */
  generateAlert?: boolean;
  /** Device groups it applies to; default all. */
  deviceGroups?: string[];
  /** The application shown with it (applied on create only). */
  application?: string;
}
