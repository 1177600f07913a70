import { describe, expect, it } from 'vitest';
import {
  LEGACY_MAX_PAGE_SIZE,
  buildIncidentListQuery,
  buildIncidentUpdateBody,
  parseIncident,
  parseIncidentListPage,
} from '../../../src/apis/defender/index.js';
import { ResponseValidationError } from '../../../src/errors.js';
import { validateIncidentListOptions, validateIncidentUpdate } from '../../../src/models/incident-options.js';
import { incidentSchema, type Evidence, type Incident, type IncidentListOptions, type IncidentUpdate } from '../../../src/models/index.js';
import {
  legacyAlert,
  legacyDevice,
  legacyEntity,
  legacyIncident,
  legacyIncidentList,
  realisticIncident,
  realisticIncidentListResponse,
} from '../../support/defender-payloads.js';
import { thrownBy } from '../../support/throws.js';

const OP = 'incidents.list';

function parseOne(incident: unknown): Incident {
  const { items } = parseIncidentListPage(legacyIncidentList([incident as never]), OP);
  expect(items).toHaveLength(1);
  return items[0]!;
}

function evidenceOf(...entities: unknown[]): Evidence[] {
  return parseOne(legacyIncident({ alerts: [legacyAlert({ devices: [], entities: entities as never })] })).alerts[0]!.evidence;
}

const validationError = (fn: () => unknown) => thrownBy(ResponseValidationError, fn);

