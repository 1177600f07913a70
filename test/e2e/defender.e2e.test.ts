/**
 * The public SDK against the HTTPS simulator, over real sockets and TLS, with the real
 * @azure/identity credentials (client secret and certificate) and the Defender API.
 */
import { describe, expect, it } from 'vitest';
import { clientOptionsFromEnv } from '../../src/env.js';
import { DefenderClient, PermissionError, kql, type DefenderClientOptions } from '../../src/index.js';
import { startSimulator } from '../../src/testing/server.js';
import { envClient, expectRetryAfterWaited, serviceTicks, useSimulator } from './support.js';

const READER_ID = '0b9a3e1c-4f7d-4c2a-9e51-7a1d2c3b4e5f';
const READER_SECRET = 'reader8Q~simulated-secret-value-000000000';
const OWNER_ID = '6d1f0c2e-8a4b-4e3f-b2c1-9f8e7d6c5b4a';
const OWNER_SECRET = 'owner8Q~simulated-secret-value-0000000000';

const sim = useSimulator({
  seed: 11,
  incidents: 60,
  huntingRows: 3_000,
  certificateApp: true,
  apps: [
    { clientId: OWNER_ID, clientSecret: OWNER_SECRET, roles: { defender: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'] } },
    { clientId: READER_ID, clientSecret: READER_SECRET, roles: { defender: ['Incident.Read.All'] } },
  ],
});

/** A client configured only from the environment the simulator prints, as a user's program would be. */
function client(env: Record<string, string> = {}, overrides: Partial<DefenderClientOptions> = {}): DefenderClient {
  return envClient(sim(), env, overrides);
}

async function admin(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${sim().origin}/_sim/${path}`, init);
}

describe('credentials over real TLS', () => {
  it('signs in with the client secret from the printed environment', async () => {
    expect(sim().env).toMatchObject({ AZURE_CLIENT_ID: OWNER_ID, AZURE_CLIENT_SECRET: OWNER_SECRET, AZURE_AUTHORITY_HOST: sim().origin });
    const who = await client().auth.inspect();
    expect(who).toMatchObject({ tenantId: sim().tenant.tenantId, appId: OWNER_ID, audience: 'https://api.security.microsoft.com' });
    expect(who.roles).toEqual(['Incident.ReadWrite.All', 'AdvancedHunting.Read.All']);
  });

  it('signs in with a certificate (a client assertion the tenant verifies)', async () => {
    const certificateApp = sim().certificateApp!;
    const c = client(certificateApp.env);
    const who = await c.auth.inspect();
    expect(who.appId).toBe(certificateApp.clientId);
    const incident = await c.incidents.get(String([...sim().tenant.incidents.keys()][0]));
    expect(incident.id).toBe(String([...sim().tenant.incidents.keys()][0]));
    const tokenRequest = sim().tenant.requests.filter((r) => r.route === 'entra.token').at(-1)!;
    expect(tokenRequest.status).toBe(200);
    expect(tokenRequest.body).toMatchObject({ client_assertion: '[redacted]', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
  });

  it('answers a wrong secret with the Entra error code, without echoing the secret', async () => {
    const error = await client({ AZURE_CLIENT_SECRET: 'wrong8Q~not-the-secret' }).auth.inspect().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AuthenticationError' });
    expect(String((error as Error).message)).toContain('7000215');
    expect(String((error as Error).message)).not.toContain('wrong8Q~not-the-secret');
  });
});

describe('incidents', () => {
  it('lists every incident page by page ($top/$skip), newest first', async () => {
    const pages = [];
    for await (const page of client().incidents.list({ pageSize: 25 }).byPage()) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([25, 25, 10]);
    const ids = pages.flatMap((p) => p.items.map((i) => Number(i.id)));
    expect(ids).toEqual([...sim().tenant.incidents.keys()].sort((a, b) => b - a));
    const listCalls = sim().tenant.requests.filter((r) => r.route === 'defender.listIncidents').slice(-3);
    expect(listCalls.map((r) => new URL(r.url).searchParams.get('$skip') ?? '0')).toEqual(['0', '25', '50']);
  });

  it('filters by status and by last update time on the server', async () => {
    const all = [...sim().tenant.incidents.values()];
    const active = await client().incidents.list({ status: 'active' }).toArray();
    expect(active.map((i) => Number(i.id)).sort()).toEqual(all.filter((i) => i.status === 'Active').map((i) => i.incidentId).sort());
    expect(active.length).toBeGreaterThan(0);

    // updatedAfter is inclusive (`ge`), and the service compares 7-digit fractions of a second: so does the expectation.
    const times = all.map((i) => Date.parse(i.lastUpdateTime)).sort((a, b) => a - b);
    const updatedAfter = new Date(times[Math.floor(times.length / 2)]!);
    const recent = await client().incidents.list({ updatedAfter }).toArray();
    expect(recent.length).toBe(all.filter((i) => serviceTicks(i.lastUpdateTime) >= BigInt(updatedAfter.getTime()) * 10_000n).length);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((i) => i.lastUpdateDateTime.getTime() >= updatedAfter.getTime())).toBe(true);
    const call = sim().tenant.requests.filter((r) => r.route === 'defender.listIncidents').at(-1)!;
    expect(new URL(call.url).searchParams.get('$filter')).toContain('lastUpdateTime ge');
  });

  it('gets an incident with its alerts', async () => {
    const wire = [...sim().tenant.incidents.values()][3]!;
    const incident = await client().incidents.get(String(wire.incidentId));
    expect(incident.displayName).toBe(wire.incidentName);
    expect(incident.alerts.map((a) => a.id)).toEqual(wire.alerts.map((a) => a.alertId));
  });

  it('updates an incident, and a later get shows the change', async () => {
    const wire = [...sim().tenant.incidents.values()].find((i) => i.status === 'Active')!;
    const id = String(wire.incidentId);
    const c = client();
    const updated = await c.incidents.update(id, {
      status: 'resolved',
      classification: 'truePositive',
      determination: 'malware',
      tags: ['e2e'],
      comment: 'resolved by the e2e test',
    });
    expect(updated).toMatchObject({ id, status: 'resolved', classification: 'truePositive', determination: 'malware' });
    const again = await client().incidents.get(id);
    expect(again).toMatchObject({ status: 'resolved', classification: 'truePositive', determination: 'malware' });
    expect(again.tags).toContain('e2e');
    expect(again.comments.map((comment) => comment.comment)).toContain('resolved by the e2e test');
  });

  it('fails with a 403 that names the missing permission', async () => {
    const reader = client({ AZURE_CLIENT_ID: READER_ID, AZURE_CLIENT_SECRET: READER_SECRET });
    const id = String([...sim().tenant.incidents.keys()][0]);
    await expect(reader.incidents.get(id)).resolves.toMatchObject({ id });
    const error = await reader.incidents.update(id, { status: 'inProgress' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).status).toBe(403);
    expect((error as PermissionError).message).toContain('Incident.ReadWrite.All');
    expect((error as PermissionError).grantedRoles).toEqual(['Incident.Read.All']);
    const hunting = await reader.advancedHunting.run('DeviceProcessEvents | take 1').catch((e: unknown) => e);
    expect(hunting).toBeInstanceOf(PermissionError);
    expect((hunting as Error).message).toContain('AdvancedHunting.Read.All');
  });
});

describe('retries over the wire', () => {
  it('waits what Retry-After says on a 429, then succeeds', async () => {
    await expectRetryAfterWaited(sim(), (overrides) => client({}, overrides), 'defender.listIncidents', {
      error: { code: 'TooManyRequests', message: 'Rate limit is exceeded. Try again in 1 seconds.' },
    });
  });

  it('survives a reset connection and a 503 (faults queued through the /_sim admin API)', async () => {
    const c = client();
    const id = String([...sim().tenant.incidents.keys()][1]);
    await c.auth.inspect();
    const added = await admin('faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'defender.getIncident', steps: [{ network: { kind: 'reset' } }, 503] }),
    });
    expect(added.status).toBe(201);
    const before = sim().tenant.requests.length;
    await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
    expect(sim().tenant.requests.slice(before).map((r) => r.status)).toEqual([0, 503, 200].map((s) => (s === 0 ? expect.any(Number) : s)));
    expect(sim().tenant.faults.pending).toBe(0);
  });
});

describe('a token expiring mid-run', () => {
  it('refreshes and replays without a failed call when the API says the token expired', async () => {
    // The tenant's clock runs 30× faster: its 60 s tokens expire after 2 real seconds, while the
    // client still believes them good. Calls go on until the tenant has refused two tokens as
    // expired (however long that takes on this machine); every call must succeed.
    const fast = await startSimulator({ caDir: process.env.M365D_E2E_CA_DIR!, seed: 5, incidents: 5, huntingRows: 10, tokenLifetimeSeconds: 60, timeScale: 30 });
    try {
      const c = new DefenderClient(clientOptionsFromEnv(fast.env, { tokenRefreshMarginMs: 0 }));
      const id = String([...fast.tenant.incidents.keys()][0]);
      const api = () => fast.tenant.requests.filter((r) => r.route === 'defender.getIncident');
      const results: string[] = [];
      // The cap is a hang guard: two lifetimes are 4 real s, 16 rounds of 250 ms.
      for (let round = 0; round < 200 && api().filter((r) => r.status === 401).length < 2; round++) {
        results.push((await c.incidents.get(id)).id);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(new Set(results)).toEqual(new Set([id]));
      // Each expiry cost one 401 and one token: the refresh is shared, and its replay succeeded.
      expect(api().filter((r) => r.status === 401)).toHaveLength(2);
      expect(fast.tenant.issuedTokens).toBe(3);
      expect(api().filter((r) => r.status === 200)).toHaveLength(results.length);
    } finally {
      await fast.close();
    }
  });
});

describe('the /_sim admin API against the fake tenant', () => {
  it('reports state, and a reset restores the generated incidents', async () => {
    const wire = [...sim().tenant.incidents.values()].find((i) => i.status === 'Active')!;
    const original = structuredClone(wire);
    await client().incidents.update(String(wire.incidentId), { assignedTo: 'e2e@contoso.com' });
    const state = (await (await admin('state')).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ origin: sim().origin, tenantId: sim().tenant.tenantId, incidents: 60, quotas: true });
    expect((state.requestsByTenantRoute as Record<string, number>)['defender.updateIncident']).toBeGreaterThanOrEqual(1);
    expect(state.tokenRequests).toBeGreaterThanOrEqual(1);
    expect(sim().tenant.incidents.get(wire.incidentId)!.assignedTo).toBe('e2e@contoso.com');

    expect((await admin('reset', { method: 'POST' })).status).toBe(204);
    expect(sim().tenant.incidents.get(wire.incidentId)).toEqual(original);
    const after = (await (await admin('state')).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ requestsByRoute: {}, tokenRequests: 0, issuedTokens: 0, faultsPending: 0 });
    // Tokens issued before the reset are still signed by the tenant's key: clients keep working.
    await expect(client().incidents.get(String(wire.incidentId))).resolves.toMatchObject({ id: String(wire.incidentId) });
  });
});

describe('advanced hunting, one query per KQL operator family', () => {
  type Row = Record<string, unknown>;
  const rows = (): Row[] => sim().tenant.tables.DeviceProcessEvents!;
  const time = (value: unknown): number => (typeof value === 'number' ? value : Date.parse(String(value)));
  const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
  const count = (predicate: (row: Row) => boolean) => [{ n: rows().filter(predicate).length }];
  const device = (): string => String(rows()[0]!.DeviceName);

  const cases: Array<[string, () => ReturnType<typeof kql> | string, () => unknown, ((r: Row[]) => unknown)?]> = [
    ['== and count()', () => kql`DeviceProcessEvents | where DeviceName == ${device()} | summarize n = count()`, () => count((r) => r.DeviceName === device())],
    ['!= and and/or', () => kql`DeviceProcessEvents | where DeviceName != ${device()} and (FileName == "cmd.exe" or FileName == "svchost.exe") | summarize n = count()`, () =>
      count((r) => r.DeviceName !== device() && (r.FileName === 'cmd.exe' || r.FileName === 'svchost.exe'))],
    ['=~ (case-insensitive equality)', () => kql`DeviceProcessEvents | where FileName =~ "POWERSHELL.EXE" | summarize n = count()`, () => count((r) => String(r.FileName).toLowerCase() === 'powershell.exe')],
    ['has / contains / startswith / endswith', () =>
      'DeviceProcessEvents | where FileName has "exe" and FileName contains "shell" and DeviceName startswith "ws-" and FileName endswith ".exe" | summarize n = count()', () =>
      count((r) => String(r.FileName).includes('shell') && String(r.DeviceName).startsWith('ws-') && String(r.FileName).endsWith('.exe'))],
    ['in / !in', () => 'DeviceProcessEvents | where FileName in ("cmd.exe", "conhost.exe") and DeviceName !in ("srv-dc01") | summarize n = count()', () =>
      count((r) => ['cmd.exe', 'conhost.exe'].includes(String(r.FileName)) && r.DeviceName !== 'srv-dc01')],
    ['not() and isnotempty()', () => 'DeviceProcessEvents | where not(FileName == "cmd.exe") and isnotempty(AccountName) | summarize n = count()', () =>
      count((r) => r.FileName !== 'cmd.exe' && r.AccountName !== '' && r.AccountName != null)],
    ['< <= > >= on numbers', () => 'DeviceProcessEvents | where ProcessId >= 2000 and ProcessId < 5000 | summarize n = count()', () =>
      count((r) => Number(r.ProcessId) >= 2000 && Number(r.ProcessId) < 5000)],
    ['tolower() and extend', () => 'DeviceProcessEvents | extend Lower = tolower(DeviceName) | where Lower == "srv-sql01" | summarize n = count()', () =>
      count((r) => String(r.DeviceName).toLowerCase() === 'srv-sql01')],
    ['summarize dcount/min/max/sum/avg by', () =>
      'DeviceProcessEvents | summarize devices = dcount(DeviceName), low = min(ProcessId), high = max(ProcessId), total = sum(ProcessId), mean = avg(ProcessId) by FileName | order by FileName asc', () => {
        const groups = new Map<string, Row[]>();
        for (const r of rows()) groups.set(String(r.FileName), [...(groups.get(String(r.FileName)) ?? []), r]);
        return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, list]) => {
          const ids = list.map((r) => Number(r.ProcessId));
          const total = ids.reduce((s, v) => s + v, 0);
          return { FileName: file, devices: new Set(list.map((r) => r.DeviceName)).size, low: Math.min(...ids), high: Math.max(...ids), total, mean: total / ids.length };
        });
      }, (result) => result.map((r) => ({ ...r, mean: Math.round(Number(r.mean) * 1000) / 1000 }))],
    ['project, top n by … desc', () => 'DeviceProcessEvents | top 3 by ProcessId desc | project ProcessId', () =>
      rows().map((r) => Number(r.ProcessId)).sort((a, b) => b - a).slice(0, 3).map((ProcessId) => ({ ProcessId }))],
    ['order by / sort by, take / limit', () => 'DeviceProcessEvents | sort by ProcessId asc | take 10 | limit 4 | project ProcessId', () =>
      rows().map((r) => Number(r.ProcessId)).sort((a, b) => a - b).slice(0, 4).map((ProcessId) => ({ ProcessId }))],
    ['distinct', () => 'DeviceProcessEvents | distinct DeviceName | order by DeviceName asc', () =>
      [...new Set(rows().map((r) => String(r.DeviceName)))].sort().map((DeviceName) => ({ DeviceName }))],
  ];

  it.each(cases)('%s', async (_name, query, expected, normalize) => {
    const result = await client().advancedHunting.run(query());
    let actual: unknown[] = result.rows;
    let wanted = expected() as Row[];
    if (normalize) {
      actual = normalize(result.rows) as unknown[];
      wanted = wanted.map((r) => ({ ...r, mean: Math.round(Number(r.mean) * 1000) / 1000 }));
    }
    if (!/order by|sort by|top /.test(String(query()))) {
      actual = [...actual].sort(byJson);
      wanted = [...wanted].sort(byJson);
    }
    expect(actual).toEqual(wanted);
  });

  it('ago() and now()', async () => {
    // "now" is the tenant's clock when it ran the query, somewhere between these two readings of
    // it: the count lies between that of the rows in every such window and that of the rows in any.
    const before = sim().tenant.clock.now();
    const result = await client().advancedHunting.run('DeviceProcessEvents | where Timestamp > ago(3d) and Timestamp <= now() | summarize n = count()');
    const after = sim().tenant.clock.now();
    const n = Number(result.rows[0]!.n);
    const window = 3 * 86_400_000;
    // (Date.parse keeps whole milliseconds of the 7-digit fractions: a row's time is in [ms, ms + 1).)
    const inEvery = rows().filter((r) => time(r.Timestamp) > after - window && time(r.Timestamp) + 1 <= before).length;
    const inAny = rows().filter((r) => time(r.Timestamp) + 1 > before - window && time(r.Timestamp) <= after).length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeGreaterThanOrEqual(inEvery);
    expect(n).toBeLessThanOrEqual(inAny);
  });

  it('answers a query outside the subset with a KQL error naming the position', async () => {
    const error = await client().advancedHunting.run('DeviceProcessEvents | mv-expand Foo').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'QueryError', status: 400 });
  });
});
