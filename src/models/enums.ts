/**
 * The enum vocabularies of the public model, in Microsoft Graph's names (camelCase). Every enum
 * is open: the known values are typed and listed here, and a value the SDK does not know yet
 * arrives unchanged as a string, so a new value from Microsoft never breaks your code.
 *
 * @packageDocumentation
 */

/**
 * An open enum: the known values, plus any other string. `(string & {})` keeps editor
 * completion for the known values.
 */
export type OpenEnum<Known extends string> = Known | (string & {});

/** Known incident statuses. `awaitingAction` is set by Microsoft (e.g. Defender Experts). */
export const INCIDENT_STATUSES = ['active', 'inProgress', 'resolved', 'redirected', 'awaitingAction'] as const;
/** Status of an incident: one of {@link INCIDENT_STATUSES} or a newer value. */
export type IncidentStatus = OpenEnum<(typeof INCIDENT_STATUSES)[number]>;

/** Known alert statuses. */
export const ALERT_STATUSES = ['new', 'inProgress', 'resolved', 'unknown'] as const;
/** Status of an alert: one of {@link ALERT_STATUSES} or a newer value. */
export type AlertStatus = OpenEnum<(typeof ALERT_STATUSES)[number]>;

/** Known severities of incidents and alerts. `unknown` is the legacy `UnSpecified`. */
export const SEVERITIES = ['unknown', 'informational', 'low', 'medium', 'high'] as const;
/** Severity of an incident or alert: one of {@link SEVERITIES} or a newer value. */
export type Severity = OpenEnum<(typeof SEVERITIES)[number]>;

/** Known classifications of incidents and alerts. */
export const CLASSIFICATIONS = ['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity'] as const;
/** Classification of an incident or alert: one of {@link CLASSIFICATIONS} or a newer value. */
export type Classification = OpenEnum<(typeof CLASSIFICATIONS)[number]>;

/**
 * Known determinations of incidents and alerts. `apt` and `securityPersonnel` are deprecated
 * (since August 2022) but still appear on old incidents.
 */
export const DETERMINATIONS = [
  'unknown',
  'apt',
  'malware',
  'securityPersonnel',
  'securityTesting',
  'unwantedSoftware',
  'other',
  'multiStagedAttack',
  'compromisedAccount',
  'phishing',
  'maliciousUserActivity',
  'notMalicious',
  'notEnoughDataToValidate',
  'confirmedUserActivity',
  'lineOfBusinessApplication',
] as const;
/** Determination of an incident or alert: one of {@link DETERMINATIONS} or a newer value. */
export type Determination = OpenEnum<(typeof DETERMINATIONS)[number]>;

/** Known products (services) that raise alerts, in Graph's names. */
export const SERVICE_SOURCES = [
  'unknown',
  'microsoftDefenderForEndpoint',
  'microsoftDefenderForIdentity',
  'microsoftDefenderForCloudApps',
  'microsoftDefenderForOffice365',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'microsoftAppGovernance',
  'dataLossPrevention',
  'microsoftDefenderForCloud',
  'microsoftSentinel',
  'microsoftInsiderRiskManagement',
  'microsoftThreatIntelligence',
] as const;
/** The product that raised an alert: one of {@link SERVICE_SOURCES} or a newer value. */
export type ServiceSource = OpenEnum<(typeof SERVICE_SOURCES)[number]>;

/** Known detection technologies that raise alerts, in Graph's names. */
export const DETECTION_SOURCES = [
  'unknown',
  'microsoftDefenderForEndpoint',
  'antivirus',
  'smartScreen',
  'customTi',
  'microsoftDefenderForOffice365',
  'automatedInvestigation',
  'microsoftThreatExperts',
  'customDetection',
  'microsoftDefenderForIdentity',
  'cloudAppSecurity',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'manual',
  'microsoftDataLossPrevention',
  'appGovernancePolicy',
  'appGovernanceDetection',
  'microsoftDefenderForCloud',
  'microsoftDefenderForIoT',
  'microsoftDefenderForServers',
  'microsoftDefenderForStorage',
  'microsoftDefenderForDNS',
  'microsoftDefenderForDatabases',
  'microsoftDefenderForContainers',
  'microsoftDefenderForNetwork',
  'microsoftDefenderForAppService',
  'microsoftDefenderForKeyVault',
  'microsoftDefenderForResourceManager',
  'microsoftDefenderForApiManagement',
  'nrtAlerts',
  'scheduledAlerts',
  'microsoftDefenderThreatIntelligenceAnalytics',
  'builtInMl',
  'microsoftInsiderRiskManagement',
  'microsoftThreatIntelligence',
  'microsoftDefenderForAIServices',
  'securityCopilot',
  'microsoftSentinel',
] as const;
/** The detection technology that raised an alert: one of {@link DETECTION_SOURCES} or a newer value. */
export type DetectionSource = OpenEnum<(typeof DETECTION_SOURCES)[number]>;

/** Known evidence verdicts. */
export const EVIDENCE_VERDICTS = ['unknown', 'suspicious', 'malicious', 'noThreatsFound'] as const;
/** The verdict on a piece of evidence: one of {@link EVIDENCE_VERDICTS} or a newer value. */
export type EvidenceVerdict = OpenEnum<(typeof EVIDENCE_VERDICTS)[number]>;

/** Known device health statuses. */
export const DEVICE_HEALTH_STATUSES = [
  'active',
  'inactive',
  'impairedCommunication',
  'noSensorData',
  'noSensorDataImpairedCommunication',
  'unknown',
] as const;
/** Health of a device's sensor: one of {@link DEVICE_HEALTH_STATUSES} or a newer value. */
export type DeviceHealthStatus = OpenEnum<(typeof DEVICE_HEALTH_STATUSES)[number]>;

/** Known device risk scores. */
export const DEVICE_RISK_SCORES = ['none', 'informational', 'low', 'medium', 'high'] as const;
/** Risk score of a device: one of {@link DEVICE_RISK_SCORES} or a newer value. */
export type DeviceRiskScore = OpenEnum<(typeof DEVICE_RISK_SCORES)[number]>;

/** Known device onboarding statuses. */
export const ONBOARDING_STATUSES = ['insufficientInfo', 'onboarded', 'canBeOnboarded', 'unsupported'] as const;
/** Onboarding status of a device: one of {@link ONBOARDING_STATUSES} or a newer value. */
export type OnboardingStatus = OpenEnum<(typeof ONBOARDING_STATUSES)[number]>;

/** Known Defender Antivirus statuses of a device. */
export const DEFENDER_AV_STATUSES = ['notReporting', 'disabled', 'notUpdated', 'updated', 'unknown', 'notSupported'] as const;
/** Defender Antivirus status of a device: one of {@link DEFENDER_AV_STATUSES} or a newer value. */
export type DefenderAvStatus = OpenEnum<(typeof DEFENDER_AV_STATUSES)[number]>;

/** The kinds of evidence the model types; anything else is `'other'`. */
export const EVIDENCE_TYPES = [
  'device',
  'file',
  'process',
  'user',
  'ip',
  'url',
  'mailbox',
  'mailMessage',
  'mailCluster',
  'registryKey',
  'registryValue',
  'securityGroup',
  'other',
] as const;
/** The discriminator of {@link Evidence}. Closed: unknown kinds become `'other'`. */
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];
