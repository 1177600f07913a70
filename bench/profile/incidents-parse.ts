/**
 * A profiling driver for figure 1's CPU cost without the network: JSON parse, validation and
 * mapping of one page of 100 incidents, repeated. `node --cpu-prof --import tsx bench/profile/incidents-parse.ts`
 * (or plain `npx tsx bench/profile/incidents-parse.ts` for the per-stage timings).
 * @packageDocumentation
 */
import { parseIncidentListPage } from '../../src/apis/defender/incidents.js';
import { legacyIncidentListSchema } from '../../src/apis/defender/wire.js';
import { mapIncident } from '../../src/apis/defender/mappers.js';
import { incidentsPageBody } from '../fixtures.js';
import { summarize } from '../stats.js';

const text = incidentsPageBody().toString('utf8');
const runs = Number(process.argv[2] ?? 400);
const time = (fn: () => unknown) => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return summarize(samples.slice(runs / 4)).median.toFixed(3);
};
const parsed = JSON.parse(text) as { value: unknown[] };
const validated = legacyIncidentListSchema.parse(parsed);
process.stdout.write(
  [
    `JSON.parse            ${time(() => JSON.parse(text))} ms`,
    `validate (safeParse)  ${time(() => legacyIncidentListSchema.safeParse(parsed))} ms`,
    `map                   ${time(() => validated.value.map((incident) => mapIncident(incident)))} ms`,
    `parseIncidentListPage ${time(() => parseIncidentListPage(parsed, 'incidents.list'))} ms`,
    `JSON.parse + page     ${time(() => parseIncidentListPage(JSON.parse(text), 'incidents.list'))} ms`,
  ].join('\n') + '\n',
);
