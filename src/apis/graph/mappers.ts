/**
 * Reads Graph security objects into the public model, the same one the Defender API maps to
 * (reference §5.9), checking each field as its wire schema (`wire.ts`) does in the same read
 * (`../shared/read.ts`): one pass per item, building the model objects directly. Graph already
 * speaks the model's vocabulary, so most fields copy over; enum values go through the same
 * tables as the Defender API's, so that documentation-name variants (`compromisedUser`, `clean`,
 * `confirmedActivity`) come out as the model's names and a value such as `unknownFutureValue`
 * passes through unchanged.
 *
 * @packageDocumentation
 */
import type { DeviceEvidence, EmailSender, Evidence, FileDetails, UserAccount } from '../../models/evidence.js';
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
} from '../shared/mapping.js';
import {
  dateTime,
  integer,
  list,
  object,
  objectOrNull,
  optionalDateTime,
  refuse,
  requiredString,
  str,
  stringOrNumber,
  strings,
  type WireObject,
} from '../shared/read.js';
import { evidenceSubtype } from './wire.js';

/** `id`: a non-empty string. */
function id(value: unknown): string {
  return typeof value === 'string' && value.length > 0 ? value : refuse();
}

/** `graphFileDetailsSchema`: each field optional, `fileSize` also as a numeric string. */
function fileDetails(value: WireObject | null): FileDetails {
  const file = value ?? {};
  return {
    sha1: str(file.sha1),
    sha256: str(file.sha256),
    md5: str(file.md5),
    fileName: str(file.fileName),
    filePath: str(file.filePath),
    fileSize: integer(file.fileSize),
    filePublisher: str(file.filePublisher),
    signer: str(file.signer),
    issuer: str(file.issuer),
  };
}

/** `graphUserAccountSchema`: each field optional. */
function userAccount(value: WireObject | null): UserAccount {
  const account = value ?? {};
  return {
    accountName: str(account.accountName),
    domainName: str(account.domainName),
    userSid: str(account.userSid),
    azureAdUserId: str(account.azureAdUserId),
    userPrincipalName: str(account.userPrincipalName),
    displayName: str(account.displayName),
  };
}

/** An `emailSender`; `null` when missing. */
function emailSender(value: unknown): EmailSender | null {
  const sender = objectOrNull(value);
  return sender ? { emailAddress: str(sender.emailAddress), displayName: str(sender.displayName), domainName: str(sender.domainName) } : null;
}

/** The fields of `deviceEvidence` after the base (`evidenceSubtypeShapes.deviceEvidence`). */
function readDevice(e: WireObject, createdDateTime: Date | null, verdict: string | null): DeviceEvidence {
  const vm = objectOrNull(e.vmMetadata);
  return {
    type: 'device',
    createdDateTime,
    verdict,
    remediationStatus: str(e.remediationStatus),
    remediationStatusDetails: str(e.remediationStatusDetails),
    roles: strings(e.roles),
    detailedRoles: strings(e.detailedRoles),
    tags: strings(e.tags),
    raw: e,
    mdeDeviceId: str(e.mdeDeviceId),
    azureAdDeviceId: str(e.azureAdDeviceId),
    deviceDnsName: str(e.deviceDnsName),
    osPlatform: str(e.osPlatform),
    osBuild: integer(e.osBuild),
    version: stringOrNumber(e.version),
    osProcessor: str(e.osProcessor),
    ipInterfaces: strings(e.ipInterfaces),
    loggedOnUsers: list(e.loggedOnUsers).map((value) => {
      const user = object(value);
      return { accountName: str(user.accountName), domainName: str(user.domainName) };
    }),
    healthStatus: toPublicValue(str(e.healthStatus)),
    riskScore: toPublicValue(str(e.riskScore)),
    rbacGroupId: integer(e.rbacGroupId),
    rbacGroupName: str(e.rbacGroupName),
    onboardingStatus: toPublicValue(str(e.onboardingStatus)),
    defenderAvStatus: toPublicValue(str(e.defenderAvStatus)),
    firstSeenDateTime: optionalDateTime(e.firstSeenDateTime),
    vmMetadata: vm
      ? { vmId: str(vm.vmId), cloudProvider: toPublicValue(str(vm.cloudProvider)), resourceId: str(vm.resourceId), subscriptionId: str(vm.subscriptionId) }
      : null,
  };
}

/**
 * Reads one Graph evidence item (`graphEvidenceSchema`): the base fields, and the fields of its
 * own subtype when the model types it (a field is checked only on the subtypes that define it, as
 * the schema does); a subtype the model does not type becomes `other`, `raw` kept whole.
 */
