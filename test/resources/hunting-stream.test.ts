/**
 * `client.advancedHunting.stream()`: rows parsed from the response body as it arrives, on both
 * wire APIs, through the public client against msw.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  ConnectionError,
  DefenderClient,
  DefenderError,
  InvalidArgumentError,
  QueryError,
  ResponseValidationError,
  TimeoutError,
  type HuntingColumn,
} from '../../src/index.js';
import type { FakeTenant } from '../../src/testing/index.js';
import { staticCredential } from '../support/jwt.js';
import { fakeTenant, requestsTo, startServer, type TenantCredential } from '../support/tenant.js';

const server = startServer();

type Api = 'defender' | 'graph';
const HUNTING_URL: Record<Api, string> = {
  defender: 'https://api.security.microsoft.com/api/advancedhunting/run',
  graph: 'https://graph.microsoft.com/v1.0/security/runHuntingQuery',
};

const recent = new Date(Date.now() - 3_600_000).toISOString();
const huntingTables = {
  DeviceProcessEvents: Array.from({ length: 25 }, (_, i) => ({
    Timestamp: recent,
    DeviceName: `pc-${String(i % 4).padStart(2, '0')}`,
    FileName: i % 3 === 0 ? 'powershell.exe' : 'cmd.exe',
    ProcessId: 1000 + i,
  })),
};

const columns: HuntingColumn[] = [
  { name: 'Timestamp', type: 'DateTime' },
  { name: 'DeviceName', type: 'String' },
  { name: 'ProcessId', type: 'Int64' },
];
const stats = { ExecutionTime: 0.0156, resource_usage: { cache: { memory: { hits: 3 } } }, dataset_statistics: [{ table_row_count: 3 }] };
const row = (i: number) => ({ Timestamp: '2026-01-10T10:00:00Z', DeviceName: `pc-"${i}"\u00e9`, ProcessId: 4000 + i });

/** A hunting response in `api`'s wire shape; `order` puts Results before Schema. */
function wireBody(api: Api, rows: unknown[], order: 'schema-first' | 'results-first' = 'schema-first'): string {
  if (api === 'defender') {
    const schema = columns.map((c) => ({ Name: c.name, Type: c.type }));
    return order === 'schema-first'
      ? JSON.stringify({ Stats: stats, Schema: schema, Results: rows })
      : JSON.stringify({ Results: rows, Stats: stats, Schema: schema });
  }
  const head = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults' };
  return order === 'schema-first'
    ? JSON.stringify({ ...head, schema: columns, results: rows })
    : JSON.stringify({ ...head, results: rows, schema: columns });
}

/** What a test body records: chunks pulled, whether (and why) the reader cancelled it. */
interface BodyProbe {
  pulls: number;
  chunks: number;
  cancelled: boolean;
  cancelReason: unknown;
}

/**
 * A response body that hands out `text` in chunks of `chunkSize` bytes, one per pull (so tokens,
 * strings and multi-byte characters are split across chunks), optionally erroring after
 * `failAfterChunks` chunks like a reset connection, or holding back every chunk after the first
 * `holdAfterChunks` until `release()`. `length` is the byte length of the whole text.
 */
function chunkedBody(text: string, options: { chunkSize?: number; failAfterChunks?: number; holdAfterChunks?: number } = {}) {
  const bytes = new TextEncoder().encode(text);
  const size = options.chunkSize ?? 7;
  const probe: BodyProbe = { pulls: 0, chunks: Math.ceil(bytes.length / size), cancelled: false, cancelReason: undefined };
  let offset = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // A turn of the event loop per chunk: msw reads a mocked body ahead of the client, and
        // chunks that wait in its queue reach the client merged.
        await new Promise((resolve) => setImmediate(resolve));
        if (options.holdAfterChunks !== undefined && probe.pulls >= options.holdAfterChunks) await released;
        probe.pulls++;
        if (options.failAfterChunks !== undefined && probe.pulls > options.failAfterChunks) {
          controller.error(new TypeError('terminated: other side closed'));
          return;
        }
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
      },
      cancel(reason) {
        probe.cancelled = true;
        probe.cancelReason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, probe, length: bytes.length, release };
}

