/*
 * Deterministic legacy-shaped incidents for tests and the fake tenant (moved from test/support).
 */
import type { LegacyAlertWire, LegacyDeviceWire, LegacyEntityWire, LegacyIncidentWire } from '../tenant/legacy-wire.js';
import { nullEntity, SCENARIOS } from './catalog.js';
import { formatTime, prng, randomTools } from './random.js';

export { formatTime, prng } from './random.js';

// The original six scenarios, in their original order: seedIncidents' output depends on it.
const SEED_SCENARIOS = SCENARIOS.slice(0, 6);

/**
 * Deterministic, realistic legacy incidents: ids ascending with `createdTime` (so the API's
 * newest-first order is descending id), mixed statuses and severities, 7-digit fractional
 * timestamps (every fifth `lastUpdateTime` trimmed like `.81Z`), comments, and 1–3 alerts
 * with devices and all-null-key entities. A `Redirected` incident points at an older one.
 */
export function seedIncidents(count: number, seed = 1): LegacyIncidentWire[] {
  const { random, pick, int, hex, digits, guid } = randomTools(prng(seed));
  const time = (ms: number) => formatTime(ms, int(1, 9999));

  const anchor = Date.UTC(2026, 0, 15, 12, 0, 0);
  const created: number[] = [];
  let t = anchor;
  for (let i = count - 1; i >= 0; i--) {
    created[i] = t;
    t -= int(20, 240) * 60_000 + int(0, 59_999);
  }

  const entity = (type: string, deviceId: string | null): LegacyEntityWire => {
    const base = nullEntity(type);
    const user = pick(['jdoe', 'asmith', 'mlee', 'svc-backup']);
    switch (type) {
      case 'File':
        return { ...base, sha1: hex(40), sha256: hex(64), fileName: pick(['mimikatz.exe', 'invoice.docm', 'payload.dll']), filePath: 'C:\\Users\\Public\\Downloads', deviceId };
      case 'Process':
        return { ...base, processId: int(1000, 30000), processCommandLine: 'powershell.exe -enc SQBFAFgA', processCreationTime: time(anchor - int(1, 40) * 86_400_000), parentProcessId: int(500, 999), sha1: hex(40), fileName: 'powershell.exe', filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', deviceId };
      case 'User':
        return { ...base, accountName: user, domainName: 'CONTOSO', userSid: `S-1-5-21-${digits(10)}-${digits(9)}-${digits(10)}-${int(1000, 9999)}`, aadUserId: guid(), userPrincipalName: `${user}@contoso.com` };
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
    aadDeviceId: random() < 0.5 ? null : guid(),
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
    const scenario = pick(SEED_SCENARIOS);
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
        detectorId: guid(),
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
