import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, QueryError, ResponseValidationError, ServerError, kql } from '../../src/index.js';
import { fakeTenant, huntingQueries, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();
const huntingTables = {
  DeviceProcessEvents: [
    { Timestamp: '2026-01-10T10:00:00.1234567Z', DeviceName: 'pc-01', FileName: 'powershell.exe', ProcessId: 4120 },
    { Timestamp: '2026-01-10T11:00:00Z', DeviceName: 'pc-02', FileName: 'cmd.exe', ProcessId: 88 },
    { Timestamp: '2026-01-10T12:00:00Z', DeviceName: 'pc-01', FileName: 'cmd.exe', ProcessId: 90 },
  ],
};

describe('advancedHunting.run', () => {
  it('posts {Query} and returns schema, rows and stats', async () => {
    const { client, tenant } = fakeTenant(server, { huntingTables });
    const result = await client.advancedHunting.run('DeviceProcessEvents | take 2');
    expect(requestsTo(tenant, 'defender')[0]!.body).toEqual({ Query: 'DeviceProcessEvents | take 2' });
    expect(result.schema).toEqual([
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'DeviceName', type: 'String' },
      { name: 'FileName', type: 'String' },
      { name: 'ProcessId', type: 'Int64' },
    ]);
    expect(result.rows).toHaveLength(2);
    expect(result.rows[0]).toMatchObject({ DeviceName: 'pc-01', FileName: 'powershell.exe' });
    expect(result.stats).toMatchObject({ ExecutionTime: expect.any(Number) });
  });

  it('sends kql template values as escaped literals', async () => {
    const { client, tenant } = fakeTenant(server, { huntingTables });
    const host = 'pc-01';
    const result = await client.advancedHunting.run(kql`DeviceProcessEvents | where DeviceName == ${host}`);
    expect(huntingQueries(tenant)).toEqual(['DeviceProcessEvents | where DeviceName == "pc-01"']);
    expect(result.rows).toHaveLength(2);
  });

  it('validates and types rows with rowSchema', async () => {
    const { client } = fakeTenant(server, { huntingTables });
    const rowSchema = z.object({ Timestamp: z.coerce.date(), DeviceName: z.string(), ProcessId: z.number() });
    const { rows } = await client.advancedHunting.run('DeviceProcessEvents', { rowSchema });
    expect(rows[0]!.Timestamp).toBeInstanceOf(Date);
    expect(rows[0]!.Timestamp.toISOString()).toBe('2026-01-10T10:00:00.123Z');
    const bad = z.object({ ProcessId: z.string() });
    const error = await client.advancedHunting.run('DeviceProcessEvents', { rowSchema: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]!.path).toBe('rows[0].ProcessId');
  });

  it('resends a hunting query at most once after a 5xx, which may have spent CPU quota', async () => {
    const { client, tenant } = fakeTenant(server, { huntingTables, client: { maxRetries: 5 } });
    const fail = { status: 504, body: { error: { code: 'UnknownError', message: '' } }, headers: { 'retry-after': '0' } };
    tenant.faults.add('defender.hunting', fail, fail, fail);
    await expect(client.advancedHunting.run('DeviceProcessEvents')).rejects.toBeInstanceOf(ServerError);
    expect(huntingQueries(tenant)).toHaveLength(2);
    tenant.faults.add('defender.hunting', { status: 429, body: {}, headers: { 'retry-after': '0' } }, { status: 429, body: {}, headers: { 'retry-after': '0' } });
    await expect(client.advancedHunting.run('DeviceProcessEvents')).resolves.toMatchObject({ rows: expect.any(Array) });
  });

  it('raises QueryError with the service message for a refused query', async () => {
    const { client } = fakeTenant(server, { huntingTables });
    const error = await client.advancedHunting.run('DeviceProcessEvents | frobnicate').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).status).toBe(400);
    expect((error as QueryError).message).toMatch(/Syntax error/);
  });

  it.each([
    ['', {}, 'query'],
    ['   ', {}, 'query'],
    [{ text: 'DeviceInfo' }, {}, 'query'],
    ['DeviceInfo', { rowSchema: { parse: () => 1 } }, 'rowSchema'],
    ['DeviceInfo', { timeoutMs: -5 }, 'timeoutMs'],
    ['DeviceInfo', { timeoutMs: 2 ** 31 }, 'timeoutMs'],
    ['DeviceInfo', { timeoutMs: 2 ** 33 }, 'timeoutMs'],
    ['DeviceInfo', { timespan: 'P7D' }, 'timespan'],
    ['DeviceInfo', { signal: 'abort' }, 'signal'],
  ])('refuses %o before sending', async (query, options, option) => {
    const { client, tenant } = fakeTenant(server, { huntingTables });
    const error = await client.advancedHunting.run(query as never, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect(requestsTo(tenant, 'defender')).toHaveLength(0);
  });
});
