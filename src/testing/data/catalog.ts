/*
 * What the fake tenant's incidents and hunting tables are made of: alert scenarios, entity shape,
 * and the catalogues of realistic names both generators draw from.
 */
import type { LegacyEntityWire } from '../tenant/legacy-wire.js';

/** Every key of a legacy entity besides `entityType`, in the service's order (reference §2.4). */
export const ENTITY_KEYS = [
  'sha1', 'sha256', 'fileName', 'filePath', 'processId', 'processCommandLine', 'processCreationTime', 'parentProcessId',
  'parentProcessCreationTime', 'ipAddress', 'url', 'accountName', 'domainName', 'userSid', 'aadUserId',
  'userPrincipalName', 'mailboxDisplayName', 'mailboxAddress', 'clusterBy', 'sender', 'recipient', 'subject',
  'deliveryAction', 'securityGroupId', 'securityGroupName', 'registryHive', 'registryKey', 'registryValueType',
  'registryValue', 'deviceId',
] as const;

const NULL_KEYS: Readonly<Record<string, null>> = Object.freeze(Object.fromEntries(ENTITY_KEYS.map((key) => [key, null])));

/** A legacy entity of `type` with every key present and `null`, as older payloads send them. */
export function nullEntity(type: string): LegacyEntityWire {
  return { entityType: type, ...NULL_KEYS };
}

/** The evidence kinds an alert of a scenario carries. */
export type EvidenceKind = 'File' | 'Process' | 'User' | 'Ip' | 'Url' | 'MailBox' | 'MailMessage' | 'MailCluster' | 'Registry' | 'SecurityGroup';

/** An alert scenario: what one detection looks like on the wire. */
export interface AlertScenario {
  /** The alert title. */
  name: string;
  /** The alert category (a MITRE tactic name). */
  category: string;
  /** Legacy `serviceSource`. */
  source: string;
  /** Legacy `detectionSource`. */
  detection: string;
  /** The malware family, if any. */
  family: string | null;
  /** The MITRE ATT&CK technique id. */
  technique: string;
  /** Whether alerts of this scenario are about endpoints (they carry devices). */
  onDevice: boolean;
  /** Usual severity of the alert. */
  severity: 'Informational' | 'Low' | 'Medium' | 'High';
  /** Evidence the alert carries, most important first. */
  evidence: readonly EvidenceKind[];
  /** Alert id prefix by product (`da` endpoint, `fa` Office, `ca` Cloud Apps, `aa` Entra ID Protection, `ra` Identity). */
  idPrefix: 'da' | 'fa' | 'ca' | 'aa' | 'ra';
  /** A stable detector GUID. */
  detectorId: string;
}

