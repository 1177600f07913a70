/**
 * THE REFERENCE MAPPING of the list-read property test (test/resources/list-read.property.test.ts):
 * the SDK's mapping as it was before validation and mapping were fused into one pass (issue 18),
 * kept unchanged as the oracle the fused read must agree with. Not used by the SDK.
 *
 * Maps validated Graph security objects to the public model, the same one the Defender API maps
 * to (reference §5.9). Graph already speaks the model's vocabulary, so most fields copy over and
 * alerts, devices, files and accounts go to the shared mapping (`../shared/mapping.ts`) as they
 * are; enum values go through the same tables as the Defender API's, so that documentation-name
 * variants (`compromisedUser`, `clean`, `confirmedActivity`) come out as the model's names and a
 * value such as `unknownFutureValue` passes through unchanged.
 *
 * @packageDocumentation
 */
import type * as z from 'zod';
import type { Evidence, EvidenceBase } from '../../../src/models/evidence.js';
import type { Alert, Incident, IncidentComment } from '../../../src/models/incident.js';
import {
  orNull,
  toAlert,
  toDate,
  toDeviceEvidence,
  toEmailSender,
  toFileDetails,
  toIncident,
  toInteger,
  toOptionalDate,
  toPublicValue,
  toUserAccount,
} from './mapping.js';
import {
  evidenceSubtype,
  type graphAlertSchema,
  type graphCommentSchema,
  type graphEmbeddedAlertSchema,
  type graphEvidenceSchema,
  type graphIncidentSchema,
} from '../../../src/apis/graph/wire.js';

type WireIncident = z.output<typeof graphIncidentSchema>;
type WireAlert = z.output<typeof graphAlertSchema>;
type WireEmbeddedAlert = z.output<typeof graphEmbeddedAlertSchema>;
type WireEvidence = z.output<typeof graphEvidenceSchema>;
type WireComment = z.output<typeof graphCommentSchema>;

function base(evidence: WireEvidence): EvidenceBase {
  return {
    createdDateTime: toOptionalDate(evidence.createdDateTime),
    verdict: toPublicValue(evidence.verdict),
    remediationStatus: orNull(evidence.remediationStatus),
    remediationStatusDetails: orNull(evidence.remediationStatusDetails),
    roles: [...(evidence.roles ?? [])],
    detailedRoles: [...(evidence.detailedRoles ?? [])],
    tags: [...(evidence.tags ?? [])],
    raw: evidence,
  };
}

/** Maps one Graph evidence item; subtypes the model does not type become `other`, `raw` kept whole. */
export function mapEvidence(evidence: WireEvidence): Evidence {
  const common = base(evidence);
  const e = evidence;
  switch (evidenceSubtype(e['@odata.type'])) {
    case 'deviceEvidence':
      return toDeviceEvidence(e, common);
    case 'fileEvidence':
      return {
        type: 'file',
        ...common,
        fileDetails: toFileDetails(e.fileDetails ?? {}),
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
        imageFile: e.imageFile ? toFileDetails(e.imageFile) : null,
        parentProcessImageFile: e.parentProcessImageFile ? toFileDetails(e.parentProcessImageFile) : null,
        userAccount: e.userAccount ? toUserAccount(e.userAccount) : null,
        detectionStatus: orNull(e.detectionStatus),
        mdeDeviceId: orNull(e.mdeDeviceId),
      };
    case 'userEvidence':
      return { type: 'user', ...common, userAccount: toUserAccount(e.userAccount ?? {}) };
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
        userAccount: e.userAccount ? toUserAccount(e.userAccount) : null,
      };
    case 'analyzedMessageEvidence':
      return {
        type: 'mailMessage',
        ...common,
        networkMessageId: orNull(e.networkMessageId),
        internetMessageId: orNull(e.internetMessageId),
        subject: orNull(e.subject),
        senderEmailAddress: e.p2Sender?.emailAddress ?? e.p1Sender?.emailAddress ?? null,
        p1Sender: toEmailSender(e.p1Sender),
        p2Sender: toEmailSender(e.p2Sender),
        recipientEmailAddress: orNull(e.recipientEmailAddress),
        userPrincipalName: null,
        deliveryAction: orNull(e.deliveryAction),
        deliveryLocation: orNull(e.deliveryLocation),
        senderIp: orNull(e.senderIp),
        receivedDateTime: toOptionalDate(e.receivedDateTime),
        urls: [...(e.urls ?? [])],
        urlCount: toInteger(e.urlCount),
        attachmentsCount: toInteger(e.attachmentsCount),
        threats: [...(e.threats ?? [])],
        threatDetectionMethods: [...(e.threatDetectionMethods ?? [])],
        language: orNull(e.language),
        antiSpamDirection: orNull(e.antiSpamDirection),
        urn: orNull(e.urn),
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

/**
 * Maps a validated Graph alert to the public {@link Alert}. An embedded alert that carries no
 * incident id (missing or `""`) takes `incidentId`, the id of its incident.
 */
export function mapAlert(alert: WireAlert | WireEmbeddedAlert, incidentId?: string): Alert {
  // Graph's alert fields are the model's, name for name
  return toAlert(
    alert,
    {
      evidence: (alert.evidence ?? []).map(mapEvidence),
      comments: (alert.comments ?? []).map(mapComment),
      webUrl: orNull(alert.alertWebUrl),
      incidentWebUrl: orNull(alert.incidentWebUrl),
      additionalData: alert.additionalData,
      investigationId: null,
      investigationState: null,
    },
    alert,
    incidentId,
  );
}

/** Maps a validated Graph incident to the public {@link Incident}. `alerts` is `[]` unless they were expanded. */
export function mapIncident(incident: WireIncident): Incident {
  return toIncident(
    incident,
    {
      redirectIncidentId: incident.redirectIncidentId || null,
      tags: incident.customTags,
      systemTags: incident.systemTags,
      comments: (incident.comments ?? []).map(mapComment),
      alerts: (incident.alerts ?? []).map((alert) => mapAlert(alert, incident.id)),
      webUrl: orNull(incident.incidentWebUrl),
    },
    incident,
  );
}