export function readEvidence(raw: unknown): Evidence {
  const e = object(raw);
  const odataType = str(e['@odata.type']);
  const createdDateTime = optionalDateTime(e.createdDateTime);
  const verdict = toPublicValue(str(e.verdict));
  const subtype = evidenceSubtype(odataType);
  if (subtype === 'deviceEvidence') return readDevice(e, createdDateTime, verdict);
  // The base fields, in the model's order, then each kind's own (no shared base spread into it).
  const remediationStatus = str(e.remediationStatus);
  const remediationStatusDetails = str(e.remediationStatusDetails);
  const roles = strings(e.roles);
  const detailedRoles = strings(e.detailedRoles);
  const tags = strings(e.tags);
  switch (subtype) {
    case 'fileEvidence':
      return {
        type: 'file',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        fileDetails: fileDetails(objectOrNull(e.fileDetails)),
        detectionStatus: str(e.detectionStatus),
        mdeDeviceId: str(e.mdeDeviceId),
      };
    case 'processEvidence': {
      const imageFile = objectOrNull(e.imageFile);
      const parentImageFile = objectOrNull(e.parentProcessImageFile);
      const account = objectOrNull(e.userAccount);
      return {
        type: 'process',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        processId: integer(e.processId),
        parentProcessId: integer(e.parentProcessId),
        processCommandLine: str(e.processCommandLine),
        processCreationDateTime: optionalDateTime(e.processCreationDateTime),
        parentProcessCreationDateTime: optionalDateTime(e.parentProcessCreationDateTime),
        imageFile: imageFile ? fileDetails(imageFile) : null,
        parentProcessImageFile: parentImageFile ? fileDetails(parentImageFile) : null,
        userAccount: account ? userAccount(account) : null,
        detectionStatus: str(e.detectionStatus),
        mdeDeviceId: str(e.mdeDeviceId),
      };
    }
    case 'userEvidence':
      return {
        type: 'user',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        userAccount: userAccount(objectOrNull(e.userAccount)),
      };
    case 'ipEvidence':
      return {
        type: 'ip',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        ipAddress: str(e.ipAddress),
        countryLetterCode: str(e.countryLetterCode),
      };
    case 'urlEvidence':
      return {
        type: 'url',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        url: str(e.url),
      };
    case 'mailboxEvidence': {
      const account = objectOrNull(e.userAccount);
      return {
        type: 'mailbox',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        displayName: str(e.displayName),
        primaryAddress: str(e.primaryAddress),
        upn: str(e.upn),
        userAccount: account ? userAccount(account) : null,
      };
    }
    case 'analyzedMessageEvidence': {
      const p1Sender = emailSender(e.p1Sender);
      const p2Sender = emailSender(e.p2Sender);
      return {
        type: 'mailMessage',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        networkMessageId: str(e.networkMessageId),
        internetMessageId: str(e.internetMessageId),
        subject: str(e.subject),
        senderEmailAddress: p2Sender?.emailAddress ?? p1Sender?.emailAddress ?? null,
        p1Sender,
        p2Sender,
        recipientEmailAddress: str(e.recipientEmailAddress),
        userPrincipalName: null,
        deliveryAction: str(e.deliveryAction),
        deliveryLocation: str(e.deliveryLocation),
        senderIp: str(e.senderIp),
        receivedDateTime: optionalDateTime(e.receivedDateTime),
        urls: strings(e.urls),
        urlCount: integer(e.urlCount),
        attachmentsCount: integer(e.attachmentsCount),
        threats: strings(e.threats),
        threatDetectionMethods: strings(e.threatDetectionMethods),
        language: str(e.language),
        antiSpamDirection: str(e.antiSpamDirection),
        urn: str(e.urn),
      };
    }
    case 'mailClusterEvidence':
      return {
        type: 'mailCluster',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        clusterBy: str(e.clusterBy),
        clusterByValue: str(e.clusterByValue),
        emailCount: integer(e.emailCount),
        query: str(e.query),
      };
    case 'registryKeyEvidence':
      return {
        type: 'registryKey',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        registryHive: str(e.registryHive),
        registryKey: str(e.registryKey),
      };
    case 'registryValueEvidence':
      return {
        type: 'registryValue',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        registryHive: str(e.registryHive),
        registryKey: str(e.registryKey),
        registryValue: str(e.registryValue),
        registryValueName: str(e.registryValueName),
        registryValueType: str(e.registryValueType),
        mdeDeviceId: str(e.mdeDeviceId),
      };
    case 'securityGroupEvidence':
      return {
        type: 'securityGroup',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        securityGroupId: str(e.securityGroupId),
        displayName: str(e.displayName),
      };
    default:
      return {
        type: 'other',
        createdDateTime, verdict, remediationStatus, remediationStatusDetails, roles, detailedRoles, tags, raw: e,
        kind: odataType,
      };
  }
}

