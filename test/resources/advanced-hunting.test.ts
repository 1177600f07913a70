import { z } from 'zod';
import { z as z3 } from 'zod/v3';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, QueryError, ResponseValidationError, ServerError, kql, type StandardSchemaV1 } from '../../src/index.js';
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

  it('takes a rowSchema from another zod copy (zod 3 through zod/v3) and types rows by its output', async () => {
    const { client } = fakeTenant(server, { huntingTables });
    const rowSchema = z3.object({ DeviceName: z3.string(), ProcessId: z3.number().transform((id) => `pid-${id}`) });
    const { rows } = await client.advancedHunting.run('DeviceProcessEvents', { rowSchema });
    const first: { DeviceName: string; ProcessId: string } = rows[0]!;
    expect(first).toEqual({ DeviceName: 'pc-01', ProcessId: 'pid-4120' });
    const error = await client.advancedHunting.run('DeviceProcessEvents', { rowSchema: z3.object({ FileName: z3.number() }) }).catch((e: unknown) => e);
    expect((error as ResponseValidationError).issues[0]!.path).toBe('rows[0].FileName');
  });

  it('takes any Standard Schema as rowSchema, naming each failing row by its issue path', async () => {
    const { client } = fakeTenant(server, { huntingTables });
    // A schema of no library at all: Standard Schema v1 by hand, as valibot or arktype would give.
    const rowSchema: StandardSchemaV1<unknown, { host: string }> = {
      '~standard': {
        version: 1,
        vendor: 'hand-made',
        validate: (value) => {
          const row = value as { DeviceName?: unknown; FileName?: unknown };
          return row.FileName === 'cmd.exe'
            ? { issues: [{ message: 'cmd.exe is not allowed', path: [{ key: 'FileName' }] }] }
            : { value: { host: String(row.DeviceName) } };
        },
      },
    };
    const { rows } = await client.advancedHunting.run('DeviceProcessEvents | take 1', { rowSchema });
    const host: string = rows[0]!.host;
    expect(host).toBe('pc-01');
    const error = await client.advancedHunting.run('DeviceProcessEvents', { rowSchema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues.map((issue) => issue.path)).toEqual(['rows[1].FileName', 'rows[2].FileName']);
  });

  it('refuses a rowSchema that validates asynchronously, naming the option', async () => {
    const { client } = fakeTenant(server, { huntingTables });
    const rowSchema = z.object({ DeviceName: z.string() }).refine(async () => true);
    const error = await client.advancedHunting.run('DeviceProcessEvents', { rowSchema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('rowSchema');
    expect((error as InvalidArgumentError).message).toMatch(/asynchronous|synchronous schema/);
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