/** The scenarios; the first six are the ones `seedIncidents` has always drawn from (do not reorder). */
export const SCENARIOS: readonly AlertScenario[] = [
  { name: "'Mimikatz' hacktool was detected", category: 'Malware', source: 'MicrosoftDefenderATP', detection: 'WindowsDefenderAv', family: 'Mimikatz', technique: 'T1003.001', onDevice: true, severity: 'Medium', evidence: ['File', 'Process', 'User'], idPrefix: 'da', detectorId: '17e10bbc-3a68-474a-8aad-faef14d43952' },
  { name: 'Suspicious PowerShell command line', category: 'Execution', source: 'MicrosoftDefenderForEndpoint', detection: 'WindowsDefenderAtp', family: null, technique: 'T1059.001', onDevice: true, severity: 'Medium', evidence: ['Process', 'User', 'Url'], idPrefix: 'da', detectorId: '5e1c0a3f-5a5b-4e7c-9f1d-8f2f0b0c6a11' },
  { name: 'Email messages containing malicious URL removed after delivery', category: 'InitialAccess', source: 'OfficeATP', detection: 'OfficeATP', family: null, technique: 'T1566.002', onDevice: false, severity: 'Medium', evidence: ['MailMessage', 'MailBox', 'Url', 'MailCluster'], idPrefix: 'fa', detectorId: '8bd7a3c2-1d4e-4b0e-a7f5-3c9e2d1f0a42' },
  { name: 'Impossible travel activity', category: 'InitialAccess', source: 'MicrosoftCloudAppSecurity', detection: 'MCAS', family: null, technique: 'T1078', onDevice: false, severity: 'Medium', evidence: ['User', 'Ip', 'Ip'], idPrefix: 'ca', detectorId: '0b7a4f2e-6c3d-4e8a-9b1f-2d5c7e9a1b33' },
  { name: 'Ransomware behavior detected in the file system', category: 'Impact', source: 'MicrosoftDefenderATP', detection: 'WindowsDefenderAtp', family: 'Lockbit', technique: 'T1486', onDevice: true, severity: 'High', evidence: ['File', 'Process', 'Registry', 'User'], idPrefix: 'da', detectorId: '3f8e2b1a-9c4d-4a7e-8b2f-6e1d0c9a5b77' },
  { name: 'Hidden file attribute set on a sensitive file', category: 'DefenseEvasion', source: 'MicrosoftDefenderATP', detection: 'WindowsDefenderAtp', family: null, technique: 'T1564.001', onDevice: true, severity: 'Low', evidence: ['File', 'Process'], idPrefix: 'da', detectorId: '9a2c4e6b-1f3d-4c8a-b5e7-0d2f4a6c8e19' },
  { name: 'Password spray attack', category: 'CredentialAccess', source: 'AzureAdIdentityProtection', detection: 'AzureAdIdentityProtection', family: null, technique: 'T1110.003', onDevice: false, severity: 'High', evidence: ['User', 'Ip'], idPrefix: 'aa', detectorId: 'c4e1a7b3-2d9f-4e6a-8c5b-1f7d3a9e2b64' },
  { name: 'Suspicious additions to sensitive groups', category: 'PrivilegeEscalation', source: 'AzureATP', detection: 'AzureATP', family: null, technique: 'T1098', onDevice: false, severity: 'Medium', evidence: ['User', 'SecurityGroup'], idPrefix: 'ra', detectorId: 'e7b3c9a1-4f2d-4a8e-9c6b-3d1f5a7e9c82' },
  { name: 'Suspicious scheduled task registered', category: 'Persistence', source: 'MicrosoftDefenderATP', detection: 'WindowsDefenderAtp', family: null, technique: 'T1053.005', onDevice: true, severity: 'Medium', evidence: ['Process', 'Registry', 'File'], idPrefix: 'da', detectorId: '2a6e8c0b-3d5f-4b7a-9e1c-4f6a8c0e2d95' },
  { name: 'Malware was detected in an email attachment', category: 'Malware', source: 'OfficeATP', detection: 'OfficeATP', family: 'Qakbot', technique: 'T1566.001', onDevice: false, severity: 'Medium', evidence: ['MailMessage', 'File', 'MailBox'], idPrefix: 'fa', detectorId: '6c0a2e4f-5b7d-4e9a-8c1b-5a7c9e1f3b06' },
  { name: 'Suspicious connection to a known command-and-control server', category: 'CommandAndControl', source: 'MicrosoftDefenderForEndpoint', detection: 'WindowsDefenderAtp', family: 'CobaltStrike', technique: 'T1071.001', onDevice: true, severity: 'High', evidence: ['Process', 'Ip', 'Url'], idPrefix: 'da', detectorId: 'a1c3e5b7-6d8f-4a0c-9e2b-7c9e1a3f5d27' },
  { name: 'Activity from an anonymous proxy', category: 'InitialAccess', source: 'MicrosoftCloudAppSecurity', detection: 'MCAS', family: null, technique: 'T1090.003', onDevice: false, severity: 'Low', evidence: ['User', 'Ip'], idPrefix: 'ca', detectorId: 'f2d4b6a8-7e9c-4b1d-8a3f-9e1b3d5f7a48' },
];

