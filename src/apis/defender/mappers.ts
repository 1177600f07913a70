/**
 * Maps validated Defender API objects to the public model (reference §5.9 for the field
 * correspondence). Input is the output of the wire schemas, so types are already checked.
 *
 * @packageDocumentation
 */
import type { z } from 'zod';
import { parseDateTime } from '../../models/dates.js';
import type { Evidence, EvidenceBase, FileDetails, UserAccount } from '../../models/evidence.js';
import type { Alert, Incident, IncidentComment } from '../../models/incident.js';
import {
  toPublicAlertStatus as toPublicAlertStatusOf,
  toPublicClassification as toPublicClassificationOf,
  toPublicDetectionSource as toPublicDetectionSourceOf,
  toPublicDetermination as toPublicDeterminationOf,
  toPublicIncidentStatus as toPublicIncidentStatusOf,
  toPublicServiceSource as toPublicServiceSourceOf,
  toPublicSeverity as toPublicSeverityOf,
  toPublicValue as toPublicValueOf,
} from './enums.js';
import type {
  legacyAlertSchema,
  legacyCommentSchema,
  legacyDeviceSchema,
  legacyEntitySchema,
  legacyIncidentSchema,
} from './wire.js';

type WireIncident = z.output<typeof legacyIncidentSchema>;
type WireAlert = z.output<typeof legacyAlertSchema>;
type WireDevice = z.output<typeof legacyDeviceSchema>;
type WireEntity = z.output<typeof legacyEntitySchema>;
type WireComment = z.output<typeof legacyCommentSchema>;

/** Options of the incident mappers. */
export interface MapIncidentOptions {
  /**
   * The Defender portal's origin for this cloud, e.g. `https://security.microsoft.com`. When
   * given, `webUrl` is `<portal>/incidents/<id>`; without it `webUrl` is `null`, because the
   * Defender API sends no link and the portal host differs per cloud.
   */
  portalBaseUrl?: string;
}

/**
 * Remembers a value mapping's answers: a page repeats the same few enum strings thousands of
 * times, and each fresh mapping lower-cases and matches regexes. Bounded, as the strings come
 * from the network; missing values go to the mapping itself (`unknown` or `null`).
 */
