/*
 * The fake tenant's incidents, stored in the legacy Defender API's shape (reference §2.4), rendered
 * into the Microsoft Graph security API's wire shape (reference §5.4, §5.5, mapping §5.9), and Graph
 * values written back into the legacy store. Rendering is a pure function of the stored incident:
 * no randomness, no clock.
 */
import type { LegacyAlertWire, LegacyCommentWire, LegacyDeviceWire, LegacyEntityWire, LegacyIncidentWire } from './legacy-wire.js';

/** Portal origin Graph links point at (`incidentWebUrl`, `alertWebUrl`) in the public cloud. */
const PORTAL = 'https://security.microsoft.com';
const EVIDENCE = '#microsoft.graph.security.';

/** How a rendering should treat evolvable enum members (reference §5.2 `Prefer: include-unknown-enum-members`). */
export interface GraphRenderOptions {
  /** The tenant id Graph puts in `tenantId` and in the portal links. */
  tenantId: string;
  /** `true` when the request sent `Prefer: include-unknown-enum-members`: members past `unknownFutureValue` are sent as is. */
  includeUnknownEnumMembers: boolean;
  /** Graph-only state the legacy store does not hold, by incident id. */
  lastModifiedBy?: (incidentId: number) => string | null;
  /** Graph-only alert comments (the legacy API has none), by alert id. */
  alertComments?: (alertId: string) => readonly LegacyCommentWire[];
}

// ---------------------------------------------------------------- enums (reference §5.4, §5.5, G-ts names)

/** Lower-camels a PascalCase name (`InProgress` → `inProgress`, `MCAS` → `mcas`); other strings pass through. */
export function lowerCamel(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(value)) return value;
  let upper = 0;
  while (upper < value.length && /[A-Z]/.test(value.charAt(upper))) upper++;
  if (upper === 0) return value;
  if (upper === 1 || upper === value.length) return value.slice(0, upper).toLowerCase() + value.slice(upper);
  const cut = /[a-z]/.test(value.charAt(upper)) ? upper - 1 : upper;
  return value.slice(0, cut).toLowerCase() + value.slice(cut);
}

const upperFirst = (value: string): string => value.charAt(0).toUpperCase() + value.slice(1);

/**
 * The kit's own legacy → Graph names, kept apart from the SDK's tables on purpose (an independent
 * check of the SDK's mapping); `test/testing/tenant/graph-enum-tables.test.ts` holds the two together.
 */
export const GRAPH_ENUM_SYNONYMS = {
  incidentStatus: { New: 'active' },
  alertStatus: { Active: 'new' },
  severity: { UnSpecified: 'unknown', Unspecified: 'unknown' },
  classification: { NotAvailable: 'unknown' },
  determination: {
    NotAvailable: 'unknown',
    UnSpecified: 'unknown',
    CompromisedUser: 'compromisedAccount',
    Clean: 'notMalicious',
    NoEnoughDataToValidate: 'notEnoughDataToValidate',
    InsufficientData: 'notEnoughDataToValidate',
    ConfirmedUserActivity: 'confirmedActivity',
  },
  serviceSource: {
    MicrosoftDefenderATP: 'microsoftDefenderForEndpoint',
    WindowsDefenderATP: 'microsoftDefenderForEndpoint',
    MDATP: 'microsoftDefenderForEndpoint',
    MicrosoftCloudAppSecurity: 'microsoftDefenderForCloudApps',
    MCAS: 'microsoftDefenderForCloudApps',
    OfficeATP: 'microsoftDefenderForOffice365',
    AzureATP: 'microsoftDefenderForIdentity',
    AzureAdvancedThreatProtection: 'microsoftDefenderForIdentity',
    AAD: 'azureAdIdentityProtection',
    AadIdentityProtection: 'azureAdIdentityProtection',
    AzureADIdentityProtection: 'azureAdIdentityProtection',
    MTP: 'microsoft365Defender',
    AppGovernance: 'microsoftAppGovernance',
    DLP: 'dataLossPrevention',
    MicrosoftDataLossPrevention: 'dataLossPrevention',
    AzureSecurityCenter: 'microsoftDefenderForCloud',
    AzureDefender: 'microsoftDefenderForCloud',
    AzureSentinel: 'microsoftSentinel',
    InsiderRiskManagement: 'microsoftInsiderRiskManagement',
  },
  detectionSource: {
    WindowsDefenderAv: 'antivirus',
    WindowsDefenderAtp: 'microsoftDefenderForEndpoint',
    MicrosoftDefenderATP: 'microsoftDefenderForEndpoint',
    EDR: 'microsoftDefenderForEndpoint',
    WindowsDefenderSmartScreen: 'smartScreen',
    CustomerTi: 'customTi',
    OfficeATP: 'microsoftDefenderForOffice365',
    MTP: 'microsoft365Defender',
    ThreatExperts: 'microsoftThreatExperts',
    MCAS: 'cloudAppSecurity',
    MicrosoftCloudAppSecurity: 'cloudAppSecurity',
    AzureATP: 'microsoftDefenderForIdentity',
    AAD: 'azureAdIdentityProtection',
    AadIdentityProtection: 'azureAdIdentityProtection',
    DLP: 'microsoftDataLossPrevention',
    DataLossPrevention: 'microsoftDataLossPrevention',
    AzureSecurityCenter: 'microsoftDefenderForCloud',
    AzureSentinel: 'microsoftSentinel',
  },
} as const satisfies Record<string, Readonly<Record<string, string>>>;