describe('parseIncidentListPage with the realistic payload of reference §2.5', () => {
  it('maps every field of the incident, alert, device and entity to the public model', () => {
    const body = realisticIncidentListResponse();
    const wire = body.value[0]!;
    const { items, nextLink } = parseIncidentListPage(body, OP);
    expect(nextLink).toBeUndefined();
    expect(items).toEqual([
      {
        id: '924521',
        displayName: "'Mimikatz' hacktool was detected on one endpoint",
        status: 'active',
        severity: 'low',
        classification: 'unknown',
        determination: 'unknown',
        assignedTo: null,
        createdDateTime: new Date('2020-09-06T12:18:03.626Z'),
        lastUpdateDateTime: new Date('2020-09-06T12:18:03.810Z'),
        redirectIncidentId: null,
        tags: [],
        systemTags: [],
        comments: [
          {
            comment: 'test comment for docs',
            createdBy: 'secop123@contoso.com',
            createdDateTime: new Date('2021-01-26T01:00:37.840Z'),
          },
        ],
        alerts: [
          {
            id: 'da637349914833441527_393341063',
            incidentId: '924521',
            title: "'Mimikatz' hacktool was detected",
            description: 'Readily available tools, such as hacking programs, ...',
            category: 'Malware',
            status: 'new',
            severity: 'low',
            classification: 'unknown',
            determination: 'unknown',
            serviceSource: 'microsoftDefenderForEndpoint',
            detectionSource: 'antivirus',
            detectorId: '17e10bbc-3a68-474a-8aad-faef14d43952',
            assignedTo: null,
            threatFamilyName: 'Mimikatz',
            actorDisplayName: null,
            mitreTechniques: [],
            createdDateTime: new Date('2020-09-06T12:18:03.328Z'),
            lastUpdateDateTime: new Date('2020-09-06T12:18:04.256Z'),
            resolvedDateTime: null,
            firstActivityDateTime: new Date('2020-09-06T12:15:07.727Z'),
            lastActivityDateTime: new Date('2020-09-06T12:15:07.727Z'),
            evidence: [
              {
                type: 'device',
                createdDateTime: null,
                verdict: null,
                remediationStatus: null,
                remediationStatusDetails: null,
                roles: [],
                detailedRoles: [],
                tags: [],
                mdeDeviceId: '24c222b0b60fe148eeece49ac83910cc6a7ef491',
                azureAdDeviceId: null,
                deviceDnsName: 'user5cx.middleeast.corp.contoso.com',
                osPlatform: 'WindowsServer2016',
                osBuild: 14393,
                version: '1607',
                osProcessor: 'x64',
                ipInterfaces: [],
                loggedOnUsers: [],
                healthStatus: 'active',
                riskScore: 'high',
                rbacGroupId: 9,
                rbacGroupName: 'WDATP-Ring0',
                onboardingStatus: 'onboarded',
                defenderAvStatus: 'updated',
                firstSeenDateTime: new Date('2020-02-06T14:16:01.933Z'),
                vmMetadata: null,
                raw: wire.alerts[0]!.devices[0],
              },
              {
                type: 'file',
                createdDateTime: null,
                verdict: null,
                remediationStatus: null,
                remediationStatusDetails: null,
                roles: [],
                detailedRoles: [],
                tags: [],
                fileDetails: {
                  sha1: '5de839186691aa96ee2ca6d74f0a38fb8d1bd6dd',
                  sha256: null,
                  md5: null,
                  fileName: 'Detector.UnitTests.dll',
                  filePath: 'C:\\Agent\\_work\\_temp\\Deploy_SYSTEM 2020-09-06 12_14_54\\Out',
                  fileSize: null,
                  filePublisher: null,
                  signer: null,
                  issuer: null,
                },
                detectionStatus: null,
                mdeDeviceId: '24c222b0b60fe148eeece49ac83910cc6a7ef491',
                raw: wire.alerts[0]!.entities[0],
              },
            ],
            comments: [],
            webUrl: null,
            incidentWebUrl: null,
            providerAlertId: null,
            threatDisplayName: null,
            productName: null,
            recommendedActions: null,
            systemTags: [],
            tenantId: null,
            alertPolicyId: null,
            additionalData: null,
            investigationId: null,
            investigationState: 'unsupportedOs',
            raw: wire.alerts[0],
          },
        ],
        webUrl: null,
        description: null,
        summary: null,
        resolvingComment: null,
        lastModifiedBy: null,
        tenantId: null,
        priorityScore: null,
        raw: wire,
      },
    ]);
  });

  it('produces objects that satisfy the public incident schema', () => {
    const [incident] = parseIncidentListPage(realisticIncidentListResponse(), OP).items;
    expect(incidentSchema.safeParse(incident).success).toBe(true);
  });

  it('keeps fields the model does not carry in raw (investigationState, osProcessor, unknown extras)', () => {
    const wire = legacyIncident({ brandNewField: { nested: true } });
    const incident = parseOne(wire);
    expect(incident.raw.brandNewField).toEqual({ nested: true });
    expect((incident.alerts[0]!.raw as { investigationState?: string }).investigationState).toBe('UnsupportedOs');
    expect(incident.alerts[0]!.evidence[0]!.raw.osProcessor).toBe('x64');
  });

  it('returns @odata.nextLink when the API sends one', () => {
    const page = parseIncidentListPage(
      legacyIncidentList([legacyIncident()], { '@odata.nextLink': 'https://api.security.microsoft.com/api/incidents?$skip=100' }),
      OP,
    );
    expect(page.nextLink).toBe('https://api.security.microsoft.com/api/incidents?$skip=100');
  });

  it('builds webUrl only when given the portal address', () => {
    const page = parseIncidentListPage(realisticIncidentListResponse(), OP, { portalBaseUrl: 'https://security.microsoft.com/' });
    expect(page.items[0]!.webUrl).toBe('https://security.microsoft.com/incidents/924521');
  });

  it('parses an empty page', () => {
    expect(parseIncidentListPage(legacyIncidentList([]), OP).items).toEqual([]);
  });
});

describe('parseIncident (get and update responses)', () => {
  it('parses a single incident and leaves @odata.context out of raw', () => {
    const body = { '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents/$entity', ...realisticIncident() };
    const incident = parseIncident(body, 'incidents.get');
    expect(incident.id).toBe('924521');
    expect(incident.raw).toEqual(realisticIncident());
    expect(body['@odata.context']).toBeDefined(); // the caller's object is not changed
  });

  it('reports paths relative to the incident', () => {
    const body = legacyIncident({ alerts: [legacyAlert({ alertId: undefined })] });
    const error = validationError(() => parseIncident(body, 'incidents.get'));
    expect(error.operation).toBe('incidents.get');
    expect(error.issues.map((issue) => issue.path)).toEqual(['alerts[0].alertId']);
  });

  it('gives an alert without an incident id (missing, null or "") its incident\'s', () => {
    const body = legacyIncident({
      incidentId: 77,
      alerts: [legacyAlert({ incidentId: undefined }), legacyAlert({ incidentId: null as never }), legacyAlert({ incidentId: '' as never })],
    });
    expect(parseIncident(body, 'incidents.get').alerts.map((alert) => alert.incidentId)).toEqual(['77', '77', '77']);
  });
});

