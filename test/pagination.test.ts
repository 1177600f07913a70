import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, ResponseValidationError, type Incident, type Page } from '../src/index.js';
import { fakeTenant, startServer } from './support/tenant.js';
import { thrownBy } from './support/throws.js';
import { legacyIncident, legacyIncidentList } from './support/defender-payloads.js';

const server = startServer();
const GRAPH_INCIDENTS = 'https://graph.microsoft.com/v1.0/security/incidents';
const DEFENDER_INCIDENTS = 'https://api.security.microsoft.com/api/incidents';
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

  it.each(['defender', 'graph'] as const)('stops a service that ignores the page offset (the same full page again) with a ResponseValidationError (%s)', async (api) => {
    const { credential } = fakeTenant(server);
    let requests = 0;
    server.use(
      http.get(DEFENDER_INCIDENTS, () => {
        requests++;
        return HttpResponse.json(legacyIncidentList([legacyIncident({ incidentId: 1 }), legacyIncident({ incidentId: 2 })]));
      }),
      // Graph: a new skip token every time, the same items every time
      http.get(GRAPH_INCIDENTS, () => {
        requests++;
        return HttpResponse.json({ value: [incident('1'), incident('2')], '@odata.nextLink': `${GRAPH_INCIDENTS}?$skiptoken=${requests}` });
      }),
    );
    const client = new DefenderClient({ credential, api, rateLimit: false });
    const pages: string[][] = [];
    const error = await (async () => {
      for await (const page of client.incidents.list({ pageSize: 2 }).byPage()) {
        pages.push(page.items.map((item) => item.id));
        if (pages.length > 10) return; // what a listing without the check does: on and on
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ operation: 'incidents.list' });
    expect((error as Error).message).toMatch(/page-offset loop/);
    // the first page is delivered; the second, all seen already, ends the listing
    expect(pages).toEqual([['1', '2']]);
    expect(requests).toBe(2);
  });

  it.each([
    ['incidents.list({ severity })', (client: DefenderClient) => client.incidents.list({ severity: 'high' })],
    ['alerts.list({ status })', (client: DefenderClient) => client.alerts.list({ status: 'resolved' })],
  ])('stops a service that ignores the page offset though the SDK\'s own filter leaves nothing of its pages: %s on the Defender API', async (_name, list) => {
    const { credential } = fakeTenant(server);
    let requests = 0;
    // A full page (100) of low-severity, unresolved incidents, again and again whatever the $skip.
    const page = Array.from({ length: 100 }, (_, i) => legacyIncident({ incidentId: i + 1, severity: 'Low' }));
    server.use(
      http.get(DEFENDER_INCIDENTS, () => {
        requests++;
        // (after 10, an empty page: what ends a listing without the check, rather than the test's timeout)
        return HttpResponse.json(legacyIncidentList(requests > 10 ? [] : page));
      }),
    );
    const client = new DefenderClient({ credential, rateLimit: false });
    const error = await (async () => {
      for await (const _item of list(client)) {
        // nothing passes the filter
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toMatch(/page-offset loop/);
    expect(requests).toBe(2);
  });

  it('keeps listing when a page repeats some items (incidents arrived between pages), and ends on a repeated last page', async () => {
    const { credential } = fakeTenant(server);
    // Newest first: two incidents arrive after the first page, shifting the next by two.
    const pagesBySkip: Record<string, number[]> = { '0': [9, 8], '2': [8, 7], '4': [7, 6], '6': [6] };
    server.use(
      http.get(DEFENDER_INCIDENTS, ({ request }) => {
        const skip = new URL(request.url).searchParams.get('$skip') ?? '0';
        return HttpResponse.json(legacyIncidentList((pagesBySkip[skip] ?? []).map((incidentId) => legacyIncident({ incidentId }))));
      }),
    );
    const client = new DefenderClient({ credential, rateLimit: false });
    const ids = (await client.incidents.list({ pageSize: 2 }).toArray()).map((incident) => incident.id);
    // the last page, short and all seen already, is simply the end: no loop
    expect(ids).toEqual(['9', '8', '7', '6']);
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
