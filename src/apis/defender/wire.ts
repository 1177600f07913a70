/**
 * zod schemas of what the Defender API (`api.security.microsoft.com`) really sends. Lenient by
 * design: unknown fields are allowed, documented-nullable fields accept `null`, optional ones may
 * be missing, enum fields are any string. What is checked is the type of each field the public
 * model exposes. No transforms: once a body passes, the body itself (with every field the API
 * sent, unknown ones included) is the wire object the mappers read and keep as `raw`. The
 * schemas are plain (stripping) objects because zod's output is not used: a loose object would
 * copy every unknown key into an output nobody reads (figure 1 of the bench).
 *
 * @packageDocumentation
 */
import * as z from 'zod';
import { dateTime, integer, optionalDateTime, str, strings, type Open } from '../shared/wire.js';

/** Ids: incidents send JSON numbers, alerts strings. Both become strings in the model. */
const id = z.union([z.string().min(1), z.number().int().nonnegative()], {
  error: (issue) =>
    issue.input === undefined
      ? 'required id is missing'
      : 'expected an id (a non-empty string or a non-negative integer)',
});

/** A device on an alert (`alert.devices[]`). Real payloads key the id `mdatpDeviceId`. */
export const legacyDeviceSchema = z.object({
  mdatpDeviceId: str,
  aadDeviceId: str,
  deviceDnsName: str,
  osPlatform: str,
  version: z.union([z.string(), z.number()]).nullish(),
  osProcessor: str,
  osBuild: integer,
  healthStatus: str,
  riskScore: str,
  rbacGroupName: str,
  rbacGroupId: integer,
  firstSeen: optionalDateTime,
  tags: strings,
  defenderAvStatus: str,
  onboardingStatus: str,
  vmMetadata: z
    .looseObject({ vmId: str, cloudProvider: str, resourceId: str, subscriptionId: str })
    .nullish(),
});

/**
 * An entity on an alert (`alert.entities[]`): one flat object for every kind, discriminated by
 * `entityType`, with unused keys `null` (older payloads) or absent (newer ones).
 */
export const legacyEntitySchema = z.object({
  entityType: str,
  sha1: str,
  sha256: str,
  fileName: str,
  filePath: str,
  processId: integer,
  processCommandLine: str,
  processCreationTime: optionalDateTime,
  parentProcessId: integer,
  parentProcessCreationTime: optionalDateTime,
  ipAddress: str,
  url: str,
  accountName: str,
  domainName: str,
  userSid: str,
  aadUserId: str,
  userPrincipalName: str,
  mailboxDisplayName: str,
  mailboxAddress: str,
  clusterBy: str,
  sender: str,
  recipient: str,
  subject: str,
  deliveryAction: str,
  securityGroupId: str,
  securityGroupName: str,
  registryHive: str,
  registryKey: str,
  registryValueType: str,
  registryValue: str,
  deviceId: str,
  verdict: str,
});

/**
 * The incident id an embedded alert carries: real payloads may leave it out or send `""`, and
 * the alert then belongs to the incident it is embedded in.
 */
const embeddedIncidentId = z
  .union([z.string(), z.number().int().nonnegative()], { error: 'expected an id (a string or a non-negative integer)' })
  .nullish();

/** An alert embedded in an incident (`incident.alerts[]`); without an `incidentId` it takes its incident's. */
export const legacyAlertSchema = z.object({
  alertId: id,
  incidentId: embeddedIncidentId,
  serviceSource: str,
  creationTime: optionalDateTime,
  lastUpdatedTime: optionalDateTime,
  resolvedTime: optionalDateTime,
  firstActivity: optionalDateTime,
  lastActivity: optionalDateTime,
  // A missing title or name maps to '' rather than failing the whole page.
  title: str,
  description: str,
  category: str,
  status: str,
  severity: str,
  classification: str,
  determination: str,
  detectionSource: str,
  detectorId: str,
  assignedTo: str,
  actorName: str,
  threatFamilyName: str,
  mitreTechniques: strings,
  investigationId: z.union([z.number().int(), z.string()], { error: 'expected an id (a string or an integer)' }).nullish(),
  investigationState: str,
  devices: z.array(legacyDeviceSchema).nullish(),
  entities: z.array(legacyEntitySchema).nullish(),
});

/** An alert whose incident id must be its own: one read without a usable incident around it. */
export const legacyAlertWithIdSchema = legacyAlertSchema.extend({ incidentId: id });

/** A comment on an incident (`incident.comments[]`). */
export const legacyCommentSchema = z.object({
  comment: str,
  createdBy: str,
  createdTime: dateTime,
});

/** An incident as `GET /api/incidents[/{id}]` and `PATCH` return it. */
export const legacyIncidentSchema = z.object({
  incidentId: id,
  redirectIncidentId: id.nullish(),
  incidentName: str,
  createdTime: dateTime,
  lastUpdateTime: dateTime,
  assignedTo: str,
  classification: str,
  determination: str,
  status: z.string(),
  severity: str,
  tags: strings,
  comments: z.array(legacyCommentSchema).nullish(),
  alerts: z.array(legacyAlertSchema).nullish(),
});

/** A page of `GET /api/incidents`, items checked as a whole (the per-item path checks them one by one). */
export const legacyIncidentListSchema = z.object({
  value: z.array(legacyIncidentSchema),
  '@odata.nextLink': str,
});

/** What `alerts.list` reads of an incident before its alerts: its id, and that `alerts` is a list. */
export const legacyAlertHolderSchema = z.object({ incidentId: id.nullish(), alerts: z.array(z.unknown()).nullish() });

/** A device as the Defender API sends it. */
export type LegacyDevice = Open<z.input<typeof legacyDeviceSchema>>;
/** An entity as the Defender API sends it. */
export type LegacyEntity = Open<z.input<typeof legacyEntitySchema>>;
/** An alert as the Defender API sends it. */
export type LegacyAlert = Open<z.input<typeof legacyAlertSchema>>;
/** A comment as the Defender API sends it. */
export type LegacyComment = Open<z.input<typeof legacyCommentSchema>>;
/** An incident as the Defender API sends it. */
export type LegacyIncident = Open<z.input<typeof legacyIncidentSchema>>;
/** A page of incidents as the Defender API sends it. */
export type LegacyIncidentList = Open<z.input<typeof legacyIncidentListSchema>>;
