/**
 * Device response actions and indicators against the HTTPS simulator, over real sockets and TLS,
 * with the real @azure/identity credential and a client configured only from the environment.
 */
import { describe, expect, it } from 'vitest';
import { ActionFailedError, DeviceNotFoundError, IndicatorLimitError } from '../../src/index.js';
import { envClient, useSimulator } from './support.js';

const sim = useSimulator({ seed: 5, incidents: 5, huntingRows: 0, indicatorCap: 3 });
const MINUTE = 60_000;

describe('response actions over TLS', () => {
  it('finds a device by name, isolates it, waits, and releases it, on both APIs', async () => {
    for (const api of ['defender', 'graph'] as const) {
      const client = envClient(sim(), { DEFENDER_API: api });
      const workstation = sim().tenant.mde.fleet().filter((d) => !d.server)[api === 'defender' ? 0 : 1]!;
      const device = await client.devices.find({ name: workstation.deviceName });
      expect(device.id).toBe(workstation.deviceId);
      const action = await client.devices.isolate(device.id, { comment: 'e2e', type: 'full' });
      sim().tenant.clock.advance(10 * MINUTE);
      expect((await action.wait({ intervalMs: 1 })).status).toBe('succeeded');
      expect(sim().tenant.mde.isIsolated(device.id)).toBe(true);
      const release = await client.devices.release(device.id, { comment: 'e2e' });
      sim().tenant.clock.advance(10 * MINUTE);
      await release.wait({ intervalMs: 1 });
      expect(sim().tenant.mde.isIsolated(device.id)).toBe(false);
    }
  });

  it('ten concurrent isolates send one request that creates an action; a failed scan throws ActionFailedError', async () => {
    const client = envClient(sim());
    const id = sim().tenant.mde.fleet().filter((d) => !d.server)[2]!.deviceId;
    const before = sim().tenant.requests.filter((r) => r.route === 'mde.machineAction').length;
    const actions = await Promise.all(Array.from({ length: 10 }, () => client.devices.isolate(id, { comment: 'e2e' })));
    expect(sim().tenant.requests.filter((r) => r.route === 'mde.machineAction').length - before).toBe(1);
    expect(new Set(actions.map((a) => a.id)).size).toBe(1);
    sim().tenant.mde.nextActions('Failed');
    const scan = await client.devices.runAntivirusScan(id, { comment: 'e2e', type: 'quick' });
    sim().tenant.clock.advance(10 * MINUTE);
    expect(((await scan.wait({ intervalMs: 1 }).catch((e: unknown) => e)) as ActionFailedError).action.status).toBe('failed');
    expect(await client.devices.get('e'.repeat(40)).catch((e: unknown) => e)).toBeInstanceOf(DeviceNotFoundError);
  });

  it("the admin API makes the next action hang, and wait() then times out", async () => {
    const client = envClient(sim());
    const admin = await fetch(`${sim().origin}/_sim/mde/next-actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes: ['hang'] }) });
    expect(admin.status).toBe(201);
    const refused = await fetch(`${sim().origin}/_sim/mde/next-actions`, { method: 'POST', body: JSON.stringify({ outcomes: ['explode'] }) });
    expect(refused.status).toBe(400);
    const id = sim().tenant.mde.fleet().filter((d) => !d.server)[3]!.deviceId;
    const action = await client.devices.restrictAppExecution(id, { comment: 'e2e' });
    sim().tenant.clock.advance(10 * MINUTE);
    const error = await action.wait({ timeoutMs: 50, intervalMs: 10 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((await client.deviceActions.get(action.id)).status).toBe('inProgress');
  });

  it('indicators up to the tenant cap, then IndicatorLimitError', async () => {
    const client = envClient(sim());
    const results = await client.indicators.submitMany(['a', 'b', 'c', 'd'].map((x) => ({ value: `${x}.e2e.example`, type: 'domainName' as const, action: 'block' as const, title: 'e2e' })));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    const error = await client.indicators.submit({ value: 'z.e2e.example', type: 'domainName', action: 'block', title: 'e2e' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndicatorLimitError);
    expect((error as IndicatorLimitError).cap).toBe(3);
    expect((await client.indicators.list().toArray()).length).toBe(3);
  });
});