describe('lenient reading', () => {
  it('passes unknown enum values through, lower-camelled', () => {
    const incident = parseOne(
      legacyIncident({
        status: 'AwaitingAction',
        severity: 'Critical',
        classification: 'SomethingNew',
        determination: 'BrandNewDetermination',
        alerts: [
          legacyAlert({
            status: 'Dismissed',
            serviceSource: 'MicrosoftQuantumDefender',
            detectionSource: 'QuantumSensor',
          }),
        ],
      }),
    );
    expect(incident).toMatchObject({
      status: 'awaitingAction',
      severity: 'critical',
      classification: 'somethingNew',
      determination: 'brandNewDetermination',
    });
    expect(incident.alerts[0]).toMatchObject({
      status: 'dismissed',
      serviceSource: 'microsoftQuantumDefender',
      detectionSource: 'quantumSensor',
    });
    expect(incident.raw.status).toBe('AwaitingAction');
  });

  it('maps the legacy names to Graph names', () => {
    const incident = parseOne(
      legacyIncident({
        status: 'Redirected',
        redirectIncidentId: 924530,
        severity: 'UnSpecified',
        classification: 'TruePositive',
        determination: 'CompromisedUser',
      }),
    );
    expect(incident).toMatchObject({
      status: 'redirected',
      redirectIncidentId: '924530',
      severity: 'unknown',
      classification: 'truePositive',
      determination: 'compromisedAccount',
    });
  });

  it.each([
    ['NotAvailable', 'unknown'],
    ['CompromisedAccount', 'compromisedAccount'],
    ['CompromisedUser', 'compromisedAccount'],
    ['Clean', 'notMalicious'],
    ['InsufficientData', 'notEnoughDataToValidate'],
    ['NoEnoughDataToValidate', 'notEnoughDataToValidate'],
    ['ConfirmedActivity', 'confirmedUserActivity'],
    ['ConfirmedUserActivity', 'confirmedUserActivity'],
    ['MultiStagedAttack', 'multiStagedAttack'],
    ['Apt', 'apt'],
  ])('maps determination %s to %s', (legacy, graph) => {
    expect(parseOne(legacyIncident({ determination: legacy })).determination).toBe(graph);
  });

  it.each([
    ['MicrosoftDefenderATP', 'microsoftDefenderForEndpoint'],
    ['MicrosoftDefenderForEndpoint', 'microsoftDefenderForEndpoint'],
    ['MicrosoftCloudAppSecurity', 'microsoftDefenderForCloudApps'],
    ['OfficeATP', 'microsoftDefenderForOffice365'],
    ['MicrosoftDefenderForCloud', 'microsoftDefenderForCloud'],
    ['AzureATP', 'microsoftDefenderForIdentity'],
    ['AAD', 'azureAdIdentityProtection'],
  ])('maps serviceSource %s to %s', (legacy, graph) => {
    expect(parseOne(legacyIncident({ alerts: [legacyAlert({ serviceSource: legacy })] })).alerts[0]!.serviceSource).toBe(graph);
  });

  it.each([
    ['WindowsDefenderAv', 'antivirus'],
    ['MCAS', 'cloudAppSecurity'],
    ['WindowsDefenderAtp', 'microsoftDefenderForEndpoint'],
    ['AutomatedInvestigation', 'automatedInvestigation'],
    ['OfficeATP', 'microsoftDefenderForOffice365'],
    ['DefenderForDatabases', 'microsoftDefenderForDatabases'],
    ['CustomDetection', 'customDetection'],
  ])('maps detectionSource %s to %s', (legacy, graph) => {
    expect(parseOne(legacyIncident({ alerts: [legacyAlert({ detectionSource: legacy })] })).alerts[0]!.detectionSource).toBe(graph);
  });

  it('reads an incident-level New status as active', () => {
    expect(parseOne(legacyIncident({ status: 'New' })).status).toBe('active');
  });

  it('parses 7-digit fractional seconds to the millisecond (truncated, UTC)', () => {
    const incident = parseOne(legacyIncident({ createdTime: '2020-09-06T12:18:03.9999999Z', lastUpdateTime: '2020-09-06T12:18:03Z' }));
    expect(incident.createdDateTime.toISOString()).toBe('2020-09-06T12:18:03.999Z');
    expect(incident.lastUpdateDateTime.toISOString()).toBe('2020-09-06T12:18:03.000Z');
  });

  it('accepts a payload that omits null keys and optional arrays', () => {
    const incident = parseOne({
      incidentId: 7,
      incidentName: 'Minimal',
      createdTime: '2024-01-01T00:00:00Z',
      lastUpdateTime: '2024-01-01T00:00:00Z',
      status: 'Active',
      alerts: [{ alertId: 'a1', incidentId: 7, creationTime: '2024-01-01T00:00:00Z', title: 'T', entities: [{ entityType: 'Ip', ipAddress: '10.1.2.3' }] }],
    });
    expect(incident).toMatchObject({ id: '7', severity: 'unknown', classification: 'unknown', assignedTo: null, tags: [], comments: [] });
    expect(incident.alerts[0]).toMatchObject({
      status: 'unknown',
      serviceSource: 'unknown',
      detectionSource: 'unknown',
      description: null,
      mitreTechniques: [],
      lastUpdateDateTime: null,
      evidence: [{ type: 'ip', ipAddress: '10.1.2.3', countryLetterCode: null }],
    });
  });

  it('accepts null alert timestamps, all five documented as nullable', () => {
    const alert = legacyAlert({ creationTime: null, lastUpdatedTime: null, firstActivity: null, lastActivity: null });
    expect(parseOne(legacyIncident({ alerts: [alert] })).alerts[0]).toMatchObject({
      createdDateTime: null,
      lastUpdateDateTime: null,
      resolvedDateTime: null,
      firstActivityDateTime: null,
      lastActivityDateTime: null,
    });
  });

  it('reads an empty assignedTo as unassigned', () => {
    expect(parseOne(legacyIncident({ assignedTo: '' })).assignedTo).toBeNull();
  });
});

