import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseIncidentListPage } from '../../src/apis/defender/incidents.js';
import { legacyIncidentListSchema } from '../../src/apis/defender/wire.js';
import {
  generateHuntingTables,
  generateIncidents,
  HUNTING_TABLE_NAMES,
  HUNTING_TABLE_SCHEMAS,
  huntingKqlTables,
  seedIncidents,
  type HuntingTables,
} from '../../src/testing/data/index.js';
import { runKql } from '../../src/testing/kql/index.js';
import { GRAPH_ONLY_KEYS, legacyView, type LegacyIncidentWire } from '../../src/testing/tenant/legacy-wire.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const sha256 = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('seedIncidents', () => {
  it('still generates exactly what it generated before the data generators were split out', () => {
    // hashes taken before the refactor: existing tests depend on this output
    expect(sha256(seedIncidents(20, 7))).toBe('9faa92c92bd37458e1bb68fe114f3142163a530884ccda4317ea2fbfc946d62b');
    expect(sha256(seedIncidents(250, 1))).toBe('560ede36d145d3b7b6601b5ec7c79ef7c05ff798ba77bc559a363c76c14be05e');
    expect(sha256(seedIncidents(5))).toBe('796ff47fe8b79307f2fdce317830bb8e1812a0e9efaaac04b15fb82c0521f851');
  });

  it('is deterministic and realistic', () => {
    const [first, second] = [seedIncidents(20, 7), seedIncidents(20, 7)];
    expect(first).toEqual(second);
    expect(seedIncidents(20, 8)).not.toEqual(first);
    const incident = first[0]!;
    expect(incident.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(first.some((i) => /\.\d{2}Z$/.test(i.lastUpdateTime))).toBe(true);
    expect(new Set(first.map((i) => i.status)).size).toBeGreaterThan(2);
    const entity = first.flatMap((i) => i.alerts).flatMap((a) => a.entities)[0]!;
    expect(Object.keys(entity)).toHaveLength(31);
    expect(Object.values(entity).filter((v) => v === null).length).toBeGreaterThan(15);
    expect(first.flatMap((i) => i.alerts).some((a) => a.devices[0]?.mdatpDeviceId)).toBe(true);
  });
});

