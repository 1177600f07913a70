/**
 * Response body caps (issue 11, item 6): a call reads at most its cap of a successful body (64 MiB
 * for pages, 512 MB for `run()`, or the client's `maxResponseBytes`) and fails past it with a
 * `ResponseValidationError` that is not retried; an error body is read to a 64 KiB prefix. Either
 * way the SDK stops reading at the cap. The large bodies here are made as they are read, and count
 * the bytes the client took: no test holds more than the cap it checks.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, NotFoundError, ResponseValidationError, ServerError } from '../../src/index.js';
import { staticCredential } from '../support/jwt.js';
import { rejection } from '../support/throws.js';
import { fakeTenant, startServer } from '../support/tenant.js';

const server = startServer();

type Api = 'defender' | 'graph';
const LIST_URL: Record<Api, string> = {
  defender: 'https://api.security.microsoft.com/api/incidents',
  graph: 'https://graph.microsoft.com/v1.0/security/incidents',
};
const HUNTING_URL: Record<Api, string> = {
  defender: 'https://api.security.microsoft.com/api/advancedhunting/run',
  graph: 'https://graph.microsoft.com/v1.0/security/runHuntingQuery',
};

const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;
/** How far past a cap the client may have pulled: the stream's read-ahead, a few chunks. */
const SLACK = 8 * CHUNK;

/** What the served bodies of a test handed out: requests answered, bytes the client pulled. */
interface Served {
  requests: number;
  bytes: number;
}

/**
 * Answers every `method` request to `url` with a body of `total` bytes (`head`, then spaces) made
 * only as the client reads it, with `status` and `headers`.
 */
function serveLarge(method: 'get' | 'post', url: string, total: number, init: { status?: number; head?: string; headers?: Record<string, string> } = {}): Served {
  const served: Served = { requests: 0, bytes: 0 };
  const head = new TextEncoder().encode(init.head ?? '');
  const filler = new Uint8Array(CHUNK).fill(0x20);
  server.use(
    http[method](url, () => {
      served.requests++;
      let sent = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (sent >= total) return controller.close();
            const chunk = sent === 0 && head.length > 0 ? head : filler.subarray(0, Math.min(CHUNK, total - sent));
            sent += chunk.length;
            served.bytes += chunk.length;
            controller.enqueue(chunk);
          },
        },
        { highWaterMark: 0 },
      );
      return new HttpResponse(body, { status: init.status ?? 200, headers: { 'content-type': 'application/json', ...init.headers } });
    }),
  );
  return served;
}