describe('broken responses raise ResponseValidationError with the path', () => {
  it('a missing alertId on an alert, naming the incident\'s index and id', () => {
    const body = legacyIncidentList([legacyIncident(), legacyIncident({ incidentId: 5150, alerts: [legacyAlert(), legacyAlert({ alertId: undefined })] })]);
    const error = validationError(() => parseIncidentListPage(body, OP));
    expect(error.operation).toBe(OP);
    expect(error.issues).toEqual([{ path: 'value[1].alerts[1].alertId', message: 'required id is missing' }]);
    expect(error.message).toContain('incidents.list');
    expect(error.message).toContain('value[1] (id "5150")');
    expect(error.message).toContain('value[1].alerts[1].alertId');
    expect(error.message).toContain('onInvalidItem');
  });

  it('a non-string incidentName', () => {
    const error = validationError(() => parseIncidentListPage(legacyIncidentList([legacyIncident({ incidentName: 42 as never })]), OP));
    expect(error.issues[0]).toMatchObject({ path: 'value[0].incidentName' });
  });

  it('an unparseable date, without echoing it', () => {
    const error = validationError(() =>
      parseIncidentListPage(legacyIncidentList([legacyIncident({ lastUpdateTime: 'Sunday, 6 Sept 2020' })]), OP),
    );
    expect(error.issues).toEqual([{ path: 'value[0].lastUpdateTime', message: 'expected an ISO-8601 date-time string' }]);
    expect(error.message).not.toContain('Sunday');
  });

  it('an impossible date', () => {
    const error = validationError(() =>
      parseIncidentListPage(legacyIncidentList([legacyIncident({ createdTime: '2021-02-30T00:00:00Z' })]), OP),
    );
    expect(error.issues[0]!.path).toBe('value[0].createdTime');
  });

  it('every problem, not only the first', () => {
    const error = validationError(() =>
      parseIncidentListPage(
        legacyIncidentList([legacyIncident({ incidentId: undefined, status: 3 as never, tags: 'x' as never })]),
        OP,
      ),
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['value[0].incidentId', 'value[0].status', 'value[0].tags']);
  });

  it.each([
    ['null', null],
    ['a string', 'Service Unavailable'],
    ['an object without value', { error: 'x' }],
    ['value not an array', { value: {} }],
  ])('a body that is %s', (_label, body) => {
    const error = validationError(() => parseIncidentListPage(body, OP));
    expect(error.issues.length).toBeGreaterThan(0);
  });

  it('a wrongly typed entity field the model exposes', () => {
    const body = legacyIncidentList([
      legacyIncident({ alerts: [legacyAlert({ entities: [legacyEntity('Process', { processId: 'abc' as never })] })] }),
    ]);
    const error = validationError(() => parseIncidentListPage(body, OP));
    expect(error.issues[0]!.path).toBe('value[0].alerts[0].entities[0].processId');
  });
});