/** An enum the kit renders from its legacy store to Graph. */
export type GraphEnumKind = keyof typeof GRAPH_ENUM_SYNONYMS;

const byLowerName = Object.fromEntries(
  Object.entries(GRAPH_ENUM_SYNONYMS).map(([kind, synonyms]) => [kind, new Map(Object.entries(synonyms).map(([legacy, graph]) => [legacy.toLowerCase(), graph]))]),
) as Record<GraphEnumKind, Map<string, string>>;

/** The Graph name of a legacy enum value, as the kit renders it. */
export function toGraphEnum(kind: GraphEnumKind, value: string): string {
  // Defender for Cloud plans: `DefenderForDatabases` → `microsoftDefenderForDatabases`.
  if (kind === 'detectionSource' && /^DefenderFor[A-Za-z0-9]+$/.test(value)) return `microsoft${value}`;
  return byLowerName[kind].get(value.toLowerCase()) ?? lowerCamel(value);
}

/** Enum members Graph declares after `unknownFutureValue` (G-ts 2026-01-23): sent only to callers that opt in. */
const EVOLVABLE = {
  incidentStatus: ['awaitingAction'],
  serviceSource: ['microsoftDefenderForCloud', 'microsoftSentinel', 'microsoftInsiderRiskManagement', 'microsoftThreatIntelligence'],
  detectionSource: [
    'microsoftDefenderForCloud', 'microsoftDefenderForIoT', 'microsoftDefenderForServers', 'microsoftDefenderForStorage',
    'microsoftDefenderForDNS', 'microsoftDefenderForDatabases', 'microsoftDefenderForContainers', 'microsoftDefenderForNetwork',
    'microsoftDefenderForAppService', 'microsoftDefenderForKeyVault', 'microsoftDefenderForResourceManager',
    'microsoftDefenderForApiManagement', 'nrtAlerts', 'scheduledAlerts', 'microsoftDefenderThreatIntelligenceAnalytics',
    'builtInMl', 'microsoftInsiderRiskManagement', 'microsoftThreatIntelligence', 'microsoftDefenderForAIServices',
    'securityCopilot', 'microsoftSentinel',
  ],
  remediationStatus: ['active', 'pendingApproval', 'declined', 'unremediated', 'running', 'partiallyRemediated'],
} as const;

function evolvable(value: string, kind: keyof typeof EVOLVABLE, include: boolean): string {
  return !include && (EVOLVABLE[kind] as readonly string[]).includes(value) ? 'unknownFutureValue' : value;
}

