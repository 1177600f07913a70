/*
 * The fake tenant's incidents: legacy-shaped (reference §2.4), relative to a given `now`, drawn from
 * the shared directory so that devices and accounts match the hunting tables.
 */
import type { LegacyAlertWire, LegacyCommentWire, LegacyDeviceWire, LegacyEntityWire, LegacyIncidentWire } from '../tenant/legacy-wire.js';
import { ANALYSTS, HUNTING_SERVICE_SOURCE, MALICIOUS_DOMAINS, NETBIOS_DOMAIN, nullEntity, SCENARIOS, type AlertScenario, type EvidenceKind } from './catalog.js';
import { createDirectory, type DirectoryDevice, type DirectoryUser } from './directory.js';
import { addGraphOnlyFields } from './graph-only.js';
import { deriveSeed, formatTime, prng, randomTools, type RandomTools } from './random.js';

/** Options of {@link generateIncidents}. */
export interface GenerateIncidentsOptions {
  /** The same seed (and `now`) gives the same incidents. */
  seed: number;
  /** How many incidents. */
  count: number;
  /** The tenant's present: incidents are created over the 30 days before it. */
  now: Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SEVERITY_RANK = ['Informational', 'Low', 'Medium', 'High'] as const;
const TAGS = ['pen-test', 'VIP', 'phishing-campaign', 'Ransomware', 'Credential Phish', 'needs-review'] as const;
const COMMENTS = [
  'Investigating',
  'Isolated the device pending review.',
  'User confirmed they did not sign in from this location; password reset.',
  'Related to the red-team exercise scheduled this week.',
  'Mail purged from all mailboxes.',
  'Escalated to tier 2.',
  'No further activity observed after remediation.',
] as const;
const DETERMINATIONS: Readonly<Record<string, readonly string[]>> = {
  TruePositive: ['Malware', 'MultiStagedAttack', 'Phishing', 'CompromisedAccount', 'MaliciousUserActivity', 'UnwantedSoftware'],
  FalsePositive: ['Clean', 'NoEnoughDataToValidate', 'Other'],
  InformationalExpectedActivity: ['SecurityTesting', 'LineOfBusinessApplication', 'ConfirmedActivity'],
};

/** Human names of the alert categories, as incident names print them. */
const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  InitialAccess: 'Initial access', Execution: 'Execution', Persistence: 'Persistence', PrivilegeEscalation: 'Privilege escalation',
  DefenseEvasion: 'Defense evasion', CredentialAccess: 'Credential access', CommandAndControl: 'Command and control',
  Impact: 'Impact', Malware: 'Malware',
};

/**
 * Deterministic, realistic legacy incidents relative to `now`: ids ascending with `createdTime`
 * (spread over the last 30 days; the API's newest-first order is descending id), some updated in
 * the last hour or day, every status (classification and determination consistent with it, a
 * `Redirected` one pointing at an older incident), severities that are the highest of their
 * alerts', tags, comments, owners, and 1–5 alerts with devices and the evidence their detection
 * carries (users, IPs, URLs, files, processes, mailboxes, mail messages and clusters, registry
 * values, security groups). Devices and accounts come from the same directory as
 * {@link generateHuntingTables} for the same seed. The fields only Microsoft Graph has (priority
 * score, description, recommended actions, detailed roles, analyzed-message details…) are extra
 * keys, which the fake Graph renders and the fake Defender API leaves out (`graph-only.ts`).
 */
