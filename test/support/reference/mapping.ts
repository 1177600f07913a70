/**
 * THE REFERENCE MAPPING of the list-read property test (test/resources/list-read.property.test.ts):
 * the SDK's mapping as it was before validation and mapping were fused into one pass (issue 18),
 * kept unchanged as the oracle the fused read must agree with. Not used by the SDK.
 *
 * What both APIs' mappers do the same way: wire values to model values (dates, integers,
 * `null` for missing), enum values to the model's names (through `enums.ts`), and the model
 * objects whose conversion is the same once the wire names are lined up with the model's (an
 * alert, a device, a file, a user account). Each mapper passes its API's fields under the
 * model's names: Graph's mostly already are, the Defender API's are renamed in its mapper, so the
 * differences between the two stay written out there.
 *
 * @packageDocumentation
 */
import { parseDateTime } from '../../../src/models/dates.js';
import type { DeviceEvidence, EmailSender, EvidenceBase, Evidence, FileDetails, LoggedOnUser, UserAccount } from '../../../src/models/evidence.js';
import type { Alert, Incident, IncidentComment } from '../../../src/models/incident.js';
import {
  toPublicAlertStatus as toPublicAlertStatusOf,
  toPublicClassification as toPublicClassificationOf,
  toPublicDetectionSource as toPublicDetectionSourceOf,
  toPublicDetermination as toPublicDeterminationOf,
  toPublicIncidentStatus as toPublicIncidentStatusOf,
  toPublicServiceSource as toPublicServiceSourceOf,
  toPublicSeverity as toPublicSeverityOf,
  toPublicValue as toPublicValueOf,
} from '../../../src/apis/shared/enums.js';

/** A wire field that may be `null` or missing. */
type Maybe<T> = T | null | undefined;

// ---- values ----

// The wire schemas already checked these strings, so a parse failure cannot happen here.
/** The `Date` of a date-time string the wire schema has checked. */
export const toDate = (value: string): Date => parseDateTime(value) as Date;
/** {@link toDate}, or `null` when missing or `""` (what real payloads send for a date not set). */
export const toOptionalDate = (value: Maybe<string>): Date | null => (value == null || value === '' ? null : toDate(value));
/** The value, `null` when missing. */
export const orNull = <T>(value: T | null | undefined): T | null => (value === undefined ? null : value);
/** The number of an integer sent as a number or a numeric string, `null` when missing. */
export const toInteger = (value: Maybe<number | string>): number | null => (value == null ? null : Number(value));
/** The string of a value sent as a string or a number, `null` when missing. */
export const toStringOrNull = (value: Maybe<string | number>): string | null => (value == null ? null : String(value));

/**
 * Remembers a value mapping's answers: a page repeats the same few enum strings thousands of
 * times, and each fresh mapping lower-cases and matches regexes. Bounded, as the strings come
 * from the network; missing values go to the mapping itself (`unknown` or `null`).
 */
function memo<R>(fn: (value: Maybe<string>) => R): (value: Maybe<string>) => R {
  const known = new Map<string, R>();
  return (value) => {
    if (value == null) return fn(value);
    let out = known.get(value);
    if (out === undefined) {
      out = fn(value);
      if (known.size < 256) known.set(value, out);
    }
    return out;
  };
}

/** The model's incident status of a wire value (`Active`, `active` → `active`). */
export const toPublicIncidentStatus = memo(toPublicIncidentStatusOf as (value: Maybe<string>) => string);
/** The model's alert status of a wire value; missing → `unknown`. */
export const toPublicAlertStatus = memo(toPublicAlertStatusOf);
/** The model's severity of a wire value; missing → `unknown`. */
export const toPublicSeverity = memo(toPublicSeverityOf);
/** The model's classification of a wire value; missing → `unknown`. */
export const toPublicClassification = memo(toPublicClassificationOf);
/** The model's determination of a wire value; missing → `unknown`. */
export const toPublicDetermination = memo(toPublicDeterminationOf);
/** The model's service source of a wire value; missing → `unknown`. */
export const toPublicServiceSource = memo(toPublicServiceSourceOf);
/** The model's detection source of a wire value; missing → `unknown`. */
export const toPublicDetectionSource = memo(toPublicDetectionSourceOf);
/** The model's form of an open, descriptive value (device health, verdict…); missing → `null`. */
export const toPublicValue = memo(toPublicValueOf);

// ---- objects ----

/** The model's fields, each optional and nullable: what an API sends under the model's names. */
type Sent<T> = { [K in keyof T]?: Maybe<T[K]> };

/** A file's details under the model's names (`fileSize` also as a numeric string); a field an API does not send is left out. */
export type FileDetailsSource = Omit<Sent<FileDetails>, 'fileSize'> & { fileSize?: Maybe<number | string> };

/** Maps a file's details; what the source leaves out is `null`. */
export function toFileDetails(file: FileDetailsSource): FileDetails {
  return {
    sha1: orNull(file.sha1),
    sha256: orNull(file.sha256),
    md5: orNull(file.md5),
    fileName: orNull(file.fileName),
    filePath: orNull(file.filePath),
    fileSize: toInteger(file.fileSize),
    filePublisher: orNull(file.filePublisher),
    signer: orNull(file.signer),
    issuer: orNull(file.issuer),
  };
}

