/**
 * Maps validated Graph security objects to the public model, the same one the Defender API maps
 * to (reference §5.9). Graph already speaks the model's vocabulary, so most fields copy over;
 * enum values go through the same tables as the Defender API's, so that documentation-name
 * variants (`compromisedUser`, `clean`, `confirmedActivity`) come out as the model's names and a
 * value such as `unknownFutureValue` passes through unchanged.
 *
 * @packageDocumentation
 */
import type { z } from 'zod';
import { parseDateTime } from '../../models/dates.js';
import type { Evidence, EvidenceBase, FileDetails, UserAccount } from '../../models/evidence.js';
import type { Alert, Incident, IncidentComment } from '../../models/incident.js';
import {
  toPublicAlertStatus,
  toPublicClassification,
  toPublicDetectionSource,
  toPublicDetermination,
  toPublicIncidentStatus,
  toPublicServiceSource,
  toPublicSeverity,
  toPublicValue,
} from '../defender/enums.js';
import {
  evidenceSubtype,
  type graphAlertSchema,
  type graphCommentSchema,
  type graphEvidenceSchema,
  type graphFileDetailsSchema,
  type graphIncidentSchema,
  type graphUserAccountSchema,
} from './wire.js';

type WireIncident = z.output<typeof graphIncidentSchema>;
type WireAlert = z.output<typeof graphAlertSchema>;
type WireEvidence = z.output<typeof graphEvidenceSchema>;
type WireComment = z.output<typeof graphCommentSchema>;
type WireFileDetails = z.output<typeof graphFileDetailsSchema>;
type WireUserAccount = z.output<typeof graphUserAccountSchema>;

// The wire schemas already checked these strings.
const toDate = (value: string): Date => parseDateTime(value) as Date;
const toOptionalDate = (value: string | null | undefined): Date | null => (value == null ? null : toDate(value));
const orNull = <T>(value: T | null | undefined): T | null => (value === undefined ? null : value);
const toInteger = (value: number | string | null | undefined): number | null => (value == null ? null : Number(value));

function base(evidence: WireEvidence): EvidenceBase {
  return {
    createdDateTime: toOptionalDate(evidence.createdDateTime),
    verdict: toPublicValue(evidence.verdict),
    remediationStatus: orNull(evidence.remediationStatus),
    roles: [...(evidence.roles ?? [])],
    tags: [...(evidence.tags ?? [])],
    raw: evidence,
  };
}