/** Graph's writable enum values (PATCH), by property; matched case-insensitively like the service does (reference §5.3). */
export const GRAPH_WRITABLE_ENUMS = {
  incidentStatus: ['active', 'inProgress', 'resolved', 'redirected', 'awaitingAction'],
  alertStatus: ['unknown', 'new', 'inProgress', 'resolved'],
  classification: ['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity'],
  determination: [
    'unknown', 'apt', 'malware', 'securityPersonnel', 'securityTesting', 'unwantedSoftware', 'other', 'multiStagedAttack',
    'compromisedAccount', 'phishing', 'maliciousUserActivity', 'notMalicious', 'notEnoughDataToValidate', 'confirmedActivity',
    'lineOfBusinessApplication',
  ],
} as const;

const LEGACY_DETERMINATION: Record<string, string> = {
  unknown: 'NotAvailable',
  notMalicious: 'Clean',
  notEnoughDataToValidate: 'NoEnoughDataToValidate',
};

/** Legacy names of Graph values, for writing a Graph PATCH into the shared store. */
export const toLegacy = {
  incidentStatus: (value: string): string => upperFirst(value),
  alertStatus: (value: string): string => upperFirst(value),
  classification: (value: string): string => upperFirst(value),
  determination: (value: string): string => LEGACY_DETERMINATION[value] ?? upperFirst(value),
};

// ---------------------------------------------------------------- incidents and alerts

/** `https://security.microsoft.com/incidents/{id}?tid={tenantId}`, as Graph sends it. */
export function incidentWebUrl(incidentId: number | string, tenantId: string): string {
  return `${PORTAL}/incidents/${incidentId}?tid=${tenantId}`;
}

/** A Graph `alertComment` from a legacy comment. */
export function renderComment(comment: LegacyCommentWire): Record<string, unknown> {
  return { comment: comment.comment, createdByDisplayName: comment.createdBy, createdDateTime: comment.createdTime };
}

const stringOr = <T>(value: unknown, fallback: T): string | T => (typeof value === 'string' ? value : fallback);
const objectOr = <T>(value: unknown, fallback: T): Record<string, unknown> | T =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : fallback;
const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * A Graph `microsoft.graph.security.incident` from a stored legacy incident. Graph-only fields
 * (`systemTags`, `description`, `summary`, `resolvingComment`, `lastModifiedBy`, `priorityScore`) come from same-named extra keys of the
 * stored incident when present. `alerts` is included only when `expandAlerts`.
 */
export function renderIncident(incident: LegacyIncidentWire, options: GraphRenderOptions, expandAlerts = false): Record<string, unknown> {
  const include = options.includeUnknownEnumMembers;
  const rendered: Record<string, unknown> = {
    id: String(incident.incidentId),
    tenantId: options.tenantId,
    status: evolvable(toGraphEnum('incidentStatus', incident.status), 'incidentStatus', include),
    incidentWebUrl: incidentWebUrl(incident.incidentId, options.tenantId),
    redirectIncidentId: incident.redirectIncidentId === null ? null : String(incident.redirectIncidentId),
    displayName: incident.incidentName,
    createdDateTime: incident.createdTime,
    lastUpdateDateTime: incident.lastUpdateTime,
    assignedTo: incident.assignedTo,
    classification: toGraphEnum('classification', incident.classification),
    determination: toGraphEnum('determination', incident.determination),
    severity: toGraphEnum('severity', incident.severity),
    customTags: [...incident.tags],
    systemTags: stringsOf(incident['systemTags']),
    description: stringOr(incident['description'], null),
    summary: stringOr(incident['summary'], null),
    resolvingComment: stringOr(incident['resolvingComment'], null),
    lastModifiedBy: options.lastModifiedBy?.(incident.incidentId) ?? stringOr(incident['lastModifiedBy'], null),
    priorityScore: typeof incident['priorityScore'] === 'number' ? incident['priorityScore'] : null,
    comments: incident.comments.map(renderComment),
  };
  if (expandAlerts) rendered['alerts'] = incident.alerts.map((alert) => renderAlert(alert, options));
  return rendered;
}

