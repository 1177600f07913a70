/*
 * Wire shapes of the legacy Defender API incidents (reference §2.4), as the fake tenant stores and serves them.
 */

import type { OpenEnum } from '../../models/enums.js';

// ---------------------------------------------------------------- wire shapes (reference §2.4)

/** A legacy incident comment. */
export interface LegacyCommentWire {
  /** The comment text. */
  comment: string;
  /** Who wrote it: a UPN, or the client id of the app that added it. */
  createdBy: string;
  /** When it was added (ISO 8601, UTC). */
  createdTime: string;
}

/** A device embedded in a legacy alert (the key is `mdatpDeviceId`, not the documented `DeviceId`). */
export interface LegacyDeviceWire {
  /** The Defender for Endpoint device id (40 hex digits). */
  mdatpDeviceId: string;
  /** The Entra ID device id, when the device is joined. */
  aadDeviceId: string | null;
  /** The device's DNS name (lower-case FQDN). */
  deviceDnsName: string;
  /** Operating system, e.g. `Windows11`. */
  osPlatform: string;
  /** Operating system version, e.g. `22H2`. */
  version: string;
  /** Processor architecture, e.g. `x64`. */
  osProcessor: string;
  /** Operating system build number. */
  osBuild: number;
  /** Sensor health, e.g. `Active`. */
  healthStatus: string;
  /** Device risk, e.g. `Medium`. */
  riskScore: string;
  /** The device group's name. */
  rbacGroupName: string;
  /** The device group's id. */
  rbacGroupId: number;
  /** When Defender first saw the device (ISO 8601). */
  firstSeen: string;
  /** Device tags. */
  tags: string[];
  /** Microsoft Defender Antivirus state, e.g. `Updated`. */
  defenderAvStatus: string;
  /** Onboarding state, e.g. `Onboarded`. */
  onboardingStatus: string;
  /** Cloud VM details, or `null` for a physical machine. */
  vmMetadata: Record<string, unknown> | null;
  /** Fields the service adds later. */
  [field: string]: unknown;
}

/** A legacy entity: one flat object with every key present and the unused ones `null`. */
export interface LegacyEntityWire {
  /** The kind of evidence; decides which of the other keys are set. */
  entityType: OpenEnum<'User' | 'Ip' | 'Url' | 'File' | 'Process' | 'MailBox' | 'MailMessage' | 'MailCluster' | 'Registry' | 'SecurityGroup'>;
  /** The kind's keys (`fileName`, `ipAddress`, …), the unused ones `null`. */
  [field: string]: unknown;
}

/** A legacy alert, always embedded in its incident. */
export interface LegacyAlertWire {
  /** The alert id, e.g. `da637…_-1234`. */
  alertId: string;
  /** The incident the alert belongs to. */
  incidentId: number;
  /** The product that raised it, e.g. `MicrosoftDefenderForEndpoint`. */
  serviceSource: string;
  /** When the alert was created (ISO 8601). */
  creationTime: string;
  /** When it last changed. */
  lastUpdatedTime: string | null;
  /** When it was resolved, if it is. */
  resolvedTime: string | null;
  /** The earliest activity it covers. */
  firstActivity: string | null;
  /** The latest activity it covers. */
  lastActivity: string | null;
  /** The alert title. */
  title: string;
  /** What the detection saw. */
  description: string;
  /** MITRE tactic-like category, e.g. `Execution`. */
  category: string;
  /** Alert status. */
  status: OpenEnum<'New' | 'Active' | 'InProgress' | 'Resolved'>;
  /** Alert severity. */
  severity: OpenEnum<'UnSpecified' | 'Informational' | 'Low' | 'Medium' | 'High'>;
  /** The automated investigation, if one ran. */
  investigationId: number | null;
  /** State of the automated investigation, e.g. `Unsupported`. */
  investigationState: string;
  /** Alert classification, if set. */
  classification: string | null;
  /** Alert determination, if set. */
  determination: string | null;
  /** The detection technology, e.g. `WindowsDefenderAv`. */
  detectionSource: string;
  /** The detector's GUID. */
  detectorId: string;
  /** Who owns the alert, if anyone. */
  assignedTo: string | null;
  /** The threat actor, if known. */
  actorName: string | null;
  /** The malware family, if any. */
  threatFamilyName: string | null;
  /** MITRE ATT&CK technique ids, e.g. `T1059.001`. */
  mitreTechniques: string[];
  /** The devices involved. */
  devices: LegacyDeviceWire[];
  /** The evidence. */
  entities: LegacyEntityWire[];
  /** Fields the service adds later. */
  [field: string]: unknown;
}