/** A user account under the model's names; a field an API does not send is left out. */
export type UserAccountSource = Sent<UserAccount>;

/** Maps a user account; what the source leaves out is `null`. */
export function toUserAccount(account: UserAccountSource): UserAccount {
  return {
    accountName: orNull(account.accountName),
    domainName: orNull(account.domainName),
    userSid: orNull(account.userSid),
    azureAdUserId: orNull(account.azureAdUserId),
    userPrincipalName: orNull(account.userPrincipalName),
    displayName: orNull(account.displayName),
  };
}

/** Maps an e-mail sender; `null` when the API sent none. */
export function toEmailSender(sender: Maybe<Sent<EmailSender>>): EmailSender | null {
  return sender
    ? { emailAddress: orNull(sender.emailAddress), displayName: orNull(sender.displayName), domainName: orNull(sender.domainName) }
    : null;
}

/** A device's fields under the model's names. */
export interface DeviceSource {
  mdeDeviceId?: Maybe<string>;
  azureAdDeviceId?: Maybe<string>;
  deviceDnsName?: Maybe<string>;
  osPlatform?: Maybe<string>;
  osBuild?: Maybe<number | string>;
  version?: Maybe<string | number>;
  osProcessor?: Maybe<string>;
  ipInterfaces?: Maybe<string[]>;
  loggedOnUsers?: Maybe<Sent<LoggedOnUser>[]>;
  healthStatus?: Maybe<string>;
  riskScore?: Maybe<string>;
  rbacGroupId?: Maybe<number | string>;
  rbacGroupName?: Maybe<string>;
  onboardingStatus?: Maybe<string>;
  defenderAvStatus?: Maybe<string>;
  firstSeenDateTime?: Maybe<string>;
  vmMetadata?: Maybe<{ vmId?: Maybe<string>; cloudProvider?: Maybe<string>; resourceId?: Maybe<string>; subscriptionId?: Maybe<string> }>;
}

/** Maps a device to device evidence, with the base fields its API gives. */
export function toDeviceEvidence(device: DeviceSource, base: EvidenceBase): DeviceEvidence {
  const vm = device.vmMetadata;
  return {
    type: 'device',
    ...base,
    mdeDeviceId: orNull(device.mdeDeviceId),
    azureAdDeviceId: orNull(device.azureAdDeviceId),
    deviceDnsName: orNull(device.deviceDnsName),
    osPlatform: orNull(device.osPlatform),
    osBuild: toInteger(device.osBuild),
    version: toStringOrNull(device.version),
    osProcessor: orNull(device.osProcessor),
    ipInterfaces: [...(device.ipInterfaces ?? [])],
    loggedOnUsers: (device.loggedOnUsers ?? []).map((user) => ({ accountName: orNull(user.accountName), domainName: orNull(user.domainName) })),
    healthStatus: toPublicValue(device.healthStatus),
    riskScore: toPublicValue(device.riskScore),
    rbacGroupId: toInteger(device.rbacGroupId),
    rbacGroupName: orNull(device.rbacGroupName),
    onboardingStatus: toPublicValue(device.onboardingStatus),
    defenderAvStatus: toPublicValue(device.defenderAvStatus),
    firstSeenDateTime: toOptionalDate(device.firstSeenDateTime),
    vmMetadata: vm
      ? {
          vmId: orNull(vm.vmId),
          cloudProvider: toPublicValue(vm.cloudProvider),
          resourceId: orNull(vm.resourceId),
          subscriptionId: orNull(vm.subscriptionId),
        }
      : null,
  };
}

/** An alert's fields under the model's names, ids already strings. */
export interface AlertSource {
  id: string;
  /** Missing or `""` on an alert embedded in an incident: it then takes its incident's. */
  incidentId?: Maybe<string>;
  title?: Maybe<string>;
  description?: Maybe<string>;
  category?: Maybe<string>;
  status?: Maybe<string>;
  severity?: Maybe<string>;
  classification?: Maybe<string>;
  determination?: Maybe<string>;
  serviceSource?: Maybe<string>;
  detectionSource?: Maybe<string>;
  detectorId?: Maybe<string>;
  assignedTo?: Maybe<string>;
  threatFamilyName?: Maybe<string>;
  actorDisplayName?: Maybe<string>;
  mitreTechniques?: Maybe<string[]>;
  createdDateTime?: Maybe<string>;
  lastUpdateDateTime?: Maybe<string>;
  resolvedDateTime?: Maybe<string>;
  firstActivityDateTime?: Maybe<string>;
  lastActivityDateTime?: Maybe<string>;
  providerAlertId?: Maybe<string>;
  threatDisplayName?: Maybe<string>;
  productName?: Maybe<string>;
  recommendedActions?: Maybe<string>;
  systemTags?: Maybe<string[]>;
  tenantId?: Maybe<string>;
  alertPolicyId?: Maybe<string>;
}

