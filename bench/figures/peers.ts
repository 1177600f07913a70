/**
 * Figure 7: the clients a user would pick instead, on the bench's own server and payloads: the
 * Microsoft Graph JavaScript client v3 (`@microsoft/microsoft-graph-client`, static token auth
 * provider), Kiota's `@microsoft/msgraph-sdk` (its security models, through its request adapter)
 * and axios, beside this SDK and the two raw calls. Every cell is a median over interleaved rounds
 * with its ratio to the faster raw call (`raw.ts`). The peers are devDependencies loaded only here.
 * @packageDocumentation
 */
import { pathToFileURL } from 'node:url';
import type { BenchContext } from '../context.js';
import { benchClient, countingCredential, GRAPH_PAGE_SIZE, graphIncidentPages, huntingBody, LEGACY_PAGE_SIZE, legacyIncidentPages, LISTING_INCIDENTS } from '../fixtures.js';
import { rawBaseline, READ, type RawSide } from '../raw.js';
import { compareMany, type Summary } from '../stats.js';
import { formatRatio, notMeasured, renderGrid, type Row } from '../table.js';
import { coldStartRoundCount, coldStartRounds, formatExtra, roundDifferences } from './cold-start.js';
import { HUNTING_ROWS } from './hunting.js';

/** Issue 18: a validated page within 1.25× of the faster raw call, on both APIs. */
const PAGE_TARGET = 1.25;
const QUERY = 'DeviceProcessEvents | take 100000';

/** The columns of the peer table, after the work. */
const CLIENTS = ['text', 'json', 'sdk', 'stream', 'graphClient', 'kiota', 'axios'] as const;
type Client = (typeof CLIENTS)[number];
const HEADER: Record<Client, string> = {
  text: 'raw fetch + text + JSON.parse',
  json: 'raw fetch + res.json()',
  sdk: 'this SDK',
  stream: 'this SDK, stream()',
  graphClient: 'graph-client v3',
  kiota: 'Kiota msgraph-sdk',
  axios: 'axios',
};

/** One line of the peer table: the work and each client's cell. */
interface PeerLine {
  work: string;
  cells: Partial<Record<Client, string>>;
}

/** What figure 7 gives the runner: its rows in the main table and the peer table. */
export interface PeersResult {
  /** Target rows for the main table. */
  rows: Row[];
  /** The peer table (Markdown). */
  table: string;
}

type Side = () => Promise<number>;

/** Runs `sides` interleaved; checks every side read `expected` items; returns timings and the honest baseline. */
async function measure(ctx: BenchContext, label: string, sides: Partial<Record<Client, Side>>, expected: number, heavy: boolean) {
  const counts: Partial<Record<Client, number>> = {};
  const wrapped = Object.fromEntries(
    Object.entries(sides).map(([name, side]) => [name, async () => void (counts[name as Client] = await (side as Side)())]),
  ) as Record<Client, () => Promise<void>>;
  // Kiota takes ~10× the raw time per listing: rounds are kept few enough for a 2-core box.
  const sampling = heavy ? (ctx.quick ? { warmup: 1, samples: 3, gcBetween: true } : { warmup: 1, samples: 6, gcBetween: true }) : ctx.quick ? { warmup: 2, samples: 6 } : { warmup: 3, samples: 12 };
  ctx.log(`  7: ${label} (${Object.keys(sides).length} clients, ${sampling.samples} rounds)`);
  const time = (await compareMany(wrapped, sampling)) as Partial<Record<Client, Summary>>;
  const wrong = Object.entries(counts).filter(([, n]) => n !== expected);
  if (wrong.length > 0) throw new Error(`${label}: expected ${expected} items, got ${JSON.stringify(counts)}`);
  const base = rawBaseline(time.text!, time.json!);
  const ratio = (client: Client) => time[client]!.median / base.summary.median;
  const cells: Partial<Record<Client, string>> = {};
  for (const client of Object.keys(time) as Client[]) {
    const s = time[client]!;
    const digits = s.median >= 100 ? 0 : 1;
    cells[client] = `${s.median.toFixed(digits)} ms (${s.p25.toFixed(digits)}–${s.p75.toFixed(digits)}), ${formatRatio(ratio(client))}`;
  }
  return { time, base, ratio, line: { work: label, cells } as PeerLine };
}

