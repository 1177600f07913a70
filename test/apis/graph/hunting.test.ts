import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, QueryError, type HuntingTimespan } from '../../../src/index.js';
import { fakeTenant, requestsTo, startServer } from '../../support/tenant.js';

const server = startServer();
const recent = new Date(Date.now() - 3_600_000).toISOString();
const huntingTables = { DeviceEvents: [{ Timestamp: recent, DeviceName: 'pc-01', ActionType: 'AntivirusDetection' }] };

function clients() {
  const fake = fakeTenant(server, { incidents: 1, huntingTables });
  return { ...fake, graphClient: new DefenderClient({ credential: fake.credential, api: 'graph' }) };
}

describe('advancedHunting.run on api: graph', () => {
  it('posts {Query} to /v1.0/security/runHuntingQuery and returns schema and rows without stats', async () => {
    const { graphClient, tenant } = clients();
    const result = await graphClient.advancedHunting.run('DeviceEvents | take 5');
    expect(new URL(requestsTo(tenant, 'graph')[0]!.url).pathname).toBe('/v1.0/security/runHuntingQuery');
    expect(requestsTo(tenant, 'graph')[0]!.body).toEqual({ Query: 'DeviceEvents | take 5' });
    expect(result.schema.map((c) => c.name)).toEqual(['Timestamp', 'DeviceName', 'ActionType']);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ DeviceName: 'pc-01' });
    expect('stats' in result).toBe(false);
  });

  const start = new Date('2026-02-01T08:00:00Z');
  it.each<[string, HuntingTimespan, string]>([
    ['a duration', 'P7D', 'P7D'],
    ['a time duration', 'PT12H', 'PT12H'],
    ['start and end', { start, end: new Date('2026-02-15T08:00:00Z') }, '2026-02-01T08:00:00.000Z/2026-02-15T08:00:00.000Z'],
    ['start and duration', { start, duration: 'P1DT6H' }, '2026-02-01T08:00:00.000Z/P1DT6H'],
  ])('sends timespan as %s in Graph\'s Timespan form', async (_name, timespan, wire) => {
    const { graphClient, tenant } = clients();
    await graphClient.advancedHunting.run('DeviceEvents | take 1', { timespan });
    expect(requestsTo(tenant, 'graph')[0]!.body).toEqual({ Query: 'DeviceEvents | take 1', Timespan: wire });
  });

  it.each<[unknown, string]>([
    ['7 days', 'timespan'],
    ['P1M', 'timespan'],
    ['P0D', 'timespan'],
    [7, 'timespan'],
    [{ start: new Date('nope'), end: start }, 'timespan.start'],
    [{ start, end: new Date('2026-01-01T00:00:00Z') }, 'timespan'],
    [{ start }, 'timespan'],
    [{ start, end: start, duration: 'P1D' }, 'timespan'],
    [{ start, duration: '1 day' }, 'timespan.duration'],
    [{ from: start, to: start }, 'timespan'],
  ])('refuses the timespan %o before sending', async (timespan, option) => {
    const { graphClient, tenant } = clients();
    const error = await graphClient.advancedHunting.run('DeviceEvents', { timespan: timespan as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect(requestsTo(tenant, 'graph')).toHaveLength(0);
  });

  it('reads schema keys in either case (one doc example sends Name/Type)', async () => {
    const { credential } = fakeTenant(server, { incidents: 0, roles: ['ThreatHunting.Read.All'] });
    server.use(
      http.post('https://graph.microsoft.com/v1.0/security/runHuntingQuery', () =>
        HttpResponse.json({ Schema: [{ Name: 'DeviceName', Type: 'String' }], Results: [{ DeviceName: 'pc-01' }] }),
      ),
    );
    const client = new DefenderClient({ credential, api: 'graph' });
    const result = await client.advancedHunting.run('DeviceInfo');
    expect(result.schema).toEqual([{ name: 'DeviceName', type: 'String' }]);
    expect(result.rows).toEqual([{ DeviceName: 'pc-01' }]);
  });

  it('maps a refused query to QueryError', async () => {
    const { graphClient } = clients();
    await expect(graphClient.advancedHunting.run('NoSuchTable | take 1')).rejects.toBeInstanceOf(QueryError);
  });
});
