/**
 * Where a change feed's list requests go: the first catch-up of figure 8 (the same fake tenant,
 * pacing off, so it runs at once), on either API, each request classed as an open window's page,
 * a bounded window read in one request, a bounded window's full first page (so it is read again,
 * narrower), or the one-item question whether an open window fits. Run with
 * `npx tsx bench/profile/feed-calls.ts [defender|graph] [incidents] [--each]`; `--each` prints
 * every request with its filter, offset and how many incidents it returned.
 * @packageDocumentation
 */
import { setupServer } from 'msw/node';
import { DefenderClient } from '../../src/index.js';
import { createFakeTenant } from '../../src/testing/index.js';
import { handlers } from '../../src/testing/msw.js';

const api = process.argv[2] === 'graph' ? 'graph' : 'defender';
const incidents = Number(process.argv[3] ?? 3_000);
const each = process.argv.includes('--each');
const tenant = createFakeTenant({ seed: 8, incidents, huntingRows: 10, timeScale: 10, tokenLifetimeSeconds: 86_400, quotas: false });
// How many incidents each list response held, in request order.
const returned: number[] = [];
const server = setupServer(
  ...handlers({
    handle: async (request) => {
      const response = await tenant.handle(request);
      if (request.method === 'GET' && new URL(request.url).pathname.endsWith('/incidents') && response?.ok) {
        returned.push(((await response.clone().json()) as { value: unknown[] }).value.length);
      }
      return response;
    },
  }),
);
server.listen({ onUnhandledFrame: 'bypass' });
try {
  const client = new DefenderClient({ api, credential: tenant.credential(), silenceDeprecationWarnings: true, rateLimit: { limits: { incidents: [], alerts: [] } } });
  await client.auth.inspect();
  const before = tenant.requests.length;
  let items = 0;
  const feed = client.incidents.sync({ start: new Date(tenant.clock.now() - 365 * 86_400_000) });
  for await (const batch of feed) items += batch.items.length;
  const lists = tenant.requests.slice(before).filter((request) => request.route.endsWith('listIncidents'));
  const kinds = new Map<string, { requests: number; incidents: number }>();
  lists.forEach((request, i) => {
    const query = new URL(request.url).searchParams;
    const filter = query.get('$filter') ?? '';
    const full = returned[i] === Number(query.get('$top'));
    const kind =
      query.get('$top') === '1'
        ? 'question: does the open window fit?'
        : / lt /.test(filter)
          ? full
            ? 'bounded window, a full page: read again narrower'
            : 'bounded window, read in one request'
          : 'open window, page';
    const tally = kinds.get(kind) ?? { requests: 0, incidents: 0 };
    kinds.set(kind, { requests: tally.requests + 1, incidents: tally.incidents + (returned[i] ?? 0) });
    if (each) console.log(`${String(i + 1).padStart(4)} ${String(returned[i]).padStart(4)} ${filter} $skip=${query.get('$skip') ?? 0} $top=${query.get('$top')}`);
  });
  console.log(`${api}: ${items} incidents delivered in ${lists.length} list requests; stats ${JSON.stringify(feed.stats)}`);
  for (const [kind, { requests, incidents: listed }] of kinds) console.log(`  ${kind}: ${requests} requests, ${listed} incidents returned`);
} finally {
  server.close();
}
