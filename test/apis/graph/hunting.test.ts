import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { DefenderClient, InvalidArgumentError, QueryError, type HuntingTimespan } from '../../src/index.js';
import { fakeTenantBoth } from '../support/graph.js';
import { CountingCredential, startServer } from '../support/harness.js';

const server = startServer();
const recent = new Date(Date.now() - 3_600_000).toISOString();
const huntingTables = { DeviceEvents: [{ Timestamp: recent, DeviceName: 'pc-01', ActionType: 'AntivirusDetection' }] };

function clients() {
  const fakes = fakeTenantBoth(server, { incidents: 1, huntingTables });
  const make = (api: 'defender' | 'graph') => new DefenderClient({ credential: fakes.credential, api, silenceDeprecationWarnings: true });
  return { ...fakes, graphClient: make('graph'), defenderClient: make('defender') };
}

describe('advancedHunting.run on api: graph', () => {
  it('posts {Query} to /v1.0/security/runHuntingQuery and returns schema and rows without stats', async () => {
    const { graphClient, graph } = clients();
    const result = await graphClient.advancedHunting.run('DeviceEvents | take 5');
    expect(graph.requests[0]!.url.pathname).toBe('/v1.0/security/runHuntingQuery');
    expect(graph.requests[0]!.body).toEqual({ Query: 'DeviceEvents | take 5' });
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
    const { graphClient, graph } = clients();
    await graphClient.advancedHunting.run('DeviceEvents | take 1', { timespan });
    expect(graph.requests[0]!.body).toEqual({ Query: 'DeviceEvents | take 1', Timespan: wire });
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
    const { graphClient, graph } = clients();
    const error = await graphClient.advancedHunting.run('DeviceEvents', { timespan: timespan as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect(graph.requests).toHaveLength(0);
  });

  it('reads schema keys in either case (one doc example sends Name/Type)', async () => {
    server.use(
      http.post('https://graph.microsoft.com/v1.0/security/runHuntingQuery', () =>
        HttpResponse.json({ Schema: [{ Name: 'DeviceName', Type: 'String' }], Results: [{ DeviceName: 'pc-01' }] }),
      ),
    );
    const client = new DefenderClient({ credential: new CountingCredential(['ThreatHunting.Read.All']), api: 'graph' });
    const result = await client.advancedHunting.run('DeviceInfo');
    expect(result.schema).toEqual([{ name: 'DeviceName', type: 'String' }]);
    expect(result.rows).toEqual([{ DeviceName: 'pc-01' }]);
  });

  it('maps a refused query to QueryError', async () => {
    const { graphClient } = clients();
    await expect(graphClient.advancedHunting.run('NoSuchTable | take 1')).rejects.toBeInstanceOf(QueryError);
  });
});

describe('advancedHunting.run on api: defender', () => {
  it('refuses a timespan, pointing to ago() in the query, before sending', async () => {
    const { defenderClient, defender } = clients();
    const error = await defenderClient.advancedHunting.run('DeviceEvents', { timespan: 'P7D' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('timespan');
    expect((error as Error).message).toContain('where Timestamp > ago(7d)');
    expect((error as Error).message).toContain("api: 'graph'");
    expect(defender.requests).toHaveLength(0);
  });
});

describe('the legacy hunting deprecation warning', () => {
  // A fresh copy of the SDK per test: the warning is once per process (per module instance).
  async function freshSdk() {
    vi.resetModules();
    return import('../../src/index.js');
  }

  it('is emitted once, on the first Defender API hunting call, with a stable code and the fix', async () => {
    const sdk = await freshSdk();
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { credential } = clients();
    const first = new sdk.DefenderClient({ credential });
    const second = new sdk.DefenderClient({ credential });
    await first.advancedHunting.run('DeviceEvents | take 1');
    await first.advancedHunting.run('DeviceEvents | take 1');
    await second.advancedHunting.run('DeviceEvents | take 1');
    expect(emit).toHaveBeenCalledTimes(1);
    const [message, options] = emit.mock.calls[0]!;
    expect(options).toEqual({ type: 'DeprecationWarning', code: 'M365D_DEP_LEGACY_HUNTING' });
    expect(sdk.LEGACY_HUNTING_DEPRECATION_CODE).toBe('M365D_DEP_LEGACY_HUNTING');
    expect(String(message)).toContain('31 January 2027');
    expect(String(message)).toContain("api: 'graph'");
  });

  it('is not emitted with silenceDeprecationWarnings, nor on Graph', async () => {
    const sdk = await freshSdk();
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { credential } = clients();
    await new sdk.DefenderClient({ credential, silenceDeprecationWarnings: true }).advancedHunting.run('DeviceEvents | take 1');
    await new sdk.DefenderClient({ credential, api: 'graph' }).advancedHunting.run('DeviceEvents | take 1');
    expect(emit).not.toHaveBeenCalled();
    // not spent by the silenced client: the next unsilenced one still warns
    await new sdk.DefenderClient({ credential }).advancedHunting.run('DeviceEvents | take 1');
    expect(emit).toHaveBeenCalledTimes(1);
  });

  it('refuses a non-boolean silenceDeprecationWarnings', async () => {
    const { credential } = clients();
    expect(() => new DefenderClient({ credential, silenceDeprecationWarnings: 'yes' as never })).toThrow(InvalidArgumentError);
  });
});