const PRODUCT_NAMES: Record<string, string> = {
  microsoftDefenderForEndpoint: 'Microsoft Defender for Endpoint',
  microsoftDefenderForIdentity: 'Microsoft Defender for Identity',
  microsoftDefenderForCloudApps: 'Microsoft Defender for Cloud Apps',
  microsoftDefenderForOffice365: 'Microsoft Defender for Office 365',
  microsoft365Defender: 'Microsoft Defender XDR',
  microsoftDefenderForCloud: 'Microsoft Defender for Cloud',
};

/**
 * A Graph `microsoft.graph.security.alert` (alerts_v2) from a stored legacy alert. Graph-only
 * fields (`recommendedActions`, `alertPolicyId`, `additionalData`, `systemTags`) come from
 * same-named extra keys of the stored alert when present.
 */
export function renderAlert(alert: LegacyAlertWire, options: GraphRenderOptions): Record<string, unknown> {
  const include = options.includeUnknownEnumMembers;
  const serviceSource = toGraphEnum('serviceSource', alert.serviceSource);
  return {
    id: alert.alertId,
    providerAlertId: /^da\d/.test(alert.alertId) ? alert.alertId.slice(2) : alert.alertId,
    // a stored alert without an incident id is served without one, as the Defender API serves it
    incidentId: alert.incidentId == null ? null : String(alert.incidentId),
    status: toGraphEnum('alertStatus', alert.status),
    severity: toGraphEnum('severity', alert.severity),
    // the docs' alert example sends `unknown`, never null, for an alert nobody classified
    classification: toGraphEnum('classification', alert.classification ?? 'Unknown'),
    determination: toGraphEnum('determination', alert.determination ?? 'NotAvailable'),
    serviceSource: evolvable(serviceSource, 'serviceSource', include),
    detectionSource: evolvable(toGraphEnum('detectionSource', alert.detectionSource), 'detectionSource', include),
    productName: PRODUCT_NAMES[serviceSource] ?? null,
    detectorId: alert.detectorId,
    tenantId: options.tenantId,
    title: alert.title,
    description: alert.description,
    recommendedActions: stringOr(alert['recommendedActions'], ''),
    category: alert.category,
    assignedTo: alert.assignedTo,
    alertWebUrl: `${PORTAL}/alerts/${alert.alertId}?tid=${options.tenantId}`,
    incidentWebUrl: alert.incidentId == null ? null : incidentWebUrl(alert.incidentId, options.tenantId),
    actorDisplayName: alert.actorName,
    threatDisplayName: alert.threatFamilyName,
    threatFamilyName: alert.threatFamilyName,
    mitreTechniques: [...alert.mitreTechniques],
    createdDateTime: alert.creationTime,
    lastUpdateDateTime: alert.lastUpdatedTime ?? alert.creationTime,
    resolvedDateTime: alert.resolvedTime,
    firstActivityDateTime: alert.firstActivity,
    lastActivityDateTime: alert.lastActivity,
    alertPolicyId: stringOr(alert['alertPolicyId'], null),
    additionalData: objectOr(alert['additionalData'], {}),
    customDetails: {},
    systemTags: stringsOf(alert['systemTags']),
    // Alert comments exist on Graph only: kept beside the store, never in the legacy objects.
    comments: (options.alertComments?.(alert.alertId) ?? []).map(renderComment),
    evidence: [
      ...alert.devices.map((device) => renderDevice(device, alert, include)),
      ...alert.entities.map((entity) => renderEntity(entity, alert, include)),
    ],
  };
}

// ---------------------------------------------------------------- evidence (reference §5.5)

/**
 * The `alertEvidence` base fields. Graph-only ones (`detailedRoles`, `remediationStatusDetails`)
 * come from same-named extra keys of the stored device or entity when present.
 */
function evidenceBase(type: string, alert: LegacyAlertWire, source: Record<string, unknown>, include: boolean, tags: string[] = []): Record<string, unknown> {
  const remediation = alert.investigationState === 'SuccessfullyRemediated' ? 'remediated' : alert.investigationState === 'PendingApproval' ? 'pendingApproval' : 'none';
  const verdict = source['verdict'];
  return {
    '@odata.type': `${EVIDENCE}${type}`,
    createdDateTime: alert.creationTime,
    verdict: typeof verdict === 'string' ? lowerCamel(verdict) : 'unknown',
    remediationStatus: evolvable(remediation, 'remediationStatus', include),
    remediationStatusDetails: stringOr(source['remediationStatusDetails'], null),
    roles: [],
    detailedRoles: stringsOf(source['detailedRoles']),
    tags,
  };
}

