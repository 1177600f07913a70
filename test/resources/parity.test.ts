/*
 * Parity: one set of public-API behaviours, run once per wire API, against the fake tenant's
 * Defender API and Graph serving the same incident store. Where a test needs an oracle it asks the *other*
 * API, so every field both APIs carry must come out equal in the public model.
 */
import { describe, expect, it } from 'vitest';
import {
  DefenderClient,
  NotFoundError,
  PermissionError,
  RateLimitError,
  type Alert,
  type Evidence,
  type Incident,
  type IncidentListOptions,
  type Page,
} from '../../src/index.js';
import { nullEntity } from '../../src/testing/data/catalog.js';
import { generateIncidents } from '../../src/testing/data/incidents.js';
import type { LegacyAlertWire, LegacyDeviceWire, LegacyEntityWire, LegacyIncidentWire } from '../../src/testing/index.js';
import { TENANT_ID, fakeTenant, queryParam, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();
type Api = 'defender' | 'graph';
const other = (api: Api): Api => (api === 'graph' ? 'defender' : 'graph');

// Within Graph's default 30-day window, in Kusto's 7-digit form (what both services send).
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
const huntingTables = {
  DeviceProcessEvents: [
    { Timestamp: hoursAgo(3), DeviceName: 'pc-01', FileName: 'powershell.exe', ProcessId: 4120 },
    { Timestamp: hoursAgo(2), DeviceName: 'pc-02', FileName: 'cmd.exe', ProcessId: 88 },
    { Timestamp: hoursAgo(1), DeviceName: 'pc-01', FileName: 'cmd.exe', ProcessId: 90 },
  ],
};

/** The fake tenant (both APIs over one store), and a client per API with the same credential. */
function tenant(count: number | LegacyIncidentWire[] = 60, roles?: string[]) {
  const fake = fakeTenant(server, { incidents: count, huntingTables, ...(roles ? { roles } : {}) });
  const clientFor = (api: Api) =>
    new DefenderClient({ credential: fake.credential, api, maxRetryWaitMs: 10_000, silenceDeprecationWarnings: true });
  const requestsOf = (api: Api) => requestsTo(fake.tenant, api);
  return { ...fake, clientFor, requestsOf };
}

/** The fields of evidence both APIs carry (Graph-only ones are null/empty on the Defender API). */
function evidenceView(evidence: Evidence) {
  switch (evidence.type) {
    case 'device':
      return { type: evidence.type, mdeDeviceId: evidence.mdeDeviceId, deviceDnsName: evidence.deviceDnsName, osPlatform: evidence.osPlatform };
    case 'file':
      return { type: evidence.type, sha1: evidence.fileDetails.sha1, sha256: evidence.fileDetails.sha256, fileName: evidence.fileDetails.fileName };
    case 'user':
      return { type: evidence.type, accountName: evidence.userAccount.accountName, azureAdUserId: evidence.userAccount.azureAdUserId };
    case 'ip':
      return { type: evidence.type, ipAddress: evidence.ipAddress };
    case 'url':
      return { type: evidence.type, url: evidence.url };
    default:
      return { type: evidence.type };
  }
}

/** The alert fields only one API fills (each has its own test below). */
const ONE_API_ALERT_FIELDS = [
  'comments', 'webUrl', 'incidentWebUrl', 'providerAlertId', 'threatDisplayName', 'productName', 'recommendedActions',
  'systemTags', 'tenantId', 'alertPolicyId', 'additionalData', 'investigationId', 'investigationState',
] as const;

function alertView(alert: Alert) {
  const { raw: _raw, evidence, ...rest } = alert;
  for (const field of ONE_API_ALERT_FIELDS) delete (rest as Partial<typeof rest>)[field];
  return { ...rest, evidence: evidence.map(evidenceView).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
}

/** The incident fields only one API fills (each has its own test below). */
const ONE_API_INCIDENT_FIELDS = ['webUrl', 'systemTags', 'description', 'summary', 'resolvingComment', 'lastModifiedBy', 'tenantId', 'priorityScore'] as const;

/** The fields both APIs carry; `raw` and the one-API fields differ by design. */
function view(incident: Incident) {
  const { raw: _raw, alerts, ...rest } = incident;
  for (const field of ONE_API_INCIDENT_FIELDS) delete (rest as Partial<typeof rest>)[field];
  return { ...rest, alerts: alerts.map(alertView).sort((a, b) => a.id.localeCompare(b.id)) };
}

const byId = (incidents: Incident[]) => [...incidents].sort((a, b) => a.id.localeCompare(b.id)).map(view);

describe.each(['defender', 'graph'] as const)('parity on api: %s', (api) => {
  it('lists every incident with the same fields as the other API', async () => {
    const { clientFor } = tenant();
    const mine = await clientFor(api).incidents.list({ expandAlerts: true }).toArray();
    const theirs = await clientFor(other(api)).incidents.list({ expandAlerts: true }).toArray();
    expect(mine).toHaveLength(60);
    expect(mine.every((incident) => incident.alerts.length > 0)).toBe(true);
    expect(byId(mine)).toEqual(byId(theirs));
  });

  const since = new Date(Date.UTC(2026, 0, 14, 0, 0, 0));
  it.each<[string, IncidentListOptions, (incident: Incident) => boolean]>([
    ['status', { status: 'resolved' }, (i) => i.status === 'resolved'],
    ['severity', { severity: 'medium' }, (i) => i.severity === 'medium'],
    ['assignedTo', { assignedTo: "o'brien@contoso.com" }, (i) => i.assignedTo === "o'brien@contoso.com"],
    ['createdAfter', { createdAfter: since }, (i) => i.createdDateTime >= since],
    ['updatedAfter', { updatedAfter: since }, (i) => i.lastUpdateDateTime >= since],
    ['createdBefore', { createdBefore: since }, (i) => i.createdDateTime < since],
  ])('filters on %s like the other API', async (_name, options, holds) => {
    const { clientFor } = tenant();
    const mine = await clientFor(api).incidents.list(options).toArray();
    const all = await clientFor(api).incidents.list().toArray();
    const theirs = await clientFor(other(api)).incidents.list(options).toArray();
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(all.length);
    expect(mine.every(holds)).toBe(true);
    expect(mine.map((i) => i.id).sort()).toEqual(all.filter(holds).map((i) => i.id).sort());
    expect(byId(mine).map(({ alerts: _a, ...rest }) => rest)).toEqual(byId(theirs).map(({ alerts: _a, ...rest }) => rest));
  });

  it('pages across pages and resumes from a continuation token', async () => {
    const { clientFor, requestsOf } = tenant(23);
    const client = clientFor(api);
    const pages = client.incidents.list({ pageSize: 10 }).byPage();
    const first = (await pages.next()).value as Page<Incident>;
    expect(first.items).toHaveLength(10);
    expect(first.continuationToken).toEqual(expect.any(String));
    const rest: string[] = [];
    for await (const page of client.incidents.list({ pageSize: 10 }).byPage({ continuationToken: first.continuationToken! })) {
      rest.push(...page.items.map((incident) => incident.id));
    }
    expect(rest).toHaveLength(13);
    const everything = [...first.items.map((i) => i.id), ...rest];
    expect(new Set(everything).size).toBe(23);
    expect(requestsOf(api).every((request) => ['10', null].includes(queryParam(request, '$top')))).toBe(true);
  });

  it('gets one incident equal to the other API, and 404s on an unknown id', async () => {
    const { clientFor, tenant: fake } = tenant(5);
    const id = String([...fake.incidents.keys()][2]);
    const mine = await clientFor(api).incidents.get(id, { expandAlerts: true });
    const theirs = await clientFor(other(api)).incidents.get(id, { expandAlerts: true });
    expect(mine.id).toBe(id);
    expect(view(mine)).toEqual(view(theirs));
    const error = await clientFor(api).incidents.get('999999999').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(404);
  });

  it('updates an incident, and the other API sees the change', async () => {
    const { clientFor, tenant: fake } = tenant(5);
    const id = String([...fake.incidents.keys()][1]);
    const update = {
      status: 'resolved',
      classification: 'truePositive',
      determination: 'malware',
      assignedTo: 'secop@contoso.com',
      tags: ['pen-test', 'parity'],
      comment: `Contained via ${api}.`,
    } as const;
    const updated = await clientFor(api).incidents.update(id, update);
    const expected = { status: 'resolved', classification: 'truePositive', determination: 'malware', assignedTo: 'secop@contoso.com', tags: ['pen-test', 'parity'] };
    expect(updated).toMatchObject(expected);
    expect(updated.comments.at(-1)!.comment).toBe(`Contained via ${api}.`);
    const seen = await clientFor(other(api)).incidents.get(id);
    expect(seen).toMatchObject(expected);
    expect(seen.comments.at(-1)!.comment).toBe(`Contained via ${api}.`);
    expect(view(seen).lastUpdateDateTime).toEqual(updated.lastUpdateDateTime);
  });

  it('lists alerts with the same filters and fields as the other API', async () => {
    const { clientFor } = tenant(30);
    const options = { severity: 'high', status: 'resolved' } as const;
    const mine = await clientFor(api).alerts.list(options).toArray();
    const theirs = await clientFor(other(api)).alerts.list(options).toArray();
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((alert) => alert.severity === 'high' && alert.status === 'resolved')).toBe(true);
    const sorted = (alerts: Alert[]) => alerts.map(alertView).sort((a, b) => a.id.localeCompare(b.id));
    expect(sorted(mine)).toEqual(sorted(theirs));
  });

  it('runs a hunting query with the same schema and rows', async () => {
    const { clientFor } = tenant(1);
    const query = 'DeviceProcessEvents | where DeviceName == "pc-01"';
    const mine = await clientFor(api).advancedHunting.run(query);
    const theirs = await clientFor(other(api)).advancedHunting.run(query);
    expect(mine.rows).toHaveLength(2);
    expect(mine.rows.map((row) => row['FileName'])).toEqual(['powershell.exe', 'cmd.exe']);
    expect(mine.schema).toEqual(theirs.schema);
    expect(mine.rows).toEqual(theirs.rows);
  });

  it('names the permission of its own API on a 403', async () => {
    // roles of neither API: no cross-API advice, just the permission needed
    const { clientFor } = tenant(1, ['User.Read.All']);
    const error = await clientFor(api).incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const permission = error as PermissionError;
    expect(permission.requiredPermissions).toEqual(
      api === 'graph' ? ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'] : ['Incident.Read.All', 'Incident.ReadWrite.All'],
    );
    expect(permission.permissionApi).toBe(api === 'graph' ? 'Microsoft Graph' : 'Microsoft Threat Protection');
    expect(permission.grantedRoles).toEqual(['User.Read.All']);
  });

  it('waits out a 429 with Retry-After and succeeds; gives RateLimitError when it persists', async () => {
    const { clientFor, tenant: fake, requestsOf } = tenant(3);
    const throttled = { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } } };
    const inject = (...responses: (typeof throttled)[]) => fake.faults.add(`${api}.listIncidents`, ...responses);
    inject(throttled);
    const incidents = await clientFor(api).incidents.list().toArray();
    expect(incidents).toHaveLength(3);
    expect(requestsOf(api)).toHaveLength(2);
    inject(throttled, throttled, throttled, throttled);
    const error = await clientFor(api).incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).status).toBe(429);
  });

  /*
   * A test per alert field only one API fills: Graph-only ones come out on Graph and are null (or
   * []) on the Defender API, Defender-only ones the other way round. The store alert carries the
   * Graph-only values the kit renders (it renders what the store holds, as the service would).
   */
  const PORTAL = 'https://security.microsoft.com';
  const alertFields: [string, (stored: LegacyAlertWire) => void, (stored: LegacyAlertWire) => Record<Api, unknown>][] = [
    ['webUrl', () => {}, (a) => ({ graph: `${PORTAL}/alerts/${a.alertId}?tid=${TENANT_ID}`, defender: `${PORTAL}/alerts/${a.alertId}` })],
    ['incidentWebUrl', () => {}, (a) => ({ graph: `${PORTAL}/incidents/${a.incidentId}?tid=${TENANT_ID}`, defender: `${PORTAL}/incidents/${a.incidentId}` })],
    ['providerAlertId', () => {}, (a) => ({ graph: a.alertId.replace(/^da/, ''), defender: null })],
    ['threatDisplayName', (a) => void (a.threatFamilyName = 'Lockbit'), () => ({ graph: 'Lockbit', defender: null })],
    ['productName', (a) => void (a.serviceSource = 'MicrosoftDefenderATP'), () => ({ graph: 'Microsoft Defender for Endpoint', defender: null })],
    ['recommendedActions', (a) => void (a['recommendedActions'] = 'Isolate the device.'), () => ({ graph: 'Isolate the device.', defender: null })],
    ['systemTags', (a) => void (a['systemTags'] = ['Defender Experts']), () => ({ graph: ['Defender Experts'], defender: [] })],
    ['tenantId', () => {}, () => ({ graph: TENANT_ID, defender: null })],
    ['alertPolicyId', (a) => void (a['alertPolicyId'] = 'policy-7'), () => ({ graph: 'policy-7', defender: null })],
    ['additionalData', (a) => void (a['additionalData'] = { TenantName: 'Contoso', Rule: 7 }), () => ({ graph: { TenantName: 'Contoso', Rule: 7 }, defender: null })],
    ['investigationId', (a) => void (a.investigationId = 4242), () => ({ graph: null, defender: '4242' })],
    ['investigationState', (a) => void (a.investigationState = 'SuccessfullyRemediated'), () => ({ graph: null, defender: 'successfullyRemediated' })],
  ];
  it.each(alertFields)('alert %s: filled by the API that has it, empty on the other', async (field, store, expected) => {
    const { clientFor, tenant: fake } = tenant(3);
    const stored = [...fake.incidents.values()][1]!.alerts[0]!;
    store(stored);
    const listed = (await clientFor(api).alerts.list().toArray()).find((alert) => alert.id === stored.alertId)!;
    expect(listed[field as keyof Alert]).toEqual(expected(stored)[api]);
  });

  it('alert comments: Graph sends them (an update with a comment shows it), the Defender API has none', async () => {
    const { clientFor, tenant: fake } = tenant(3);
    const stored = [...fake.incidents.values()][0]!.alerts[0]!;
    const updated = await clientFor('graph').alerts.update(stored.alertId, { comment: 'Benign: a test machine.' });
    expect(updated.comments.map((comment) => comment.comment)).toEqual(['Benign: a test machine.']);
    const listed = (await clientFor(api).alerts.list().toArray()).find((alert) => alert.id === stored.alertId)!;
    expect(listed.comments.map((comment) => comment.comment)).toEqual(api === 'graph' ? ['Benign: a test machine.'] : []);
    if (api === 'graph') expect(listed.comments[0]!.createdDateTime).toBeInstanceOf(Date);
  });

  /* A test per incident field only one API fills (Graph-only ones from the stored incident's extras, as the kit renders them). */
  const incidentFields: [string, (stored: LegacyIncidentWire) => void, (stored: LegacyIncidentWire) => Record<Api, unknown>][] = [
    ['webUrl', () => {}, (i) => ({ graph: `${PORTAL}/incidents/${i.incidentId}?tid=${TENANT_ID}`, defender: `${PORTAL}/incidents/${i.incidentId}` })],
    ['systemTags', (i) => void (i['systemTags'] = ['Defender Experts']), () => ({ graph: ['Defender Experts'], defender: [] })],
    ['description', (i) => void (i['description'] = 'Ransomware on three servers.'), () => ({ graph: 'Ransomware on three servers.', defender: null })],
    ['summary', (i) => void (i['summary'] = 'Contained by isolating the servers.'), () => ({ graph: 'Contained by isolating the servers.', defender: null })],
    ['resolvingComment', (i) => void (i['resolvingComment'] = 'Reimaged.'), () => ({ graph: 'Reimaged.', defender: null })],
    ['lastModifiedBy', (i) => void (i['lastModifiedBy'] = 'secop@contoso.com'), () => ({ graph: 'secop@contoso.com', defender: null })],
    ['tenantId', () => {}, () => ({ graph: TENANT_ID, defender: null })],
    ['priorityScore', (i) => void (i['priorityScore'] = 87), () => ({ graph: 87, defender: null })],
  ];
  it.each(incidentFields)('incident %s: filled by the API that has it, empty on the other', async (field, store, expected) => {
    const { clientFor, tenant: fake } = tenant(3);
    const stored = [...fake.incidents.values()][1]!;
    store(stored);
    const listed = (await clientFor(api).incidents.list().toArray()).find((incident) => incident.id === String(stored.incidentId))!;
    const got = await clientFor(api).incidents.get(String(stored.incidentId));
    expect(listed[field as keyof Incident]).toEqual(expected(stored)[api]);
    expect(got[field as keyof Incident]).toEqual(expected(stored)[api]);
  });

  it('incident lastModifiedBy: Graph names the app that changed it', async () => {
    const { clientFor, tenant: fake, credential } = tenant(3);
    const id = String([...fake.incidents.keys()][0]);
    await clientFor('graph').incidents.update(id, { assignedTo: 'secop@contoso.com' });
    expect((await clientFor(api).incidents.get(id)).lastModifiedBy).toBe(api === 'graph' ? credential.tenant.credential().clientId : null);
  });

  /* A test per evidence field only one API fills, on a device and on an entity of a stored alert. */
  /** A stored alert with a device and an entity, and a client for `api`. */
  function evidenceTenant() {
    const t = tenant(8);
    const stored = [...t.tenant.incidents.values()].flatMap((incident) => incident.alerts).find((alert) => alert.devices.length > 0 && alert.entities.length > 0)!;
    const read = async () => (await t.clientFor(api).alerts.list().toArray()).find((alert) => alert.id === stored.alertId)!;
    return { stored, read };
  }
  const baseFields: [string, unknown, Record<Api, unknown>][] = [
    ['detailedRoles', ['Main device', 'Compromised'], { graph: ['Main device', 'Compromised'], defender: [] }],
    ['remediationStatusDetails', 'Quarantined by automated investigation', { graph: 'Quarantined by automated investigation', defender: null }],
  ];
  it.each(baseFields)('evidence %s on every kind: filled on Graph, empty on the Defender API', async (field, value, expected) => {
    const { stored, read } = evidenceTenant();
    stored.devices[0]![field] = value;
    stored.entities[0]![field] = value;
    const alert = await read();
    const device = alert.evidence.find((evidence) => evidence.type === 'device')!;
    const entity = alert.evidence.find((evidence) => evidence.type !== 'device')!;
    expect(device[field as keyof Evidence]).toEqual(expected[api]);
    expect(entity[field as keyof Evidence]).toEqual(expected[api]);
  });

  const deviceFields: [string, (device: LegacyDeviceWire) => void, Record<Api, unknown>][] = [
    ['ipInterfaces', (d) => void (d['ipInterfaces'] = ['10.1.2.3', 'fe80::1']), { graph: ['10.1.2.3', 'fe80::1'], defender: [] }],
    ['loggedOnUsers', (d) => void (d['loggedOnUsers'] = [{ accountName: 'jdoe', domainName: 'CONTOSO' }]), { graph: [{ accountName: 'jdoe', domainName: 'CONTOSO' }], defender: [] }],
    ['osProcessor', (d) => void (d.osProcessor = 'arm64'), { graph: null, defender: 'arm64' }],
  ];
  it.each(deviceFields)('device evidence %s: filled by the API that has it, empty on the other', async (field, store, expected) => {
    const { stored, read } = evidenceTenant();
    store(stored.devices[0]!);
    const device = (await read()).evidence.find((evidence) => evidence.type === 'device' && evidence.mdeDeviceId === stored.devices[0]!.mdatpDeviceId)!;
    expect(device[field as keyof Evidence]).toEqual(expected[api]);
  });

  const mail: LegacyEntityWire = {
    ...nullEntity('MailMessage'),
    sender: 'billing@invoice-portal.example',
    recipient: 'jdoe@contoso.com',
    userPrincipalName: 'jdoe@contoso.com',
    subject: 'Invoice #20931 overdue',
    deliveryAction: 'Delivered',
    p2Sender: 'accounts@contoso-billing.example',
    senderIp: '203.0.113.7',
    receivedDateTime: '2026-01-15T11:58:00.1234567Z',
    urls: ['https://invoice-portal.example/a', 'https://invoice-portal.example/b'],
    attachmentsCount: 1,
    threats: ['Phish'],
    threatDetectionMethods: ['urlDetonation'],
    language: 'en',
    antiSpamDirection: 'inbound',
    urn: 'urn:MailEntity:7f1c',
  };
  const mailFields: [string, Record<Api, unknown>][] = [
    ['p1Sender', { graph: { emailAddress: 'billing@invoice-portal.example', displayName: null, domainName: 'invoice-portal.example' }, defender: null }],
    ['p2Sender', { graph: { emailAddress: 'accounts@contoso-billing.example', displayName: null, domainName: 'contoso-billing.example' }, defender: null }],
    ['senderEmailAddress', { graph: 'accounts@contoso-billing.example', defender: 'billing@invoice-portal.example' }],
    ['senderIp', { graph: '203.0.113.7', defender: null }],
    ['receivedDateTime', { graph: new Date('2026-01-15T11:58:00.123Z'), defender: null }],
    ['urls', { graph: ['https://invoice-portal.example/a', 'https://invoice-portal.example/b'], defender: [] }],
    ['urlCount', { graph: 2, defender: null }],
    ['attachmentsCount', { graph: 1, defender: null }],
    ['threats', { graph: ['Phish'], defender: [] }],
    ['threatDetectionMethods', { graph: ['urlDetonation'], defender: [] }],
    ['language', { graph: 'en', defender: null }],
    ['antiSpamDirection', { graph: 'inbound', defender: null }],
    ['urn', { graph: 'urn:MailEntity:7f1c', defender: null }],
    ['userPrincipalName', { graph: null, defender: 'jdoe@contoso.com' }],
  ];
  it.each(mailFields)('mail message evidence %s: filled by the API that has it, empty on the other', async (field, expected) => {
    const { stored, read } = evidenceTenant();
    stored.entities.push(structuredClone(mail));
    const message = (await read()).evidence.find((evidence) => evidence.type === 'mailMessage')!;
    expect(message[field as keyof Evidence]).toEqual(expected[api]);
  });

  /*
   * The kit's generated data (what the simulator and the demo serve) fills every field only one API
   * has: each is set on some item on the API that has it, and on none on the other.
   */
  const owners: [string, 'graph' | 'defender' | 'both', (incidents: Incident[]) => unknown[]][] = [];
  const alertsOf = (incidents: Incident[]) => incidents.flatMap((incident) => incident.alerts);
  const evidenceOf = (incidents: Incident[], type: Evidence['type']) => alertsOf(incidents).flatMap((alert) => alert.evidence).filter((e) => e.type === type);
  for (const field of ['description', 'summary', 'resolvingComment', 'lastModifiedBy', 'tenantId', 'priorityScore', 'systemTags'] as const) {
    owners.push([`incident ${field}`, 'graph', (incidents) => incidents.map((incident) => incident[field])]);
  }
  owners.push(['incident webUrl', 'both', (incidents) => incidents.map((incident) => incident.webUrl)]);
  for (const field of ['providerAlertId', 'threatDisplayName', 'productName', 'recommendedActions', 'systemTags', 'tenantId', 'alertPolicyId', 'additionalData'] as const) {
    owners.push([`alert ${field}`, 'graph', (incidents) => alertsOf(incidents).map((alert) => alert[field])]);
  }
  for (const field of ['webUrl', 'incidentWebUrl'] as const) owners.push([`alert ${field}`, 'both', (incidents) => alertsOf(incidents).map((alert) => alert[field])]);
  for (const field of ['investigationId', 'investigationState'] as const) {
    owners.push([`alert ${field}`, 'defender', (incidents) => alertsOf(incidents).map((alert) => alert[field])]);
  }
  for (const field of ['detailedRoles', 'ipInterfaces', 'loggedOnUsers'] as const) {
    owners.push([`device ${field}`, 'graph', (incidents) => evidenceOf(incidents, 'device').map((e) => (e as unknown as Record<string, unknown>)[field])]);
  }
  owners.push(['device osProcessor', 'defender', (incidents) => evidenceOf(incidents, 'device').map((e) => (e as unknown as Record<string, unknown>)['osProcessor'])]);
  owners.push(['file remediationStatusDetails', 'graph', (incidents) => evidenceOf(incidents, 'file').map((e) => e.remediationStatusDetails)]);
  for (const field of ['p1Sender', 'p2Sender', 'senderIp', 'receivedDateTime', 'urls', 'urlCount', 'attachmentsCount', 'threats', 'threatDetectionMethods', 'language', 'antiSpamDirection', 'urn'] as const) {
    owners.push([`mail message ${field}`, 'graph', (incidents) => evidenceOf(incidents, 'mailMessage').map((e) => (e as unknown as Record<string, unknown>)[field])]);
  }
  owners.push(['mail message userPrincipalName', 'defender', (incidents) => evidenceOf(incidents, 'mailMessage').map((e) => (e as unknown as Record<string, unknown>)['userPrincipalName'])]);

  const generated = generateIncidents({ seed: 7, count: 60, now: new Date(Date.UTC(2026, 0, 15, 12)) });
  it.each(owners)('generated data: %s is filled by the API that has it (%s), never by the other', async (_name, owner, values) => {
    const { clientFor } = tenant(generated);
    const read = values(await clientFor(api).incidents.list({ expandAlerts: true }).toArray());
    const filled = read.filter((value) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0));
    expect(read.length).toBeGreaterThan(0);
    if (owner === 'both' || owner === api) expect(filled.length).toBeGreaterThan(0);
    else expect(filled).toEqual([]);
  });
});
