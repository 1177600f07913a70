/**
 * Reads Defender API objects into the public model (reference §5.9 for the field
 * correspondence), checking each field as its wire schema (`wire.ts`) does in the same read
 * (`../shared/read.ts`): one pass per item, building the model objects directly, each `Date`
 * parsed once. A value the schema refuses stops the read; the caller asks the schema for the
 * issues.
 *
 * @packageDocumentation
 */
import type { Evidence, FileDetails, UserAccount } from '../../models/evidence.js';
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

/** Options of the incident mappers. */
export interface MapIncidentOptions {
  /**
   * The Defender portal's origin for this cloud, e.g. `https://security.microsoft.com`. When
   * given, `webUrl` is `<portal>/incidents/<id>`; without it `webUrl` is `null`, because the
   * Defender API sends no link and the portal host differs per cloud.
   */
  portalBaseUrl?: string;
}

/** The portal origin without a trailing slash, or `undefined` when not known: worked out once per response. */
export const portalOf = (options: MapIncidentOptions): string | undefined => options.portalBaseUrl?.replace(/\/+$/, '') || undefined;

/** `id`: a non-empty string or a non-negative integer, as a string. */
function id(value: unknown): string {
  if (typeof value === 'string') return value.length > 0 ? value : refuse();
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : refuse();
}

/** `embeddedIncidentId`: a string, a non-negative integer, `null` or missing; as a string, or `null`. */
function embeddedIncidentId(value: unknown): string | null {
  if (value == null) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : refuse();
}

/** `investigationId`: an integer or a string, `null` or missing; as a string, or `null`. */
function investigationId(value: unknown): string | null {
  if (value == null) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : refuse();
}

/** A field the wire schema does not check, read only when it is a string. */
function stringField(object: WireObject, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}

/** Reads an alert's device (`legacyDeviceSchema`) into device evidence. */
function readDevice(raw: unknown): Evidence {
  const device = object(raw);
  const vm = objectOrNull(device.vmMetadata);
  return {
    type: 'device',
    createdDateTime: null,
    verdict: null,
    remediationStatus: null,
    remediationStatusDetails: null,
    roles: [],
    detailedRoles: [],
    tags: strings(device.tags),
    raw: device,
    // the docs' table says `DeviceId`, every real payload says `mdatpDeviceId` (reference §2.4)
    mdeDeviceId: str(device.mdatpDeviceId) ?? stringField(device, 'deviceId') ?? stringField(device, 'DeviceId'),
    azureAdDeviceId: str(device.aadDeviceId),
    deviceDnsName: str(device.deviceDnsName),
    osPlatform: str(device.osPlatform),
    osBuild: integer(device.osBuild),
    version: stringOrNumber(device.version),
    osProcessor: str(device.osProcessor),
    ipInterfaces: [],
    loggedOnUsers: [],
    healthStatus: toPublicValue(str(device.healthStatus)),
    riskScore: toPublicValue(str(device.riskScore)),
    rbacGroupId: integer(device.rbacGroupId),
    rbacGroupName: str(device.rbacGroupName),
    onboardingStatus: toPublicValue(str(device.onboardingStatus)),
    defenderAvStatus: toPublicValue(str(device.defenderAvStatus)),
    firstSeenDateTime: optionalDateTime(device.firstSeen),
    vmMetadata: vm
      ? { vmId: str(vm.vmId), cloudProvider: toPublicValue(str(vm.cloudProvider)), resourceId: str(vm.resourceId), subscriptionId: str(vm.subscriptionId) }
      : null,
  };
}

/** An entity's file details, from its checked fields. */
function fileDetails(entity: WireObject, sha1: string | null, sha256: string | null, fileName: string | null, filePath: string | null): FileDetails {
  return { sha1, sha256, md5: stringField(entity, 'md5'), fileName, filePath, fileSize: null, filePublisher: null, signer: null, issuer: null };
}

/** An entity's user account, from its checked fields. */
function userAccount(
  accountName: string | null,
  domainName: string | null,
  userSid: string | null,
  azureAdUserId: string | null,
  userPrincipalName: string | null,
): UserAccount {
  return { accountName, domainName, userSid, azureAdUserId, userPrincipalName, displayName: null };
}

/**
 * Reads an alert's entity (`legacyEntitySchema`): one flat object for every kind, each field
 * checked whatever the kind (as the schema does), then the evidence of its `entityType`.
 */
