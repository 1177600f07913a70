import { describe, expect, it } from 'vitest';
import { FakeDefender, seedIncidents, type LegacyEntityWire, type LegacyIncidentWire } from './defender.js';
import { FakeGraph, GRAPH, fakeTenantBoth } from './graph.js';
import { startServer } from './harness.js';
import { makeHourToken } from './jwt.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SECURITY = `${GRAPH}/v1.0/security`;
const DEFENDER = 'https://api.security.microsoft.com';

const server = startServer();

function token(roles: string[], overrides: { aud?: string; tid?: string; exp?: number } = {}): string {
  return makeHourToken({ aud: GRAPH, tid: TENANT, appid: APP, roles, ...overrides });
}

const bearer = (roles: string[]) => ({ authorization: `Bearer ${token(roles)}` });
const reader = bearer(['SecurityIncident.Read.All']);
const writer = bearer(['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All']);
const alertReader = bearer(['SecurityAlert.Read.All']);
const hunter = bearer(['ThreatHunting.Read.All']);

function fake(incidents: LegacyIncidentWire[] | Map<number, LegacyIncidentWire> = seedIncidents(120, 3), options: { expandFailsAbove?: number; huntingTables?: Record<string, Record<string, unknown>[]> } = {}): FakeGraph {
  const graph = new FakeGraph({ tenantId: TENANT, incidents, ...options });
  server.use(...graph.handlers());
  return graph;
}

async function json(response: Response): Promise<any> {
  return response.json();
}

async function get(path: string, headers: Record<string, string> = reader): Promise<any> {
  const response = await fetch(`${SECURITY}/${path}`, { headers });
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
  return response.json();
}

