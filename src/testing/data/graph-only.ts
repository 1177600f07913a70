/*
 * What Microsoft Graph carries beyond the legacy Defender API, added to generated incidents: the
 * incident's priority score, description, summary and system tags, the alert's recommended actions
 * and policy, the evidence's detailed roles, remediation details, a device's IP interfaces and
 * signed-in users, and the fields of an analyzed message. They sit as extra keys of the stored
 * incidents, which Graph renders and the Defender API leaves out (`legacyView`), as the services do.
 * Drawn from a sequence of their own, so that adding them changed nothing else the generator makes.
 */
import type { LegacyAlertWire, LegacyDeviceWire, LegacyEntityWire, LegacyIncidentWire } from '../tenant/legacy-wire.js';
import { NETBIOS_DOMAIN } from './catalog.js';
import { deriveSeed, prng, randomTools, type RandomTools } from './random.js';

const SEVERITY_SCORES: Readonly<Record<string, readonly [number, number]>> = {
  High: [70, 100],
  Medium: [40, 85],
  Low: [15, 55],
  Informational: [0, 25],
  UnSpecified: [0, 40],
};

const RESOLVING_COMMENTS = [
  'Remediated: the device was isolated and reimaged.',
  'False positive: expected administrative activity.',
  'Closed after the user confirmed the sign-in.',
  'Mail purged; sender blocked at the gateway.',
] as const;

/** What to do, by alert category (a MITRE tactic name). */
const RECOMMENDED_ACTIONS: Readonly<Record<string, string>> = {
  Malware: 'Contain the device, run a full antivirus scan and check the file\'s prevalence in the organization.',
  Execution: 'Review the command line and its parent process; isolate the device if the activity was not expected.',
  InitialAccess: 'Confirm the sign-in or the delivery with the user; reset the credentials and purge the messages if it was not them.',
  Impact: 'Isolate the affected devices now, then restore the encrypted files from backup.',
  DefenseEvasion: 'Review what the process changed and restore the original settings.',
  CredentialAccess: 'Reset the affected accounts\' passwords and require multifactor authentication.',
  PrivilegeEscalation: 'Remove the unexpected group memberships and review who made the change.',
  Persistence: 'Remove the scheduled task or registry value and scan the device.',
  CommandAndControl: 'Block the remote address and isolate the device.',
};

/** Products whose alerts come from a policy (built-in or the customer's). */
const POLICY_SOURCES = new Set(['OfficeATP', 'MicrosoftCloudAppSecurity', 'AzureAdIdentityProtection']);

/** Adds the Graph-only fields to generated incidents, in place; `seed` is the generator's. */
export function addGraphOnlyFields(incidents: LegacyIncidentWire[], seed: number): void {
  const tools = randomTools(prng(deriveSeed(seed, 'graph-only')));
  for (const incident of incidents) addToIncident(tools, incident);
}

function addToIncident(tools: RandomTools, incident: LegacyIncidentWire): void {
  const { random, pick, int } = tools;
  const [low, high] = SEVERITY_SCORES[incident.severity] ?? [0, 100];
  // Microsoft computes no score for a merged incident, and not yet for some new ones
  incident['priorityScore'] = incident.status === 'Redirected' || random() < 0.1 ? null : int(low, high);
  incident['systemTags'] = random() < 0.08 ? ['Defender Experts'] : [];
  const products = new Set(incident.alerts.map((alert) => alert.serviceSource)).size;
  incident['description'] = random() < 0.5
    ? `${incident.incidentName}: ${incident.alerts.length} alert${incident.alerts.length > 1 ? 's' : ''} from ${products} product${products > 1 ? 's' : ''}.`
    : null;
  incident['summary'] = incident.status !== 'Active' && random() < 0.4
    ? `It began with "${incident.alerts[0]?.title ?? incident.incidentName}" and was ${incident.status === 'Resolved' ? 'resolved' : 'taken up by an analyst'}.`
    : null;
  incident['resolvingComment'] = incident.status === 'Resolved' ? pick(RESOLVING_COMMENTS) : null;
  incident['lastModifiedBy'] = incident.assignedTo ?? incident.comments.at(-1)?.createdBy ?? null;
  for (const alert of incident.alerts) addToAlert(tools, alert);
}