/**
 * What each API's mapper works out of an alert its own way (Graph's alert is passed to
 * {@link toAlert} as it is, so a field only one API has comes here, never unchecked from the wire).
 */
export interface AlertParts {
  evidence: Evidence[];
  comments: IncidentComment[];
  webUrl: string | null;
  incidentWebUrl: string | null;
  additionalData: Maybe<Record<string, unknown>>;
  investigationId: Maybe<string | number>;
  investigationState: Maybe<string>;
}

/**
 * Maps an alert, with the parts its API's mapper made and the wire object as `raw`. An alert
 * without an incident id of its own takes `parentIncidentId`, the incident it is embedded in
 * (the wire schemas let one through only where there is such an incident).
 */
export function toAlert(alert: AlertSource, parts: AlertParts, raw: Record<string, unknown>, parentIncidentId = ''): Alert {
  return {
    id: alert.id,
    incidentId: alert.incidentId || parentIncidentId,
    title: alert.title ?? '',
    description: orNull(alert.description),
    category: orNull(alert.category),
    status: toPublicAlertStatus(alert.status),
    severity: toPublicSeverity(alert.severity),
    classification: toPublicClassification(alert.classification),
    determination: toPublicDetermination(alert.determination),
    serviceSource: toPublicServiceSource(alert.serviceSource),
    detectionSource: toPublicDetectionSource(alert.detectionSource),
    detectorId: orNull(alert.detectorId),
    // an unassigned alert may say `""` as well as null
    assignedTo: alert.assignedTo || null,
    threatFamilyName: orNull(alert.threatFamilyName),
    actorDisplayName: orNull(alert.actorDisplayName),
    mitreTechniques: [...(alert.mitreTechniques ?? [])],
    createdDateTime: toOptionalDate(alert.createdDateTime),
    lastUpdateDateTime: toOptionalDate(alert.lastUpdateDateTime),
    resolvedDateTime: toOptionalDate(alert.resolvedDateTime),
    firstActivityDateTime: toOptionalDate(alert.firstActivityDateTime),
    lastActivityDateTime: toOptionalDate(alert.lastActivityDateTime),
    evidence: parts.evidence,
    comments: parts.comments,
    webUrl: parts.webUrl,
    incidentWebUrl: parts.incidentWebUrl,
    providerAlertId: orNull(alert.providerAlertId),
    threatDisplayName: orNull(alert.threatDisplayName),
    productName: orNull(alert.productName),
    recommendedActions: orNull(alert.recommendedActions),
    systemTags: [...(alert.systemTags ?? [])],
    tenantId: orNull(alert.tenantId),
    alertPolicyId: orNull(alert.alertPolicyId),
    additionalData: parts.additionalData ? { ...parts.additionalData } : null,
    investigationId: toStringOrNull(parts.investigationId),
    investigationState: toPublicValue(parts.investigationState),
    raw,
  };
}

/** An incident's fields under the model's names, id already a string. */
export interface IncidentSource {
  id: string;
  displayName?: Maybe<string>;
  status: string;
  severity?: Maybe<string>;
  classification?: Maybe<string>;
  determination?: Maybe<string>;
  assignedTo?: Maybe<string>;
  createdDateTime: string;
  lastUpdateDateTime: string;
  description?: Maybe<string>;
  summary?: Maybe<string>;
  resolvingComment?: Maybe<string>;
  lastModifiedBy?: Maybe<string>;
  tenantId?: Maybe<string>;
  priorityScore?: Maybe<number | string>;
}

/** What each API's mapper works out of an incident its own way. */
export interface IncidentParts {
  redirectIncidentId: string | null;
  tags: Maybe<string[]>;
  systemTags: Maybe<string[]>;
  comments: IncidentComment[];
  alerts: Alert[];
  webUrl: string | null;
}

/** Maps an incident, with the parts its API's mapper made and the wire object as `raw`. */
export function toIncident(incident: IncidentSource, parts: IncidentParts, raw: Record<string, unknown>): Incident {
  return {
    id: incident.id,
    displayName: incident.displayName ?? '',
    status: toPublicIncidentStatus(incident.status),
    severity: toPublicSeverity(incident.severity),
    classification: toPublicClassification(incident.classification),
    determination: toPublicDetermination(incident.determination),
    // an unassigned incident may say `""` (the Defender API's own unassign value) as well as null
    assignedTo: incident.assignedTo || null,
    createdDateTime: toDate(incident.createdDateTime),
    lastUpdateDateTime: toDate(incident.lastUpdateDateTime),
    redirectIncidentId: parts.redirectIncidentId,
    tags: [...(parts.tags ?? [])],
    systemTags: [...(parts.systemTags ?? [])],
    comments: parts.comments,
    alerts: parts.alerts,
    webUrl: parts.webUrl,
    description: orNull(incident.description),
    summary: orNull(incident.summary),
    resolvingComment: orNull(incident.resolvingComment),
    lastModifiedBy: orNull(incident.lastModifiedBy),
    tenantId: orNull(incident.tenantId),
    priorityScore: toInteger(incident.priorityScore),
    raw,
  };
}