describe('entities and devices become typed evidence', () => {
  it('an all-null-keys entity carries no null garbage into its typed fields', () => {
    const [user] = evidenceOf(
      legacyEntity('User', { accountName: 'jdoe', domainName: 'CONTOSO', userSid: 'S-1-5-21-1', aadUserId: 'aad-1', userPrincipalName: 'jdoe@contoso.com' }),
    );
    expect(user).toEqual({
      type: 'user',
      createdDateTime: null,
      verdict: null,
      remediationStatus: null,
      remediationStatusDetails: null,
      roles: [],
      detailedRoles: [],
      tags: [],
      userAccount: {
        accountName: 'jdoe',
        domainName: 'CONTOSO',
        userSid: 'S-1-5-21-1',
        azureAdUserId: 'aad-1',
        userPrincipalName: 'jdoe@contoso.com',
        displayName: null,
      },
      raw: expect.objectContaining({ entityType: 'User', sha1: null }),
    });
    expect(Object.keys(user!)).not.toContain('sha1');
  });

  it.each([
    ['Ip', { ipAddress: '203.0.113.7' }, { type: 'ip', ipAddress: '203.0.113.7' }],
    ['Url', { url: 'https://evil.example/x' }, { type: 'url', url: 'https://evil.example/x' }],
    [
      'MailBox',
      { mailboxDisplayName: 'J Doe', mailboxAddress: 'jdoe@contoso.com', userPrincipalName: 'jdoe@contoso.com' },
      { type: 'mailbox', displayName: 'J Doe', primaryAddress: 'jdoe@contoso.com', upn: 'jdoe@contoso.com', userAccount: null },
    ],
    [
      'MailMessage',
      { sender: 'bad@evil.example', recipient: 'jdoe@contoso.com', subject: 'Invoice', deliveryAction: 'Delivered' },
      { type: 'mailMessage', senderEmailAddress: 'bad@evil.example', recipientEmailAddress: 'jdoe@contoso.com', subject: 'Invoice', deliveryAction: 'Delivered', networkMessageId: null },
    ],
    ['MailCluster', { clusterBy: 'Subject;P2SenderDomain;ContentType' }, { type: 'mailCluster', clusterBy: 'Subject;P2SenderDomain;ContentType' }],
    ['SecurityGroup', { securityGroupId: 'sg-1', securityGroupName: 'Domain Admins' }, { type: 'securityGroup', securityGroupId: 'sg-1', displayName: 'Domain Admins' }],
  ])('%s entity', (entityType, fields, expected) => {
    const [evidence] = evidenceOf(legacyEntity(entityType, fields));
    expect(evidence).toMatchObject(expected);
  });

  it('a Process entity, with its image file and account', () => {
    const [process] = evidenceOf(
      legacyEntity('Process', {
        processId: 4321,
        parentProcessId: 1000,
        processCommandLine: 'mimikatz.exe "sekurlsa::logonpasswords"',
        processCreationTime: '2020-09-06T12:15:07.7272048Z',
        parentProcessCreationTime: '2020-09-06T12:00:00.0000001Z',
        fileName: 'mimikatz.exe',
        sha1: 'abc',
        accountName: 'jdoe',
        deviceId: 'dev-1',
      }),
    );
    expect(process).toMatchObject({
      type: 'process',
      processId: 4321,
      parentProcessId: 1000,
      processCommandLine: 'mimikatz.exe "sekurlsa::logonpasswords"',
      processCreationDateTime: new Date('2020-09-06T12:15:07.727Z'),
      parentProcessCreationDateTime: new Date('2020-09-06T12:00:00.000Z'),
      imageFile: { fileName: 'mimikatz.exe', sha1: 'abc', sha256: null },
      parentProcessImageFile: null,
      userAccount: { accountName: 'jdoe', domainName: null },
      mdeDeviceId: 'dev-1',
    });
  });

  it('a Process entity without file or account data has null imageFile and userAccount', () => {
    const [process] = evidenceOf(legacyEntity('Process', { processId: 1 }));
    expect(process).toMatchObject({ type: 'process', imageFile: null, userAccount: null });
  });

  it('a Registry entity with a value becomes registryValue, without one registryKey', () => {
    const evidence = evidenceOf(
      legacyEntity('Registry', {
        registryHive: 'HKEY_LOCAL_MACHINE',
        registryKey: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
        registryValueType: 'String',
        registryValue: 'C:\\evil.exe',
        deviceId: 'dev-1',
      }),
      legacyEntity('Registry', { registryHive: 'HKEY_CURRENT_USER', registryKey: 'Software\\Evil' }),
    );
    expect(evidence).toEqual([
      expect.objectContaining({
        type: 'registryValue',
        registryHive: 'HKEY_LOCAL_MACHINE',
        registryKey: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
        registryValue: 'C:\\evil.exe',
        registryValueName: null,
        registryValueType: 'String',
        mdeDeviceId: 'dev-1',
      }),
      expect.objectContaining({ type: 'registryKey', registryHive: 'HKEY_CURRENT_USER', registryKey: 'Software\\Evil' }),
    ]);
    expect(Object.keys(evidence[1]!)).not.toContain('registryValue');
  });

  it('an unknown entityType becomes other, with kind and raw', () => {
    const entity = legacyEntity('CloudApplication', { appId: 11161, name: 'Office 365' }, { omitNulls: true });
    const [other] = evidenceOf(entity);
    expect(other).toEqual({
      type: 'other',
      kind: 'CloudApplication',
      createdDateTime: null,
      verdict: null,
      remediationStatus: null,
      remediationStatusDetails: null,
      roles: [],
      detailedRoles: [],
      tags: [],
      raw: { entityType: 'CloudApplication', appId: 11161, name: 'Office 365' },
    });
  });

  it('an entity without entityType becomes other with kind null', () => {
    expect(evidenceOf({ url: 'x' })[0]).toMatchObject({ type: 'other', kind: null });
  });

  it('reads entityType case-insensitively and maps a newer verdict', () => {
    const [ip] = evidenceOf(legacyEntity('IP', { ipAddress: '10.0.0.1', verdict: 'Suspicious' }, { omitNulls: true }));
    expect(ip).toMatchObject({ type: 'ip', ipAddress: '10.0.0.1', verdict: 'suspicious' });
  });

  it('a device keyed DeviceId (as the docs table names it) still gets its id', () => {
    const device = legacyDevice({ DeviceId: 'from-docs-table' });
    delete (device as Record<string, unknown>).mdatpDeviceId;
    const incident = parseOne(legacyIncident({ alerts: [legacyAlert({ devices: [device], entities: [] })] }));
    expect(incident.alerts[0]!.evidence[0]).toMatchObject({ type: 'device', mdeDeviceId: 'from-docs-table' });
  });

  it('a device with VM metadata and tags', () => {
    const device = legacyDevice({
      tags: ['Tier0'],
      aadDeviceId: 'aad-dev',
      vmMetadata: { vmId: 'vm-1', cloudProvider: 'Azure', resourceId: '/subscriptions/s/vm', subscriptionId: 's' },
    });
    const incident = parseOne(legacyIncident({ alerts: [legacyAlert({ devices: [device], entities: [] })] }));
    expect(incident.alerts[0]!.evidence[0]).toMatchObject({
      type: 'device',
      tags: ['Tier0'],
      azureAdDeviceId: 'aad-dev',
      vmMetadata: { vmId: 'vm-1', cloudProvider: 'azure', resourceId: '/subscriptions/s/vm', subscriptionId: 's' },
    });
  });
});

