/*
 * Deterministic legacy-shaped incidents for tests and the fake tenant (moved from test/support).
 */
import type { LegacyAlertWire, LegacyDeviceWire, LegacyEntityWire, LegacyIncidentWire } from '../tenant/legacy-wire.js';

/** An ISO-8601 UTC time with the service's 7-digit fraction: `ms` plus `subMs` ten-thousandths of a millisecond. */
export function formatTime(ms: number, subMs: number): string {
  return new Date(ms).toISOString().replace(/Z$/, `${String(subMs).padStart(4, '0')}Z`);
}

/** A small fast seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENTITY_KEYS = [
  'sha1', 'sha256', 'fileName', 'filePath', 'processId', 'processCommandLine', 'processCreationTime', 'parentProcessId',
  'parentProcessCreationTime', 'ipAddress', 'url', 'accountName', 'domainName', 'userSid', 'aadUserId',
  'userPrincipalName', 'mailboxDisplayName', 'mailboxAddress', 'clusterBy', 'sender', 'recipient', 'subject',
  'deliveryAction', 'securityGroupId', 'securityGroupName', 'registryHive', 'registryKey', 'registryValueType',
  'registryValue', 'deviceId',
];

const SCENARIOS = [
  { name: "'Mimikatz' hacktool was detected", category: 'Malware', source: 'MicrosoftDefenderATP', detection: 'WindowsDefenderAv', family: 'Mimikatz', technique: 'T1003.001' },
  { name: 'Suspicious PowerShell command line', category: 'Execution', source: 'MicrosoftDefenderForEndpoint', detection: 'WindowsDefenderAtp', family: null, technique: 'T1059.001' },
  { name: 'Email messages containing malicious URL removed after delivery', category: 'InitialAccess', source: 'OfficeATP', detection: 'OfficeATP', family: null, technique: 'T1566.002' },
  { name: 'Impossible travel activity', category: 'InitialAccess', source: 'MicrosoftCloudAppSecurity', detection: 'MCAS', family: null, technique: 'T1078' },
  { name: 'Ransomware behavior detected in the file system', category: 'Impact', source: 'MicrosoftDefenderATP', detection: 'WindowsDefenderAtp', family: 'Lockbit', technique: 'T1486' },
  { name: 'Hidden file attribute set on a sensitive file', category: 'DefenseEvasion', source: 'MicrosoftDefenderATP', detection: 'WindowsDefenderAtp', family: null, technique: 'T1564.001' },
] as const;

/**
 * Deterministic, realistic legacy incidents: ids ascending with `createdTime` (so the API's
 * newest-first order is descending id), mixed statuses and severities, 7-digit fractional
 * timestamps (every fifth `lastUpdateTime` trimmed like `.81Z`), comments, and 1–3 alerts
 * with devices and all-null-key entities. A `Redirected` incident points at an older one.
 */