function addToAlert(tools: RandomTools, alert: LegacyAlertWire): void {
  const { random, guid } = tools;
  alert['recommendedActions'] = RECOMMENDED_ACTIONS[alert.category] ?? 'Review the alert and the affected assets.';
  const policy = POLICY_SOURCES.has(alert.serviceSource);
  alert['alertPolicyId'] = policy ? guid() : null;
  alert['additionalData'] = policy ? { PolicyName: alert.title, MatchCount: 1 + Math.floor(random() * 20) } : {};
  alert['systemTags'] = random() < 0.05 ? ['Defender Experts'] : [];
  const remediated = alert.investigationState === 'SuccessfullyRemediated';
  const users = alert.entities.filter((entity) => entity['accountName'] != null);
  alert.devices.forEach((device, index) => addToDevice(tools, device, index === 0, users));
  for (const entity of alert.entities) addToEntity(tools, entity, alert, remediated);
}

function addToDevice(tools: RandomTools, device: LegacyDeviceWire, main: boolean, users: LegacyEntityWire[]): void {
  const { int, hex } = tools;
  device['detailedRoles'] = main ? ['Main device'] : [];
  device['remediationStatusDetails'] = null;
  device['ipInterfaces'] = [`10.${int(0, 3)}.${int(0, 255)}.${int(2, 254)}`, `fe80::${hex(4)}:${hex(4)}`];
  device['loggedOnUsers'] = users.slice(0, 1).map((user) => ({ accountName: user['accountName'], domainName: user['domainName'] ?? NETBIOS_DOMAIN }));
}

function addToEntity(tools: RandomTools, entity: LegacyEntityWire, alert: LegacyAlertWire, remediated: boolean): void {
  const { int, hex, pick } = tools;
  const kind = entity.entityType;
  entity['detailedRoles'] = kind === 'User' && alert.category === 'CredentialAccess' ? ['Compromised account'] : [];
  entity['remediationStatusDetails'] = remediated && kind === 'File' ? 'Quarantined' : remediated && kind === 'Process' ? 'Process terminated' : null;
  if (kind !== 'MailMessage') return;
  const sender = typeof entity['sender'] === 'string' ? entity['sender'] : null;
  const urls = alert.entities.filter((other) => other.entityType === 'Url' && typeof other['url'] === 'string').map((other) => other['url'] as string);
  const attachments = alert.entities.some((other) => other.entityType === 'File') ? 1 : 0;
  // the recipient's UPN is a legacy key of the flat entity, left null by the generator until now
  entity['userPrincipalName'] = entity['recipient'] ?? null;
  entity['p2Sender'] = sender === null ? null : { emailAddress: sender, displayName: pick(['Billing Department', 'IT Support', 'HR Notice', 'No Reply']), domainName: sender.split('@')[1] ?? null };
  entity['senderIp'] = `${pick(['203.0.113', '198.51.100', '192.0.2'])}.${int(1, 254)}`;
  entity['receivedDateTime'] = new Date(Date.parse(alert.creationTime) - int(60_000, 1_800_000)).toISOString();
  entity['urls'] = urls;
  entity['urlCount'] = urls.length;
  entity['attachmentsCount'] = attachments;
  entity['threats'] = [alert.threatFamilyName ?? 'Phish'];
  entity['threatDetectionMethods'] = urls.length > 0 ? ['URL detonation reputation'] : attachments > 0 ? ['File detonation'] : ['Spoof external domain'];
  entity['language'] = 'en';
  entity['antiSpamDirection'] = 'inbound';
  entity['urn'] = `urn:MailEntity:${hex(32)}`;
}