describe('buildIncidentListQuery', () => {
  const build = (options: IncidentListOptions, page = { top: 100, skip: 0 }) =>
    buildIncidentListQuery(validateIncidentListOptions(options, LEGACY_MAX_PAGE_SIZE), page);

  it('sends $top and $skip without a filter when there are no filters', () => {
    expect([...build({}, { top: 100, skip: 200 })]).toEqual([
      ['$top', '100'],
      ['$skip', '200'],
    ]);
  });

  it('filters on the four fields the API supports, joined with and', () => {
    const query = build({
      updatedAfter: new Date('2020-06-03T18:04:29.463Z'),
      updatedBefore: '2020-07-01T00:00:00Z',
      createdAfter: '2021-04-05T00:00:00Z',
      createdBefore: '2021-05-05T00:00:00+02:00',
      status: 'active',
      assignedTo: 'secop2@contoso.com',
    });
    expect(query.get('$filter')).toBe(
      'lastUpdateTime ge 2020-06-03T18:04:29.463Z and lastUpdateTime lt 2020-07-01T00:00:00.000Z' +
        ' and createdTime ge 2021-04-05T00:00:00.000Z and createdTime lt 2021-05-04T22:00:00.000Z' +
        " and status eq 'Active' and assignedTo eq 'secop2@contoso.com'",
    );
  });

  it.each([
    ['inProgress', 'InProgress'],
    ['resolved', 'Resolved'],
    ['redirected', 'Redirected'],
  ] as const)('sends status %s as %s', (status, legacy) => {
    expect(build({ status }).get('$filter')).toBe(`status eq '${legacy}'`);
  });

  it('escapes single quotes in assignedTo by doubling them', () => {
    expect(build({ assignedTo: "o'brien@contoso.com" }).get('$filter')).toBe("assignedTo eq 'o''brien@contoso.com'");
    expect(build({ assignedTo: "x' or 1 eq 1 or assignedTo eq 'y" }).get('$filter')).toBe(
      "assignedTo eq 'x'' or 1 eq 1 or assignedTo eq ''y'",
    );
  });

  it('url-encodes the filter', () => {
    expect(build({ status: 'active' }).toString()).toBe('%24filter=status+eq+%27Active%27&%24top=100&%24skip=0');
  });
});

