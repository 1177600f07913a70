import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { DefenderClient, ResponseValidationError } from '../../../src/index.js';
import { fakeTenant, startServer, type TenantCredential } from '../../support/tenant.js';

const server = startServer();
const ALERT_URL = 'https://graph.microsoft.com/v1.0/security/alerts_v2/da123';
const T = '2026-01-10T10:00:00.1234567Z';
const base = { createdDateTime: T, verdict: 'malicious', remediationStatus: 'prevented', remediationStatusDetails: null, roles: ['attacker'], detailedRoles: ['Main device'], tags: ['VIP'] };

// An alert as Graph returns it (reference §5.4/§5.5), one evidence item per subtype the model types, plus two it does not.
const alert = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2/$entity',
  id: 'da123', providerAlertId: '123', incidentId: '924521', status: 'new', severity: 'high', classification: null, determination: null,
  serviceSource: 'microsoftDefenderForEndpoint', detectionSource: 'antivirus', detectorId: 'd1', tenantId: 't', title: 'Mimikatz',
  description: 'd', recommendedActions: 'r', category: 'CredentialAccess', assignedTo: null, alertWebUrl: 'https://security.microsoft.com/alerts/da123',
  actorDisplayName: null, threatDisplayName: 'Mimikatz', threatFamilyName: 'Mimikatz', mitreTechniques: ['T1003'],
  createdDateTime: T, lastUpdateDateTime: T, resolvedDateTime: null, firstActivityDateTime: T, lastActivityDateTime: T, comments: [], systemTags: [],
  evidence: [
    { '@odata.type': '#microsoft.graph.security.deviceEvidence', ...base, mdeDeviceId: 'abc', azureAdDeviceId: null, deviceDnsName: 'pc-01.contoso.com', hostName: 'pc-01', osPlatform: 'Windows11', osBuild: 22621, version: '22H2', healthStatus: 'active', riskScore: 'high', rbacGroupId: 4, rbacGroupName: 'Workstations', onboardingStatus: 'onboarded', defenderAvStatus: 'updated', firstSeenDateTime: T, loggedOnUsers: [], vmMetadata: { vmId: 'vm1', cloudProvider: 'azure', resourceId: 'r', subscriptionId: 's' } },
    { '@odata.type': '#microsoft.graph.security.fileEvidence', ...base, detectionStatus: 'detected', mdeDeviceId: 'abc', fileDetails: { sha1: 's1', sha256: 's256', md5: 'm5', fileName: 'mimikatz.exe', filePath: 'C:\\t', fileSize: 1024, filePublisher: null, signer: null, issuer: null } },
    { '@odata.type': '#microsoft.graph.security.processEvidence', ...base, processId: 4120, parentProcessId: 500, processCommandLine: 'mimikatz.exe', processCreationDateTime: T, parentProcessCreationDateTime: null, detectionStatus: 'blocked', mdeDeviceId: 'abc', imageFile: { sha1: 's1', fileName: 'mimikatz.exe' }, parentProcessImageFile: null, userAccount: { accountName: 'jdoe', domainName: 'CONTOSO', userSid: 'S-1', azureAdUserId: 'u1', userPrincipalName: 'jdoe@contoso.com', displayName: 'J Doe' } },
    { '@odata.type': '#microsoft.graph.security.userEvidence', ...base, userAccount: { accountName: 'jdoe', azureAdUserId: 'u1', userPrincipalName: 'jdoe@contoso.com' } },
    { '@odata.type': '#microsoft.graph.security.ipEvidence', ...base, ipAddress: '20.1.2.3', countryLetterCode: 'US' },
    { '@odata.type': '#microsoft.graph.security.urlEvidence', ...base, url: 'https://m1crosoft.example/x' },
    { '@odata.type': '#microsoft.graph.security.mailboxEvidence', ...base, displayName: 'J Doe', primaryAddress: 'jdoe@contoso.com', upn: 'jdoe@contoso.com', userAccount: null },
    { '@odata.type': '#microsoft.graph.security.analyzedMessageEvidence', ...base, networkMessageId: 'n1', internetMessageId: '<i@x>', subject: 'Invoice', p1Sender: { emailAddress: 'p1@x.example' }, p2Sender: { emailAddress: 'p2@x.example' }, recipientEmailAddress: 'jdoe@contoso.com', deliveryAction: 'delivered', deliveryLocation: 'inbox' },
    { '@odata.type': '#microsoft.graph.security.mailClusterEvidence', ...base, clusterBy: 'Subject', clusterByValue: 'Invoice', emailCount: 12, query: 'q' },
    { '@odata.type': '#microsoft.graph.security.registryKeyEvidence', ...base, registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Run' },
    { '@odata.type': '#microsoft.graph.security.registryValueEvidence', ...base, registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Run', registryValue: 'x.exe', registryValueName: 'x', registryValueType: 'String', mdeDeviceId: 'abc' },
    { '@odata.type': '#microsoft.graph.security.securityGroupEvidence', ...base, securityGroupId: 'g1', displayName: 'Admins' },
    { '@odata.type': '#microsoft.graph.security.kubernetesPodEvidence', ...base, name: 'api-7d9', namespace: { name: 'prod' }, containers: [{ name: 'api' }] },
    { '@odata.type': '#microsoft.graph.security.someEvidenceFromTheFuture', ...base, verdict: 'unknownFutureValue', novel: 42 },
  ],
};

// The fake tenant gives the token; each test answers the alert itself, as Graph would send it.
let credential: TenantCredential;
beforeEach(() => {
  ({ credential } = fakeTenant(server, { incidents: 0, roles: ['SecurityAlert.Read.All'] }));
});

function client() {
  return new DefenderClient({ credential, api: 'graph' });
}

describe('Graph evidence', () => {
  it('types every subtype the model names, by @odata.type', async () => {
    server.use(http.get(ALERT_URL, () => HttpResponse.json(alert)));
    const result = await client().alerts.get('da123');
    expect(result.evidence.map((e) => e.type)).toEqual([
      'device', 'file', 'process', 'user', 'ip', 'url', 'mailbox', 'mailMessage', 'mailCluster', 'registryKey', 'registryValue', 'securityGroup', 'other', 'other',
    ]);
    const [device, file, process, user, ip, , mailbox, message, cluster, , value, group] = result.evidence;
    expect(device).toMatchObject({ mdeDeviceId: 'abc', osBuild: 22621, riskScore: 'high', firstSeenDateTime: new Date('2026-01-10T10:00:00.123Z'), vmMetadata: { cloudProvider: 'azure' } });
    expect(device).toMatchObject({ createdDateTime: new Date('2026-01-10T10:00:00.123Z'), verdict: 'malicious', remediationStatus: 'prevented', roles: ['attacker'], tags: ['VIP'] });
    expect(file).toMatchObject({ detectionStatus: 'detected', fileDetails: { sha256: 's256', md5: 'm5', fileSize: 1024 } });
    expect(process).toMatchObject({ processId: 4120, imageFile: { sha1: 's1', sha256: null }, userAccount: { displayName: 'J Doe' }, parentProcessImageFile: null });
    expect(user).toMatchObject({ userAccount: { accountName: 'jdoe', azureAdUserId: 'u1', domainName: null } });
    expect(ip).toMatchObject({ ipAddress: '20.1.2.3', countryLetterCode: 'US' });
    expect(mailbox).toMatchObject({ primaryAddress: 'jdoe@contoso.com', userAccount: null });
    // the sender a user saw is P2 (the From header), else P1
    expect(message).toMatchObject({ senderEmailAddress: 'p2@x.example', deliveryLocation: 'inbox' });
    expect(cluster).toMatchObject({ emailCount: 12, clusterByValue: 'Invoice' });
    expect(value).toMatchObject({ registryValueName: 'x', mdeDeviceId: 'abc' });
    expect(group).toMatchObject({ securityGroupId: 'g1', displayName: 'Admins' });
  });

  it('decodes a subtype the model does not type as other, with @odata.type as kind and every field in raw', async () => {
    server.use(http.get(ALERT_URL, () => HttpResponse.json(alert)));
    const result = await client().alerts.get('da123');
    const [pod, future] = result.evidence.slice(-2);
    expect(pod).toMatchObject({ type: 'other', kind: '#microsoft.graph.security.kubernetesPodEvidence', verdict: 'malicious' });
    expect(pod!.raw).toMatchObject({ name: 'api-7d9', namespace: { name: 'prod' }, containers: [{ name: 'api' }] });
    expect(future).toMatchObject({ type: 'other', kind: '#microsoft.graph.security.someEvidenceFromTheFuture', verdict: 'unknownFutureValue' });
    expect(future!.raw['novel']).toBe(42);
    expect(result.raw['@odata.context']).toBeUndefined();
    expect(result.raw['recommendedActions']).toBe('r');
  });

  it('checks a field only on the subtypes that define it: an ipAddress object on nic, IoT and DNS evidence is fine', async () => {
    const ip = { ipAddress: '10.0.0.5', countryLetterCode: null };
    const withObjects = structuredClone(alert);
    withObjects.evidence = [
      { '@odata.type': '#microsoft.graph.security.nicEvidence', ...base, ipAddress: ip, macAddress: '00-11-22-33-44-55', vlans: [] } as never,
      { '@odata.type': '#microsoft.graph.security.ioTDeviceEvidence', ...base, ipAddress: ip, deviceName: 'cam-01', url: { url: 'http://cam' } } as never,
      { '@odata.type': '#microsoft.graph.security.dnsEvidence', ...base, dnsServerIp: ip, domainName: 'x.example', hostIpAddress: ip } as never,
    ];
    server.use(http.get(ALERT_URL, () => HttpResponse.json(withObjects)));
    const result = await client().alerts.get('da123');
    expect(result.evidence.map((e) => [e.type, (e as { kind?: string }).kind])).toEqual([
      ['other', '#microsoft.graph.security.nicEvidence'],
      ['other', '#microsoft.graph.security.ioTDeviceEvidence'],
      ['other', '#microsoft.graph.security.dnsEvidence'],
    ]);
    expect(result.evidence[0]!.raw['ipAddress']).toEqual(ip);

    // ...while on ipEvidence, where the model reads it as a string, the same object is refused.
    const wrong = structuredClone(alert);
    (wrong.evidence[4] as Record<string, unknown>)['ipAddress'] = ip;
    server.use(http.get(ALERT_URL, () => HttpResponse.json(wrong)));
    const error = await client().alerts.get('da123').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]!.path).toBe('evidence[4].ipAddress');
  });

  it('reads a null title (documented nullable) as an empty string instead of failing the call', async () => {
    server.use(http.get(ALERT_URL, () => HttpResponse.json({ ...alert, title: null })));
    await expect(client().alerts.get('da123')).resolves.toMatchObject({ id: 'da123', title: '' });
  });

  it('raises ResponseValidationError with the path when evidence has a wrongly typed field', async () => {
    const bad = structuredClone(alert);
    (bad.evidence[1] as Record<string, unknown>)['fileDetails'] = { sha1: 7 };
    server.use(http.get(ALERT_URL, () => HttpResponse.json(bad)));
    const error = await client().alerts.get('da123').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]!.path).toBe('evidence[1].fileDetails.sha1');
  });
});
