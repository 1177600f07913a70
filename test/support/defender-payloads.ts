/**
 * Realistic Defender API (`api.security.microsoft.com`) payloads for tests. Every function
 * returns a fresh object, so a test may mutate what it gets.
 *
 * - {@link realisticIncidentListResponse}: the list response of reference §2.5, verbatim.
 * - {@link legacyIncident}, {@link legacyAlert}, {@link legacyDevice}, {@link legacyEntity},
 *   {@link legacyIncidentList}: builders with realistic defaults and shallow overrides.
 * - {@link realisticHuntingResponse}, {@link legacyHuntingResponse}: hunting responses (§3.1).
 */
import type {
  LegacyAlert,
  LegacyDevice,
  LegacyEntity,
  LegacyIncident,
  LegacyIncidentList,
} from '../../src/apis/defender/index.js';

/** The realistic `GET /api/incidents` response of reference §2.5, verbatim. */
export function realisticIncidentListResponse() {
  return {
    '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents',
    value: [
      {
        incidentId: 924521,
        redirectIncidentId: null,
        incidentName: "'Mimikatz' hacktool was detected on one endpoint",
        createdTime: '2020-09-06T12:18:03.6266667Z',
        lastUpdateTime: '2020-09-06T12:18:03.81Z',
        assignedTo: null,
        classification: 'Unknown',
        determination: 'NotAvailable',
        status: 'Active',
        severity: 'Low',
        tags: [],
        comments: [
          { comment: 'test comment for docs', createdBy: 'secop123@contoso.com', createdTime: '2021-01-26T01:00:37.8404534Z' },
        ],
        alerts: [
          {
            alertId: 'da637349914833441527_393341063',
            incidentId: 924521,
            serviceSource: 'MicrosoftDefenderATP',
            creationTime: '2020-09-06T12:18:03.3285366Z',
            lastUpdatedTime: '2020-09-06T12:18:04.2566667Z',
            resolvedTime: null,
            firstActivity: '2020-09-06T12:15:07.7272048Z',
            lastActivity: '2020-09-06T12:15:07.7272048Z',
            title: "'Mimikatz' hacktool was detected",
            description: 'Readily available tools, such as hacking programs, ...',
            category: 'Malware',
            status: 'New',
            severity: 'Low',
            investigationId: null,
            investigationState: 'UnsupportedOs',
            classification: null,
            determination: null,
            detectionSource: 'WindowsDefenderAv',
            detectorId: '17e10bbc-3a68-474a-8aad-faef14d43952',
            assignedTo: null,
            actorName: null,
            threatFamilyName: 'Mimikatz',
            mitreTechniques: [],
            devices: [
              {
                mdatpDeviceId: '24c222b0b60fe148eeece49ac83910cc6a7ef491',
                aadDeviceId: null,
                deviceDnsName: 'user5cx.middleeast.corp.contoso.com',
                osPlatform: 'WindowsServer2016',
                version: '1607',
                osProcessor: 'x64',
                osBuild: 14393,
                healthStatus: 'Active',
                riskScore: 'High',
                rbacGroupName: 'WDATP-Ring0',
                rbacGroupId: 9,
                firstSeen: '2020-02-06T14:16:01.9330135Z',
                tags: [],
                defenderAvStatus: 'Updated',
                onboardingStatus: 'Onboarded',
                vmMetadata: null,
              },
            ],
            entities: [
              {
                entityType: 'File',
                sha1: '5de839186691aa96ee2ca6d74f0a38fb8d1bd6dd',
                sha256: null,
                fileName: 'Detector.UnitTests.dll',
                filePath: 'C:\\Agent\\_work\\_temp\\Deploy_SYSTEM 2020-09-06 12_14_54\\Out',
                processId: null,
                processCommandLine: null,
                processCreationTime: null,
                parentProcessId: null,
                parentProcessCreationTime: null,
                ipAddress: null,
                url: null,
                accountName: null,
                domainName: null,
                userSid: null,
                aadUserId: null,
                userPrincipalName: null,
                mailboxDisplayName: null,
                mailboxAddress: null,
                clusterBy: null,
                sender: null,
                recipient: null,
                subject: null,
                deliveryAction: null,
                securityGroupId: null,
                securityGroupName: null,
                registryHive: null,
                registryKey: null,
                registryValueType: null,
                registryValue: null,
                deviceId: '24c222b0b60fe148eeece49ac83910cc6a7ef491',
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The realistic incident of reference §2.5 (the single item of {@link realisticIncidentListResponse}). */
export function realisticIncident() {
  return realisticIncidentListResponse().value[0]!;
}

/** Every key a legacy entity carries, all `null` (older payloads send them all). */
const NULL_ENTITY_KEYS = [
  'sha1', 'sha256', 'fileName', 'filePath', 'processId', 'processCommandLine', 'processCreationTime',
  'parentProcessId', 'parentProcessCreationTime', 'ipAddress', 'url', 'accountName', 'domainName', 'userSid',
  'aadUserId', 'userPrincipalName', 'mailboxDisplayName', 'mailboxAddress', 'clusterBy', 'sender', 'recipient',
  'subject', 'deliveryAction', 'securityGroupId', 'securityGroupName', 'registryHive', 'registryKey',
  'registryValueType', 'registryValue', 'deviceId',
] as const;

/**
 * A legacy entity of `entityType` with every other key present and `null` (as older payloads
 * send them), then `overrides`. Pass `{ omitNulls: true }` for the newer shape that leaves null
 * keys out.
 */
export function legacyEntity(
  entityType: string,
  overrides: Partial<LegacyEntity> & Record<string, unknown> = {},
  { omitNulls = false }: { omitNulls?: boolean } = {},
): LegacyEntity {
  const entity: Record<string, unknown> = { entityType };
  if (!omitNulls) for (const key of NULL_ENTITY_KEYS) entity[key] = null;
  return { ...entity, ...overrides } as LegacyEntity;
}

/** A legacy device (`alert.devices[]`) like the §2.5 one, with `overrides`. */
export function legacyDevice(overrides: Partial<LegacyDevice> & Record<string, unknown> = {}): LegacyDevice {
  return { ...realisticIncident().alerts[0]!.devices[0]!, ...overrides };
}

/** A legacy alert like the §2.5 one (with its device and File entity), with `overrides`. */
export function legacyAlert(overrides: Partial<LegacyAlert> & Record<string, unknown> = {}): LegacyAlert {
  return { ...realisticIncident().alerts[0]!, ...overrides } as LegacyAlert;
}

/**
 * A legacy incident like the §2.5 one, with `overrides`. When `overrides.incidentId` is given
 * and `overrides.alerts` is not, the default alert carries the same incident id.
 */
export function legacyIncident(overrides: Partial<LegacyIncident> & Record<string, unknown> = {}): LegacyIncident {
  const base = realisticIncident();
  const alerts =
    overrides.alerts ?? (overrides.incidentId !== undefined ? [legacyAlert({ incidentId: overrides.incidentId })] : base.alerts);
  return { ...base, ...overrides, alerts } as LegacyIncident;
}

/** A `GET /api/incidents` page holding `incidents`, with extra top-level keys (e.g. `@odata.nextLink`). */
export function legacyIncidentList(
  incidents: readonly LegacyIncident[],
  extra: Record<string, unknown> = {},
): LegacyIncidentList {
  return {
    '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents',
    value: [...incidents],
    ...extra,
  };
}

/** The realistic `POST /api/advancedhunting/run` response of reference §3.1, verbatim. */
export function realisticHuntingResponse() {
  return {
    Stats: {
      ExecutionTime: 4.621215,
      resource_usage: {
        cache: {
          memory: { hits: 773461, misses: 4481, total: 777942 },
          disk: { hits: 994, misses: 197, total: 1191 },
        },
        cpu: { user: '00:00:19.0468750', kernel: '00:00:00.0156250', 'total cpu': '00:00:19.0625000' },
        memory: { peak_per_node: 236822432 },
      },
      dataset_statistics: [{ table_row_count: 2, table_size: 102 }],
    },
    Schema: [
      { Name: 'Timestamp', Type: 'DateTime' },
      { Name: 'FileName', Type: 'String' },
    ],
    Results: [{ Timestamp: '2020-08-30T06:38:35.7664356Z', FileName: 'conhost.exe' }],
  };
}

/**
 * A hunting response with the given columns and rows (`Stats` as in §3.1). Column types default
 * to `String`.
 */
export function legacyHuntingResponse(
  columns: readonly (string | { name: string; type: string })[],
  rows: readonly Record<string, unknown>[],
) {
  return {
    Stats: realisticHuntingResponse().Stats,
    Schema: columns.map((column) =>
      typeof column === 'string' ? { Name: column, Type: 'String' } : { Name: column.name, Type: column.type },
    ),
    Results: [...rows],
  };
}
