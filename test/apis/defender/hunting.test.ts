import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/index.js';
import { fakeTenant, requestsTo, startServer } from '../../support/tenant.js';

const server = startServer();

describe('advancedHunting.run on api: defender', () => {
  it('refuses a timespan, pointing to ago() in the query, before sending', async () => {
    const { client: defenderClient, tenant } = fakeTenant(server, { incidents: 1, client: { silenceDeprecationWarnings: true } });
    const error = await defenderClient.advancedHunting.run('DeviceEvents', { timespan: 'P7D' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('timespan');
    expect((error as Error).message).toContain('where Timestamp > ago(7d)');
    expect((error as Error).message).toContain("api: 'graph'");
    expect(requestsTo(tenant, 'defender')).toHaveLength(0);
  });
});