/** A legacy incident exactly as `GET /api/incidents` returns it. */
export interface LegacyIncidentWire {
  /** The incident id. */
  incidentId: number;
  /** The incident this one was merged into, if it was. */
  redirectIncidentId: number | null;
  /** The incident name. */
  incidentName: string;
  /** When it was created (ISO 8601, 7 fraction digits). */
  createdTime: string;
  /** When it last changed; `$filter` on it is how clients poll. */
  lastUpdateTime: string;
  /** Who owns it, if anyone. */
  assignedTo: string | null;
  /** Incident classification. */
  classification: OpenEnum<'Unknown' | 'FalsePositive' | 'TruePositive' | 'InformationalExpectedActivity'>;
  /** Incident determination, e.g. `NotAvailable`. */
  determination: string;
  /** Incident status. */
  status: OpenEnum<'Active' | 'InProgress' | 'Resolved' | 'Redirected'>;
  /** Incident severity. */
  severity: OpenEnum<'UnSpecified' | 'Informational' | 'Low' | 'Medium' | 'High'>;
  /** Incident tags. */
  tags: string[];
  /** Comments, oldest first. */
  comments: LegacyCommentWire[];
  /** The incident's alerts. */
  alerts: LegacyAlertWire[];
  /** Fields the service adds later. */
  [field: string]: unknown;
}

// ---------------------------------------------------------------- the fake


// ---------------------------------------------------------------- what only Graph has

/**
 * Keys a stored incident may carry for Microsoft Graph alone, by level: the fake Graph renders
 * them, the fake Defender API leaves them out (the legacy API has no such fields).
 */
export const GRAPH_ONLY_KEYS = {
  incident: ['systemTags', 'description', 'summary', 'resolvingComment', 'lastModifiedBy', 'priorityScore'],
  alert: ['recommendedActions', 'alertPolicyId', 'additionalData', 'systemTags'],
  device: ['detailedRoles', 'remediationStatusDetails', 'ipInterfaces', 'loggedOnUsers'],
  entity: [
    'detailedRoles', 'remediationStatusDetails', 'p1Sender', 'p2Sender', 'senderIp', 'receivedDateTime', 'urls', 'urlCount',
    'attachmentsCount', 'threats', 'threatDetectionMethods', 'language', 'antiSpamDirection', 'urn',
  ],
} as const;

/** `object` without `keys`: the object itself when it has none of them. */
function without<T extends Record<string, unknown>>(object: T, keys: readonly string[]): T {
  if (!keys.some((key) => key in object)) return object;
  const copy: Record<string, unknown> = { ...object };
  for (const key of keys) delete copy[key];
  return copy as T;
}

/** A stored incident as the Defender API serves it: without the keys only Graph has ({@link GRAPH_ONLY_KEYS}). */
export function legacyView(incident: LegacyIncidentWire): LegacyIncidentWire {
  return {
    ...without(incident, GRAPH_ONLY_KEYS.incident),
    alerts: incident.alerts.map((alert) => ({
      ...without(alert, GRAPH_ONLY_KEYS.alert),
      devices: alert.devices.map((device) => without(device, GRAPH_ONLY_KEYS.device)),
      entities: alert.entities.map((entity) => without(entity, GRAPH_ONLY_KEYS.entity)),
    })),
  };
}
