/*
 * Wire shapes of the legacy Defender API incidents (reference §2.4), as the fake tenant stores and serves them.
 */

// ---------------------------------------------------------------- wire shapes (reference §2.4)

/** Open string enum: the documented values plus anything Microsoft adds later. */
type Open<T extends string> = T | (string & {});

/** A legacy incident comment. */
export interface LegacyCommentWire {
  comment: string;
  createdBy: string;
  createdTime: string;
}

/** A device embedded in a legacy alert (the key is `mdatpDeviceId`, not the documented `DeviceId`). */
export interface LegacyDeviceWire {
  mdatpDeviceId: string;
  aadDeviceId: string | null;
  deviceDnsName: string;
  osPlatform: string;
  version: string;
  osProcessor: string;
  osBuild: number;
  healthStatus: string;
  riskScore: string;
  rbacGroupName: string;
  rbacGroupId: number;
  firstSeen: string;
  tags: string[];
  defenderAvStatus: string;
  onboardingStatus: string;
  vmMetadata: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** A legacy entity: one flat object with every key present and the unused ones `null`. */
export interface LegacyEntityWire {
  entityType: Open<'User' | 'Ip' | 'Url' | 'File' | 'Process' | 'MailBox' | 'MailMessage' | 'MailCluster' | 'Registry' | 'SecurityGroup'>;
  [field: string]: unknown;
}

/** A legacy alert, always embedded in its incident. */
export interface LegacyAlertWire {
  alertId: string;
  incidentId: number;
  serviceSource: string;
  creationTime: string;
  lastUpdatedTime: string | null;
  resolvedTime: string | null;
  firstActivity: string | null;
  lastActivity: string | null;
  title: string;
  description: string;
  category: string;
  status: Open<'New' | 'Active' | 'InProgress' | 'Resolved'>;
  severity: Open<'UnSpecified' | 'Informational' | 'Low' | 'Medium' | 'High'>;
  investigationId: number | null;
  investigationState: string;
  classification: string | null;
  determination: string | null;
  detectionSource: string;
  detectorId: string;
  assignedTo: string | null;
  actorName: string | null;
  threatFamilyName: string | null;
  mitreTechniques: string[];
  devices: LegacyDeviceWire[];
  entities: LegacyEntityWire[];
  [field: string]: unknown;
}

/** A legacy incident exactly as `GET /api/incidents` returns it. */
export interface LegacyIncidentWire {
  incidentId: number;
  redirectIncidentId: number | null;
  incidentName: string;
  createdTime: string;
  lastUpdateTime: string;
  assignedTo: string | null;
  classification: Open<'Unknown' | 'FalsePositive' | 'TruePositive' | 'InformationalExpectedActivity'>;
  determination: string;
  status: Open<'Active' | 'InProgress' | 'Resolved' | 'Redirected'>;
  severity: Open<'UnSpecified' | 'Informational' | 'Low' | 'Medium' | 'High'>;
  tags: string[];
  comments: LegacyCommentWire[];
  alerts: LegacyAlertWire[];
  [field: string]: unknown;
}

// ---------------------------------------------------------------- the fake