export function generateIncidents({ seed, count, now }: GenerateIncidentsOptions): LegacyIncidentWire[] {
  const nowMs = now.getTime();
  const directory = createDirectory(seed, nowMs);
  const people = directory.users.filter((user) => !user.service);
  const tools = randomTools(prng(deriveSeed(seed, 'incidents')));
  const { random, pick, int } = tools;
  const time = (ms: number): string => formatTime(Math.floor(ms), int(1, 9999));

  const created = new Float64Array(count);
  for (let i = 0; i < count; i++) created[i] = nowMs - 5 * MINUTE - random() * (30 * DAY - 5 * MINUTE);
  created.sort();

  const incidents: LegacyIncidentWire[] = [];
  let incidentId = 10_000 + int(0, 9_999);
  for (let i = 0; i < count; i++) {
    incidentId += int(1, 3);
    const createdMs = Math.floor(created[i] ?? nowMs);
    const updatedMs = pickUpdated(tools, createdMs, nowMs);
    const roll = random();
    const status = roll < 0.4 ? 'Active' : roll < 0.6 ? 'InProgress' : roll < 0.95 || i === 0 ? 'Resolved' : 'Redirected';
    const resolved = status === 'Resolved';

    let classification = 'Unknown';
    let determination = 'NotAvailable';
    if (resolved || (status === 'InProgress' && random() < 0.25)) {
      const c = random();
      classification = c < 0.45 ? 'TruePositive' : c < 0.75 ? 'FalsePositive' : 'InformationalExpectedActivity';
      determination = pick(DETERMINATIONS[classification] ?? ['Other']);
    }
    const assignedTo = status === 'Active' && random() < 0.6 ? null : random() < 0.15 ? 'Automation' : pick(ANALYSTS);

    const primary = pick(SCENARIOS);
    const alertCount = weighted(random(), [0.4, 0.25, 0.18, 0.1, 0.07]) + 1;
    const scenarios: AlertScenario[] = [primary];
    while (scenarios.length < alertCount) {
      // the same detection firing again is the commonest second alert
      const candidate = random() < 0.4 ? primary : pick(SCENARIOS);
      if (candidate.onDevice === primary.onDevice || random() < 0.3) scenarios.push(candidate);
    }
    const anyOnDevice = scenarios.some((s) => s.onDevice);
    const devices = anyOnDevice ? distinct(tools, directory.devices, weighted(random(), [0.7, 0.2, 0.1]) + 1) : [];
    const users = distinct(tools, people, random() < 0.8 ? 1 : 2);

    const alerts: LegacyAlertWire[] = scenarios.map((scenario, a) => {
      const alertCreated = a === 0 ? createdMs : createdMs + int(0, Math.max(0, Math.min(updatedMs - createdMs, 6 * HOUR)));
      const firstActivity = alertCreated - int(MINUTE, HOUR);
      const bump = random();
      const rank = SEVERITY_RANK.indexOf(scenario.severity) + (bump < 0.25 ? -1 : bump > 0.95 ? 1 : 0);
      const alertDevices = scenario.onDevice ? (a === 0 ? devices : devices.slice(0, 1)) : [];
      const user = users[a % users.length] as DirectoryUser;
      const device = alertDevices[0] ?? null;
      return {
        alertId: alertId(tools, scenario),
        incidentId,
        serviceSource: scenario.source,
        creationTime: time(alertCreated),
        lastUpdatedTime: time(Math.max(alertCreated, updatedMs - int(0, MINUTE))),
        resolvedTime: resolved ? time(updatedMs) : null,
        firstActivity: time(firstActivity),
        lastActivity: time(firstActivity + int(0, Math.min(10 * MINUTE, alertCreated - firstActivity))),
        title: scenario.name,
        description: `${scenario.name}. Review the affected assets and the evidence.`,
        category: scenario.category,
        status: resolved ? 'Resolved' : status === 'InProgress' ? pick(['InProgress', 'InProgress', 'New']) : pick(['New', 'New', 'InProgress']),
        severity: SEVERITY_RANK[Math.max(0, Math.min(3, rank))] as string,
        investigationId: scenario.onDevice && random() < 0.6 ? int(1, 99_999) : null,
        investigationState: !scenario.onDevice ? 'UnsupportedAlertType' : resolved ? pick(['SuccessfullyRemediated', 'Benign', 'TerminatedByUser']) : pick(['Running', 'PendingApproval', 'Queued', 'PartiallyInvestigated']),
        classification: resolved || classification !== 'Unknown' ? classification : null,
        determination: resolved || classification !== 'Unknown' ? determination : null,
        detectionSource: scenario.detection,
        detectorId: scenario.detectorId,
        assignedTo: random() < 0.3 ? 'Automation' : assignedTo === 'Automation' ? null : assignedTo,
        actorName: scenario.family === 'CobaltStrike' && random() < 0.5 ? 'Storm-0539' : null,
        threatFamilyName: scenario.family,
        mitreTechniques: random() < 0.15 ? [] : [scenario.technique],
        devices: alertDevices.map((d) => deviceWire(tools, d, scenario.severity, time)),
        entities: scenario.evidence.map((kind) => evidence(tools, kind, { scenario, user, device, alertMs: alertCreated, time })),
      };
    });

    const severity = alerts.reduce((max, alert) => (SEVERITY_RANK.indexOf(alert.severity as 'Low') > SEVERITY_RANK.indexOf(max as 'Low') ? alert.severity : max), 'Informational' as string);
    const commentCount = resolved ? weighted(random(), [0.3, 0.4, 0.2, 0.1]) : status === 'InProgress' ? weighted(random(), [0.4, 0.4, 0.2]) : random() < 0.8 ? 0 : 1;
    const comments: LegacyCommentWire[] = [];
    let commentMs = createdMs;
    for (let c = 0; c < commentCount; c++) {
      commentMs += Math.floor((updatedMs - commentMs) * (c === commentCount - 1 ? 1 : random()));
      comments.push({ comment: pick(COMMENTS), createdBy: assignedTo && assignedTo !== 'Automation' ? assignedTo : pick(ANALYSTS), createdTime: time(commentMs) });
    }
    const lastUpdateTime = random() < 0.2
      ? new Date(updatedMs).toISOString().replace(/\.(\d{2})\dZ$/, '.$1Z') // the service trims trailing digits sometimes (".81Z")
      : time(updatedMs);
    incidents.push({
      incidentId,
      redirectIncidentId: status === 'Redirected' ? (incidents[int(0, i - 1)]?.incidentId ?? null) : null,
      incidentName: incidentName(scenarios, devices.length, users.length),
      createdTime: time(createdMs),
      lastUpdateTime,
      assignedTo,
      classification,
      determination,
      status,
      severity: random() < 0.03 ? 'UnSpecified' : severity,
      tags: random() < 0.65 ? [] : distinct(tools, TAGS, random() < 0.8 ? 1 : 2),
      comments,
      alerts,
    });
  }
  addGraphOnlyFields(incidents, seed);
  return incidents;
}