/** An `emailSender` of an address given as a string, or as such an object. */
function emailSender(value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') return { emailAddress: value, displayName: null, domainName: value.includes('@') ? value.slice(value.indexOf('@') + 1) : null };
  return objectOr(value, null);
}

const field = (entity: LegacyEntityWire, key: string): unknown => entity[key] ?? null;
const lowerOrNull = (value: unknown): string | null => (typeof value === 'string' ? lowerCamel(value) : null);

function fileDetails(entity: LegacyEntityWire): Record<string, unknown> {
  return {
    sha1: field(entity, 'sha1'),
    sha256: field(entity, 'sha256'),
    sha256Ac: null,
    md5: field(entity, 'md5'),
    fileName: field(entity, 'fileName'),
    filePath: field(entity, 'filePath'),
    fileSize: field(entity, 'fileSize'),
    filePublisher: null,
    signer: null,
    issuer: null,
  };
}

function userAccount(entity: LegacyEntityWire): Record<string, unknown> {
  return {
    accountName: field(entity, 'accountName'),
    domainName: field(entity, 'domainName'),
    userSid: field(entity, 'userSid'),
    azureAdUserId: field(entity, 'aadUserId'),
    userPrincipalName: field(entity, 'userPrincipalName'),
    displayName: null,
    activeDirectoryObjectGuid: null,
  };
}

const hasAny = (entity: LegacyEntityWire, keys: string[]): boolean => keys.some((key) => entity[key] != null);

function renderDevice(device: LegacyDeviceWire, alert: LegacyAlertWire, include: boolean): Record<string, unknown> {
  const [hostName, ...domain] = device.deviceDnsName.split('.');
  const vm = device.vmMetadata;
  return {
    ...evidenceBase('deviceEvidence', alert, device, include, [...device.tags]),
    firstSeenDateTime: device.firstSeen,
    mdeDeviceId: device.mdatpDeviceId,
    azureAdDeviceId: device.aadDeviceId,
    deviceDnsName: device.deviceDnsName,
    hostName: hostName ?? null,
    ntDomain: null,
    dnsDomain: domain.length > 0 ? domain.join('.') : null,
    osPlatform: device.osPlatform,
    osBuild: device.osBuild,
    version: device.version,
    healthStatus: lowerOrNull(device.healthStatus),
    riskScore: lowerOrNull(device.riskScore),
    rbacGroupId: device.rbacGroupId,
    rbacGroupName: device.rbacGroupName,
    onboardingStatus: lowerOrNull(device.onboardingStatus),
    defenderAvStatus: lowerOrNull(device.defenderAvStatus),
    ipInterfaces: stringsOf(device['ipInterfaces']),
    lastIpAddress: null,
    lastExternalIpAddress: null,
    loggedOnUsers: Array.isArray(device['loggedOnUsers']) ? device['loggedOnUsers'].map((user) => objectOr(user, null)) : [],
    vmMetadata: vm
      ? { vmId: vm['vmId'] ?? null, cloudProvider: lowerOrNull(vm['cloudProvider']) ?? 'unknown', resourceId: vm['resourceId'] ?? null, subscriptionId: vm['subscriptionId'] ?? null }
      : null,
  };
}