describe('buildIncidentUpdateBody', () => {
  const body = (update: IncidentUpdate) => buildIncidentUpdateBody(validateIncidentUpdate(update));

  it('maps the public vocabulary to the legacy wire (the docs example body)', () => {
    expect(
      body({
        status: 'resolved',
        assignedTo: 'secop2@contoso.com',
        classification: 'truePositive',
        determination: 'malware',
        tags: ['Yossi\'s playground', 'Don\'t mess with the Zohan'],
        comment: 'pen testing',
      }),
    ).toEqual({
      status: 'Resolved',
      assignedTo: 'secop2@contoso.com',
      classification: 'TruePositive',
      determination: 'Malware',
      tags: ["Yossi's playground", "Don't mess with the Zohan"],
      comment: 'pen testing',
    });
  });

  it.each([
    ['falsePositive', 'notMalicious', 'FalsePositive', 'Clean'],
    ['falsePositive', 'notEnoughDataToValidate', 'FalsePositive', 'NoEnoughDataToValidate'],
    ['informationalExpectedActivity', 'confirmedUserActivity', 'InformationalExpectedActivity', 'ConfirmedActivity'],
    ['informationalExpectedActivity', 'lineOfBusinessApplication', 'InformationalExpectedActivity', 'LineOfBusinessApplication'],
    ['truePositive', 'compromisedAccount', 'TruePositive', 'CompromisedAccount'],
    ['truePositive', 'multiStagedAttack', 'TruePositive', 'MultiStagedAttack'],
    ['unknown', 'unknown', 'Unknown', 'NotAvailable'],
  ])('sends %s/%s as %s/%s', (classification, determination, legacyClassification, legacyDetermination) => {
    expect(body({ classification, determination } as IncidentUpdate)).toEqual({
      classification: legacyClassification,
      determination: legacyDetermination,
    });
  });

  it('sends inProgress as InProgress and only the fields given', () => {
    expect(body({ status: 'inProgress' })).toEqual({ status: 'InProgress' });
  });

  it('unassigns with an empty string, as the API expects', () => {
    expect(body({ assignedTo: null })).toEqual({ assignedTo: '' });
  });

  it('sends comment singular', () => {
    expect(Object.keys(body({ comment: 'x' }))).toEqual(['comment']);
  });
});