function readEntity(raw: unknown): Evidence {
  const entity = object(raw);
  const entityType = str(entity.entityType);
  const sha1 = str(entity.sha1);
  const sha256 = str(entity.sha256);
  const fileName = str(entity.fileName);
  const filePath = str(entity.filePath);
  const processId = integer(entity.processId);
  const processCommandLine = str(entity.processCommandLine);
  const processCreationDateTime = optionalDateTime(entity.processCreationTime);
  const parentProcessId = integer(entity.parentProcessId);
  const parentProcessCreationDateTime = optionalDateTime(entity.parentProcessCreationTime);
  const ipAddress = str(entity.ipAddress);
  const url = str(entity.url);
  const accountName = str(entity.accountName);
  const domainName = str(entity.domainName);
  const userSid = str(entity.userSid);
  const azureAdUserId = str(entity.aadUserId);
  const userPrincipalName = str(entity.userPrincipalName);
  const mailboxDisplayName = str(entity.mailboxDisplayName);
  const mailboxAddress = str(entity.mailboxAddress);
  const clusterBy = str(entity.clusterBy);
  const sender = str(entity.sender);
  const recipient = str(entity.recipient);
  const subject = str(entity.subject);
  const deliveryAction = str(entity.deliveryAction);
  const securityGroupId = str(entity.securityGroupId);
  const securityGroupName = str(entity.securityGroupName);
  const registryHive = str(entity.registryHive);
  const registryKey = str(entity.registryKey);
  const registryValueType = str(entity.registryValueType);
  const registryValue = str(entity.registryValue);
  const mdeDeviceId = str(entity.deviceId);
  const verdict = toPublicValue(str(entity.verdict));

  const anyAccount = accountName !== null || domainName !== null || userSid !== null || azureAdUserId !== null;
  // Each kind's object written out whole (no shared base spread into it); of the base, only the verdict is sent.
  switch (entityType?.toLowerCase()) {
    case 'file':
      return {
        type: 'file',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        fileDetails: fileDetails(entity, sha1, sha256, fileName, filePath),
        detectionStatus: null,
        mdeDeviceId,
      };
    case 'process':
      return {
        type: 'process',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        processId,
        parentProcessId,
        processCommandLine,
        processCreationDateTime,
        parentProcessCreationDateTime,
        imageFile: sha1 !== null || sha256 !== null || fileName !== null || filePath !== null ? fileDetails(entity, sha1, sha256, fileName, filePath) : null,
        parentProcessImageFile: null,
        userAccount: anyAccount || userPrincipalName !== null ? userAccount(accountName, domainName, userSid, azureAdUserId, userPrincipalName) : null,
        detectionStatus: null,
        mdeDeviceId,
      };
    case 'user':
      return {
        type: 'user',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        userAccount: userAccount(accountName, domainName, userSid, azureAdUserId, userPrincipalName),
      };
    case 'ip':
      return {
        type: 'ip',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        ipAddress,
        countryLetterCode: null,
      };
    case 'url':
      return {
        type: 'url',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        url,
      };
    case 'mailbox':
      return {
        type: 'mailbox',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        displayName: mailboxDisplayName,
        primaryAddress: mailboxAddress,
        upn: userPrincipalName,
        userAccount: anyAccount ? userAccount(accountName, domainName, userSid, azureAdUserId, userPrincipalName) : null,
      };
    case 'mailmessage':
      return {
        type: 'mailMessage',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        networkMessageId: stringField(entity, 'networkMessageId'),
        internetMessageId: stringField(entity, 'internetMessageId'),
        subject,
        // the API's `sender` does not say whether it is the P1 or the P2 sender
        senderEmailAddress: sender,
        p1Sender: null,
        p2Sender: null,
        recipientEmailAddress: recipient,
        userPrincipalName,
        deliveryAction,
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
      return {
        type: 'mailCluster',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        clusterBy,
        clusterByValue: null,
        emailCount: null,
        query: null,
      };
    case 'registry':
      // one legacy kind for both; Graph splits keys from values
      return registryValue !== null || registryValueType !== null
        ? {
            type: 'registryValue',
            createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
            registryHive,
            registryKey,
            registryValue,
            registryValueName: stringField(entity, 'registryValueName'),
            registryValueType,
            mdeDeviceId,
          }
        : {
            type: 'registryKey',
            createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
            registryHive,
            registryKey,
          };
    case 'securitygroup':
      return {
        type: 'securityGroup',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        securityGroupId,
        displayName: securityGroupName,
      };
    default:
      return {
        type: 'other',
        createdDateTime: null, verdict, remediationStatus: null, remediationStatusDetails: null, roles: [], detailedRoles: [], tags: [], raw: entity,
        kind: entityType,
      };
  }
}

/** Reads a comment (`legacyCommentSchema`). */
function readComment(raw: unknown): IncidentComment {
  const comment = object(raw);
  return { comment: str(comment.comment) ?? '', createdBy: str(comment.createdBy), createdDateTime: dateTime(comment.createdTime) };
}

/** How {@link readAlert} reads an alert's own incident id. */
export interface ReadAlertOptions {
  /**
   * The id of the incident the alert is embedded in, which an alert without one of its own
   * (missing or `""`) takes; `undefined` when there is none, and the alert must then carry its
   * own (`legacyAlertWithIdSchema` rather than `legacyAlertSchema`).
   */
  incidentId: string | undefined;
  /** From {@link portalOf}: portal links are built when it is known. */
  portal: string | undefined;
}

/**
 * Reads a legacy alert (`legacyAlertSchema`, or `legacyAlertWithIdSchema` when it is not embedded
 * in an incident with an id) into the public {@link Alert}. With a portal, `webUrl` and
 * `incidentWebUrl` are portal links (the API sends none).
 */
export function readAlert(raw: unknown, options: ReadAlertOptions): Alert {
  const alert = object(raw);
  const parentIncidentId = options.incidentId;
  const alertId = id(alert.alertId);
  const ownIncidentId = parentIncidentId === undefined ? id(alert.incidentId) : embeddedIncidentId(alert.incidentId);
  const evidence: Evidence[] = [];
  for (const device of list(alert.devices)) evidence.push(readDevice(device));
  for (const entity of list(alert.entities)) evidence.push(readEntity(entity));
  const incidentId = ownIncidentId || parentIncidentId || '';
  const portal = options.portal;
  return {
    id: alertId,
    incidentId,
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
    actorDisplayName: str(alert.actorName),
    mitreTechniques: strings(alert.mitreTechniques),
    createdDateTime: optionalDateTime(alert.creationTime),
    lastUpdateDateTime: optionalDateTime(alert.lastUpdatedTime),
    resolvedDateTime: optionalDateTime(alert.resolvedTime),
    firstActivityDateTime: optionalDateTime(alert.firstActivity),
    lastActivityDateTime: optionalDateTime(alert.lastActivity),
    evidence,
    comments: [],
    webUrl: portal ? `${portal}/alerts/${encodeURIComponent(alertId)}` : null,
    incidentWebUrl: portal && incidentId ? `${portal}/incidents/${encodeURIComponent(incidentId)}` : null,
    providerAlertId: null,
    threatDisplayName: null,
    productName: null,
    recommendedActions: null,
    systemTags: [],
    tenantId: null,
    alertPolicyId: null,
    additionalData: null,
    investigationId: investigationId(alert.investigationId),
    investigationState: toPublicValue(str(alert.investigationState)),
    raw: alert,
  };
}

/** Reads a legacy incident (`legacyIncidentSchema`) into the public {@link Incident}; `portal` from {@link portalOf}. */
export function readIncident(raw: unknown, portal: string | undefined): Incident {
  const incident = object(raw);
  const incidentId = id(incident.incidentId);
  const redirect = incident.redirectIncidentId == null ? null : id(incident.redirectIncidentId);
  const comments = list(incident.comments).map(readComment);
  const alertOptions: ReadAlertOptions = { incidentId, portal };
  const alerts = list(incident.alerts).map((alert) => readAlert(alert, alertOptions));
  return {
    id: incidentId,
    displayName: str(incident.incidentName) ?? '',
    status: toPublicIncidentStatus(requiredString(incident.status)),
    severity: toPublicSeverity(str(incident.severity)),
    classification: toPublicClassification(str(incident.classification)),
    determination: toPublicDetermination(str(incident.determination)),
    // an unassigned incident may say `""` (the Defender API's own unassign value) as well as null
    assignedTo: str(incident.assignedTo) || null,
    createdDateTime: dateTime(incident.createdTime),
    lastUpdateDateTime: dateTime(incident.lastUpdateTime),
    redirectIncidentId: redirect,
    tags: strings(incident.tags),
    systemTags: [],
    comments,
    alerts,
    webUrl: portal ? `${portal}/incidents/${encodeURIComponent(incidentId)}` : null,
    description: null,
    summary: null,
    resolvingComment: null,
    lastModifiedBy: null,
    tenantId: null,
    priorityScore: null,
    raw: incident,
  };
}