function renderEntity(entity: LegacyEntityWire, alert: LegacyAlertWire, include: boolean): Record<string, unknown> {
  const base = (type: string) => evidenceBase(type, alert, entity, include);
  switch (entity.entityType.toLowerCase()) {
    case 'user':
      return { ...base('userEvidence'), userAccount: userAccount(entity), stream: null };
    case 'ip':
      return { ...base('ipEvidence'), ipAddress: field(entity, 'ipAddress'), countryLetterCode: null, location: null, stream: null };
    case 'url':
      return { ...base('urlEvidence'), url: field(entity, 'url') };
    case 'file':
      return { ...base('fileEvidence'), fileDetails: fileDetails(entity), detectionStatus: null, mdeDeviceId: field(entity, 'deviceId') };
    case 'process':
      return {
        ...base('processEvidence'),
        processId: field(entity, 'processId'),
        parentProcessId: field(entity, 'parentProcessId'),
        processCommandLine: field(entity, 'processCommandLine'),
        processCreationDateTime: field(entity, 'processCreationTime'),
        parentProcessCreationDateTime: field(entity, 'parentProcessCreationTime'),
        imageFile: hasAny(entity, ['sha1', 'sha256', 'fileName', 'filePath']) ? fileDetails(entity) : null,
        parentProcessImageFile: null,
        userAccount: hasAny(entity, ['accountName', 'domainName', 'userSid', 'aadUserId', 'userPrincipalName']) ? userAccount(entity) : null,
        detectionStatus: null,
        mdeDeviceId: field(entity, 'deviceId'),
      };
    case 'mailbox':
      return {
        ...base('mailboxEvidence'),
        displayName: field(entity, 'mailboxDisplayName'),
        primaryAddress: field(entity, 'mailboxAddress'),
        upn: field(entity, 'userPrincipalName'),
        userAccount: hasAny(entity, ['accountName', 'domainName', 'userSid', 'aadUserId']) ? userAccount(entity) : null,
      };
    case 'mailmessage':
      return {
        ...base('analyzedMessageEvidence'),
        networkMessageId: field(entity, 'networkMessageId'),
        internetMessageId: field(entity, 'internetMessageId'),
        subject: field(entity, 'subject'),
        senderIp: field(entity, 'senderIp'),
        recipientEmailAddress: field(entity, 'recipient'),
        // the legacy `sender` as the P1 sender; a stored `p1Sender`/`p2Sender` (address or emailSender) wins
        p1Sender: emailSender(entity['p1Sender'] ?? entity['sender']),
        p2Sender: emailSender(entity['p2Sender']),
        deliveryAction: field(entity, 'deliveryAction'),
        deliveryLocation: field(entity, 'deliveryLocation'),
        urls: stringsOf(entity['urls']),
        urlCount: typeof entity['urlCount'] === 'number' ? entity['urlCount'] : stringsOf(entity['urls']).length,
        attachmentsCount: typeof entity['attachmentsCount'] === 'number' ? entity['attachmentsCount'] : 0,
        threatDetectionMethods: stringsOf(entity['threatDetectionMethods']),
        threats: stringsOf(entity['threats']),
        language: field(entity, 'language'),
        receivedDateTime: field(entity, 'receivedDateTime'),
        antiSpamDirection: field(entity, 'antiSpamDirection'),
        urn: field(entity, 'urn'),
      };
    case 'mailcluster':
      return { ...base('mailClusterEvidence'), clusterBy: field(entity, 'clusterBy'), clusterByValue: null, emailCount: null, networkMessageIds: [], query: null, urn: null };
    case 'registry':
      // one legacy kind for both; Graph splits keys from values
      return entity['registryValue'] != null || entity['registryValueType'] != null
        ? {
            ...base('registryValueEvidence'),
            registryHive: field(entity, 'registryHive'),
            registryKey: field(entity, 'registryKey'),
            registryValue: field(entity, 'registryValue'),
            registryValueName: field(entity, 'registryValueName'),
            registryValueType: field(entity, 'registryValueType'),
            mdeDeviceId: field(entity, 'deviceId'),
          }
        : { ...base('registryKeyEvidence'), registryHive: field(entity, 'registryHive'), registryKey: field(entity, 'registryKey') };
    case 'securitygroup':
      return { ...base('securityGroupEvidence'), securityGroupId: field(entity, 'securityGroupId'), displayName: field(entity, 'securityGroupName') };
    default: {
      // An entity kind the legacy docs do not name: `KubernetesPod` → `kubernetesPodEvidence`, its non-null fields kept.
      const kept = Object.fromEntries(Object.entries(entity).filter(([key, value]) => key !== 'entityType' && value !== null));
      return { ...base(`${lowerCamel(entity.entityType)}Evidence`), ...kept };
    }
  }
}