/** Reads an `alertComment` (`graphCommentSchema`). */
export function readComment(raw: unknown): IncidentComment {
  const comment = object(raw);
  // Both spellings are checked whichever is used, as the schema checks them.
  const createdByDisplayName = str(comment.createdByDisplayName);
  const createdBy = str(comment.createdBy);
  const createdDateTime = optionalDateTime(comment.createdDateTime);
  const createdTime = optionalDateTime(comment.createdTime);
  return {
    comment: str(comment.comment) ?? '',
    createdBy: createdByDisplayName ?? createdBy,
    // `createdDateTime` when sent (even `""`), else `createdTime`; a comment without a date is
    // not seen in practice: the epoch marks it rather than failing
    createdDateTime: (comment.createdDateTime != null ? createdDateTime : createdTime) ?? new Date(0),
  };
}

/** `additionalData`: a JSON object, copied, or `null`. */
function additionalData(value: unknown): Record<string, unknown> | null {
  const data = objectOrNull(value);
  return data ? { ...data } : null;
}

/**
 * Reads a Graph alert (`graphAlertSchema`, or `graphEmbeddedAlertSchema` when embedded in an
 * incident) into the public {@link Alert}. An embedded alert that carries no incident id
 * (missing or `""`) takes `parentIncidentId`, the id of its incident; an alert read on its own
 * (`parentIncidentId` undefined) must carry its own.
 */
export function readAlert(raw: unknown, parentIncidentId?: string): Alert {
  const alert = object(raw);
  const ownIncidentId = parentIncidentId === undefined ? id(alert.incidentId) : str(alert.incidentId);
  return {
    id: id(alert.id),
    incidentId: ownIncidentId || parentIncidentId || '',
    title: str(alert.title) ?? '',
    description: str(alert.description),
    category: str(alert.category),
    status: toPublicAlertStatus(str(alert.status)),
    severity: toPublicSeverity(str(alert.severity)),
    classification: toPublicClassification(str(alert.classification)),
    determination: toPublicDetermination(str(alert.determination)),
    serviceSource: toPublicServiceSource(str(alert.serviceSource)),
    detectionSource: toPublicDetectionSource(str(alert.detectionSource)),
    detectorId: str(alert.detectorId),
    // an unassigned alert may say `""` as well as null
    assignedTo: str(alert.assignedTo) || null,
    threatFamilyName: str(alert.threatFamilyName),
    actorDisplayName: str(alert.actorDisplayName),
    mitreTechniques: strings(alert.mitreTechniques),
    createdDateTime: optionalDateTime(alert.createdDateTime),
    lastUpdateDateTime: optionalDateTime(alert.lastUpdateDateTime),
    resolvedDateTime: optionalDateTime(alert.resolvedDateTime),
    firstActivityDateTime: optionalDateTime(alert.firstActivityDateTime),
    lastActivityDateTime: optionalDateTime(alert.lastActivityDateTime),
    evidence: list(alert.evidence).map(readEvidence),
    comments: list(alert.comments).map(readComment),
    webUrl: str(alert.alertWebUrl),
    incidentWebUrl: str(alert.incidentWebUrl),
    providerAlertId: str(alert.providerAlertId),
    threatDisplayName: str(alert.threatDisplayName),
    productName: str(alert.productName),
    recommendedActions: str(alert.recommendedActions),
    systemTags: strings(alert.systemTags),
    tenantId: str(alert.tenantId),
    alertPolicyId: str(alert.alertPolicyId),
    additionalData: additionalData(alert.additionalData),
    investigationId: null,
    investigationState: null,
    raw: alert,
  };
}

/** Reads a Graph incident (`graphIncidentSchema`) into the public {@link Incident}. `alerts` is `[]` unless they were expanded. */
export function readIncident(raw: unknown): Incident {
  const incident = object(raw);
  const incidentId = id(incident.id);
  return {
    id: incidentId,
    displayName: str(incident.displayName) ?? '',
    status: toPublicIncidentStatus(requiredString(incident.status)),
    severity: toPublicSeverity(str(incident.severity)),
    classification: toPublicClassification(str(incident.classification)),
    determination: toPublicDetermination(str(incident.determination)),
    // an unassigned incident may say `""` as well as null
    assignedTo: str(incident.assignedTo) || null,
    createdDateTime: dateTime(incident.createdDateTime),
    lastUpdateDateTime: dateTime(incident.lastUpdateDateTime),
    redirectIncidentId: str(incident.redirectIncidentId) || null,
    tags: strings(incident.customTags),
    systemTags: strings(incident.systemTags),
    comments: list(incident.comments).map(readComment),
    alerts: list(incident.alerts).map((alert) => readAlert(alert, incidentId)),
    webUrl: str(incident.incidentWebUrl),
    description: str(incident.description),
    summary: str(incident.summary),
    resolvingComment: str(incident.resolvingComment),
    lastModifiedBy: str(incident.lastModifiedBy),
    tenantId: str(incident.tenantId),
    priorityScore: integer(incident.priorityScore),
    raw: incident,
  };
}
