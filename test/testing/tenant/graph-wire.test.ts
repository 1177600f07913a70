/*
 * How the kit's Graph renders its legacy store (src/testing/tenant/graph-wire.ts): exactly Graph's
 * fields, ids as strings, Graph's enum names, polymorphic evidence, and the members past
 * unknownFutureValue only for callers that ask for them.
 */
import { describe, expect, it } from 'vitest';
import { seedIncidents } from '../../../src/testing/data/seed-incidents.js';
import type { LegacyEntityWire, LegacyIncidentWire } from '../../../src/testing/tenant/legacy-wire.js';
import { GRAPH, SECURITY, TENANT, alertReader, get, json, reader, serveGraph } from '../../support/graph-api.js';
import { startServer } from '../../support/tenant.js';

const server = startServer();

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
  'resolvingComment', 'lastModifiedBy', 'priorityScore', 'comments',
];
const ALERT_KEYS = [
  'id', 'providerAlertId', 'incidentId', 'status', 'severity', 'classification', 'determination', 'serviceSource',
  'detectionSource', 'detectorId', 'tenantId', 'title', 'description', 'recommendedActions', 'category', 'assignedTo',
  'alertWebUrl', 'incidentWebUrl', 'actorDisplayName', 'threatDisplayName', 'threatFamilyName', 'mitreTechniques',
  'createdDateTime', 'lastUpdateDateTime', 'resolvedDateTime', 'firstActivityDateTime', 'lastActivityDateTime', 'comments',
  'evidence', 'systemTags', 'productName', 'alertPolicyId', 'additionalData', 'customDetails',
];
const EVIDENCE_BASE_KEYS = ['@odata.type', 'createdDateTime', 'verdict', 'remediationStatus', 'remediationStatusDetails', 'roles', 'detailedRoles', 'tags'];

describe("the kit's Graph API", () => {
  describe('wire shapes (reference §5.4, §5.5, §5.9)', () => {
    it('renders a stored legacy incident with exactly Graph incident fields, ids as strings and camelCase enums', async () => {
      const [stored] = seedIncidents(1, 11);
      Object.assign(stored!, {
        incidentId: 924521, status: 'InProgress', severity: 'UnSpecified', classification: 'FalsePositive',
        determination: 'NoEnoughDataToValidate', assignedTo: 'secop2@contoso.com', tags: ['pen-test'],
        redirectIncidentId: 924000,
        comments: [{ comment: 'Investigating', createdBy: 'secop1@contoso.com', createdTime: '2026-01-15T12:00:00.1234567Z' }],
      });
      serveGraph(server, [stored!]);
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
      serveGraph(server, incidents);
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
      serveGraph(server, [stored!]);
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
      serveGraph(server, seedIncidents(10, 4));
      const first = await get('incidents?$expand=alerts');
      const second = await get('incidents?$expand=alerts');
      expect(second.value).toEqual(first.value);
    });
  });

  describe('evolvable enums (Prefer: include-unknown-enum-members)', () => {
    it('sends members past unknownFutureValue only to callers that ask for them', async () => {
      const incidents = seedIncidents(3, 8);
      const target = incidents[1]!;
      target.status = 'AwaitingAction';
      target.alerts[0]!.serviceSource = 'MicrosoftDefenderForCloud';
      target.alerts[0]!.detectionSource = 'DefenderForDatabases';
      serveGraph(server, incidents);
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
});