/** Serves each hunting request on `api` with the next of `responses` (the last one repeats). */
function serve(api: Api, ...responses: Array<() => Response>) {
  const seen = { requests: 0 };
  server.use(
    http.post(HUNTING_URL[api], () => {
      const next = responses[Math.min(seen.requests, responses.length - 1)]!;
      seen.requests++;
      return next();
    }),
  );
  return seen;
}

// The fake tenant, served first in each test: it gives the tokens, and answers where a test serves no body of its own.
let tenant: FakeTenant;
let credential: TenantCredential;
beforeEach(() => {
  ({ tenant, credential } = fakeTenant(server, { huntingTables }));
});

/** A 200 JSON response; with `length`, a `content-length` (a body cut short of it is a broken connection). */
const json = (stream: ReadableStream<Uint8Array>, length?: number) =>
  new HttpResponse(stream, { status: 200, headers: { 'content-type': 'application/json', ...(length !== undefined && { 'content-length': String(length) }) } });

function clientFor(api: Api, extra: Partial<ConstructorParameters<typeof DefenderClient>[0]> = {}) {
  return new DefenderClient({
    credential,
    api,
    silenceDeprecationWarnings: true,
    maxRetryWaitMs: 10_000,
    ...extra,
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe.each<Api>(['defender', 'graph'])('advancedHunting.stream on api: %s', (api) => {
  it('yields the rows, schema and stats that run() returns for the same query on the fake tenant', async () => {
    const client = new DefenderClient({ credential, api, silenceDeprecationWarnings: true });
    const query = 'DeviceProcessEvents | where ProcessId > 1003 | project DeviceName, ProcessId, Timestamp';
    const expected = await client.advancedHunting.run(query);
    const stream = client.advancedHunting.stream(query);
    const rows = await collect(stream);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows).toEqual(expected.rows);
    expect(await stream.schema).toEqual(expected.schema);
    expect(await stream.stats).toEqual(expected.stats);
  });

  it('parses a body split into 7-byte chunks exactly as run() parses it whole', async () => {
    const text = wireBody(api, Array.from({ length: 40 }, (_, i) => row(i)));
    serve(api, () => json(chunkedBody(text).stream));
    const client = clientFor(api);
    const expected = await client.advancedHunting.run('DeviceProcessEvents');
    const stream = client.advancedHunting.stream('DeviceProcessEvents');
    expect(await collect(stream)).toEqual(expected.rows);
    expect(expected.rows).toHaveLength(40);
    expect(await stream.schema).toEqual(columns);
    if (api === 'defender') expect(await stream.stats).toEqual(stats);
    else expect(await stream.stats).toBeUndefined();
  });

  it.each(['schema-first', 'results-first'] as const)('resolves schema before the first row is yielded (%s on the wire)', async (order) => {
    serve(api, () => json(chunkedBody(wireBody(api, [row(0), row(1), row(2)], order)).stream));
    const stream = clientFor(api).advancedHunting.stream('DeviceProcessEvents');
    let schema: HuntingColumn[] | undefined;
    void stream.schema.then((value) => {
      schema = value;
    });
    const seen: Array<HuntingColumn[] | undefined> = [];
    const rows: unknown[] = [];
    for await (const item of stream) {
      seen.push(schema);
      rows.push(item);
    }
    expect(seen).toEqual([columns, columns, columns]);
    expect(rows).toEqual([row(0), row(1), row(2)]);
  });

  it('gives the schema without iterating, reading only as far as the schema', async () => {
    // The body holds back all but its first quarter until released: the schema must resolve from
    // that quarter. (msw 3 reads a mocked body as fast as it can, whatever the client reads, so
    // counting the chunks pulled would not show how far the SDK read.)
    const text = wireBody(api, Array.from({ length: 200 }, (_, i) => row(i)));
    const chunks = Math.ceil(new TextEncoder().encode(text).length / 16);
    const { stream: body, release } = chunkedBody(text, { chunkSize: 16, holdAfterChunks: Math.floor(chunks / 4) });
    serve(api, () => json(body));
    const stream = clientFor(api).advancedHunting.stream('DeviceProcessEvents');
    expect(await stream.schema).toEqual(columns);
    release();
    const rows = await collect(stream);
    expect(rows).toHaveLength(200);
  });

  it('validates each row with rowSchema and fails at the bad row, with its index in the path', async () => {
    const rows = [row(0), row(1), { ...row(2), ProcessId: 'not a number' }, row(3)];
    serve(api, () => json(chunkedBody(wireBody(api, rows)).stream));
    const rowSchema = z.object({ Timestamp: z.coerce.date(), ProcessId: z.number() });
    const stream = clientFor(api).advancedHunting.stream('DeviceProcessEvents', { rowSchema });
    const got: Array<{ Timestamp: Date; ProcessId: number }> = [];
    const error = await (async () => {
      for await (const item of stream) got.push(item);
    })().catch((e: unknown) => e);
    expect(got).toHaveLength(2);
    expect(got[0]!.Timestamp).toBeInstanceOf(Date);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]!.path).toBe('rows[2].ProcessId');
    await expect(stream.stats).rejects.toBe(error);
  });

  it('raises QueryError for a refused query, from the iteration and from schema', async () => {
    const client = new DefenderClient({ credential, api, silenceDeprecationWarnings: true });
    const stream = client.advancedHunting.stream('NoSuchTable | frobnicate');
    const error = await collect(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).status).toBe(400);
    await expect(stream.schema).rejects.toBe(error);
    await expect(stream.stats).rejects.toBe(error);
  });

  it('refuses bad arguments synchronously, with run()\'s checks, before sending', () => {
    const seen = serve(api, () => json(chunkedBody(wireBody(api, [])).stream));
    const client = clientFor(api);
    const attempt = (query: unknown, options: unknown) => {
      try {
        client.advancedHunting.stream(query as never, options as never);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    for (const [query, options, option] of [
      ['', {}, 'query'],
      ['DeviceInfo', { rowSchema: { parse: () => 1 } }, 'rowSchema'],
      ['DeviceInfo', { timeoutMs: 0 }, 'timeoutMs'],
      ['DeviceInfo', { signal: 'abort' }, 'signal'],
      ['DeviceInfo', { pageSize: 5 }, 'pageSize'],
      ['DeviceInfo', { timespan: api === 'defender' ? 'P7D' : '7 days' }, 'timespan'],
    ] as const) {
      const error = attempt(query, options);
      expect(error, `${String(option)}`).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe(option);
    }
    expect(seen.requests).toBe(0);
  });

  it('retries a 503 that came before the body, then streams', async () => {
    const seen = serve(
      api,
      () => HttpResponse.json({ error: { code: 'ServiceUnavailable', message: 'busy' } }, { status: 503, headers: { 'retry-after': '0' } }),
      () => json(chunkedBody(wireBody(api, [row(0), row(1)])).stream),
    );
    const rows = await collect(clientFor(api).advancedHunting.stream('DeviceProcessEvents'));
    expect(rows).toEqual([row(0), row(1)]);
    expect(seen.requests).toBe(2);
  });

  it('does not resend once the body has started: a connection broken mid-body is a ConnectionError', async () => {
    const text = wireBody(api, Array.from({ length: 50 }, (_, i) => row(i)));
    const seen = serve(api, () => {
      const { stream, length } = chunkedBody(text, { chunkSize: 64, failAfterChunks: 10 });
      return json(stream, length);
    });
    const got: unknown[] = [];
    const error = await (async () => {
      for await (const item of clientFor(api, { maxRetries: 3 }).advancedHunting.stream('DeviceProcessEvents')) got.push(item);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(50);
    expect(seen.requests).toBe(1);
  });

  it('raises ResponseValidationError for a truncated body, like run() for the same bytes', async () => {
    const text = wireBody(api, [row(0), row(1), row(2)]);
    const cut = text.slice(0, text.length - 20);
    serve(api, () => json(chunkedBody(cut).stream));
    const client = clientFor(api);
    await expect(client.advancedHunting.run('DeviceProcessEvents')).rejects.toBeInstanceOf(ResponseValidationError);
    const error = await collect(client.advancedHunting.stream('DeviceProcessEvents')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).message).toMatch(/truncated/);
  });

  it('raises ResponseValidationError for invalid JSON and for a row that is not an object', async () => {
    const client = clientFor(api);
    serve(api, () => json(chunkedBody(wireBody(api, [row(0)]).replace('"pc-', '"pc-\u0001')).stream));
    await expect(collect(client.advancedHunting.stream('T'))).rejects.toBeInstanceOf(ResponseValidationError);
    serve(api, () => json(chunkedBody(wireBody(api, [row(0), 42])).stream));
    const error = await collect(client.advancedHunting.stream('T')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]!.path).toBe(api === 'defender' ? 'Results[1]' : 'results[1]');
  });

  it('stats awaited before iterating reads the rest of the body itself, discarding the rows; the stream then refuses iteration', async () => {
    const { stream: body, probe } = chunkedBody(wireBody(api, Array.from({ length: 30 }, (_, i) => row(i))), { chunkSize: 16 });
    const seen = serve(api, () => json(body));
    const rowSchema = z.object({ ProcessId: z.string() }); // every row would fail it: discarded rows are not validated
    const stream = clientFor(api).advancedHunting.stream('DeviceProcessEvents', { rowSchema });
    // Reading the property is not waiting on it: nothing is sent.
    const pending = stream.stats;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.requests).toBe(0);
    expect(await pending).toEqual(api === 'defender' ? stats : undefined);
    expect(seen.requests).toBe(1);
    expect(probe.pulls).toBeGreaterThan(probe.chunks);
    expect(await stream.schema).toEqual(columns);
    let error: unknown;
    try {
      stream[Symbol.asyncIterator]();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefenderError);
    expect((error as Error).message).toMatch(/stats was awaited before the iteration started.*discarded its rows/);
  });

  it('stats awaited before iterating rejects with the body\'s error', async () => {
    const text = wireBody(api, [row(0), row(1), row(2)]);
    serve(api, () => json(chunkedBody(text.slice(0, text.length - 20)).stream));
    const stream = clientFor(api).advancedHunting.stream('DeviceProcessEvents');
    const error = await stream.stats.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toMatch(/truncated/);
  });

  it('stats awaited while the iteration is under way does not read ahead: every row is still yielded', async () => {
    serve(api, () => json(chunkedBody(wireBody(api, Array.from({ length: 20 }, (_, i) => row(i)))).stream));
    const stream = clientFor(api).advancedHunting.stream('DeviceProcessEvents');
    const iterator = stream[Symbol.asyncIterator]();
    const rows: unknown[] = [(await iterator.next()).value];
    let settled = false;
    void stream.stats.then(() => {
      settled = true;
    });
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      expect(settled).toBe(false);
      rows.push(next.value);
    }
    expect(rows).toEqual(Array.from({ length: 20 }, (_, i) => row(i)));
    expect(await stream.stats).toEqual(api === 'defender' ? stats : undefined);
  });

  it('close() before anything was sent: nothing is sent, schema rejects as closed, stats resolves, iterating throws', async () => {
    const seen = serve(api, () => json(chunkedBody(wireBody(api, [row(0)])).stream));
    const stream = clientFor(api).advancedHunting.stream('DeviceProcessEvents');
    await stream.close();
    const error = await stream.schema.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefenderError);
    expect((error as Error).name).toBe('AbortError');
    expect((error as Error).message).toMatch(/advancedHunting\.stream: the stream was closed before its schema arrived/);
    expect(await stream.stats).toBeUndefined();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/the stream was closed, so it can no longer be iterated/);
    expect(seen.requests).toBe(0);
  });

  it('close() while the request waits to be retried aborts it: it resolves at once and nothing is resent', async () => {
    const seen = serve(
      api,
      () => HttpResponse.json({ error: { code: 'ServiceUnavailable', message: 'busy' } }, { status: 503, headers: { 'retry-after': '600' } }),
      () => json(chunkedBody(wireBody(api, [row(0)])).stream),
    );
    // The client would wait 10 minutes out: a close() that did not abort the wait would not end within the test's timeout.
    const stream = clientFor(api, { maxRetryWaitMs: 3_600_000 }).advancedHunting.stream('DeviceProcessEvents');
    const schema = stream.schema.catch((e: unknown) => e);
    await expect.poll(() => seen.requests, { timeout: 10_000 }).toBe(1);
    await stream.close();
    expect(((await schema) as Error).name).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.requests).toBe(1);
  });

  it('names a missing results member as the API spells it, in stream() and run()', async () => {
    const [schemaKey, resultsKey] = api === 'defender' ? ['Schema', 'Results'] : ['schema', 'results'];
    const schema = api === 'defender' ? columns.map((c) => ({ Name: c.name, Type: c.type })) : columns;
    const client = clientFor(api);
    const issuePath = (error: unknown) => (error as ResponseValidationError).issues[0]!.path;
    serve(api, () => json(chunkedBody(JSON.stringify({ [schemaKey]: schema })).stream));
    expect(issuePath(await collect(client.advancedHunting.stream('T')).catch((e: unknown) => e))).toBe(resultsKey);
    expect(issuePath(await client.advancedHunting.run('T').catch((e: unknown) => e))).toBe(resultsKey);
    // Present but not an array: the key as sent.
    serve(api, () => json(chunkedBody(JSON.stringify({ [schemaKey]: schema, [resultsKey]: 5 })).stream));
    expect(issuePath(await collect(client.advancedHunting.stream('T')).catch((e: unknown) => e))).toBe(resultsKey);
    expect(issuePath(await client.advancedHunting.run('T').catch((e: unknown) => e))).toBe(resultsKey);
  });

  it('streams 100,000 rows: the first row arrives long before the body has been read', async () => {
    const total = 100_000;
    const perChunk = 1_000;
    const schema = api === 'defender' ? columns.map((c) => ({ Name: c.name, Type: c.type })) : columns;
    const [schemaKey, resultsKey] = api === 'defender' ? ['Schema', 'Results'] : ['schema', 'results'];
    const encoder = new TextEncoder();
    let produced = 0;
    let pullsAtFirstRow = -1;
    const chunkCount = total / perChunk + 2;
    let pulls = 0;
    // Generated chunk by chunk: the whole body (about 7 MB) never exists at once.
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          if (pulls === 1) controller.enqueue(encoder.encode(`{"${schemaKey}":${JSON.stringify(schema)},"${resultsKey}":[`));
          else if (produced < total) {
            const rows = Array.from({ length: perChunk }, (_, i) => JSON.stringify(row(produced + i)));
            controller.enqueue(encoder.encode((produced === 0 ? '' : ',') + rows.join(',')));
            produced += perChunk;
          } else if (pulls === chunkCount) controller.enqueue(encoder.encode(']}'));
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    serve(api, () => json(body));
    let count = 0;
    let last: unknown;
    for await (const item of clientFor(api).advancedHunting.stream('DeviceProcessEvents')) {
      if (count === 0) pullsAtFirstRow = pulls;
      count++;
      last = item;
    }
    expect(count).toBe(total);
    expect(last).toEqual(row(total - 1));
    expect(pullsAtFirstRow).toBeGreaterThan(0);
    expect(pullsAtFirstRow).toBeLessThanOrEqual(4);
  });
});

