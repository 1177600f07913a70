import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTenant } from '../../src/testing/index.js';
import { handlers } from '../../src/testing/msw.js';
import { startServer, tokenFrom } from '../support/tenant.js';

const server = startServer();

const API = 'https://api.security.microsoft.com';
const tenant = createFakeTenant({ seed: 5, incidents: 3, huntingRows: 10 });

const token = async (): Promise<string> => (await tokenFrom(tenant, `${API}/.default`)).token;

describe('handlers(tenant)', () => {
  afterEach(() => tenant.faults.clear());

  it('serves the tenant and lets other requests fall through to later handlers', async () => {
    server.use(...handlers(tenant), http.all('*', () => HttpResponse.json({ other: true }, { status: 299 })));
    const auth = { authorization: `Bearer ${await token()}` };
    expect((await fetch(`${API}/api/incidents`, { headers: auth })).status).toBe(200);
    const elsewhere = await fetch('https://example.test/anything');
    expect(elsewhere.status).toBe(299);
    // A path the tenant's API does not have is not the tenant's either.
    expect((await fetch(`${API}/api/alerts`, { headers: auth })).status).toBe(299);
    // The Defender for Endpoint paths are the tenant's: a token for the Defender API's audience gets 403 there.
    expect((await fetch(`${API}/api/machines`, { headers: auth })).status).toBe(403);
  });

  it('turns a reset into a network error', async () => {
    server.use(...handlers(tenant));
    tenant.faults.add('defender.listIncidents', { network: { kind: 'reset' } });
    await expect(fetch(`${API}/api/incidents`)).rejects.toThrow(TypeError);
    expect((await fetch(`${API}/api/incidents`)).status).toBe(401);
  });

  it('sends the status, headers and first bytes of the body, then breaks the stream', async () => {
    server.use(...handlers(tenant));
    const auth = { authorization: `Bearer ${await token()}` };
    tenant.faults.add('defender.listIncidents', { truncateBodyAt: 25 });
    const response = await fetch(`${API}/api/incidents`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const reader = response.body!.getReader();
    const received: number[] = [];
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received.push(...value);
      }
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(received).toHaveLength(25);
    expect(Buffer.from(received).toString('utf8')).toBe('{"@odata.context":"https:');
  });

  it('stalls until the request is aborted', async () => {
    server.use(...handlers(tenant));
    tenant.faults.add('*', { network: { kind: 'stall' } });
    const started = Date.now();
    await expect(fetch(`${API}/api/incidents`, { signal: AbortSignal.timeout(150) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
