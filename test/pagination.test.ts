import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, ResponseValidationError, type Incident, type Page } from '../src/index.js';
import { fakeTenant, startServer } from './support/tenant.js';
import { thrownBy } from './support/throws.js';

const server = startServer();
const GRAPH_INCIDENTS = 'https://graph.microsoft.com/v1.0/security/incidents';
const T = '2026-01-10T10:00:00Z';
const incident = (id: string) => ({ id, displayName: `incident ${id}`, status: 'active', severity: 'high', createdDateTime: T, lastUpdateDateTime: T, customTags: [], systemTags: [], comments: [] });

describe('paging', () => {
  it('stops a next-page loop (A → B → A) with a ResponseValidationError instead of listing forever', async () => {
    const { credential } = fakeTenant(server, { incidents: 0, roles: ['SecurityIncident.Read.All'] });
    let requests = 0;
    server.use(
      http.get(GRAPH_INCIDENTS, ({ request }) => {
        requests++;
        const page = new URL(request.url).searchParams.get('$skiptoken') ?? 'A';
        const next = page === 'A' ? 'B' : 'A';
        return HttpResponse.json({ value: [incident(page === 'A' ? '1' : '2')], '@odata.nextLink': `${GRAPH_INCIDENTS}?$skiptoken=${next}` });
      }),
    );
    const client = new DefenderClient({ credential, api: 'graph', rateLimit: false });
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ operation: 'incidents.list' });
    expect((error as Error).message).toMatch(/next-page loop/);
    expect(requests).toBe(3);
  });

  it('resumes only the listing a continuation token came from', async () => {
    const { credential } = fakeTenant(server, { incidents: 40 });
    const defender = new DefenderClient({ credential });
    const graph = new DefenderClient({ credential, api: 'graph' });
    const first = (await defender.incidents.list({ pageSize: 2, status: 'active' }).byPage().next()).value as Page<Incident>;
    const token = first.continuationToken;
    expect(token).toBeDefined();
    if (token === undefined) return;
    // The same call and options resume.
    const rest = defender.incidents.list({ pageSize: 2, status: 'active' }).byPage({ continuationToken: token });
    await expect(rest.next()).resolves.toMatchObject({ done: false });
    // Other options, another list, another API: refused before anything is sent, naming the option.
    for (const other of [
      () => defender.incidents.list({ pageSize: 2, status: 'resolved' }).byPage({ continuationToken: token }),
      () => defender.alerts.list().byPage({ continuationToken: token }),
      () => graph.incidents.list({ pageSize: 2, status: 'active' }).byPage({ continuationToken: token }),
    ]) {
      const error = thrownBy(InvalidArgumentError, other);
      expect(error.option).toBe('continuationToken');
      expect(error.message).toMatch(/another listing/);
    }
  });

  it('refuses a misspelt byPage or toArray option instead of silently starting over', async () => {
    const { client } = fakeTenant(server);
    const list = client.incidents.list();
    expect(thrownBy(InvalidArgumentError, () => list.byPage({ continuationTokne: 'x' } as never)).option).toBe('continuationTokne');
    await expect(list.toArray({ limt: 5 } as never)).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'limt' });
  });
});
