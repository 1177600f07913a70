/**
 * A profiling driver for figure 1 end to end: the SDK's first `byPage()` page and the `fetch` +
 * `res.json()` baseline against the bench's replay server, repeated. Run under the profiler with
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/incidents-page.ts [sdk|fetch] [runs]`.
 * @packageDocumentation
 */
import { benchClient, benchToken, countingCredential, incidentBody, incidentsPageBody } from '../fixtures.js';
import { startReplayServer } from '../server.js';
import { summarize } from '../stats.js';

const side = process.argv[2] ?? 'sdk';
const runs = Number(process.argv[3] ?? 1000);
const token = benchToken();
const server = await startReplayServer({ incidentsPage: incidentsPageBody(), incident: incidentBody() });
const client = benchClient(server.url, countingCredential(token));
const url = `${server.url}/api/incidents?$top=100&$skip=0`;
const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
const once =
  side === 'sdk'
    ? async () => (await client.incidents.list({ pageSize: 100 }).byPage().next()).value
    : async () => ((await (await fetch(url, { headers })).json()) as { value: unknown[] }).value;
const samples: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  await once();
  samples.push(performance.now() - started);
}
await server.close();
const s = summarize(samples.slice(Math.floor(runs / 5)));
process.stdout.write(`${side}: median ${s.median.toFixed(3)} ms (p25 ${s.p25.toFixed(3)}, p75 ${s.p75.toFixed(3)}) over ${s.n} runs\n`);