/** MITRE technique names, for hunting's `AttackTechniques` text. */
export const TECHNIQUE_NAMES: Readonly<Record<string, string>> = {
  'T1003.001': 'LSASS Memory (T1003.001)',
  'T1059.001': 'PowerShell (T1059.001)',
  'T1566.002': 'Spearphishing Link (T1566.002)',
  'T1566.001': 'Spearphishing Attachment (T1566.001)',
  T1078: 'Valid Accounts (T1078)',
  T1486: 'Data Encrypted for Impact (T1486)',
  'T1564.001': 'Hidden Files and Directories (T1564.001)',
  'T1110.003': 'Password Spraying (T1110.003)',
  T1098: 'Account Manipulation (T1098)',
  'T1053.005': 'Scheduled Task (T1053.005)',
  'T1071.001': 'Web Protocols (T1071.001)',
  'T1090.003': 'Multi-hop Proxy (T1090.003)',
};

/** Hunting's names for the legacy `serviceSource` values. */
export const HUNTING_SERVICE_SOURCE: Readonly<Record<string, string>> = {
  MicrosoftDefenderATP: 'Microsoft Defender for Endpoint',
  MicrosoftDefenderForEndpoint: 'Microsoft Defender for Endpoint',
  OfficeATP: 'Microsoft Defender for Office 365',
  MicrosoftCloudAppSecurity: 'Microsoft Defender for Cloud Apps',
  AzureAdIdentityProtection: 'Microsoft Entra ID Protection',
  AzureATP: 'Microsoft Defender for Identity',
};

/** Hunting's names for the legacy `detectionSource` values. */
export const HUNTING_DETECTION_SOURCE: Readonly<Record<string, string>> = {
  WindowsDefenderAv: 'Antivirus',
  WindowsDefenderAtp: 'EDR',
  OfficeATP: 'Microsoft Defender for Office 365',
  MCAS: 'Microsoft Defender for Cloud Apps',
  AzureAdIdentityProtection: 'Microsoft Entra ID Protection',
  AzureATP: 'Microsoft Defender for Identity',
};

/** The tenant's primary domain and NetBIOS domain. */
export const TENANT_DOMAIN = 'contoso.com';
/** The NetBIOS domain of on-premises accounts. */
export const NETBIOS_DOMAIN = 'CONTOSO';

/** Given names and surnames the directory's people are made of. */
export const GIVEN_NAMES = ['Alex', 'Megan', 'Diego', 'Isaiah', 'Lynne', 'Nestor', 'Patti', 'Johanna', 'Lee', 'Grady', 'Adele', 'Pradeep', 'Miriam', 'Joni', 'Henrietta', 'Irvin', 'Sanjay', 'Emily', 'Omar', 'Keiko'] as const;
/** Surnames. */
export const SURNAMES = ['Wilber', 'Bowen', 'Siciliani', 'Langer', 'Robbins', 'Wilke', 'Fernandez', 'Lamb', 'Gu', 'Archie', 'Vance', 'Gupta', 'Graham', 'Sherman', 'Gerhart', 'Sayers', 'Patel', 'Braun', 'Haddad', 'Tanaka'] as const;

/** Security operations staff who own incidents and write comments. */
export const ANALYSTS = ['secop1@contoso.com', 'secop2@contoso.com', "o'brien@contoso.com", 'soc-tier2@contoso.com'] as const;

/** External domains: benign ones and the attacker's look-alikes. */
export const BENIGN_DOMAINS = ['login.microsoftonline.com', 'outlook.office365.com', 'www.bing.com', 'github.com', 'update.googleapis.com', 'cdn.office.net', 'teams.microsoft.com', 'windowsupdate.com', 'www.linkedin.com', 'slack.com'] as const;
/** Malicious-looking domains (reserved `.example` names). */
export const MALICIOUS_DOMAINS = ['login-contoso.example', 'secure-docs.example', 'm1crosoft-support.example', 'invoice-portal.example', 'cdn-update.example'] as const;