/** Measures figure 7. */
export async function peersFigure(ctx: BenchContext): Promise<PeersResult> {
  const { server, token } = ctx;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const postHeaders = { ...headers, 'content-type': 'application/json' };
  server.bodies.legacyPages = legacyIncidentPages();
  server.bodies.graphPages = graphIncidentPages(server.url);

  const { Client: GraphClient } = await import('@microsoft/microsoft-graph-client');
  const { GraphRequestAdapter } = await import('@microsoft/msgraph-sdk');
  const security = await import('@microsoft/msgraph-sdk/models/security/index.js');
  const { HttpMethod, RequestInformation } = await import('@microsoft/kiota-abstractions');
  const { default: axios } = await import('axios');

  // graph-client v3 sends the token only to Graph hosts and the hosts in customHosts.
  const graphClient = GraphClient.init({ authProvider: (done) => done(null, token), baseUrl: `${server.url}/`, defaultVersion: 'v1.0', customHosts: new Set(['127.0.0.1']) });
  // A static token: Kiota's AuthenticationProvider, the smallest one there is.
  const kiota = new GraphRequestAdapter({
    authenticateRequest: async (request) => {
      request.headers.add('Authorization', `Bearer ${token}`);
    },
  });
  kiota.baseUrl = `${server.url}/v1.0`;
  const axiosClient = axios.create({ baseURL: server.url, headers });
  const defender = benchClient(server.url, countingCredential(token));
  const graph = benchClient(server.url, countingCredential(token), 'graph');

  const lines: PeerLine[] = [];
  const rows: Row[] = [];

  // ---- list 3,000 Graph incidents, with their alerts ($expand=alerts), 60 pages of 50
  const graphFirst = `${server.url}/v1.0/security/incidents?$top=${GRAPH_PAGE_SIZE}&$expand=alerts`;
  const rawGraphList = (side: RawSide) => async () => {
    let n = 0;
    for (let url: string | undefined = graphFirst; url; ) {
      const page = (await READ[side](await fetch(url, { headers }))) as { value: unknown[]; '@odata.nextLink'?: string };
      n += page.value.length;
      url = page['@odata.nextLink'];
    }
    return n;
  };
  const sdkList = (client: typeof defender, pageSize: number, expandAlerts: boolean) => async () => {
    let n = 0;
    for await (const page of client.incidents.list({ pageSize, ...(expandAlerts ? { expandAlerts } : {}) }).byPage()) n += page.items.length;
    return n;
  };
  const graphClientList = async () => {
    let page = (await graphClient.api('/security/incidents').top(GRAPH_PAGE_SIZE).expand('alerts').get()) as { value: unknown[]; '@odata.nextLink'?: string };
    let n = page.value.length;
    // graph-client takes only https:// links as absolute: hand it the loopback link's path.
    while (page['@odata.nextLink']) {
      page = await graphClient.api(page['@odata.nextLink'].slice(`${server.url}/v1.0`.length)).get();
      n += page.value.length;
    }
    return n;
  };
  type KiotaPage = { value?: unknown[]; odataNextLink?: string | null };
  const kiotaList = async () => {
    // What the security package's generated builder does: the URL template, then the adapter.
    const first = new RequestInformation(HttpMethod.GET, '{+baseurl}/security/incidents{?%24expand,%24top}');
    first.queryParameters['%24top'] = GRAPH_PAGE_SIZE;
    first.queryParameters['%24expand'] = ['alerts'];
    let page = (await kiota.send(first, security.createIncidentCollectionResponseFromDiscriminatorValue, undefined)) as KiotaPage | undefined;
    let n = page?.value?.length ?? 0;
    while (page?.odataNextLink) {
      const next = new RequestInformation(HttpMethod.GET);
      next.URL = page.odataNextLink;
      page = (await kiota.send(next, security.createIncidentCollectionResponseFromDiscriminatorValue, undefined)) as KiotaPage | undefined;
      n += page?.value?.length ?? 0;
    }
    return n;
  };
  const graphList = await measure(
    ctx,
    `list ${LISTING_INCIDENTS.toLocaleString('en')} Graph incidents with alerts (${LISTING_INCIDENTS / GRAPH_PAGE_SIZE} pages)`,
    { text: rawGraphList('text'), json: rawGraphList('json'), sdk: sdkList(graph, GRAPH_PAGE_SIZE, true), graphClient: graphClientList, kiota: kiotaList },
    LISTING_INCIDENTS,
    false,
  );
  lines.push(graphList.line);
  const sdkGraph = graphList.ratio('sdk');
  const peerGraph = graphList.ratio('graphClient');
  rows.push({
    figure: `7 list ${LISTING_INCIDENTS.toLocaleString('en')} Graph incidents (SDK)`,
    sdk: graphList.line.cells.sdk!,
    baseline: graphList.base.cell,
    ratio: formatRatio(sdkGraph),
    target: `≤ ${PAGE_TARGET.toFixed(2)}× and ≤ graph-client v3 (${formatRatio(peerGraph)})`,
    verdict: sdkGraph <= PAGE_TARGET && sdkGraph <= peerGraph ? 'pass' : 'FAIL',
  });

  // ---- list 3,000 legacy incidents, 30 pages of 100 (and the empty page that ends a $skip listing)
  const rawLegacyList = (side: RawSide) => async () => {
    let n = 0;
    for (let skip = 0; ; skip += LEGACY_PAGE_SIZE) {
      const page = (await READ[side](await fetch(`${server.url}/api/incidents?$top=${LEGACY_PAGE_SIZE}&$skip=${skip}`, { headers }))) as { value: unknown[] };
      n += page.value.length;
      if (page.value.length < LEGACY_PAGE_SIZE) return n;
    }
  };
  const axiosList = async () => {
    let n = 0;
    for (let skip = 0; ; skip += LEGACY_PAGE_SIZE) {
      const page = (await axiosClient.get<{ value: unknown[] }>('/api/incidents', { params: { $top: LEGACY_PAGE_SIZE, $skip: skip } })).data;
      n += page.value.length;
      if (page.value.length < LEGACY_PAGE_SIZE) return n;
    }
  };
  const legacyList = await measure(
    ctx,
    `list ${LISTING_INCIDENTS.toLocaleString('en')} legacy incidents (${LISTING_INCIDENTS / LEGACY_PAGE_SIZE + 1} calls)`,
    { text: rawLegacyList('text'), json: rawLegacyList('json'), sdk: sdkList(defender, LEGACY_PAGE_SIZE, false), axios: axiosList },
    LISTING_INCIDENTS,
    false,
  );
  lines.push(legacyList.line);
  const sdkLegacy = legacyList.ratio('sdk');
  rows.push({
    figure: `7 list ${LISTING_INCIDENTS.toLocaleString('en')} legacy incidents (SDK)`,
    sdk: legacyList.line.cells.sdk!,
    baseline: legacyList.base.cell,
    ratio: formatRatio(sdkLegacy),
    target: `≤ ${PAGE_TARGET.toFixed(2)}×`,
    verdict: sdkLegacy <= PAGE_TARGET ? 'pass' : 'FAIL',
  });
  server.bodies.legacyPages = undefined;
  server.bodies.graphPages = undefined;

  // ---- 100k-row hunt, each API: run() and stream() beside the peers of that API
  const streamRows = (client: typeof defender) => async () => {
    let n = 0;
    for await (const row of client.advancedHunting.stream(QUERY)) if (row) n++;
    return n;
  };
  ctx.log(`  building the ${HUNTING_ROWS.toLocaleString('en')}-row results (both APIs) …`);
  server.bodies.hunting = huntingBody(HUNTING_ROWS);
  server.bodies.graphHunting = huntingBody(HUNTING_ROWS, 'graph');
  try {
    const rawHunt = (side: RawSide, path: string, key: 'Results' | 'results') => async () => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: postHeaders, body: JSON.stringify({ Query: QUERY }) });
      return ((await READ[side](res)) as Record<string, unknown[]>)[key]!.length;
    };
    const kiotaHunt = async () => {
      const request = new RequestInformation(HttpMethod.POST, '{+baseurl}/security/runHuntingQuery');
      request.headers.tryAdd('Content-Type', 'application/json');
      request.content = new TextEncoder().encode(JSON.stringify({ Query: QUERY })).buffer as ArrayBuffer;
      const result = (await kiota.send(request, security.createHuntingQueryResultsFromDiscriminatorValue, undefined)) as { results?: unknown[] } | undefined;
      return result?.results?.length ?? 0;
    };
    const graphHunt = await measure(
      ctx,
      `${HUNTING_ROWS / 1000}k-row hunt, Graph (runHuntingQuery)`,
      {
        text: rawHunt('text', '/v1.0/security/runHuntingQuery', 'results'),
        json: rawHunt('json', '/v1.0/security/runHuntingQuery', 'results'),
        sdk: async () => (await graph.advancedHunting.run(QUERY)).rows.length,
        stream: streamRows(graph),
        graphClient: async () => ((await graphClient.api('/security/runHuntingQuery').post({ Query: QUERY })) as { results: unknown[] }).results.length,
        kiota: kiotaHunt,
      },
      HUNTING_ROWS,
      true,
    );
    lines.push(graphHunt.line);
    const defenderHunt = await measure(
      ctx,
      `${HUNTING_ROWS / 1000}k-row hunt, Defender API (advancedhunting/run)`,
      {
        text: rawHunt('text', '/api/advancedhunting/run', 'Results'),
        json: rawHunt('json', '/api/advancedhunting/run', 'Results'),
        sdk: async () => (await defender.advancedHunting.run(QUERY)).rows.length,
        stream: streamRows(defender),
        axios: async () => (await axiosClient.post<{ Results: unknown[] }>('/api/advancedhunting/run', { Query: QUERY })).data.Results.length,
      },
      HUNTING_ROWS,
      true,
    );
    lines.push(defenderHunt.line);
  } finally {
    server.bodies.hunting = undefined;
    server.bodies.graphHunting = undefined;
  }

  // ---- import, over bare node
  if (!ctx.dist.ok) {
    rows.push(notMeasured('7 import over bare node', `needs a build (${ctx.dist.note})`, 'report'));
  } else {
    const variants = {
      node: ['-e', '0'],
      sdk: ['-e', `import(${JSON.stringify(pathToFileURL(ctx.dist.esmEntry).href)}).then(() => {})`],
      zod: ['-e', `import('zod').then(() => {})`],
      graphClient: ['-e', `import('@microsoft/microsoft-graph-client').then(() => {})`],
      kiota: ['-e', `Promise.all([import('@microsoft/msgraph-sdk'), import('@microsoft/msgraph-sdk/models/security/index.js')]).then(() => {})`],
      axios: ['-e', `import('axios').then(() => {})`],
    } as const;
    const rounds = coldStartRoundCount(ctx.quick);
    ctx.log(`  7: import over bare node (${rounds} interleaved rounds)`);
    const samples = coldStartRounds(ctx.root, variants, rounds);
    const over = (name: keyof typeof variants) => formatExtra(roundDifferences(samples[name], samples.node));
    lines.push({
      work: `import (ESM), over bare node (zod alone: ${over('zod')})`,
      cells: { sdk: over('sdk'), graphClient: over('graphClient'), kiota: over('kiota'), axios: over('axios') },
    });
  }

  const header = ['work', ...CLIENTS.map((client) => HEADER[client])];
  const table = renderGrid(header, lines.map((line) => [line.work, ...CLIENTS.map((client) => line.cells[client] ?? '—')]));
  return { rows, table };
}