/** When an incident was last updated: a quarter in the last day (some in the last hour), the rest within 3 days of creation. */
function pickUpdated({ random, int }: RandomTools, createdMs: number, nowMs: number): number {
  const roll = random();
  const latest = nowMs - 1_000;
  let updated: number;
  if (roll < 0.1) updated = nowMs - int(1_000, HOUR);
  else if (roll < 0.25) updated = nowMs - int(HOUR, DAY);
  else updated = createdMs + int(1_000, 72 * HOUR);
  return Math.min(latest, Math.max(createdMs + 1_000, updated));
}

/** An index drawn with the given probabilities (the last one takes the remainder). */
function weighted(roll: number, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] ?? 0;
    if (roll < sum) return i;
  }
  return weights.length - 1;
}

/** Up to `n` different items. */
function distinct<T>({ pick }: RandomTools, items: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (let tries = 0; out.length < Math.min(n, items.length) && tries < 20; tries++) {
    const item = pick(items);
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

function alertId({ hex, digits, guid }: RandomTools, scenario: AlertScenario): string {
  switch (scenario.idPrefix) {
    case 'da':
      return `da${digits(18)}_${digits(10)}`;
    case 'ca':
      return `ca${hex(8).toUpperCase()}-${hex(4).toUpperCase()}-${hex(4).toUpperCase()}-${hex(4).toUpperCase()}-${hex(12).toUpperCase()}`;
    default:
      return `${scenario.idPrefix}${guid()}`;
  }
}

function incidentName(scenarios: readonly AlertScenario[], deviceCount: number, userCount: number): string {
  const where = deviceCount === 0
    ? userCount === 1 ? ' involving one user' : ` involving ${userCount} users`
    : deviceCount === 1 ? ' on one endpoint' : ` on ${deviceCount} endpoints`;
  const categories = [...new Set(scenarios.map((s) => CATEGORY_NAMES[s.category] ?? s.category))];
  if (categories.length > 1) {
    const sources = new Set(scenarios.map((s) => HUNTING_SERVICE_SOURCE[s.source] ?? s.source)).size;
    return `Multi-stage incident involving ${categories.slice(0, 2).join(' & ')}${where}${sources > 1 ? ' reported by multiple sources' : ''}`;
  }
  return `${(scenarios[0] as AlertScenario).name}${where}`;
}

function deviceWire({ random, pick }: RandomTools, device: DirectoryDevice, severity: string, time: (ms: number) => string): LegacyDeviceWire {
  return {
    mdatpDeviceId: device.deviceId,
    aadDeviceId: device.aadDeviceId,
    deviceDnsName: device.deviceName,
    osPlatform: device.osPlatform,
    version: device.version,
    osProcessor: 'x64',
    osBuild: device.osBuild,
    healthStatus: random() < 0.9 ? 'Active' : 'Inactive',
    riskScore: severity === 'Informational' ? 'Informational' : severity,
    rbacGroupName: device.rbacGroupName,
    rbacGroupId: device.rbacGroupId,
    firstSeen: time(device.firstSeenMs),
    tags: device.tags,
    defenderAvStatus: random() < 0.85 ? 'Updated' : pick(['NotUpdated', 'Disabled']),
    onboardingStatus: 'Onboarded',
    vmMetadata: device.server && device.aadDeviceId === null && random() < 0.5
      ? { vmId: `${device.deviceId.slice(0, 8)}-${device.deviceId.slice(8, 12)}-4${device.deviceId.slice(12, 15)}-a${device.deviceId.slice(15, 18)}-${device.deviceId.slice(18, 30)}`, cloudProvider: 'Azure', resourceId: `/subscriptions/6a1f2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b/resourceGroups/prod/providers/Microsoft.Compute/virtualMachines/${device.deviceName.split('.')[0]}`, subscriptionId: '6a1f2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' }
      : null,
  };
}

interface EvidenceContext {
  scenario: AlertScenario;
  user: DirectoryUser;
  device: DirectoryDevice | null;
  alertMs: number;
  time: (ms: number) => string;
}

const FILES_BY_FAMILY: Readonly<Record<string, string>> = { Mimikatz: 'mimikatz.exe', Lockbit: 'lb3.exe', Qakbot: 'Invoice_20931.zip', CobaltStrike: 'beacon.dll' };
const COMMAND_LINES: Readonly<Record<string, [string, string, string]>> = {
  // technique → [process file name, folder, command line]
  'T1003.001': ['mimikatz.exe', 'C:\\Users\\Public\\Downloads', 'mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit'],
  'T1059.001': ['powershell.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', 'powershell.exe -NoP -W Hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA='],
  T1486: ['lb3.exe', 'C:\\ProgramData', 'lb3.exe -pass 4d7a1c -path C:\\Shares'],
  'T1564.001': ['attrib.exe', 'C:\\Windows\\System32', 'attrib.exe +h +s C:\\Users\\Public\\Documents\\keys.kdbx'],
  'T1053.005': ['schtasks.exe', 'C:\\Windows\\System32', 'schtasks.exe /create /tn "OneDrive Update" /tr C:\\ProgramData\\upd.exe /sc onlogon /ru SYSTEM'],
  'T1071.001': ['rundll32.exe', 'C:\\Windows\\System32', 'rundll32.exe C:\\Users\\Public\\beacon.dll,StartW'],
};

function evidence(tools: RandomTools, kind: EvidenceKind, { scenario, user, device, alertMs, time }: EvidenceContext): LegacyEntityWire {
  const { random, pick, int, hex, guid } = tools;
  const entity = nullEntity(kind);
  const deviceId = device?.deviceId ?? null;
  switch (kind) {
    case 'File':
      return { ...entity, sha1: hex(40), sha256: hex(64), fileName: (scenario.family && FILES_BY_FAMILY[scenario.family]) ?? pick(['invoice.docm', 'payload.dll', 'update.exe', 'setup.msi']), filePath: random() < 0.5 ? `C:\\Users\\${user.accountName}\\Downloads` : 'C:\\Users\\Public\\Downloads', deviceId };
    case 'Process': {
      const [fileName, filePath, commandLine] = COMMAND_LINES[scenario.technique] ?? ['powershell.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', 'powershell.exe -ExecutionPolicy Bypass -File C:\\Users\\Public\\run.ps1'];
      const startedMs = alertMs - int(MINUTE, 30 * MINUTE);
      return {
        ...entity,
        sha1: hex(40), sha256: hex(64), fileName, filePath,
        processId: int(1_000, 30_000), processCommandLine: commandLine, processCreationTime: time(startedMs),
        parentProcessId: int(500, 999), parentProcessCreationTime: time(startedMs - int(MINUTE, DAY)),
        accountName: user.accountName, domainName: NETBIOS_DOMAIN, userSid: user.sid, deviceId,
      };
    }
    case 'User':
      return { ...entity, accountName: user.accountName, domainName: NETBIOS_DOMAIN, userSid: user.sid, aadUserId: user.objectId, userPrincipalName: user.upn };
    case 'Ip':
      return { ...entity, ipAddress: `${pick([45, 91, 103, 185, 194, 203])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}` };
    case 'Url':
      return { ...entity, url: `https://${pick(MALICIOUS_DOMAINS)}/${hex(8)}` };
    case 'MailBox':
      return { ...entity, mailboxDisplayName: user.displayName, mailboxAddress: user.upn, userPrincipalName: user.upn, aadUserId: user.objectId };
    case 'MailMessage':
      return {
        ...entity,
        sender: `${pick(['billing', 'hr-notice', 'it-support', 'no-reply'])}@${pick(MALICIOUS_DOMAINS)}`,
        recipient: user.upn,
        subject: pick(['Action required: password expires today', 'Invoice #20931 overdue', 'Shared document: Q3 bonus plan', 'Voicemail received (0:42)']),
        deliveryAction: scenario.technique === 'T1566.002' ? 'Delivered' : pick(['Delivered', 'Junked', 'Blocked', 'Replaced']),
      };
    case 'MailCluster':
      return { ...entity, clusterBy: 'Subject;P2SenderDomain;ContentType' };
    case 'Registry':
      return { ...entity, registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', registryValueType: 'String', registryValue: `C:\\ProgramData\\${pick(['upd', 'svchost32', 'onedrive-sync'])}.exe`, deviceId };
    case 'SecurityGroup':
      return { ...entity, securityGroupId: guid(), securityGroupName: pick(['Domain Admins', 'Enterprise Admins', 'Exchange Organization Administrators']) };
  }
}