export function seedIncidents(count: number, seed = 1): LegacyIncidentWire[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const hex = (length: number) => Array.from({ length }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const digits = (length: number) => Array.from({ length }, () => String(int(0, 9))).join('');
  const time = (ms: number) => formatTime(ms, int(1, 9999));

  const anchor = Date.UTC(2026, 0, 15, 12, 0, 0);
  const created: number[] = [];
  let t = anchor;
  for (let i = count - 1; i >= 0; i--) {
    created[i] = t;
    t -= int(20, 240) * 60_000 + int(0, 59_999);
  }

  const entity = (type: string, deviceId: string | null): LegacyEntityWire => {
    const base: LegacyEntityWire = { entityType: type, ...Object.fromEntries(ENTITY_KEYS.map((key) => [key, null])) };
    const user = pick(['jdoe', 'asmith', 'mlee', 'svc-backup']);
    switch (type) {
      case 'File':
        return { ...base, sha1: hex(40), sha256: hex(64), fileName: pick(['mimikatz.exe', 'invoice.docm', 'payload.dll']), filePath: 'C:\\Users\\Public\\Downloads', deviceId };
      case 'Process':
        return { ...base, processId: int(1000, 30000), processCommandLine: 'powershell.exe -enc SQBFAFgA', processCreationTime: time(anchor - int(1, 40) * 86_400_000), parentProcessId: int(500, 999), sha1: hex(40), fileName: 'powershell.exe', filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', deviceId };
      case 'User':
        return { ...base, accountName: user, domainName: 'CONTOSO', userSid: `S-1-5-21-${digits(10)}-${digits(9)}-${digits(10)}-${int(1000, 9999)}`, aadUserId: randomGuid(hex), userPrincipalName: `${user}@contoso.com` };
      case 'Ip':
        return { ...base, ipAddress: `${int(20, 200)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}` };
      case 'Url':
        return { ...base, url: `https://${pick(['login-contoso', 'secure-docs', 'm1crosoft'])}.example/${hex(8)}` };
      case 'MailBox':
        return { ...base, mailboxDisplayName: user, mailboxAddress: `${user}@contoso.com`, userPrincipalName: `${user}@contoso.com` };
      default:
        return { ...base, registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', registryValueType: 'String', registryValue: 'C:\\Users\\Public\\payload.exe', deviceId };
    }
  };

  const device = (): LegacyDeviceWire => ({
    mdatpDeviceId: hex(40),
    aadDeviceId: random() < 0.5 ? null : randomGuid(hex),
    deviceDnsName: `${pick(['ws', 'srv', 'lt'])}-${hex(4)}.corp.contoso.com`,
    osPlatform: pick(['Windows10', 'Windows11', 'WindowsServer2016', 'WindowsServer2019']),
    version: pick(['1607', '1909', '21H2', '22H2']),
    osProcessor: 'x64',
    osBuild: pick([14393, 17763, 19045, 22621]),
    healthStatus: 'Active',
    riskScore: pick(['None', 'Informational', 'Low', 'Medium', 'High']),
    rbacGroupName: pick(['WDATP-Ring0', 'Servers', 'Workstations']),
    rbacGroupId: int(1, 20),
    firstSeen: time(anchor - int(100, 900) * 86_400_000),
    tags: random() < 0.7 ? [] : ['VIP'],
    defenderAvStatus: pick(['Updated', 'NotUpdated']),
    onboardingStatus: 'Onboarded',
    vmMetadata: null,
  });

  const incidents: LegacyIncidentWire[] = [];
  for (let i = 0; i < count; i++) {
    const incidentId = 100_000 + i * 3 + int(0, 2);
    const createdMs = created[i] ?? anchor;
    const createdTime = time(createdMs);
    const updatedMs = createdMs + 1_000 + int(0, 72) * 3_600_000 + int(0, 59_999);
    const roll = random();
    const status = roll < 0.45 ? 'Active' : roll < 0.65 ? 'InProgress' : roll < 0.93 || i === 0 ? 'Resolved' : 'Redirected';
    const resolved = status === 'Resolved';
    const scenario = pick(SCENARIOS);
    const severity = pick(['UnSpecified', 'Informational', 'Low', 'Low', 'Medium', 'Medium', 'High']);
    const assignedTo = status === 'Active' && random() < 0.6 ? null : pick(['secop1@contoso.com', 'secop2@contoso.com', "o'brien@contoso.com", 'Automation']);
    const classification = resolved ? pick(['TruePositive', 'FalsePositive', 'InformationalExpectedActivity']) : 'Unknown';
    const determination =
      classification === 'TruePositive' ? pick(['Malware', 'MultiStagedAttack', 'Phishing'])
      : classification === 'FalsePositive' ? pick(['Clean', 'NoEnoughDataToValidate'])
      : classification === 'InformationalExpectedActivity' ? 'SecurityTesting' : 'NotAvailable';
    const devices = Array.from({ length: int(0, 2) }, device);
    const alerts: LegacyAlertWire[] = Array.from({ length: int(1, 3) }, (_, a) => {
      const alertCreated = createdMs - int(0, 600_000);
      const firstActivity = alertCreated - int(60_000, 3_600_000);
      const deviceId = devices[0]?.mdatpDeviceId ?? null;
      return {
        alertId: a % 2 === 0 ? `da${digits(18)}_${digits(9)}` : `ca${hex(8).toUpperCase()}-${hex(4).toUpperCase()}-${hex(4).toUpperCase()}`,
        incidentId,
        serviceSource: scenario.source,
        creationTime: time(alertCreated),
        lastUpdatedTime: time(Math.max(alertCreated, updatedMs - int(0, 60_000))),
        resolvedTime: resolved ? time(updatedMs) : null,
        firstActivity: time(firstActivity),
        lastActivity: time(firstActivity + int(0, 600_000)),
        title: scenario.name,
        description: `${scenario.name}. Review the affected assets and the evidence.`,
        category: scenario.category,
        status: resolved ? 'Resolved' : pick(['New', 'InProgress']),
        severity: severity === 'UnSpecified' ? 'Informational' : severity,
        investigationId: random() < 0.5 ? null : int(1, 9999),
        investigationState: pick(['UnsupportedOs', 'Running', 'SuccessfullyRemediated', 'Benign', 'Queued']),
        classification: resolved ? classification : null,
        determination: resolved ? determination : null,
        detectionSource: scenario.detection,
        detectorId: randomGuid(hex),
        assignedTo: random() < 0.3 ? 'Automation' : null,
        actorName: null,
        threatFamilyName: scenario.family,
        mitreTechniques: random() < 0.2 ? [] : [scenario.technique],
        devices: a === 0 ? devices : [],
        entities: Array.from({ length: int(1, 3) }, () => entity(pick(['File', 'Process', 'User', 'Ip', 'Url', 'MailBox', 'Registry']), deviceId)),
      };
    });
    const lastUpdateTime = i % 5 === 4
      ? new Date(updatedMs).toISOString().replace(/\.(\d{2})\dZ$/, '.$1Z') // the service trims trailing digits sometimes (".81Z")
      : time(updatedMs);
    incidents.push({
      incidentId,
      redirectIncidentId: status === 'Redirected' ? (incidents[int(0, i - 1)]?.incidentId ?? null) : null,
      incidentName: devices.length > 0 ? `${scenario.name} on ${devices.length} endpoint${devices.length > 1 ? 's' : ''}` : scenario.name,
      createdTime,
      lastUpdateTime,
      assignedTo,
      classification,
      determination,
      status,
      severity,
      tags: random() < 0.7 ? [] : [pick(['pen-test', 'VIP', 'phishing-campaign'])],
      comments: random() < 0.6 ? [] : [{ comment: 'Investigating', createdBy: 'secop1@contoso.com', createdTime: time(updatedMs) }],
      alerts,
    });
  }
  return incidents;
}

function randomGuid(hex: (length: number) => string): string {
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}