/**
 * A hunting endpoint on 127.0.0.1 that writes `rows` rows one at a time, every `intervalMs`, and
 * records whether the client closed the connection before the body ended. msw is not used here:
 * it tees every response (for its events), so a client's cancel never reaches the source.
 */
/**
 * Rows enough that the server, writing one every 2 ms, never ends the body within a test: a body
 * "closed before it was complete" is then the client's doing, whatever the machine's speed.
 */
const ENDLESS = 1_000_000;

async function localHunting(api: Api, rows: number, options: { intervalMs?: number; stallAfter?: number; destroyAfter?: number } = {}) {
  const state = { requests: 0, written: 0, closedEarly: false, closed: false };
  const [schemaKey, resultsKey] = api === 'defender' ? ['Schema', 'Results'] : ['schema', 'results'];
  const schema = api === 'defender' ? columns.map((c) => ({ Name: c.name, Type: c.type })) : columns;
  const head = api === 'defender' ? `{"Stats":${JSON.stringify(stats)},` : '{';
  const http = createServer((request, response) => {
    state.requests++;
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.write(`${head}"${schemaKey}":${JSON.stringify(schema)},"${resultsKey}":[`);
    const timer = setInterval(() => {
      if (options.stallAfter !== undefined && state.written >= options.stallAfter) return;
      if (options.destroyAfter !== undefined && state.written >= options.destroyAfter) {
        clearInterval(timer);
        response.socket?.destroy();
        return;
      }
      if (state.written < rows) {
        response.write((state.written === 0 ? '' : ',') + JSON.stringify(row(state.written)));
        state.written++;
      } else {
        clearInterval(timer);
        response.end(']}');
      }
    }, options.intervalMs ?? 2);
    response.on('close', () => {
      clearInterval(timer);
      state.closed = true;
      state.closedEarly = !response.writableFinished;
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // msw is off for these tests: a token of the test's own, for a server that does not check it.
  const client = (extra: Partial<ConstructorParameters<typeof DefenderClient>[0]> = {}) =>
    clientFor(api, { credential: staticCredential(origin), cloud: { authorityHost: 'https://login.microsoftonline.com', apiBaseUrl: origin, scope: `${origin}/.default`, graphBaseUrl: origin }, ...extra });
  // Waits for the server to see the connection close (the cap is a hang guard, not a bound).
  const closed = async () => {
    for (let i = 0; i < 1_500 && !state.closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return state;
  };
  const stop = () => {
    http.closeAllConnections();
    return new Promise((resolve) => http.close(resolve));
  };
  return { state, client, closed, stop };
}

describe.each<Api>(['defender', 'graph'])('advancedHunting.stream on api: %s, against a server on 127.0.0.1', (api) => {
  beforeAll(() => server.close());
  afterAll(() => server.listen({ onUnhandledFrame: 'error' }));

  it('cancels the body on break: the connection closes before the body is complete, and stats settle', async () => {
    const local = await localHunting(api, ENDLESS);
    try {
      const stream = local.client().advancedHunting.stream('DeviceProcessEvents');
      let count = 0;
      for await (const item of stream) {
        expect(item).toEqual(row(count));
        if (++count === 3) break;
      }
      const state = await local.closed();
      expect(state.closedEarly).toBe(true);
      expect(state.written).toBeLessThan(ENDLESS);
      if (api === 'defender') expect(await stream.stats).toEqual(stats);
      else expect(await stream.stats).toBeUndefined();
    } finally {
      await local.stop();
    }
  });

  it('close() after reading schema, before iterating, cancels the body and settles stats; it is idempotent', async () => {
    const local = await localHunting(api, ENDLESS);
    try {
      const stream = local.client().advancedHunting.stream('DeviceProcessEvents');
      expect(await stream.schema).toEqual(columns);
      const closing = stream.close();
      expect(stream.close()).toBe(closing);
      await closing;
      const state = await local.closed();
      expect(state.closedEarly).toBe(true);
      expect(state.written).toBeLessThan(ENDLESS);
      expect(await stream.schema).toEqual(columns);
      expect(await stream.stats).toEqual(api === 'defender' ? stats : undefined);
      await stream.close();
      expect(state.requests).toBe(1);
      let error: unknown;
      try {
        for await (const item of stream) void item;
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DefenderError);
      expect((error as Error).message).toBe('advancedHunting.stream: the stream was closed, so it can no longer be iterated; call stream() again to rerun the query.');
    } finally {
      await local.stop();
    }
  });

  it('await using: leaving the block releases a stream whose schema was read', async () => {
    const local = await localHunting(api, ENDLESS);
    try {
      let columnsSeen: HuntingColumn[] = [];
      {
        await using stream = local.client().advancedHunting.stream('DeviceProcessEvents');
        columnsSeen = await stream.schema;
      }
      expect(columnsSeen).toEqual(columns);
      const state = await local.closed();
      expect(state.closedEarly).toBe(true);
      expect(state.written).toBeLessThan(ENDLESS);
    } finally {
      await local.stop();
    }
  });

  it('close() during the loop ends it quietly after the current row, and closes the connection', async () => {
    const local = await localHunting(api, ENDLESS);
    try {
      const stream = local.client().advancedHunting.stream('DeviceProcessEvents');
      const got: unknown[] = [];
      for await (const item of stream) {
        got.push(item);
        if (got.length === 3) void stream.close();
      }
      expect(got).toEqual([row(0), row(1), row(2)]);
      expect((await local.closed()).closedEarly).toBe(true);
    } finally {
      await local.stop();
    }
  });

  it('rejects with the signal\'s reason when aborted mid-body, and closes the connection', async () => {
    const local = await localHunting(api, ENDLESS);
    try {
      const controller = new AbortController();
      const reason = new Error('user gave up');
      const got: unknown[] = [];
      const error = await (async () => {
        for await (const item of local.client().advancedHunting.stream('DeviceProcessEvents', { signal: controller.signal })) {
          got.push(item);
          if (got.length === 3) controller.abort(reason);
        }
      })().catch((e: unknown) => e);
      expect(error).toBe(reason);
      expect(got).toHaveLength(3);
      const state = await local.closed();
      expect(state.closedEarly).toBe(true);
      expect(state.requests).toBe(1);
    } finally {
      await local.stop();
    }
  });

  it('a connection reset mid-body is a ConnectionError whose message and cause keep the socket error code', async () => {
    const local = await localHunting(api, 50, { destroyAfter: 5 });
    try {
      const got: unknown[] = [];
      const error = await (async () => {
        for await (const item of local.client().advancedHunting.stream('DeviceProcessEvents')) got.push(item);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(got).toHaveLength(5);
      const code = ((error as Error).cause as { code?: unknown } | undefined)?.code;
      expect(code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
      expect((error as Error).message).toContain(`(${String(code)})`);
    } finally {
      await local.stop();
    }
  });

  it('fails with TimeoutError when the body stalls for timeoutMs, and closes the connection', async () => {
    const local = await localHunting(api, 50, { stallAfter: 5 });
    try {
      const got: unknown[] = [];
      const error = await (async () => {
        for await (const item of local.client().advancedHunting.stream('DeviceProcessEvents', { timeoutMs: 300 })) got.push(item);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(got).toHaveLength(5);
      expect((await local.closed()).closedEarly).toBe(true);
    } finally {
      await local.stop();
    }
  });

  it('reads a slow body to the end: timeoutMs bounds each wait, not the whole iteration', async () => {
    // 60 rows, one every 25 ms: 1.5 s in all, more than timeoutMs (1 s), while each wait between
    // rows stays far below it.
    const local = await localHunting(api, 60, { intervalMs: 25 });
    try {
      const rows = await collect(local.client().advancedHunting.stream('DeviceProcessEvents', { timeoutMs: 1_000 }));
      expect(rows).toHaveLength(60);
      expect((await local.closed()).closedEarly).toBe(false);
    } finally {
      await local.stop();
    }
  });
});

describe('advancedHunting.stream and the legacy endpoint', () => {
  it('sends Graph\'s Timespan like run()', async () => {
    const client = new DefenderClient({ credential, api: 'graph' });
    const rows = await collect(client.advancedHunting.stream('DeviceProcessEvents | take 2', { timespan: 'P7D' }));
    expect(rows).toHaveLength(2);
    expect(requestsTo(tenant, 'graph')[0]!.body).toEqual({ Query: 'DeviceProcessEvents | take 2', Timespan: 'P7D' });
  });

  it('emits the legacy-hunting deprecation warning, once per process, shared with run()', async () => {
    vi.resetModules();
    const sdk = await import('../../src/index.js');
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
        await collect(new sdk.DefenderClient({ credential, api: 'graph' }).advancedHunting.stream('DeviceProcessEvents | take 1'));
      expect(emit).not.toHaveBeenCalled();
      const client = new sdk.DefenderClient({ credential });
      await collect(client.advancedHunting.stream('DeviceProcessEvents | take 1'));
      await client.advancedHunting.run('DeviceProcessEvents | take 1');
      expect(emit).toHaveBeenCalledTimes(1);
      expect(emit.mock.calls[0]![1]).toEqual({ type: 'DeprecationWarning', code: 'M365D_DEP_LEGACY_HUNTING' });
    } finally {
      emit.mockRestore();
    }
  });

  it('cannot be iterated twice', async () => {
    serve('graph', () => json(chunkedBody(wireBody('graph', [row(0)])).stream));
    const stream = clientFor('graph').advancedHunting.stream('T');
    expect(await collect(stream)).toEqual([row(0)]);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/iterated once/);
  });
});

describe('the body reader\'s dependencies', () => {
  it('stream() needs no JSON parser package: the SDK bundled for Node pulls in none', async () => {
    // Every package the SDK imports, bundled, except @azure/* (their own tree): what a serverless build would carry.
    const result = await build({
      entryPoints: [join(import.meta.dirname, '../../src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['@azure/*'],
      write: false,
      metafile: true,
      outdir: 'out',
      logLevel: 'silent',
    });
    const packages = new Set(Object.keys(result.metafile.inputs).flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? []));
    expect(packages.has('zod')).toBe(true);
    expect([...packages].filter((name) => /json|stream/i.test(name))).toEqual([]);
  });
});
