/**
 * zod schemas of what the Microsoft Graph security API (`/v1.0/security/...`) really sends
 * (reference §5.4, §5.5). Lenient like the Defender API's: unknown fields are allowed, nullable
 * fields accept `null`, enums are any string. No transforms: once a body passes, the body itself
 * (unknown fields included) is what the mappers read and keep as `raw`, so the schemas are plain
 * (stripping) objects: zod's output copy is not used.
 *
 * @packageDocumentation
 */
import * as z from 'zod';
import { passes } from '../../models/compiled.js';
import { fileDetailsSchema, userAccountSchema, type FileDetails, type UserAccount } from '../../models/evidence.js';
import { dateTime, integer, optionalDateTime, str, strings, type Open } from '../shared/wire.js';

const id = z.string().min(1, 'expected a non-empty id');

/**
 * `fileDetails` of file and process evidence: the model's {@link FileDetails} field for field,
 * each optional, with `fileSize` also as a numeric string.
 */
export const graphFileDetailsSchema = fileDetailsSchema.partial().extend({ fileSize: integer });

/** `userAccount` of user, process and mailbox evidence: the model's {@link UserAccount} field for field, each optional. */
export const graphUserAccountSchema = userAccountSchema.partial();

/** The fields every `alertEvidence` subtype has. */
const evidenceBaseShape = {
  '@odata.type': str,
  createdDateTime: optionalDateTime,
  verdict: str,
  remediationStatus: str,
  remediationStatusDetails: str,
  roles: strings,
  detailedRoles: strings,
  tags: strings,
};

/** An `emailSender` (`p1Sender`, `p2Sender` of analyzed message evidence). */
const emailSender = z.object({ emailAddress: str, displayName: str, domainName: str }).nullish();

/**
 * The fields the model reads, per evidence subtype (reference §5.5). A field is checked only on
 * the subtypes that define it: the same name can mean something else on a subtype the model does
 * not type (`ipAddress` is an `ipEvidence` object on `nicEvidence` and `ioTDeviceEvidence`).
 */
const evidenceSubtypeShapes = {
  deviceEvidence: {
    mdeDeviceId: str,
    azureAdDeviceId: str,
    deviceDnsName: str,
    osPlatform: str,
    osBuild: integer,
    version: z.union([z.string(), z.number()]).nullish(),
    // not documented on Graph (the Defender API sends it); checked, so a value Graph sends is a string
    osProcessor: str,
    ipInterfaces: strings,
    loggedOnUsers: z.array(z.object({ accountName: str, domainName: str })).nullish(),
    healthStatus: str,
    riskScore: str,
    rbacGroupId: integer,
    rbacGroupName: str,
    onboardingStatus: str,
    defenderAvStatus: str,
    firstSeenDateTime: optionalDateTime,
    vmMetadata: z.object({ vmId: str, cloudProvider: str, resourceId: str, subscriptionId: str }).nullish(),
  },
  fileEvidence: { fileDetails: graphFileDetailsSchema.nullish(), detectionStatus: str, mdeDeviceId: str },
  processEvidence: {
    processId: integer,
    parentProcessId: integer,
    processCommandLine: str,
    processCreationDateTime: optionalDateTime,
    parentProcessCreationDateTime: optionalDateTime,
    imageFile: graphFileDetailsSchema.nullish(),
    parentProcessImageFile: graphFileDetailsSchema.nullish(),
    userAccount: graphUserAccountSchema.nullish(),
    detectionStatus: str,
    mdeDeviceId: str,
  },
  userEvidence: { userAccount: graphUserAccountSchema.nullish() },
  ipEvidence: { ipAddress: str, countryLetterCode: str },
  urlEvidence: { url: str },
  mailboxEvidence: { displayName: str, primaryAddress: str, upn: str, userAccount: graphUserAccountSchema.nullish() },
  analyzedMessageEvidence: {
    networkMessageId: str,
    internetMessageId: str,
    subject: str,
    recipientEmailAddress: str,
    deliveryAction: str,
    deliveryLocation: str,
    p1Sender: emailSender,
    p2Sender: emailSender,
    senderIp: str,
    receivedDateTime: optionalDateTime,
    urls: strings,
    urlCount: integer,
    attachmentsCount: integer,
    threats: strings,
    threatDetectionMethods: strings,
    language: str,
    antiSpamDirection: str,
    urn: str,
  },
  mailClusterEvidence: { clusterBy: str, clusterByValue: str, emailCount: integer, query: str },
  registryKeyEvidence: { registryHive: str, registryKey: str },
  registryValueEvidence: {
    registryHive: str,
    registryKey: str,
    registryValue: str,
    registryValueName: str,
    registryValueType: str,
    mdeDeviceId: str,
  },
  securityGroupEvidence: { securityGroupId: str, displayName: str },
};

const ODATA_PREFIX = /^#?microsoft\.graph\.security\./i;

/** Subtype names already worked out: a page repeats a dozen `@odata.type`s hundreds of times. Bounded, as they come from the network. */
const subtypes = new Map<string, string>();