describe('generateIncidents', () => {
  const incidents = generateIncidents({ seed: 11, count: 400, now: NOW });
  const alerts = incidents.flatMap((incident) => incident.alerts);
  const entities = alerts.flatMap((alert) => alert.entities);

  it('is deterministic: the same seed gives the same incidents, another seed others', () => {
    expect(generateIncidents({ seed: 11, count: 400, now: NOW })).toEqual(incidents);
    const other = generateIncidents({ seed: 12, count: 400, now: NOW });
    expect(other).not.toEqual(incidents);
    expect(other.map((i) => i.createdTime)).not.toEqual(incidents.map((i) => i.createdTime));
  });

  it('parses with the SDK: the wire schema of a list page and the mapping to the public model', () => {
    const page = { '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents', value: incidents };
    expect(legacyIncidentListSchema.safeParse(page).success).toBe(true);
    const { items } = parseIncidentListPage(page, 'incidents.list');
    expect(items).toHaveLength(400);
    expect(new Set(items.map((item) => item.status))).toEqual(new Set(['active', 'inProgress', 'resolved', 'redirected']));
    expect(items.every((item) => item.createdDateTime instanceof Date && item.lastUpdateDateTime instanceof Date)).toBe(true);
    const evidenceKinds = new Set(items.flatMap((item) => item.alerts.flatMap((alert) => alert.evidence.map((e) => e.type))));
    for (const kind of ['user', 'ip', 'url', 'file', 'process', 'mailbox', 'mailMessage', 'registryValue']) expect(evidenceKinds).toContain(kind);
    expect(evidenceKinds).not.toContain('other');
  });

  it('spreads creation over the last 30 days, ids ascending with creation, with recent updates', () => {
    const created = incidents.map((i) => Date.parse(i.createdTime));
    const updated = incidents.map((i) => Date.parse(i.lastUpdateTime));
    expect(Math.min(...created)).toBeGreaterThan(NOW.getTime() - 30 * DAY);
    expect(Math.min(...created)).toBeLessThan(NOW.getTime() - 25 * DAY);
    expect(Math.max(...updated)).toBeLessThanOrEqual(NOW.getTime());
    created.forEach((ms, i) => {
      expect(updated[i]).toBeGreaterThan(ms);
      if (i > 0) {
        expect(ms).toBeGreaterThanOrEqual(created[i - 1] as number);
        expect(incidents[i]?.incidentId).toBeGreaterThan(incidents[i - 1]?.incidentId as number);
      }
    });
    const lastHour = updated.filter((ms) => ms > NOW.getTime() - HOUR).length;
    const lastDay = updated.filter((ms) => ms > NOW.getTime() - DAY).length;
    expect(lastHour).toBeGreaterThan(10);
    expect(lastDay).toBeGreaterThan(lastHour);
    expect(lastDay).toBeLessThan(incidents.length / 2);
    // moving `now` moves the data with it
    const later = generateIncidents({ seed: 11, count: 400, now: new Date(NOW.getTime() + 10 * DAY) });
    expect(Date.parse(later[0]?.createdTime as string) - created[0]!).toBeGreaterThanOrEqual(10 * DAY - 1);
  });

  it('keeps classification, determination, alerts and redirects consistent with the status', () => {
    const determinations: Record<string, string[]> = {
      TruePositive: ['Malware', 'MultiStagedAttack', 'Phishing', 'CompromisedAccount', 'MaliciousUserActivity', 'UnwantedSoftware'],
      FalsePositive: ['Clean', 'NoEnoughDataToValidate', 'Other'],
      InformationalExpectedActivity: ['SecurityTesting', 'LineOfBusinessApplication', 'ConfirmedActivity'],
      Unknown: ['NotAvailable'],
    };
    const byId = new Map(incidents.map((i) => [i.incidentId, i]));
    for (const incident of incidents) {
      expect(determinations[incident.classification]).toContain(incident.determination);
      if (incident.status === 'Resolved') {
        expect(incident.classification).not.toBe('Unknown');
        expect(incident.alerts.every((a) => a.status === 'Resolved' && a.resolvedTime !== null)).toBe(true);
      } else {
        expect(incident.alerts.every((a) => a.status !== 'Resolved' && a.resolvedTime === null)).toBe(true);
      }
      if (incident.status === 'Active') expect(incident.classification).toBe('Unknown');
      if (incident.status === 'Redirected') {
        const target = byId.get(incident.redirectIncidentId as number);
        expect(target).toBeDefined();
        expect(target!.incidentId).toBeLessThan(incident.incidentId);
      } else {
        expect(incident.redirectIncidentId).toBeNull();
      }
      expect(incident.alerts.length).toBeGreaterThanOrEqual(1);
      expect(incident.alerts.length).toBeLessThanOrEqual(5);
      expect(incident.alerts.every((a) => a.incidentId === incident.incidentId)).toBe(true);
      if (incident.severity !== 'UnSpecified') {
        const rank = ['Informational', 'Low', 'Medium', 'High'];
        expect(rank.indexOf(incident.severity)).toBe(Math.max(...incident.alerts.map((a) => rank.indexOf(a.severity))));
      }
    }
    expect(new Set(incidents.map((i) => i.status))).toEqual(new Set(['Active', 'InProgress', 'Resolved', 'Redirected']));
    expect(new Set(incidents.map((i) => i.alerts.length))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
    expect(incidents.some((i) => i.tags.length > 0) && incidents.some((i) => i.comments.length > 1)).toBe(true);
    expect(incidents.some((i) => i.assignedTo === null) && incidents.some((i) => i.assignedTo?.endsWith('@contoso.com'))).toBe(true);
  });

  it('carries entities of every legacy kind, each with every key present (unused ones null) as the Defender API serves them', () => {
    const kinds = new Set(entities.map((e) => e.entityType));
    for (const kind of ['User', 'Ip', 'Url', 'File', 'Process', 'MailBox', 'MailMessage', 'MailCluster', 'Registry', 'SecurityGroup']) expect(kinds).toContain(kind);
    const served = incidents.map(legacyView).flatMap((incident) => incident.alerts).flatMap((alert) => alert.entities);
    const keys = Object.keys(served[0] ?? {});
    expect(keys).toHaveLength(31);
    for (const entity of served) expect(Object.keys(entity)).toEqual(keys);
    const deviceIds = new Set(alerts.flatMap((a) => a.devices.map((d) => d.mdatpDeviceId)));
    for (const entity of entities) if (entity['deviceId'] !== null) expect(deviceIds).toContain(entity['deviceId']);
  });

  it('carries what only Graph has as extra keys, which the Defender API\'s view leaves out', () => {
    const scores = incidents.map((incident) => incident['priorityScore']);
    expect(scores.filter((score) => score === null).length).toBeGreaterThan(0);
    const ranges: Record<string, [number, number]> = { High: [70, 100], Medium: [40, 85], Low: [15, 55], Informational: [0, 25], UnSpecified: [0, 40] };
    for (const incident of incidents) {
      const score = incident['priorityScore'];
      if (incident.status === 'Redirected') expect(score).toBeNull();
      if (typeof score === 'number') expect(score).toBeGreaterThanOrEqual(ranges[incident.severity]![0]);
      if (typeof score === 'number') expect(score).toBeLessThanOrEqual(ranges[incident.severity]![1]);
      expect(incident['resolvingComment'] !== null).toBe(incident.status === 'Resolved');
    }
    const some = (values: unknown[]) => values.some((value) => value !== null && !(Array.isArray(value) && value.length === 0));
    for (const key of GRAPH_ONLY_KEYS.incident) expect(some(incidents.map((incident) => incident[key])), `incident ${key}`).toBe(true);
    for (const key of GRAPH_ONLY_KEYS.alert) expect(some(alerts.map((alert) => alert[key])), `alert ${key}`).toBe(true);
    const devices = alerts.flatMap((alert) => alert.devices);
    for (const key of ['detailedRoles', 'ipInterfaces', 'loggedOnUsers']) expect(some(devices.map((device) => device[key])), `device ${key}`).toBe(true);
    const mail = entities.filter((entity) => entity.entityType === 'MailMessage');
    for (const key of GRAPH_ONLY_KEYS.entity.filter((key) => !['p1Sender', 'detailedRoles', 'remediationStatusDetails'].includes(key))) {
      expect(some(mail.map((entity) => entity[key])), `mail message ${key}`).toBe(true);
    }
    expect(some(entities.map((entity) => entity['remediationStatusDetails']))).toBe(true);
    expect(mail.every((entity) => entity['userPrincipalName'] === entity['recipient'])).toBe(true);
    const served = JSON.stringify(incidents.map(legacyView));
    for (const key of ['priorityScore', 'recommendedActions', 'alertPolicyId', 'detailedRoles', 'ipInterfaces', 'senderIp', 'antiSpamDirection']) {
      expect(served).not.toContain(`"${key}"`);
    }
  });

  it('adds the Graph-only fields without changing anything else it generates', () => {
    // the Defender API's view, mail messages' recipient UPN (new) aside, hashes as the generator's output did before them
    const legacy = structuredClone(incidents.map(legacyView));
    for (const entity of legacy.flatMap((incident) => incident.alerts).flatMap((alert) => alert.entities)) {
      if (entity.entityType === 'MailMessage') entity['userPrincipalName'] = null;
    }
    expect(sha256(legacy)).toBe('30bb6b960c6c9e424645375615c9f461d0054cb5b6f6cc29e9c915afc1e6d472');
  });

  it('generates 3,000 incidents', () => {
    const many = generateIncidents({ seed: 5, count: 3_000, now: NOW });
    expect(many).toHaveLength(3_000);
    expect(new Set(many.map((i) => i.incidentId)).size).toBe(3_000);
    expect(generateIncidents({ seed: 5, count: 0, now: NOW })).toEqual([]);
  });
});

function totalRows(tables: HuntingTables): number {
  return Object.values(tables).reduce((sum, rows) => sum + rows.length, 0);
}

describe('generateHuntingTables', () => {
  const tables = generateHuntingTables({ seed: 11, now: NOW });
  const kql = huntingKqlTables(tables);

  it('generates the nine tables, 10,000 rows in all by default, process and network events the most', () => {
    expect(Object.keys(tables).sort()).toEqual([...HUNTING_TABLE_NAMES].sort());
    expect(HUNTING_TABLE_NAMES).toHaveLength(9);
    expect(totalRows(tables)).toBe(10_000);
    const sizes = HUNTING_TABLE_NAMES.map((name) => [name, tables[name].length] as const).sort((a, b) => b[1] - a[1]);
    expect(sizes.slice(0, 2).map(([name]) => name).sort()).toEqual(['DeviceNetworkEvents', 'DeviceProcessEvents']);
    for (const [, size] of sizes) expect(size).toBeGreaterThan(0);
  });

  it('DeviceInfo reports every device of the fleet (2% of the rows), with the names and groups of the other tables', () => {
    expect(tables.DeviceInfo).toHaveLength(200);
    const process = new Map(tables.DeviceProcessEvents.map((row) => [row.DeviceId, row.DeviceName]));
    const reported = new Map(tables.DeviceInfo.map((row) => [row.DeviceId, row]));
    expect(reported.size).toBe(40);
    for (const [id, row] of reported) {
      if (process.has(id)) expect(row.DeviceName).toBe(process.get(id));
      expect(row).toMatchObject({ OnboardingStatus: 'Onboarded', AdditionalFields: '{"IsolationState":"NotIsolated"}' });
      expect(['Servers', 'Workstations', 'WDATP-Ring0']).toContain(row.MachineGroup);
    }
  });

  it('is deterministic: the same seed gives the same rows, another seed others', () => {
    expect(generateHuntingTables({ seed: 11, now: NOW })).toEqual(tables);
    expect(generateHuntingTables({ seed: 12, now: NOW }).DeviceProcessEvents).not.toEqual(tables.DeviceProcessEvents);
  });

  it('fills every documented column of every row with a value of its type, timestamps in the last 30 days', () => {
    expect(HUNTING_TABLE_SCHEMAS.DeviceProcessEvents.find((c) => c.name === 'Timestamp')?.type).toBe('datetime');
    expect(HUNTING_TABLE_SCHEMAS.DeviceNetworkEvents.find((c) => c.name === 'RemotePort')?.type).toBe('int');
    expect(HUNTING_TABLE_SCHEMAS.IdentityLogonEvents.find((c) => c.name === 'AdditionalFields')?.type).toBe('dynamic');
    const fits: Record<string, (v: unknown) => boolean> = {
      string: (v) => typeof v === 'string',
      long: (v) => v === null || Number.isInteger(v),
      int: (v) => v === null || (Number.isInteger(v) && Math.abs(v as number) < 2 ** 31),
      bool: (v) => v === null || typeof v === 'boolean',
      datetime: (v) => v === null || typeof v === 'number',
      dynamic: (v) => v === null || typeof v === 'object',
    };
    for (const name of HUNTING_TABLE_NAMES) {
      const columns = HUNTING_TABLE_SCHEMAS[name];
      for (const row of tables[name]) {
        expect(Object.keys(row)).toHaveLength(columns.length);
        for (const column of columns) {
          if (!fits[column.type]!(row[column.name])) expect.fail(`${name}.${column.name} (${column.type}) holds ${String(row[column.name])}`);
        }
        const ts = row['Timestamp'] as number;
        if (!(ts > NOW.getTime() - 30 * DAY && ts <= NOW.getTime())) expect.fail(`${name} row at ${ts} is outside the 30 days before now`);
      }
    }
  });

  it('answers KQL: counts per device over the last 7 days, with the right column types', () => {
    const result = runKql('DeviceProcessEvents | where Timestamp > ago(7d) | summarize count() by DeviceName', kql, { now: NOW });
    expect(result.columns).toEqual([{ name: 'DeviceName', type: 'string' }, { name: 'count_', type: 'long' }]);
    const expected = new Map<string, number>();
    for (const row of tables.DeviceProcessEvents) {
      if ((row['Timestamp'] as number) > NOW.getTime() - 7 * DAY) expected.set(row['DeviceName'] as string, (expected.get(row['DeviceName'] as string) ?? 0) + 1);
    }
    expect(result.rows.length).toBe(expected.size);
    expect(result.rows.length).toBeGreaterThan(10);
    for (const row of result.rows) {
      expect(row['DeviceName']).toMatch(/^(ws|lt|srv)-[\w-]+\.corp\.contoso\.com$/);
      expect(row['count_']).toBe(expected.get(row['DeviceName'] as string));
    }
    // roughly a quarter of 30 days of events fall in the last 7
    const inWeek = result.rows.reduce((sum, row) => sum + (row['count_'] as number), 0);
    expect(inWeek / tables.DeviceProcessEvents.length).toBeGreaterThan(0.15);
    expect(inWeek / tables.DeviceProcessEvents.length).toBeLessThan(0.32);

    const latest = runKql('DeviceNetworkEvents | top 1 by Timestamp desc | project Timestamp, RemotePort, IsInitiatingProcessRemoteSession', kql, { now: NOW });
    expect(latest.columns.map((c) => c.type)).toEqual(['datetime', 'int', 'bool']);
    expect(latest.rows[0]?.['Timestamp']).toMatch(/^2026-0[23]-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
  });

  it('uses the same devices and accounts as the incidents of the same seed', () => {
    const incidents = generateIncidents({ seed: 11, count: 200, now: NOW });
    const incidentDevices = new Set(incidents.flatMap((i) => i.alerts.flatMap((a) => a.devices.map((d) => d.deviceDnsName))));
    const huntingDevices = new Set(tables.DeviceProcessEvents.map((row) => row['DeviceName']));
    expect([...incidentDevices].every((name) => huntingDevices.has(name))).toBe(true);
    const incidentUsers = new Set(incidents.flatMap((i) => i.alerts.flatMap((a) => a.entities.filter((e) => e.entityType === 'User').map((e) => e['userPrincipalName']))));
    const huntingUsers = new Set(tables.IdentityLogonEvents.map((row) => row['AccountUpn']));
    expect([...incidentUsers].every((upn) => huntingUsers.has(upn))).toBe(true);
  });

  it('describes the given alerts in AlertInfo and AlertEvidence, newest first, with their ids', () => {
    const incidents: LegacyIncidentWire[] = generateIncidents({ seed: 3, count: 60, now: NOW });
    const alerts = incidents.flatMap((i) => i.alerts);
    const withAlerts = generateHuntingTables({ seed: 3, rows: 10_000, now: NOW, alerts });
    expect(totalRows(withAlerts)).toBe(10_000);
    const ids = new Set(alerts.map((a) => a.alertId));
    const infoIds = withAlerts.AlertInfo.map((row) => row['AlertId']);
    expect(infoIds.length).toBeGreaterThan(0);
    expect(infoIds.every((id) => ids.has(id as string))).toBe(true);
    const times = withAlerts.AlertInfo.map((row) => row['Timestamp'] as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(withAlerts.AlertEvidence.every((row) => infoIds.includes(row['AlertId']))).toBe(true);
    const first = alerts.find((a) => a.alertId === infoIds[0])!;
    const info = withAlerts.AlertInfo[0]!;
    expect([info['Title'], info['Category'], info['Severity']]).toEqual([first.title, first.category, first.severity]);
    const result = runKql(`AlertEvidence | where AlertId == "${first.alertId}" | summarize count()`, huntingKqlTables(withAlerts), { now: NOW });
    expect(result.rows[0]?.['count_']).toBe(first.devices.length + first.entities.length);
  });

  it('generates 200,000 rows', () => {
    const big = generateHuntingTables({ seed: 2, rows: 200_000, now: NOW });
    expect(totalRows(big)).toBe(200_000);
    expect(big.DeviceProcessEvents.length).toBeGreaterThan(50_000);
    expect(big.DeviceNetworkEvents.length).toBeGreaterThan(50_000);
    const result = runKql('DeviceProcessEvents | summarize count()', huntingKqlTables(big), { now: NOW });
    expect(result.rows).toEqual([{ count_: big.DeviceProcessEvents.length }]);
    expect(totalRows(generateHuntingTables({ seed: 2, rows: 0, now: NOW }))).toBe(0);
  });
});
