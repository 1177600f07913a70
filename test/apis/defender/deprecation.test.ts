import { describe, expect, it, vi } from 'vitest';
import { DefenderClient, InvalidArgumentError } from '../../../src/index.js';
import { fakeTenant, startServer } from '../../support/tenant.js';

const server = startServer();
const huntingTables = { DeviceEvents: [{ Timestamp: new Date(Date.now() - 3_600_000).toISOString(), DeviceName: 'pc-01', ActionType: 'AntivirusDetection' }] };

describe('the legacy hunting deprecation warning', () => {
  // A fresh copy of the SDK per test: the warning is once per process (per module instance).
  async function freshSdk() {
    vi.resetModules();
    return import('../../../src/index.js');
  }

  it('is emitted once, on the first Defender API hunting call, with a stable code and the fix', async () => {
    const sdk = await freshSdk();
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { credential } = fakeTenant(server, { incidents: 1, huntingTables });
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
    const { credential } = fakeTenant(server, { incidents: 1, huntingTables });
    await new sdk.DefenderClient({ credential, silenceDeprecationWarnings: true }).advancedHunting.run('DeviceEvents | take 1');
    await new sdk.DefenderClient({ credential, api: 'graph' }).advancedHunting.run('DeviceEvents | take 1');
    expect(emit).not.toHaveBeenCalled();
    // not spent by the silenced client: the next unsilenced one still warns
    await new sdk.DefenderClient({ credential }).advancedHunting.run('DeviceEvents | take 1');
    expect(emit).toHaveBeenCalledTimes(1);
  });

  it('refuses a non-boolean silenceDeprecationWarnings', async () => {
    const { credential } = fakeTenant(server, { incidents: 1, huntingTables });
    expect(() => new DefenderClient({ credential, silenceDeprecationWarnings: 'yes' as never })).toThrow(InvalidArgumentError);
  });
});
