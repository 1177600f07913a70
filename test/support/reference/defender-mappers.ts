/**
 * THE REFERENCE MAPPING of the list-read property test (test/resources/list-read.property.test.ts):
 * the SDK's mapping as it was before validation and mapping were fused into one pass (issue 18),
 * kept unchanged as the oracle the fused read must agree with. Not used by the SDK.
 *
 * Maps validated Defender API objects to the public model (reference §5.9 for the field
 * correspondence). Input is the output of the wire schemas, so types are already checked.
 *
 * @packageDocumentation
 */
import type * as z from 'zod';
import type { Evidence, EvidenceBase, FileDetails, UserAccount } from '../../../src/models/evidence.js';
import type { Alert, Incident, IncidentComment } from '../../../src/models/incident.js';
import {
  type AlertSource,
  type IncidentSource,
  orNull,
  toAlert,
  toDate,
  toDeviceEvidence,
  toFileDetails,
  toIncident,
  toInteger,
  toOptionalDate,
  toPublicValue,
  toStringOrNull,
  toUserAccount,
} from './mapping.js';
import type {
  legacyAlertSchema,
  legacyCommentSchema,
  legacyDeviceSchema,
  legacyEntitySchema,
  legacyIncidentSchema,
} from '../../../src/apis/defender/wire.js';

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

function base(raw: Record<string, unknown>, verdict: string | null | undefined, tags: string[] = []): EvidenceBase {
  return {
    createdDateTime: null,
    verdict: toPublicValue(verdict),
    remediationStatus: null,
    remediationStatusDetails: null,
    roles: [],
    detailedRoles: [],
    tags,
    raw,
  };
}

function mapDevice(device: WireDevice): Evidence {
  // Named field by field: a spread would copy every key the API sent, several times the cost of the
  // whole mapping (bench/profile/incidents-parse.ts).
  return toDeviceEvidence(
    {
      // the docs' table says `DeviceId`, every real payload says `mdatpDeviceId` (reference §2.4)
      mdeDeviceId: orNull(device.mdatpDeviceId) ?? stringField(device, 'deviceId') ?? stringField(device, 'DeviceId'),
      azureAdDeviceId: device.aadDeviceId,
      deviceDnsName: device.deviceDnsName,
      osPlatform: device.osPlatform,
      osBuild: device.osBuild,
      version: device.version,
      osProcessor: device.osProcessor,
      healthStatus: device.healthStatus,
      riskScore: device.riskScore,
      rbacGroupId: device.rbacGroupId,
      rbacGroupName: device.rbacGroupName,
      onboardingStatus: device.onboardingStatus,
      defenderAvStatus: device.defenderAvStatus,
      firstSeenDateTime: device.firstSeen,
      vmMetadata: device.vmMetadata,
    },
    base(device, undefined, [...(device.tags ?? [])]),
  );
}

function stringField(object: Record<string, unknown>, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}

function fileDetails(entity: WireEntity): FileDetails {
  return toFileDetails({
    sha1: entity.sha1,
    sha256: entity.sha256,
    md5: stringField(entity, 'md5'),
    fileName: entity.fileName,
    filePath: entity.filePath,
  });
}

function userAccount(entity: WireEntity): UserAccount {
  return toUserAccount({
    accountName: entity.accountName,
    domainName: entity.domainName,
    userSid: entity.userSid,
    azureAdUserId: entity.aadUserId,
    userPrincipalName: entity.userPrincipalName,
  });
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
        // the API's `sender` does not say whether it is the P1 or the P2 sender
        senderEmailAddress: orNull(entity.sender),
        p1Sender: null,
        p2Sender: null,
        recipientEmailAddress: orNull(entity.recipient),
        userPrincipalName: orNull(entity.userPrincipalName),
        deliveryAction: orNull(entity.deliveryAction),
        deliveryLocation: stringField(entity, 'deliveryLocation'),
        senderIp: null,
        receivedDateTime: null,
        urls: [],
        urlCount: null,
        attachmentsCount: null,
        threats: [],
        threatDetectionMethods: [],
        language: null,
        antiSpamDirection: null,
        urn: null,
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

/** The portal origin without a trailing slash, or `undefined` when not known. */
const portalOf = (options: MapIncidentOptions): string | undefined => options.portalBaseUrl?.replace(/\/+$/, '') || undefined;

/**
 * Maps a validated legacy alert to the public {@link Alert}. An alert that carries no incident id
 * (missing or `""`) takes `incidentId`, the id of the incident it is embedded in. With
 * `portalBaseUrl`, `webUrl` and `incidentWebUrl` are portal links (the API sends none).
 */
export function mapAlert(alert: WireAlert, incidentId?: string, options: MapIncidentOptions = {}): Alert {
  const evidence: Evidence[] = [];
  for (const device of alert.devices ?? []) evidence.push(mapDevice(device));
  for (const entity of alert.entities ?? []) evidence.push(mapEntity(entity));
  // The legacy names, under the model's (see mapDevice on why not a spread).
  const fields: AlertSource = {
    id: String(alert.alertId),
    incidentId: toStringOrNull(alert.incidentId),
    title: alert.title,
    description: alert.description,
    category: alert.category,
    status: alert.status,
    severity: alert.severity,
    classification: alert.classification,
    determination: alert.determination,
    serviceSource: alert.serviceSource,
    detectionSource: alert.detectionSource,
    detectorId: alert.detectorId,
    assignedTo: alert.assignedTo,
    threatFamilyName: alert.threatFamilyName,
    actorDisplayName: alert.actorName,
    mitreTechniques: alert.mitreTechniques,
    createdDateTime: alert.creationTime,
    lastUpdateDateTime: alert.lastUpdatedTime,
    resolvedDateTime: alert.resolvedTime,
    firstActivityDateTime: alert.firstActivity,
    lastActivityDateTime: alert.lastActivity,
  };
  const id = fields.id;
  const ownIncident = fields.incidentId || incidentId;
  const portal = portalOf(options);
  return toAlert(
    fields,
    {
      evidence,
      comments: [],
      webUrl: portal ? `${portal}/alerts/${encodeURIComponent(id)}` : null,
      incidentWebUrl: portal && ownIncident ? `${portal}/incidents/${encodeURIComponent(ownIncident)}` : null,
      additionalData: null,
      investigationId: alert.investigationId,
      investigationState: alert.investigationState,
    },
    alert,
    incidentId,
  );
}

/** Maps a validated legacy incident to the public {@link Incident}. */
export function mapIncident(incident: WireIncident, options: MapIncidentOptions = {}): Incident {
  const id = String(incident.incidentId);
  const portal = portalOf(options);
  const fields: IncidentSource = {
    id,
    displayName: incident.incidentName,
    status: incident.status,
    severity: incident.severity,
    classification: incident.classification,
    determination: incident.determination,
    assignedTo: incident.assignedTo,
    createdDateTime: incident.createdTime,
    lastUpdateDateTime: incident.lastUpdateTime,
  };
  return toIncident(
    fields,
    {
      redirectIncidentId: toStringOrNull(incident.redirectIncidentId),
      tags: incident.tags,
      systemTags: [],
      comments: (incident.comments ?? []).map(mapComment),
      alerts: (incident.alerts ?? []).map((alert) => mapAlert(alert, id, options)),
      webUrl: portal ? `${portal}/incidents/${encodeURIComponent(id)}` : null,
    },
    incident,
  );
}