describe.each<Api>(['defender', 'graph'])('response caps on api: %s', (api) => {
  it('fails a page past maxResponseBytes with ResponseValidationError, stops reading there, and does not retry', async () => {
    const { client } = fakeTenant(server, { client: { api, maxResponseBytes: 100_000 } });
    const served = serveLarge('get', LIST_URL[api], 20 * MiB, { head: '{"value":[' });
    const error = await rejection(client.incidents.list().toArray());
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).message).toMatch(/larger than this call's cap of 100,000 bytes.*maxResponseBytes/);
    expect((error as ResponseValidationError).issues).toEqual([{ path: '(root)', message: 'body longer than 100000 bytes' }]);
    expect(served.requests).toBe(1);
    expect(served.bytes).toBeGreaterThan(100_000);
    expect(served.bytes).toBeLessThan(100_000 + SLACK);
  });

  it('refuses a page whose Content-Length is past the default 64 MiB cap without reading it', async () => {
    const { client } = fakeTenant(server, { client: { api } });
    const total = 64 * MiB + 1;
    const served = serveLarge('get', LIST_URL[api], total, { head: '{"value":[', headers: { 'content-length': String(total) } });
    const error = await rejection(client.incidents.list().toArray());
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toContain("declares 67,108,865 bytes (Content-Length), more than this call's cap of 67,108,864 bytes");
    expect(served.requests).toBe(1);
    expect(served.bytes).toBeLessThan(SLACK);
  });

  it('gives run() a cap of 512 MB, past which it points to stream(); stream() reads past any cap', async () => {
    const { client } = fakeTenant(server, { client: { api, silenceDeprecationWarnings: true } });
    const total = 512_000_001;
    const served = serveLarge('post', HUNTING_URL[api], total, { head: '{"Results":[', headers: { 'content-length': String(total) } });
    const error = await rejection(client.advancedHunting.run('DeviceEvents'));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toContain("declares 512,000,001 bytes (Content-Length), more than this call's cap of 512,000,000 bytes");
    expect((error as Error).message).toContain('advancedHunting.stream()');
    expect(served.requests).toBe(1);
    expect(served.bytes).toBeLessThan(SLACK);

    // The same client limited to 1 KB: run() refuses a 2,000-row result, stream() hands out every row.
    const small = new DefenderClient({ credential: fakeTenant(server).credential, api, silenceDeprecationWarnings: true, maxResponseBytes: 1_000 });
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ DeviceName: `pc-${i}` }));
    const result = JSON.stringify(api === 'graph' ? { schema: [{ name: 'DeviceName', type: 'String' }], results: rows } : { Schema: [{ Name: 'DeviceName', Type: 'String' }], Results: rows });
    server.use(http.post(HUNTING_URL[api], () => HttpResponse.text(result, { headers: { 'content-type': 'application/json' } })));
    await expect(small.advancedHunting.run('DeviceEvents')).rejects.toBeInstanceOf(ResponseValidationError);
    let streamed = 0;
    for await (const row of small.advancedHunting.stream('DeviceEvents')) if (row.DeviceName === `pc-${streamed}`) streamed++;
    expect(streamed).toBe(2_000);
  });

  it('keeps a 64 KiB prefix of an error body, noted as truncated, and stops reading there', async () => {
    const { client } = fakeTenant(server, { client: { api } });
    const total = 200 * MiB;
    const served = serveLarge('get', LIST_URL[api], total, { status: 404, head: '<html><body>Not here', headers: { 'content-type': 'text/html', 'content-length': String(total) } });
    const error = await rejection(client.incidents.list().toArray());
    expect(error).toBeInstanceOf(NotFoundError);
    const body = (error as NotFoundError).body as string;
    expect(body.startsWith('<html><body>Not here')).toBe(true);
    expect(body).toMatch(/… \[truncated: the error body is longer than 65536 bytes, the SDK read no further\]$/);
    expect(body.length).toBeLessThan(2_200);
    expect(served.requests).toBe(1);
    expect(served.bytes).toBeGreaterThan(64 * 1024);
    expect(served.bytes).toBeLessThan(64 * 1024 + SLACK);
  });

  it('reads only the prefix of each retried 5xx body', async () => {
    const { client } = fakeTenant(server, { client: { api, maxRetries: 2 } });
    const served = serveLarge('get', LIST_URL[api], 100 * MiB, { status: 503, head: '{"error":{"code":"ServiceUnavailable","message":"', headers: { 'retry-after': '0' } });
    const error = await rejection(client.incidents.list().toArray());
    expect(error).toBeInstanceOf(ServerError);
    expect(served.requests).toBe(3);
    expect(served.bytes).toBeLessThan(3 * (64 * 1024 + SLACK));
  });
});

describe('against a server on 127.0.0.1', () => {
  beforeAll(() => server.close());
  afterAll(() => server.listen({ onUnhandledFrame: 'error' }));

  it('closes the connection at the cap: the server stops writing long before its 1 GiB body ends', async () => {
    const total = 1024 * MiB;
    const state = { requests: 0, written: 0, closed: false };
    const local = createServer((request, response) => {
      state.requests++;
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(CHUNK, 0x20);
      // Writes only as fast as the client reads (the socket's buffers fill otherwise).
      const pump = () => {
        while (state.written < total && !response.destroyed) {
          state.written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        if (!response.destroyed) response.end();
      };
      response.on('close', () => (state.closed = true));
      pump();
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
    try {
      const client = new DefenderClient({
        credential: staticCredential(origin),
        cloud: { authorityHost: 'https://login.microsoftonline.com', apiBaseUrl: origin, scope: `${origin}/.default` },
        maxResponseBytes: MiB,
      });
      const error = await rejection(client.incidents.list().toArray());
      expect(error).toBeInstanceOf(ResponseValidationError);
      // The cap is a hang guard, not a bound on the test's time.
      for (let i = 0; i < 1_500 && !state.closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(state.closed).toBe(true);
      expect(state.requests).toBe(1);
      // What the client read, plus what the two sockets' buffers held when it closed.
      expect(state.written).toBeLessThan(64 * MiB);
    } finally {
      local.closeAllConnections();
      await new Promise((resolve) => local.close(resolve));
    }
  });
});

describe('the maxResponseBytes option', () => {
  it.each([0, -1, 1.5, '64MB', 512_000_001, Number.NaN])('refuses %s with InvalidArgumentError naming it', (value) => {
    const { credential } = fakeTenant(server);
    let error: unknown;
    try {
      new DefenderClient({ credential, maxResponseBytes: value as number });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('maxResponseBytes');
    expect((error as Error).message).toContain('maxResponseBytes must be an integer from 1 to 512000000');
  });
});