function fileDetails(file: WireFileDetails): FileDetails {
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

const EMPTY_FILE: WireFileDetails = {};
const EMPTY_ACCOUNT: WireUserAccount = {};

function userAccount(account: WireUserAccount): UserAccount {
  return {
    accountName: orNull(account.accountName),
    domainName: orNull(account.domainName),
    userSid: orNull(account.userSid),
    azureAdUserId: orNull(account.azureAdUserId),
    userPrincipalName: orNull(account.userPrincipalName),
    displayName: orNull(account.displayName),
  };
}

/** Maps one Graph evidence item; subtypes the model does not type become `other`, `raw` kept whole. */
export function mapEvidence(evidence: WireEvidence): Evidence {
  const common = base(evidence);
  const e = evidence;
  switch (evidenceSubtype(e['@odata.type'])) {
    case 'deviceEvidence':
      return {
        type: 'device',
        ...common,
        mdeDeviceId: orNull(e.mdeDeviceId),
        azureAdDeviceId: orNull(e.azureAdDeviceId),
        deviceDnsName: orNull(e.deviceDnsName),
        osPlatform: orNull(e.osPlatform),
        osBuild: toInteger(e.osBuild),
        version: e.version == null ? null : String(e.version),
        healthStatus: toPublicValue(e.healthStatus),
        riskScore: toPublicValue(e.riskScore),
        rbacGroupId: toInteger(e.rbacGroupId),
        rbacGroupName: orNull(e.rbacGroupName),
        onboardingStatus: toPublicValue(e.onboardingStatus),
        defenderAvStatus: toPublicValue(e.defenderAvStatus),
        firstSeenDateTime: toOptionalDate(e.firstSeenDateTime),
        vmMetadata: e.vmMetadata
          ? {
              vmId: orNull(e.vmMetadata.vmId),
              cloudProvider: toPublicValue(e.vmMetadata.cloudProvider),
              resourceId: orNull(e.vmMetadata.resourceId),
              subscriptionId: orNull(e.vmMetadata.subscriptionId),
            }
          : null,
      };
    case 'fileEvidence':
      return {
        type: 'file',
        ...common,
        fileDetails: fileDetails(e.fileDetails ?? EMPTY_FILE),
        detectionStatus: orNull(e.detectionStatus),
        mdeDeviceId: orNull(e.mdeDeviceId),
      };
    case 'processEvidence':
      return {
        type: 'process',
        ...common,
        processId: toInteger(e.processId),
        parentProcessId: toInteger(e.parentProcessId),
        processCommandLine: orNull(e.processCommandLine),
        processCreationDateTime: toOptionalDate(e.processCreationDateTime),
        parentProcessCreationDateTime: toOptionalDate(e.parentProcessCreationDateTime),
        imageFile: e.imageFile ? fileDetails(e.imageFile) : null,
        parentProcessImageFile: e.parentProcessImageFile ? fileDetails(e.parentProcessImageFile) : null,
        userAccount: e.userAccount ? userAccount(e.userAccount) : null,
        detectionStatus: orNull(e.detectionStatus),
        mdeDeviceId: orNull(e.mdeDeviceId),
      };
    case 'userEvidence':
      return { type: 'user', ...common, userAccount: userAccount(e.userAccount ?? EMPTY_ACCOUNT) };
    case 'ipEvidence':
      return { type: 'ip', ...common, ipAddress: orNull(e.ipAddress), countryLetterCode: orNull(e.countryLetterCode) };
    case 'urlEvidence':
      return { type: 'url', ...common, url: orNull(e.url) };
    case 'mailboxEvidence':
      return {
        type: 'mailbox',
        ...common,
        displayName: orNull(e.displayName),
        primaryAddress: orNull(e.primaryAddress),
        upn: orNull(e.upn),
        userAccount: e.userAccount ? userAccount(e.userAccount) : null,
      };
    case 'analyzedMessageEvidence':
      return {
        type: 'mailMessage',
        ...common,
        networkMessageId: orNull(e.networkMessageId),
        internetMessageId: orNull(e.internetMessageId),
        subject: orNull(e.subject),
        senderEmailAddress: e.p2Sender?.emailAddress ?? e.p1Sender?.emailAddress ?? null,
        recipientEmailAddress: orNull(e.recipientEmailAddress),
        deliveryAction: orNull(e.deliveryAction),
        deliveryLocation: orNull(e.deliveryLocation),
      };
    case 'mailClusterEvidence':
      return {
        type: 'mailCluster',
        ...common,
        clusterBy: orNull(e.clusterBy),
        clusterByValue: orNull(e.clusterByValue),
        emailCount: toInteger(e.emailCount),
        query: orNull(e.query),
      };
    case 'registryKeyEvidence':
      return { type: 'registryKey', ...common, registryHive: orNull(e.registryHive), registryKey: orNull(e.registryKey) };
    case 'registryValueEvidence':
      return {
        type: 'registryValue',
        ...common,
        registryHive: orNull(e.registryHive),
        registryKey: orNull(e.registryKey),
        registryValue: orNull(e.registryValue),
        registryValueName: orNull(e.registryValueName),
        registryValueType: orNull(e.registryValueType),
        mdeDeviceId: orNull(e.mdeDeviceId),
      };
    case 'securityGroupEvidence':
      return { type: 'securityGroup', ...common, securityGroupId: orNull(e.securityGroupId), displayName: orNull(e.displayName) };
    default:
      return { type: 'other', ...common, kind: orNull(e['@odata.type']) };
  }
}

/** Maps an `alertComment`. */
export function mapComment(comment: WireComment): IncidentComment {
  const created = comment.createdDateTime ?? comment.createdTime;
  return {
    comment: comment.comment ?? '',
    createdBy: comment.createdByDisplayName ?? comment.createdBy ?? null,
    // a comment without a date is not seen in practice; the epoch marks it rather than failing
    createdDateTime: created ? toDate(created) : new Date(0),
  };
}

/** Maps a validated Graph alert to the public {@link Alert}. */
export function mapAlert(alert: WireAlert): Alert {
  return {
    id: alert.id,
    incidentId: alert.incidentId,
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
    actorDisplayName: orNull(alert.actorDisplayName),
    mitreTechniques: [...(alert.mitreTechniques ?? [])],
    createdDateTime: toOptionalDate(alert.createdDateTime),
    lastUpdateDateTime: toOptionalDate(alert.lastUpdateDateTime),
    resolvedDateTime: toOptionalDate(alert.resolvedDateTime),
    firstActivityDateTime: toOptionalDate(alert.firstActivityDateTime),
    lastActivityDateTime: toOptionalDate(alert.lastActivityDateTime),
    evidence: (alert.evidence ?? []).map(mapEvidence),
    raw: alert,
  };
}

/** Maps a validated Graph incident to the public {@link Incident}. `alerts` is `[]` unless they were expanded. */
export function mapIncident(incident: WireIncident): Incident {
  return {
    id: incident.id,
    displayName: incident.displayName ?? '',
    status: toPublicIncidentStatus(incident.status),
    severity: toPublicSeverity(incident.severity),
    classification: toPublicClassification(incident.classification),
    determination: toPublicDetermination(incident.determination),
    assignedTo: incident.assignedTo || null,
    createdDateTime: toDate(incident.createdDateTime),
    lastUpdateDateTime: toDate(incident.lastUpdateDateTime),
    redirectIncidentId: incident.redirectIncidentId || null,
    tags: [...(incident.customTags ?? [])],
    systemTags: [...(incident.systemTags ?? [])],
    comments: (incident.comments ?? []).map(mapComment),
    alerts: (incident.alerts ?? []).map(mapAlert),
    webUrl: orNull(incident.incidentWebUrl),
    raw: incident,
  };
}
