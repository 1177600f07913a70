/**
 * The Defender for Endpoint code loads with `import()` on a client's first device, device-action
 * or indicator call: concurrent first calls share one load, and a load that fails (a missing
 * chunk, a broken deployment) fails only the calls waiting on it; the next call loads again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeTenant, startServer } from '../support/tenant.js';
import { rejection } from '../support/throws.js';

const server = startServer();
const ADAPTER = '../../src/apis/mde/adapter.js';

afterEach(() => {
  vi.doUnmock(ADAPTER);
});

describe('loading the Defender for Endpoint adapter', () => {
  it('fails the calls waiting on a failed load, and loads again on the next call', async () => {
    let loads = 0;
    vi.doMock(ADAPTER, async (importOriginal) => {
      loads++;
      if (loads === 1) throw new Error('chunk missing');
      return importOriginal();
    });
    const { client } = fakeTenant(server);
    const first = await Promise.all([rejection(client.indicators.list().toArray()), rejection(client.devices.list().toArray())]);
    // vitest wraps the factory's error; the load's own error is its cause.
    expect(first.map((error) => ((error as Error).cause as Error | undefined)?.message)).toEqual(['chunk missing', 'chunk missing']);
    expect(loads).toBe(1);
    const [devices, indicators] = await Promise.all([client.devices.list().toArray(), client.indicators.list().toArray()]);
    expect(devices.length).toBeGreaterThan(0);
    expect(indicators).toEqual([]);
    expect(loads).toBe(2);
  });
});