/** The subtype name of an evidence's `@odata.type`: `#microsoft.graph.security.fileEvidence` → `fileEvidence`. */
export function evidenceSubtype(odataType: string | null | undefined): string {
  const type = odataType ?? '';
  let subtype = subtypes.get(type);
  if (subtype === undefined) {
    subtype = type.replace(ODATA_PREFIX, '');
    if (subtypes.size < 256) subtypes.set(type, subtype);
  }
  return subtype;
}

/** Every typed subtype's fields at once: the shape the mappers read (each optional). */
const evidenceShape = z.object({
  ...evidenceBaseShape,
  ...evidenceSubtypeShapes.deviceEvidence,
  ...evidenceSubtypeShapes.fileEvidence,
  ...evidenceSubtypeShapes.processEvidence,
  ...evidenceSubtypeShapes.userEvidence,
  ...evidenceSubtypeShapes.ipEvidence,
  ...evidenceSubtypeShapes.urlEvidence,
  ...evidenceSubtypeShapes.mailboxEvidence,
  ...evidenceSubtypeShapes.analyzedMessageEvidence,
  ...evidenceSubtypeShapes.mailClusterEvidence,
  ...evidenceSubtypeShapes.registryKeyEvidence,
  ...evidenceSubtypeShapes.registryValueEvidence,
  ...evidenceSubtypeShapes.securityGroupEvidence,
});

const evidenceBaseSchema = z.object(evidenceBaseShape);
const evidenceSubtypeSchemas = new Map<string, z.ZodType>(
  Object.entries(evidenceSubtypeShapes).map(([name, shape]) => [name, z.object({ ...evidenceBaseShape, ...shape })]),
);

/**
 * One `alertEvidence`, polymorphic on `@odata.type`: the base fields, plus the fields of its own
 * subtype when the model types it. Any other subtype is checked on the base fields only and keeps
 * everything else (the mapper makes it `other`, with `raw`).
 */
export const graphEvidenceSchema = z.any().superRefine((value, ctx) => {
  const type = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['@odata.type'] : undefined;
  const schema = (typeof type === 'string' && evidenceSubtypeSchemas.get(evidenceSubtype(type))) || evidenceBaseSchema;
  if (passes(schema, value)) return;
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
}) as unknown as typeof evidenceShape;

/** An `alertComment`. The list-incidents doc example wrongly shows `createdBy`/`createdTime`; both are read. */
export const graphCommentSchema = z.object({
  comment: str,
  createdByDisplayName: str,
  createdBy: str,
  createdDateTime: optionalDateTime,
  createdTime: optionalDateTime,
});

/** An `alert` from `alerts_v2`, or embedded by `$expand=alerts`. */
export const graphAlertSchema = z.object({
  id,
  providerAlertId: str,
  incidentId: id,
  status: str,
  severity: str,
  classification: str,
  determination: str,
  serviceSource: str,
  detectionSource: str,
  detectorId: str,
  // Documented nullable: a missing title or name maps to '' rather than failing the whole page.
  title: str,
  description: str,
  category: str,
  assignedTo: str,
  actorDisplayName: str,
  threatFamilyName: str,
  mitreTechniques: strings,
  createdDateTime: optionalDateTime,
  lastUpdateDateTime: optionalDateTime,
  resolvedDateTime: optionalDateTime,
  firstActivityDateTime: optionalDateTime,
  lastActivityDateTime: optionalDateTime,
  comments: z.array(graphCommentSchema).nullish(),
  evidence: z.array(graphEvidenceSchema).nullish(),
  alertWebUrl: str,
  incidentWebUrl: str,
  threatDisplayName: str,
  productName: str,
  recommendedActions: str,
  systemTags: strings,
  tenantId: str,
  alertPolicyId: str,
  additionalData: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * An alert embedded in an incident by `$expand=alerts`: without an `incidentId` (missing or `""`)
 * it takes its incident's.
 */
export const graphEmbeddedAlertSchema = graphAlertSchema.extend({ incidentId: str });

/** An `incident` as `GET/PATCH /security/incidents[/{id}]` return it. */
export const graphIncidentSchema = z.object({
  id,
  incidentWebUrl: str,
  redirectIncidentId: str,
  displayName: str,
  createdDateTime: dateTime,
  lastUpdateDateTime: dateTime,
  assignedTo: str,
  classification: str,
  determination: str,
  status: z.string(),
  severity: str,
  customTags: strings,
  systemTags: strings,
  description: str,
  summary: str,
  resolvingComment: str,
  lastModifiedBy: str,
  tenantId: str,
  // nullable Int32 in the v1.0 metadata (2026); a numeric string is read too, as for other integers
  priorityScore: integer,
  comments: z.array(graphCommentSchema).nullish(),
  alerts: z.array(graphEmbeddedAlertSchema).nullish(),
});

/** The response of `POST .../comments`: the whole comment collection. */
export const graphCommentListSchema = z.object({ value: z.array(graphCommentSchema) });

/** An incident as Graph sends it. */
export type GraphIncident = Open<z.input<typeof graphIncidentSchema>>;
/** An alert as Graph sends it. */
export type GraphAlert = Open<z.input<typeof graphAlertSchema>>;
/** An evidence item as Graph sends it. */
export type GraphEvidence = Open<z.input<typeof graphEvidenceSchema>>;