function memo<R>(fn: (value: string | null | undefined) => R): (value: string | null | undefined) => R {
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
const toPublicIncidentStatus = memo(toPublicIncidentStatusOf as (value: string | null | undefined) => string);
const toPublicAlertStatus = memo(toPublicAlertStatusOf);
const toPublicSeverity = memo(toPublicSeverityOf);
const toPublicClassification = memo(toPublicClassificationOf);
const toPublicDetermination = memo(toPublicDeterminationOf);
const toPublicServiceSource = memo(toPublicServiceSourceOf);
const toPublicDetectionSource = memo(toPublicDetectionSourceOf);
const toPublicValue = memo(toPublicValueOf);

// The wire schemas already checked these strings, so a parse failure cannot happen here.
const toDate = (value: string): Date => parseDateTime(value) as Date;
const toOptionalDate = (value: string | null | undefined): Date | null => (value == null ? null : toDate(value));
const orNull = <T>(value: T | null | undefined): T | null => (value === undefined ? null : value);
const toInteger = (value: number | string | null | undefined): number | null => (value == null ? null : Number(value));
const toStringOrNull = (value: string | number | null | undefined): string | null => (value == null ? null : String(value));

function base(raw: Record<string, unknown>, verdict: string | null | undefined, tags: string[] = []): EvidenceBase {
  return { createdDateTime: null, verdict: toPublicValue(verdict), remediationStatus: null, roles: [], tags, raw };
}

function mapDevice(device: WireDevice): Evidence {
  const vm = device.vmMetadata;
  return {
    type: 'device',
    ...base(device, undefined, [...(device.tags ?? [])]),
    // the docs' table says `DeviceId`, every real payload says `mdatpDeviceId` (reference §2.4)
    mdeDeviceId: orNull(device.mdatpDeviceId) ?? stringField(device, 'deviceId') ?? stringField(device, 'DeviceId'),
    azureAdDeviceId: orNull(device.aadDeviceId),
    deviceDnsName: orNull(device.deviceDnsName),
    osPlatform: orNull(device.osPlatform),
    osBuild: toInteger(device.osBuild),
    version: toStringOrNull(device.version),
    healthStatus: toPublicValue(device.healthStatus),
    riskScore: toPublicValue(device.riskScore),
    rbacGroupId: toInteger(device.rbacGroupId),
    rbacGroupName: orNull(device.rbacGroupName),
    onboardingStatus: toPublicValue(device.onboardingStatus),
    defenderAvStatus: toPublicValue(device.defenderAvStatus),
    firstSeenDateTime: toOptionalDate(device.firstSeen),
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

function stringField(object: Record<string, unknown>, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}

function fileDetails(entity: WireEntity): FileDetails {
  return {
    sha1: orNull(entity.sha1),
    sha256: orNull(entity.sha256),
    md5: stringField(entity, 'md5'),
    fileName: orNull(entity.fileName),
    filePath: orNull(entity.filePath),
    fileSize: null,
    filePublisher: null,
    signer: null,
    issuer: null,
  };
}

function userAccount(entity: WireEntity): UserAccount {
  return {
    accountName: orNull(entity.accountName),
    domainName: orNull(entity.domainName),
    userSid: orNull(entity.userSid),
    azureAdUserId: orNull(entity.aadUserId),
    userPrincipalName: orNull(entity.userPrincipalName),
    displayName: null,
  };
}

const hasAny = (entity: WireEntity, keys: readonly (keyof WireEntity)[]): boolean => keys.some((key) => entity[key] != null);
const FILE_KEYS = ['sha1', 'sha256', 'fileName', 'filePath'] as const;
const ACCOUNT_KEYS = ['accountName', 'domainName', 'userSid', 'aadUserId', 'userPrincipalName'] as const;

function mapEntity(entity: WireEntity): Evidence {
  const common = base(entity, entity.verdict);
  const deviceId = orNull(entity.deviceId);
  switch (entity.entityType?.toLowerCase()) {
    case 'file':
      return { type: 'file', ...common, fileDetails: fileDetails(entity), detectionStatus: null, mdeDeviceId: deviceId };
    case 'process':
      return {
        type: 'process',
        ...common,
        processId: toInteger(entity.processId),
        parentProcessId: toInteger(entity.parentProcessId),
        processCommandLine: orNull(entity.processCommandLine),
        processCreationDateTime: toOptionalDate(entity.processCreationTime),
        parentProcessCreationDateTime: toOptionalDate(entity.parentProcessCreationTime),
        imageFile: hasAny(entity, FILE_KEYS) ? fileDetails(entity) : null,
        parentProcessImageFile: null,
        userAccount: hasAny(entity, ACCOUNT_KEYS) ? userAccount(entity) : null,
        detectionStatus: null,
        mdeDeviceId: deviceId,
      };
    case 'user':
      return { type: 'user', ...common, userAccount: userAccount(entity) };
    case 'ip':
      return { type: 'ip', ...common, ipAddress: orNull(entity.ipAddress), countryLetterCode: null };
    case 'url':
      return { type: 'url', ...common, url: orNull(entity.url) };
    case 'mailbox':
      return {
        type: 'mailbox',
        ...common,
        displayName: orNull(entity.mailboxDisplayName),
        primaryAddress: orNull(entity.mailboxAddress),
        upn: orNull(entity.userPrincipalName),
        userAccount: hasAny(entity, ['accountName', 'domainName', 'userSid', 'aadUserId']) ? userAccount(entity) : null,
      };
    case 'mailmessage':
      return {
        type: 'mailMessage',
        ...common,
        networkMessageId: stringField(entity, 'networkMessageId'),
        internetMessageId: stringField(entity, 'internetMessageId'),
        subject: orNull(entity.subject),
        senderEmailAddress: orNull(entity.sender),
        recipientEmailAddress: orNull(entity.recipient),
        deliveryAction: orNull(entity.deliveryAction),
        deliveryLocation: stringField(entity, 'deliveryLocation'),
      };
    case 'mailcluster':
      return { type: 'mailCluster', ...common, clusterBy: orNull(entity.clusterBy), clusterByValue: null, emailCount: null, query: null };
    case 'registry':
      // one legacy kind for both; Graph splits keys from values
      return entity.registryValue != null || entity.registryValueType != null
        ? {
            type: 'registryValue',
            ...common,
            registryHive: orNull(entity.registryHive),
            registryKey: orNull(entity.registryKey),
            registryValue: orNull(entity.registryValue),
            registryValueName: stringField(entity, 'registryValueName'),
            registryValueType: orNull(entity.registryValueType),
            mdeDeviceId: deviceId,
          }
        : { type: 'registryKey', ...common, registryHive: orNull(entity.registryHive), registryKey: orNull(entity.registryKey) };
    case 'securitygroup':
      return { type: 'securityGroup', ...common, securityGroupId: orNull(entity.securityGroupId), displayName: orNull(entity.securityGroupName) };
    default:
      return { type: 'other', ...common, kind: orNull(entity.entityType) };
  }
}

function mapComment(comment: WireComment): IncidentComment {
  return { comment: comment.comment ?? '', createdBy: orNull(comment.createdBy), createdDateTime: toDate(comment.createdTime) };
}

/** Maps a validated legacy alert to the public {@link Alert}. */
export function mapAlert(alert: WireAlert): Alert {
  const evidence: Evidence[] = [];
  for (const device of alert.devices ?? []) evidence.push(mapDevice(device));
  for (const entity of alert.entities ?? []) evidence.push(mapEntity(entity));
  return {
    id: String(alert.alertId),
    incidentId: String(alert.incidentId),
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
    assignedTo: alert.assignedTo || null,
    threatFamilyName: orNull(alert.threatFamilyName),
    actorDisplayName: orNull(alert.actorName),
    mitreTechniques: [...(alert.mitreTechniques ?? [])],
    createdDateTime: toOptionalDate(alert.creationTime),
    lastUpdateDateTime: toOptionalDate(alert.lastUpdatedTime),
    resolvedDateTime: toOptionalDate(alert.resolvedTime),
    firstActivityDateTime: toOptionalDate(alert.firstActivity),
    lastActivityDateTime: toOptionalDate(alert.lastActivity),
    evidence,
    raw: alert,
  };
}

/** Maps a validated legacy incident to the public {@link Incident}. */
export function mapIncident(incident: WireIncident, options: MapIncidentOptions = {}): Incident {
  const id = String(incident.incidentId);
  const portal = options.portalBaseUrl?.replace(/\/+$/, '');
  return {
    id,
    displayName: incident.incidentName ?? '',
    status: toPublicIncidentStatus(incident.status),
    severity: toPublicSeverity(incident.severity),
    classification: toPublicClassification(incident.classification),
    determination: toPublicDetermination(incident.determination),
    // an unassigned incident may say `""` (the API's own unassign value) as well as null
    assignedTo: incident.assignedTo || null,
    createdDateTime: toDate(incident.createdTime),
    lastUpdateDateTime: toDate(incident.lastUpdateTime),
    redirectIncidentId: toStringOrNull(incident.redirectIncidentId),
    tags: [...(incident.tags ?? [])],
    systemTags: [],
    comments: (incident.comments ?? []).map(mapComment),
    alerts: (incident.alerts ?? []).map(mapAlert),
    webUrl: portal ? `${portal}/incidents/${encodeURIComponent(id)}` : null,
    raw: incident,
  };
}
