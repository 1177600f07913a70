import { describe, expect, it } from 'vitest';
import { UnsupportedOperationError, type DefenderClient } from '../../../src/index.js';
import type { WireAdapter } from '../../../src/apis/adapter.js';
import { DefenderAdapter } from '../../../src/apis/defender/adapter.js';
import type { Transport } from '../../../src/transport/transport.js';
import { fakeTenant, requestsTo, startServer } from '../../support/tenant.js';

const server = startServer();

describe('alerts on api: defender', () => {
  it('lists the alerts embedded in incidents, filtered in the SDK', async () => {
    const { client: defenderClient, tenant: fake } = fakeTenant(server, { incidents: 25 });
    const all = await defenderClient.alerts.list().toArray();
    const stored = [...fake.incidents.values()].flatMap((i) => i.alerts);
    expect(all.map((a) => a.id).sort()).toEqual(stored.map((a) => a.alertId).sort());
    const resolved = await defenderClient.alerts.list({ status: 'resolved', serviceSource: 'microsoftDefenderForEndpoint' }).toArray();
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.length).toBeLessThan(all.length);
    expect(resolved.every((a) => a.status === 'resolved' && a.serviceSource === 'microsoftDefenderForEndpoint')).toBe(true);
    const since = new Date(Math.max(...all.map((a) => a.createdDateTime!.getTime())));
    expect((await defenderClient.alerts.list({ createdAfter: since }).toArray()).every((a) => a.createdDateTime!.getTime() >= since.getTime())).toBe(true);
    expect(requestsTo(fake, 'defender').every((r) => r.route === 'defender.listIncidents')).toBe(true);
  });

  it.each([
    ['get', (client: DefenderClient) => client.alerts.get('da1')],
    ['update', (client: DefenderClient) => client.alerts.update('da1', { status: 'resolved' })],
  ])('alerts.%s throws UnsupportedOperationError pointing to Graph, sending nothing', async (name, call) => {
    const { client: defenderClient, tenant: fake } = fakeTenant(server, { incidents: 1 });
    const error = await call(defenderClient).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperationError);
    expect(error).toMatchObject({ operation: `alerts.${name}`, api: 'defender' });
    expect((error as Error).message).toContain("api: 'graph'");
    expect((error as Error).message).toContain('SecurityAlert.Read.All');
    expect(requestsTo(fake, 'defender')).toHaveLength(0);
  });

  // No public call reaches it (the alerts feed asks incidentsExceed of its window's incidents), so
  // the adapter is asked directly: a future caller must get a refusal, not a count of every incident.
  it('counting alerts is refused as unsupported (no alerts endpoint), never answered with a count of every incident', async () => {
    const transport = new Proxy({} as Transport, {
      get: () => {
        throw new Error('the adapter used its transport');
      },
    });
    const adapter: WireAdapter = new DefenderAdapter(transport, { portalBaseUrl: undefined, silenceDeprecationWarnings: true });
    const error = await adapter.alertsExceed({ updatedAfter: new Date('2026-01-01T00:00:00Z') }, 2_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperationError);
    expect(error).toMatchObject({ operation: 'alerts count', api: 'defender' });
    expect((error as Error).message).toContain("api: 'graph'");
  });
});
