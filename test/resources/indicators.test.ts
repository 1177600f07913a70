import { describe, expect, it } from 'vitest';
import { IndicatorLimitError, InvalidArgumentError, NotFoundError, PermissionError } from '../../src/index.js';
import { fakeTenant, startServer } from '../support/tenant.js';
import { rejection } from '../support/throws.js';

const server = startServer();
const DAY = 86_400_000;

describe('client.indicators', () => {
  it('submits, lists by value and type, updates by resubmitting, and deletes an indicator', async () => {
    const { client, tenant } = fakeTenant(server);
    const expiresAt = new Date(tenant.clock.now() + DAY);
    const created = await client.indicators.submit({ value: '203.0.113.7', type: 'ipAddress', action: 'block', title: 'INC-1234 C2', severity: 'high', expiresAt });
    expect(created).toMatchObject({ value: '203.0.113.7', type: 'ipAddress', action: 'block', title: 'INC-1234 C2', severity: 'high', description: 'INC-1234 C2' });
    expect(created.expiresAt?.getTime()).toBe(expiresAt.getTime());
    expect(tenant.requests.find((r) => r.route === 'mde.submitIndicator')?.body).toMatchObject({ indicatorValue: '203.0.113.7', indicatorType: 'IpAddress', action: 'Block', severity: 'High' });

    const updated = await client.indicators.submit({ value: '203.0.113.7', type: 'ipAddress', action: 'block', title: 'INC-1234 C2 (confirmed)' });
    expect(updated.id).toBe(created.id);
    await client.indicators.submit({ value: 'evil.example', type: 'domainName', action: 'audit', title: 't', generateAlert: true });
    const ips = await client.indicators.list({ type: 'ipAddress' }).toArray();
    expect(ips.map((i) => [i.id, i.title])).toEqual([[created.id, 'INC-1234 C2 (confirmed)']]);
    expect((await client.indicators.list({ value: 'evil.example' }).toArray()).map((i) => i.type)).toEqual(['domainName']);

    await client.indicators.delete(created.id);
    expect((await client.indicators.list().toArray()).map((i) => i.value)).toEqual(['evil.example']);
    expect(await rejection(client.indicators.delete(created.id))).toBeInstanceOf(NotFoundError);
  });

  it('at the tenant cap, submit throws IndicatorLimitError with the cap, and submitMany reports each failed item', async () => {
    const { client } = fakeTenant(server, { indicatorCap: 2 });
    await client.indicators.submit({ value: 'a.example', type: 'domainName', action: 'block', title: 't' });
    const results = await client.indicators.submitMany([
      { value: 'b.example', type: 'domainName', action: 'block', title: 't' },
      { value: 'c.example', type: 'domainName', action: 'block', title: 't' },
    ]);
    expect(results[0]).toMatchObject({ ok: true, index: 0, value: 'b.example' });
    expect(results[1]).toMatchObject({ ok: false, index: 1, value: 'c.example' });
    expect(results[1]?.ok === false && results[1].reason).toMatch(/capacity/i);
    const error = await rejection(client.indicators.submit({ value: 'd.example', type: 'domainName', action: 'block', title: 't' }));
    expect(error).toBeInstanceOf(IndicatorLimitError);
    expect((error as IndicatorLimitError).cap).toBe(2);
  });

  it('submitMany sends 500 per request', async () => {
    const { client, tenant } = fakeTenant(server, { client: { rateLimit: false } });
    const many = Array.from({ length: 501 }, (_, i) => ({ value: `h${i}.example`, type: 'domainName' as const, action: 'audit' as const, title: 't', generateAlert: true }));
    const results = await client.indicators.submitMany(many);
    expect(results.filter((r) => r.ok)).toHaveLength(501);
    expect(results.map((r) => r.index)).toEqual(many.map((_, i) => i));
    expect(tenant.requests.filter((r) => r.route === 'mde.importIndicators').map((r) => (r.body as { Indicators: unknown[] }).Indicators.length)).toEqual([500, 1]);
  });

  it('refuses a bad indicator naming its field (and its index in submitMany) before sending', async () => {
    const { client, tenant } = fakeTenant(server);
    expect(await rejection(client.indicators.submit({ value: 'x', type: 'hash' as never, action: 'block', title: 't' }))).toMatchObject({ option: 'type' });
    const error = await rejection(client.indicators.submitMany([{ value: 'x', type: 'url', action: 'block', title: 't' }, { value: '', type: 'url', action: 'block', title: 't' }]));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ option: 'indicators[1].value' });
    expect(tenant.requests.filter((r) => r.route.startsWith('mde.'))).toHaveLength(0);
  });

  it('without Ti.ReadWrite the 403 names the WindowsDefenderATP permission', async () => {
    const { client } = fakeTenant(server, { roles: ['Machine.Read.All'] });
    const error = await rejection(client.indicators.submit({ value: 'x.example', type: 'domainName', action: 'block', title: 't' }));
    expect(error).toBeInstanceOf(PermissionError);
    expect(error).toMatchObject({ permissionApi: 'WindowsDefenderATP', requiredPermissions: ['Ti.ReadWrite', 'Ti.ReadWrite.All'] });
  });
});
