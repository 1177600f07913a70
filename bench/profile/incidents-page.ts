/**
 * A profiling driver for figure 1 end to end: the SDK's first `byPage()` page and the raw
 * `fetch` + `res.text()` + `JSON.parse` baseline against the bench's replay server, repeated, on
 * the Defender API (100 incidents) or Graph (`api: 'graph'`, 50 incidents with `$expand=alerts`,
 * Graph's cap). Run under the profiler with
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/incidents-page.ts [sdk|fetch] [runs] [defender|graph]`.
 * @packageDocumentation
 */
import { benchClient, benchToken, countingCredential, GRAPH_PAGE_SIZE, graphIncidentPages, incidentBody, incidentsPageBody } from '../fixtures.js';
import { startReplayServer } from '../server.js';
import { summarize } from '../stats.js';

const side = process.argv[2] ?? 'sdk';
const runs = Number(process.argv[3] ?? 1000);
const api = process.argv[4] === 'graph' ? 'graph' : 'defender';
const token = benchToken();
const server = await startReplayServer({ incidentsPage: incidentsPageBody(), incident: incidentBody() });
server.bodies.graphPages = graphIncidentPages(server.url);
const client = benchClient(server.url, countingCredential(token), api);
const pageSize = api === 'graph' ? GRAPH_PAGE_SIZE : 100;
const url = api === 'graph' ? `${server.url}/v1.0/security/incidents?$top=${pageSize}&$expand=alerts` : `${server.url}/api/incidents?$top=100&$skip=0`;
const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
const once =
  side === 'sdk'
    ? async () => (await client.incidents.list({ pageSize, ...(api === 'graph' ? { expandAlerts: true } : {}) }).byPage().next()).value
    : async () => (JSON.parse(await (await fetch(url, { headers })).text()) as { value: unknown[] }).value;
const samples: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  await once();
  samples.push(performance.now() - started);
}
await server.close();
const s = summarize(samples.slice(Math.floor(runs / 5)));
process.stdout.write(`${api} ${side}: median ${s.median.toFixed(3)} ms (p25 ${s.p25.toFixed(3)}, p75 ${s.p75.toFixed(3)}) over ${s.n} runs\n`);