function send(method: string, path: string, body: unknown, headers: Record<string, string> = writer): Promise<Response> {
  return fetch(`${SECURITY}/${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Graph's error envelope, checked whole (reference §5.8). */
function expectGraphError(body: any, response: Response, code: string, message: string | RegExp): void {
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else expect(body.error.message).toMatch(message);
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
  expect(body.error.innerError['client-request-id']).toBe(response.headers.get('client-request-id'));
}

/** A legacy entity with every documented key present (null when unused), like the service sends. */
function entity(entityType: string, fields: Record<string, unknown>): LegacyEntityWire {
  const keys = ['sha1', 'sha256', 'fileName', 'filePath', 'processId', 'processCommandLine', 'processCreationTime', 'parentProcessId',
    'parentProcessCreationTime', 'ipAddress', 'url', 'accountName', 'domainName', 'userSid', 'aadUserId', 'userPrincipalName',
    'mailboxDisplayName', 'mailboxAddress', 'clusterBy', 'sender', 'recipient', 'subject', 'deliveryAction', 'securityGroupId',
    'securityGroupName', 'registryHive', 'registryKey', 'registryValueType', 'registryValue', 'deviceId'];
  return { entityType, ...Object.fromEntries(keys.map((key) => [key, null])), ...fields };
}

const INCIDENT_KEYS = [
  'id', 'tenantId', 'status', 'incidentWebUrl', 'redirectIncidentId', 'displayName', 'createdDateTime', 'lastUpdateDateTime',
  'assignedTo', 'classification', 'determination', 'severity', 'customTags', 'systemTags', 'description', 'summary',
  'resolvingComment', 'lastModifiedBy', 'comments',
];
const ALERT_KEYS = [
  'id', 'providerAlertId', 'incidentId', 'status', 'severity', 'classification', 'determination', 'serviceSource',
  'detectionSource', 'detectorId', 'tenantId', 'title', 'description', 'recommendedActions', 'category', 'assignedTo',
  'alertWebUrl', 'incidentWebUrl', 'actorDisplayName', 'threatDisplayName', 'threatFamilyName', 'mitreTechniques',
  'createdDateTime', 'lastUpdateDateTime', 'resolvedDateTime', 'firstActivityDateTime', 'lastActivityDateTime', 'comments',
  'evidence', 'systemTags', 'productName', 'alertPolicyId', 'additionalData', 'customDetails',
];
const EVIDENCE_BASE_KEYS = ['@odata.type', 'createdDateTime', 'verdict', 'remediationStatus', 'remediationStatusDetails', 'roles', 'detailedRoles', 'tags'];

describe('FakeGraph', () => {
  describe('wire shapes (reference §5.4, §5.5, §5.9)', () => {
    it('renders a stored legacy incident with exactly Graph incident fields, ids as strings and camelCase enums', async () => {
      const [stored] = seedIncidents(1, 11);
      Object.assign(stored!, {
        incidentId: 924521, status: 'InProgress', severity: 'UnSpecified', classification: 'FalsePositive',
        determination: 'NoEnoughDataToValidate', assignedTo: 'secop2@contoso.com', tags: ['pen-test'],
        redirectIncidentId: 924000,
        comments: [{ comment: 'Investigating', createdBy: 'secop1@contoso.com', createdTime: '2026-01-15T12:00:00.1234567Z' }],
      });
      fake([stored!]);
      const response = await fetch(`${SECURITY}/incidents/924521`, { headers: reader });
      expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const incident = await json(response);
      expect(incident['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#security/incidents/$entity`);
      const { '@odata.context': _, ...fields } = incident;
      expect(Object.keys(fields).sort()).toEqual([...INCIDENT_KEYS].sort());
      expect(fields).toMatchObject({
        id: '924521',
        tenantId: TENANT,
        status: 'inProgress',
        incidentWebUrl: `https://security.microsoft.com/incidents/924521?tid=${TENANT}`,
        redirectIncidentId: '924000',
        displayName: stored!.incidentName,
        createdDateTime: stored!.createdTime,
        lastUpdateDateTime: stored!.lastUpdateTime,
        assignedTo: 'secop2@contoso.com',
        classification: 'falsePositive',
        determination: 'notEnoughDataToValidate',
        severity: 'unknown',
        customTags: ['pen-test'],
        systemTags: [],
        comments: [{ comment: 'Investigating', createdByDisplayName: 'secop1@contoso.com', createdDateTime: '2026-01-15T12:00:00.1234567Z' }],
      });
    });

    it('maps legacy enum names to Graph metadata names', async () => {
      const incidents = seedIncidents(4, 2);
      const cases: Array<[Partial<LegacyIncidentWire>, Record<string, string>]> = [
        [{ status: 'Active', classification: 'Unknown', determination: 'NotAvailable', severity: 'High' }, { status: 'active', classification: 'unknown', determination: 'unknown', severity: 'high' }],
        [{ status: 'Resolved', classification: 'TruePositive', determination: 'MultiStagedAttack', severity: 'Informational' }, { status: 'resolved', classification: 'truePositive', determination: 'multiStagedAttack', severity: 'informational' }],
        [{ status: 'Redirected', classification: 'FalsePositive', determination: 'Clean', severity: 'Low' }, { status: 'redirected', determination: 'notMalicious' }],
        [{ status: 'Resolved', classification: 'InformationalExpectedActivity', determination: 'ConfirmedUserActivity', severity: 'Medium' }, { classification: 'informationalExpectedActivity', determination: 'confirmedActivity', severity: 'medium' }],
      ];
      cases.forEach(([legacy], i) => Object.assign(incidents[i]!, legacy));
      fake(incidents);
      for (const [i, [, graph]] of cases.entries()) {
        expect(await get(`incidents/${incidents[i]!.incidentId}`)).toMatchObject(graph);
      }
    });

    it('renders alerts_v2 with polymorphic evidence from the legacy devices and entities', async () => {
      const [stored] = seedIncidents(1, 5);
      const alert = stored!.alerts[0]!;
      Object.assign(alert, { alertId: 'da637349914833441527_393341063', serviceSource: 'MicrosoftDefenderATP', detectionSource: 'WindowsDefenderAv', status: 'New', classification: null, determination: null });
      alert.devices = [{
        mdatpDeviceId: 'f1b0c5e2a9d84c3e8b7a6d5c4b3a29180f7e6d5c', aadDeviceId: null, deviceDnsName: 'ws-01.corp.contoso.com', osPlatform: 'Windows10',
        version: '22H2', osProcessor: 'x64', osBuild: 19045, healthStatus: 'Active', riskScore: 'High', rbacGroupName: 'Workstations',
        rbacGroupId: 4, firstSeen: '2025-03-01T10:00:00.1234567Z', tags: ['VIP'], defenderAvStatus: 'Updated', onboardingStatus: 'Onboarded', vmMetadata: null,
      }];
      alert.entities = [
        entity('User', { accountName: 'jdoe', domainName: 'CONTOSO', aadUserId: '0f0e0d0c-0b0a-4090-8070-605040302010', userPrincipalName: 'jdoe@contoso.com' }),
        entity('Ip', { ipAddress: '203.0.113.7' }),
        entity('Url', { url: 'https://m1crosoft.example/login' }),
        entity('File', { sha1: 'a'.repeat(40), sha256: 'b'.repeat(64), fileName: 'mimikatz.exe', filePath: 'C:\\Users\\Public', deviceId: 'dev1' }),
        entity('Process', { processId: 4242, processCommandLine: 'powershell.exe -enc AAA', processCreationTime: '2026-01-14T09:00:00.0000001Z', fileName: 'powershell.exe' }),
        entity('MailBox', { mailboxDisplayName: 'J Doe', mailboxAddress: 'jdoe@contoso.com', userPrincipalName: 'jdoe@contoso.com' }),
        entity('MailMessage', { subject: 'Invoice', sender: 'evil@fabrikam.example', recipient: 'jdoe@contoso.com', deliveryAction: 'Delivered' }),
        entity('Registry', { registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Run' }),
        entity('Registry', { registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Run', registryValueType: 'String', registryValue: 'C:\\p.exe' }),
        { entityType: 'KubernetesPod', name: 'web-0', namespace: 'prod', sha1: null },
      ];
      fake([stored!]);
      const graphAlert = await get(`alerts_v2/${alert.alertId}`, alertReader);
      const { '@odata.context': context, ...fields } = graphAlert;
      expect(context).toBe(`${GRAPH}/v1.0/$metadata#security/alerts_v2/$entity`);
      expect(Object.keys(fields).sort()).toEqual([...ALERT_KEYS].sort());
      expect(fields).toMatchObject({
        id: 'da637349914833441527_393341063',
        providerAlertId: '637349914833441527_393341063',
        incidentId: String(stored!.incidentId),
        status: 'new',
        classification: 'unknown',
        determination: 'unknown',
        serviceSource: 'microsoftDefenderForEndpoint',
        detectionSource: 'antivirus',
        createdDateTime: alert.creationTime,
        firstActivityDateTime: alert.firstActivity,
      });
      const evidence = graphAlert.evidence as Array<Record<string, any>>;
      expect(evidence.map((e) => e['@odata.type'])).toEqual([
        'deviceEvidence', 'userEvidence', 'ipEvidence', 'urlEvidence', 'fileEvidence', 'processEvidence', 'mailboxEvidence',
        'analyzedMessageEvidence', 'registryKeyEvidence', 'registryValueEvidence', 'kubernetesPodEvidence',
      ].map((type) => `#microsoft.graph.security.${type}`));
      for (const item of evidence) expect(Object.keys(item)).toEqual(expect.arrayContaining(EVIDENCE_BASE_KEYS));
      const [device, user, ip, url, file, processEvidence, mailbox, message, , value, pod] = evidence;
      expect(device).toMatchObject({ mdeDeviceId: 'f1b0c5e2a9d84c3e8b7a6d5c4b3a29180f7e6d5c', azureAdDeviceId: null, firstSeenDateTime: '2025-03-01T10:00:00.1234567Z', hostName: 'ws-01', dnsDomain: 'corp.contoso.com', healthStatus: 'active', riskScore: 'high', onboardingStatus: 'onboarded', defenderAvStatus: 'updated', tags: ['VIP'] });
      expect(device).not.toHaveProperty('mdatpDeviceId');
      expect(user!.userAccount).toMatchObject({ accountName: 'jdoe', azureAdUserId: '0f0e0d0c-0b0a-4090-8070-605040302010', userPrincipalName: 'jdoe@contoso.com' });
      expect(user).not.toHaveProperty('aadUserId');
      expect(ip).toMatchObject({ ipAddress: '203.0.113.7' });
      expect(url).toMatchObject({ url: 'https://m1crosoft.example/login' });
      expect(file!.fileDetails).toMatchObject({ sha1: 'a'.repeat(40), sha256: 'b'.repeat(64), fileName: 'mimikatz.exe' });
      expect(file).toMatchObject({ mdeDeviceId: 'dev1' });
      expect(processEvidence).toMatchObject({ processId: 4242, processCreationDateTime: '2026-01-14T09:00:00.0000001Z', imageFile: { fileName: 'powershell.exe' } });
      expect(mailbox).toMatchObject({ displayName: 'J Doe', primaryAddress: 'jdoe@contoso.com', upn: 'jdoe@contoso.com' });
      expect(message).toMatchObject({ subject: 'Invoice', recipientEmailAddress: 'jdoe@contoso.com', p1Sender: { emailAddress: 'evil@fabrikam.example' } });
      expect(value).toMatchObject({ registryValue: 'C:\\p.exe', registryValueType: 'String' });
      expect(pod).toMatchObject({ name: 'web-0', namespace: 'prod' });
      expect(pod).not.toHaveProperty('sha1');
    });

    it('renders deterministically', async () => {
      fake(seedIncidents(10, 4));
      const first = await get('incidents?$expand=alerts');
      const second = await get('incidents?$expand=alerts');
      expect(second.value).toEqual(first.value);
    });
  });

  describe('list incidents', () => {
    it('refuses $top above 50 with the real 400 body (empty code)', async () => {
      fake();
      const response = await fetch(`${SECURITY}/incidents?$top=51`, { headers: reader });
      expect(response.status).toBe(400);
      const body = await json(response);
      expectGraphError(body, response, '', "The query specified in the URI is not valid. The limit of '50' for Top query has been exceeded. The value from the incoming request is '51'.");
      expect(body.error.details).toEqual([]);
      expect((await fetch(`${SECURITY}/incidents?$top=50`, { headers: reader })).status).toBe(200);
    });

    it('follows @odata.nextLink to every incident exactly once, newest first, with $count', async () => {
      const graph = fake(seedIncidents(120, 3));
      const ids: string[] = [];
      let url: string | undefined = `${SECURITY}/incidents?$top=50&$count=true`;
      let pages = 0;
      while (url) {
        const page = await json(await fetch(url, { headers: reader }));
        expect(page['@odata.count']).toBe(120);
        ids.push(...page.value.map((incident: { id: string }) => incident.id));
        url = page['@odata.nextLink'];
        if (url) expect(url.startsWith(`${SECURITY}/incidents?`)).toBe(true);
        pages++;
      }
      expect(pages).toBe(3);
      expect(ids).toHaveLength(120);
      const newestFirst = [...graph.incidents.values()]
        .sort((a, b) => Date.parse(b.createdTime) - Date.parse(a.createdTime))
        .map((incident) => String(incident.incidentId));
      expect(ids).toEqual(newestFirst);
      expect(graph.requests.map((request) => request.url.searchParams.get('$skip'))).toEqual([null, '50', '100']);
    });

    it('pages 50 at a time by default', async () => {
      fake(seedIncidents(60, 3));
      const page = await get('incidents');
      expect(page.value).toHaveLength(50);
      expect(page['@odata.nextLink']).toMatch(/\$skip=50/);
      expect((await get('incidents?$skip=50')).value).toHaveLength(10);
    });

    it('filters on status, severity, classification, determination, assignedTo and both dates', async () => {
      const incidents = seedIncidents(80, 9);
      incidents[2]!.assignedTo = "o'brien@contoso.com";
      fake(incidents);
      const ids = async (filter: string) =>
        (await get(`incidents?$top=50&$filter=${encodeURIComponent(filter)}`)).value.map((i: { id: string }) => Number(i.id)).sort();
      const where = (keep: (incident: LegacyIncidentWire) => boolean) => incidents.filter(keep).map((i) => i.incidentId).sort().slice(0, 50);
      const pivot = incidents[40]!;
      const cases: Array<[string, (incident: LegacyIncidentWire) => boolean]> = [
        ["status eq 'active'", (i) => i.status === 'Active'],
        ["status eq 'inProgress' and severity eq 'medium'", (i) => i.status === 'InProgress' && i.severity === 'Medium'],
        ["severity eq 'unknown'", (i) => i.severity === 'UnSpecified'],
        ["classification eq 'truePositive'", (i) => i.classification === 'TruePositive'],
        ["determination eq 'notMalicious'", (i) => i.determination === 'Clean'],
        ["assignedTo eq 'o''brien@contoso.com'", (i) => i.assignedTo === "o'brien@contoso.com"],
        [`createdDateTime ge ${pivot.createdTime}`, (i) => Date.parse(i.createdTime) >= Date.parse(pivot.createdTime)],
        [`createdDateTime lt ${pivot.createdTime} and status eq 'resolved'`, (i) => Date.parse(i.createdTime) < Date.parse(pivot.createdTime) && i.status === 'Resolved'],
        [`lastUpdateDateTime gt ${pivot.lastUpdateTime}`, (i) => i.lastUpdateTime > pivot.lastUpdateTime],
        [`lastUpdateDateTime le ${pivot.lastUpdateTime}`, (i) => i.lastUpdateTime <= pivot.lastUpdateTime],
      ];
      for (const [filter, keep] of cases) {
        const expected = where(keep);
        expect(expected.length, filter).toBeGreaterThan(0);
        expect(await ids(filter), filter).toEqual(expected);
      }
    });

    it('answers unsupported filters and options with the OData 400', async () => {
      fake();
      for (const [query, message] of [
        ['$filter=displayName eq \'x\'', "The property 'displayName' cannot be used in the $filter query option."],
        ['$filter=color eq \'x\'', "Could not find a property named 'color' on type 'microsoft.graph.security.incident'."],
        ["$filter=status eq 'active' and", 'Syntax error'],
        ["$filter=createdDateTime ge 'yesterday'", 'incompatible types'],
        ['$top=ten', "Invalid value 'ten' for $top"],
        ['$expand=comments', "Could not find a property named 'comments'"],
        ['$search=mimikatz', "Query option '$search' is not allowed"],
      ] as const) {
        const response = await fetch(`${SECURITY}/incidents?${query}`, { headers: reader });
        expect(response.status, query).toBe(400);
        const body = await json(response);
        expectGraphError(body, response, '', new RegExp(`^The query specified in the URI is not valid\\. .*${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      }
    });

    it('fails a $expand=alerts list with a 500 when too many incidents match, but not a narrow one or a get', async () => {
      const incidents = seedIncidents(8, 3);
      fake(incidents, { expandFailsAbove: 3 });
      const failed = await fetch(`${SECURITY}/incidents?$expand=alerts`, { headers: reader });
      expect(failed.status).toBe(500);
      expectGraphError(await json(failed), failed, 'InternalServerError', /internal server error/i);
      expect((await get('incidents')).value).toHaveLength(8);
      const narrow = await get(`incidents?$expand=alerts&$filter=${encodeURIComponent(`createdDateTime ge ${incidents[5]!.createdTime}`)}`);
      expect(narrow['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#security/incidents(alerts())`);
      expect(narrow.value).toHaveLength(3);
      expect(narrow.value[0].alerts).toHaveLength(incidents[7]!.alerts.length);
      const one = await get(`incidents/${incidents[0]!.incidentId}?$expand=alerts`);
      expect(one.alerts.map((a: { id: string }) => a.id)).toEqual(incidents[0]!.alerts.map((a) => a.alertId));
    });
  });

  describe('get, update and comment', () => {
    it('answers 404 with a Graph error for an unknown incident', async () => {
      fake(seedIncidents(3));
      const response = await fetch(`${SECURITY}/incidents/1`, { headers: reader });
      expect(response.status).toBe(404);
      expectGraphError(await json(response), response, 'NotFound', /'1'/);
    });

    it('PATCH updates the shared store, so the legacy API sees the change in its own names', async () => {
      const { defender, graph } = sharedTenant();
      const id = [...graph.incidents.keys()][0]!;
      const response = await send('PATCH', `incidents/${id}`, {
        status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com', customTags: ['pen-test', 'VIP'],
      });
      expect(response.status).toBe(200);
      const updated = await json(response);
      expect(updated).toMatchObject({ id: String(id), status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com', customTags: ['pen-test', 'VIP'], lastModifiedBy: APP });
      expect(Date.now() - Date.parse(updated.lastUpdateDateTime)).toBeLessThan(60_000);
      const legacy = await json(await fetch(`${DEFENDER}/api/incidents/${id}`, { headers: { authorization: `Bearer ${legacyToken()}` } }));
      expect(legacy).toMatchObject({ incidentId: id, status: 'Resolved', classification: 'FalsePositive', determination: 'Clean', assignedTo: 'secop@contoso.com', tags: ['pen-test', 'VIP'], lastUpdateTime: updated.lastUpdateDateTime });
      expect(defender.incidents).toBe(graph.incidents);
      // and the other way round
      const legacyPatch = await fetch(`${DEFENDER}/api/incidents/${id}`, {
        method: 'PATCH', headers: { authorization: `Bearer ${legacyToken()}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'InProgress' }),
      });
      expect(legacyPatch.status).toBe(200);
      expect((await get(`incidents/${id}`)).status).toBe('inProgress');
    });

    it('accepts PascalCase enum values like the docs example, refuses unknown properties and values', async () => {
      const graph = fake(seedIncidents(2));
      const id = [...graph.incidents.keys()][0]!;
      const ok = await send('PATCH', `incidents/${id}`, { classification: 'TruePositive', determination: 'MultiStagedAttack' });
      expect(await json(ok)).toMatchObject({ classification: 'truePositive', determination: 'multiStagedAttack' });
      expect(graph.incidents.get(id)).toMatchObject({ classification: 'TruePositive', determination: 'MultiStagedAttack' });
      const before = structuredClone(graph.incidents.get(id));
      const unknown = await send('PATCH', `incidents/${id}`, { status: 'resolved', tags: ['x'] });
      expect(unknown.status).toBe(400);
      expectGraphError(await json(unknown), unknown, 'BadRequest', "The property 'tags' does not exist on type 'microsoft.graph.security.incident'. Make sure to only use property names that are defined by the type or mark the type as open type.");
      const badValue = await send('PATCH', `incidents/${id}`, { status: 'closed' });
      expect(badValue.status).toBe(400);
      expect(graph.incidents.get(id)).toEqual(before);
    });

    it('needs SecurityIncident.ReadWrite.All to change an incident', async () => {
      const graph = fake(seedIncidents(2));
      const id = [...graph.incidents.keys()][0]!;
      const response = await send('PATCH', `incidents/${id}`, { status: 'resolved' }, reader);
      expect(response.status).toBe(403);
      expectGraphError(await json(response), response, 'Forbidden', 'Missing application roles. API required roles: SecurityIncident.ReadWrite.All, application roles: SecurityIncident.Read.All.');
    });

    it('POST comments appends to the store and returns the whole comment collection', async () => {
      const { graph } = sharedTenant();
      const incident = [...graph.incidents.values()][1]!;
      const before = incident.comments.length;
      const response = await send('POST', `incidents/${incident.incidentId}/comments`, { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Demo for docs' });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#security/incidents('${incident.incidentId}')/comments`);
      expect(body.value).toHaveLength(before + 1);
      expect(body.value.at(-1)).toEqual({ comment: 'Demo for docs', createdByDisplayName: APP, createdDateTime: expect.stringMatching(/Z$/) });
      const legacy = await json(await fetch(`${DEFENDER}/api/incidents/${incident.incidentId}`, { headers: { authorization: `Bearer ${legacyToken()}` } }));
      expect(legacy.comments.at(-1)).toMatchObject({ comment: 'Demo for docs', createdBy: APP });
      const empty = await send('POST', `incidents/${incident.incidentId}/comments`, { comment: '' });
      expect(empty.status).toBe(400);
    });
  });

  describe('alerts_v2', () => {
    it('lists every alert newest first through $skiptoken nextLinks', async () => {
      const graph = fake(seedIncidents(30, 6));
      const all = [...graph.incidents.values()].flatMap((i) => i.alerts);
      const ids: string[] = [];
      let url: string | undefined = `${SECURITY}/alerts_v2?$top=7`;
      while (url) {
        const page = await json(await fetch(url, { headers: alertReader }));
        ids.push(...page.value.map((a: { id: string }) => a.id));
        url = page['@odata.nextLink'];
        if (url) expect(url).toMatch(/\$skiptoken=/);
      }
      expect(ids).toHaveLength(all.length);
      expect(new Set(ids)).toEqual(new Set(all.map((a) => a.alertId)));
      const created = ids.map((id) => Date.parse(all.find((a) => a.alertId === id)!.creationTime));
      expect(created).toEqual([...created].sort((a, b) => b - a));
    });

    it('filters on status, severity, serviceSource, incidentId, assignedTo and dates', async () => {
      const incidents = seedIncidents(40, 6);
      const graph = fake(incidents);
      const all = [...graph.incidents.values()].flatMap((i) => i.alerts);
      const ids = async (filter: string) =>
        (await get(`alerts_v2?$filter=${encodeURIComponent(filter)}`, alertReader)).value.map((a: { id: string }) => a.id).sort();
      const where = (keep: (alert: (typeof all)[number]) => boolean) => all.filter(keep).map((a) => a.alertId).sort();
      const pivot = all[20]!;
      const cases: Array<[string, (alert: (typeof all)[number]) => boolean]> = [
        ["status eq 'new'", (a) => a.status === 'New'],
        ["severity eq 'high' and status eq 'resolved'", (a) => a.severity === 'High' && a.status === 'Resolved'],
        ["serviceSource eq 'microsoftDefenderForEndpoint'", (a) => ['MicrosoftDefenderATP', 'MicrosoftDefenderForEndpoint'].includes(a.serviceSource)],
        ["serviceSource eq 'microsoftDefenderForCloudApps'", (a) => a.serviceSource === 'MicrosoftCloudAppSecurity'],
        [`incidentId eq '${pivot.incidentId}'`, (a) => a.incidentId === pivot.incidentId],
        ["assignedTo eq 'Automation'", (a) => a.assignedTo === 'Automation'],
        [`createdDateTime ge ${pivot.creationTime}`, (a) => Date.parse(a.creationTime) >= Date.parse(pivot.creationTime)],
        [`lastUpdateDateTime lt ${pivot.lastUpdatedTime}`, (a) => a.lastUpdatedTime! < pivot.lastUpdatedTime!],
      ];
      for (const [filter, keep] of cases) {
        const expected = where(keep);
        expect(expected.length, filter).toBeGreaterThan(0);
        expect(await ids(filter), filter).toEqual(expected);
      }
      const bad = await fetch(`${SECURITY}/alerts_v2?$filter=${encodeURIComponent("investigationState eq 'running'")}`, { headers: alertReader });
      expect(bad.status).toBe(400);
    });

    it('PATCH changes the stored alert and refuses properties Graph does not let you write', async () => {
      const graph = fake(seedIncidents(5, 6));
      const stored = [...graph.incidents.values()].flatMap((i) => i.alerts).find((a) => a.status !== 'Resolved')!;
      const response = await send('PATCH', `alerts_v2/${stored.alertId}`, { status: 'resolved', classification: 'truePositive', determination: 'malware', assignedTo: 'secop@contoso.com' });
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ id: stored.alertId, status: 'resolved', classification: 'truePositive', determination: 'malware', assignedTo: 'secop@contoso.com' });
      expect(stored).toMatchObject({ status: 'Resolved', classification: 'TruePositive', determination: 'Malware', assignedTo: 'secop@contoso.com' });
      expect(stored.resolvedTime).not.toBeNull();
      const refused = await send('PATCH', `alerts_v2/${stored.alertId}`, { severity: 'low' });
      expect(refused.status).toBe(400);
      const readOnly = await send('PATCH', `alerts_v2/${stored.alertId}`, { status: 'new' }, alertReader);
      expect(readOnly.status).toBe(403);
      expect((await json(readOnly)).error.message).toContain('API required roles: SecurityAlert.ReadWrite.All,');
      const missing = await fetch(`${SECURITY}/alerts_v2/nope`, { headers: alertReader });
      expect(missing.status).toBe(404);
    });
  });

  describe('runHuntingQuery', () => {
    const day = 86_400_000;
    const tables = () => {
      const now = Date.now();
      return {
        DeviceProcessEvents: [
          { Timestamp: new Date(now - 1 * day).toISOString(), DeviceName: 'ws-01', FileName: 'powershell.exe', ProcessId: 10 },
          { Timestamp: new Date(now - 10 * day).toISOString(), DeviceName: 'ws-02', FileName: 'cmd.exe', ProcessId: 11 },
          { Timestamp: new Date(now - 40 * day).toISOString(), DeviceName: 'ws-03', FileName: 'mimikatz.exe', ProcessId: 12 },
        ],
      };
    };
    const hunt = (body: unknown, headers = hunter) => send('POST', 'runHuntingQuery', body, headers);
    const devices = async (body: unknown) => (await json(await hunt(body))).results.map((row: { DeviceName: string }) => row.DeviceName).sort();

    it('answers Graph huntingQueryResults with schema and results', async () => {
      fake([], { huntingTables: tables() });
      const response = await hunt({ Query: 'DeviceProcessEvents | where FileName =~ "POWERSHELL.EXE" | project Timestamp, DeviceName, ProcessId' });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(Object.keys(body)).toEqual(['@odata.context', 'schema', 'results']);
      expect(body['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#microsoft.graph.security.huntingQueryResults`);
      expect(body.schema).toEqual([{ name: 'Timestamp', type: 'DateTime' }, { name: 'DeviceName', type: 'String' }, { name: 'ProcessId', type: 'Int64' }]);
      expect(body.results).toEqual([{ Timestamp: expect.stringMatching(/\.\d{7}Z$/), DeviceName: 'ws-01', ProcessId: 10 }]);
    });

    it('applies the Timespan to Timestamp before the query: 30 days by default, durations and intervals', async () => {
      fake([], { huntingTables: tables() });
      const query = 'DeviceProcessEvents';
      const now = Date.now();
      expect(await devices({ Query: query })).toEqual(['ws-01', 'ws-02']);
      expect(await devices({ Query: query, Timespan: 'P7D' })).toEqual(['ws-01']);
      expect(await devices({ Query: query, Timespan: 'P90D' })).toEqual(['ws-01', 'ws-02', 'ws-03']);
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(await devices({ Query: query, Timespan: `${iso(now - 45 * day)}/${iso(now - 5 * day)}` })).toEqual(['ws-02', 'ws-03']);
      expect(await devices({ Query: query, Timespan: `P20D/${iso(now - 5 * day)}` })).toEqual(['ws-02']);
      expect(await devices({ Query: query, Timespan: `${iso(now - 41 * day)}/P2D` })).toEqual(['ws-03']);
      expect(await devices({ Query: query, Timespan: iso(now - 12 * day) })).toEqual(['ws-01', 'ws-02']);
      // the window applies before the query, so a query-wide count sees only it
      const counted = await json(await hunt({ Query: `${query} | count`, Timespan: 'P7D' }));
      expect(counted.results).toEqual([{ Count: 1 }]);
      const bad = await hunt({ Query: query, Timespan: 'last week' });
      expect(bad.status).toBe(400);
      expectGraphError(await json(bad), bad, 'BadRequest', /Timespan 'last week'/);
    });

    it('answers KQL errors with a Graph 400 carrying the KQL message', async () => {
      fake([], { huntingTables: tables() });
      const semantic = await hunt({ Query: 'DeviceProcessEvents | where IsInteetFacing == true' });
      expect(semantic.status).toBe(400);
      expectGraphError(await json(semantic), semantic, 'BadRequest', /Failed to resolve .*'IsInteetFacing'.*\. Fix semantic errors in your query\.$/);
      const syntax = await hunt({ Query: 'DeviceProcessEvents | wher x' });
      expect(syntax.status).toBe(400);
      expectGraphError(await json(syntax), syntax, 'BadRequest', /Query could not be parsed at 'wher'/);
      const table = await hunt({ Query: 'NoSuchTable | take 1' });
      expect((await json(table)).error.message).toMatch(/NoSuchTable/);
      expect((await hunt({ query: undefined })).status).toBe(400);
    });

    it('needs ThreatHunting.Read.All', async () => {
      fake([], { huntingTables: tables() });
      const response = await hunt({ Query: 'DeviceProcessEvents' }, writer);
      expect(response.status).toBe(403);
      expect((await json(response)).error.message).toBe(
        'Missing application roles. API required roles: ThreatHunting.Read.All, application roles: SecurityIncident.ReadWrite.All,SecurityAlert.ReadWrite.All.',
      );
    });
  });

  describe('authentication and authorization', () => {
    it('answers 401 InvalidAuthenticationToken for a missing, foreign-audience, foreign-tenant, expired or forged token', async () => {
      fake(seedIncidents(2));
      const forged = (() => {
        const [header, claims] = token(['SecurityIncident.Read.All']).split('.');
        return `${header}.${claims}.${Buffer.from('not the signature').toString('base64url')}`;
      })();
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'Access token is empty.'],
        [{ authorization: `Bearer ${token(['SecurityIncident.Read.All'], { aud: DEFENDER })}` }, 'Access token validation failure. Invalid audience.'],
        [{ authorization: `Bearer ${token(['SecurityIncident.Read.All'], { tid: 'other' })}` }, 'Access token validation failure. Invalid issuer.'],
        [{ authorization: `Bearer ${token(['SecurityIncident.Read.All'], { exp: Math.floor(Date.now() / 1000) - 1 })}` }, 'Lifetime validation failed, the token is expired.'],
        [{ authorization: `Bearer ${forged}` }, 'Access token validation failure.'],
      ];
      for (const [headers, message] of cases) {
        const response = await fetch(`${SECURITY}/incidents`, { headers });
        expect(response.status, message).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
        expectGraphError(await json(response), response, 'InvalidAuthenticationToken', message);
      }
    });

    it('answers 403 with Graph\'s "Missing application roles" text, and lets incident roles read alerts', async () => {
      fake(seedIncidents(2));
      const response = await fetch(`${SECURITY}/incidents`, { headers: bearer(['Incident.Read.All', 'AdvancedHunting.Read.All']) });
      expect(response.status).toBe(403);
      expectGraphError(await json(response), response, 'Forbidden',
        'Missing application roles. API required roles: SecurityIncident.Read.All,SecurityIncident.ReadWrite.All, application roles: Incident.Read.All,AdvancedHunting.Read.All.');
      const alerts = await fetch(`${SECURITY}/alerts_v2`, { headers: bearer([]) });
      expect((await json(alerts)).error.message).toBe(
        'Missing application roles. API required roles: SecurityAlert.Read.All,SecurityAlert.ReadWrite.All,SecurityIncident.Read.All,SecurityIncident.ReadWrite.All, application roles: .',
      );
      expect((await fetch(`${SECURITY}/alerts_v2`, { headers: reader })).status).toBe(200);
    });

    it('echoes client-request-id and gives each response its own request-id', async () => {
      fake(seedIncidents(2));
      const first = await fetch(`${SECURITY}/incidents`, { headers: { ...reader, 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' } });
      const second = await fetch(`${SECURITY}/incidents/1`, { headers: reader });
      expect(first.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001');
      expect(first.headers.get('request-id')).not.toBe(second.headers.get('request-id'));
      expect(second.headers.get('client-request-id')).toBe(second.headers.get('request-id'));
    });
  });

  describe('evolvable enums (Prefer: include-unknown-enum-members)', () => {
    it('sends members past unknownFutureValue only to callers that ask for them', async () => {
      const incidents = seedIncidents(3, 8);
      const target = incidents[1]!;
      target.status = 'AwaitingAction';
      target.alerts[0]!.serviceSource = 'MicrosoftDefenderForCloud';
      target.alerts[0]!.detectionSource = 'DefenderForDatabases';
      fake(incidents);
      const plain = await get(`incidents/${target.incidentId}?$expand=alerts`);
      expect(plain.status).toBe('unknownFutureValue');
      expect(plain.alerts[0]).toMatchObject({ serviceSource: 'unknownFutureValue', detectionSource: 'unknownFutureValue' });
      const prefer = { ...reader, prefer: 'include-unknown-enum-members' };
      const opted = await get(`incidents/${target.incidentId}?$expand=alerts`, prefer);
      expect(opted.status).toBe('awaitingAction');
      expect(opted.alerts[0]).toMatchObject({ serviceSource: 'microsoftDefenderForCloud', detectionSource: 'microsoftDefenderForDatabases' });
      const filtered = await get(`incidents?$filter=${encodeURIComponent("status eq 'awaitingAction'")}`, prefer);
      expect(filtered.value.map((i: { id: string }) => i.id)).toEqual([String(target.incidentId)]);
      // ordinary values are the same either way
      const other = String(incidents[0]!.incidentId);
      expect(await get(`incidents/${other}`, prefer)).toEqual({ ...(await get(`incidents/${other}`)) });
    });
  });

  describe('test hooks', () => {
    it('serves injected responses per route before auth, and records every request', async () => {
      const graph = fake(seedIncidents(2));
      graph.inject('listIncidents', { status: 429, body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } }, headers: { 'retry-after': '2' } });
      graph.inject('any', 'network-error');
      const throttled = await fetch(`${SECURITY}/incidents`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('2');
      expect(throttled.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await expect(fetch(`${SECURITY}/alerts_v2`, { headers: alertReader })).rejects.toThrow();
      expect((await fetch(`${SECURITY}/incidents`, { headers: reader })).status).toBe(200);
      expect(graph.requests.map((r) => r.route)).toEqual(['listIncidents', 'listAlerts', 'listIncidents']);
      expect(graph.requests[0]!.url.pathname).toBe('/v1.0/security/incidents');
    });

    it('leaves other hosts and paths to other handlers', async () => {
      const graph = fake(seedIncidents(1));
      expect(await graph.handle(new Request(`${GRAPH}/v1.0/users`))).toBeUndefined();
      expect(await graph.handle(new Request(`${DEFENDER}/api/incidents`))).toBeUndefined();
      expect(await graph.handle(new Request(`${SECURITY}/incidents`, { method: 'DELETE' }))).toBeUndefined();
      expect(graph.requests).toHaveLength(0);
    });
  });

  describe('fakeTenantBoth', () => {
    it('serves one store through both APIs with a credential both accept', async () => {
      const { defender, graph, credential } = fakeTenantBoth(server, { incidents: 12 });
      expect(graph.incidents).toBe(defender.incidents);
      const legacyToken = (await credential.getToken('https://api.security.microsoft.com/.default')).token;
      const graphToken = (await credential.getToken('https://graph.microsoft.com/.default')).token;
      const legacy = await json(await fetch(`${DEFENDER}/api/incidents`, { headers: { authorization: `Bearer ${legacyToken}` } }));
      const modern = await json(await fetch(`${SECURITY}/incidents`, { headers: { authorization: `Bearer ${graphToken}` } }));
      expect(modern.value.map((i: { id: string }) => i.id)).toEqual(legacy.value.map((i: LegacyIncidentWire) => String(i.incidentId)));
      expect(modern.value.map((i: { displayName: string }) => i.displayName)).toEqual(legacy.value.map((i: LegacyIncidentWire) => i.incidentName));
    });
  });
});

const LEGACY_ROLES = ['Incident.ReadWrite.All'];

function legacyToken(): string {
  return token(LEGACY_ROLES, { aud: DEFENDER });
}

/** A FakeDefender and a FakeGraph on one incidents Map. */
function sharedTenant(): { defender: FakeDefender; graph: FakeGraph } {
  const defender = new FakeDefender({ tenantId: TENANT, incidents: seedIncidents(6, 12) });
  const graph = new FakeGraph({ tenantId: TENANT, incidents: defender.incidents });
  server.use(...defender.handlers(), ...graph.handlers());
  return { defender, graph };
}
