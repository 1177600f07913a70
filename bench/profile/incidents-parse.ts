/**
 * A profiling driver for figure 1's CPU cost without the network: JSON parse, and the one-pass
 * read (checks and mapping together) of one page of 100 incidents, repeated; beside them zod's
 * compiled check of the same items alone, which the read no longer runs on valid items. `node --cpu-prof --import tsx bench/profile/incidents-parse.ts`
 * (or plain `npx tsx bench/profile/incidents-parse.ts` for the per-stage timings).
 * @packageDocumentation
 */
import { parseIncidentListPage } from '../../src/apis/defender/incidents.js';
import { legacyIncidentSchema } from '../../src/apis/defender/wire.js';
import { readIncident } from '../../src/apis/defender/mappers.js';
import { passes } from '../../src/models/compiled.js';
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
process.stdout.write(
  [
    `JSON.parse            ${time(() => JSON.parse(text))} ms`,
    `zod check (compiled)  ${time(() => parsed.value.every((incident) => passes(legacyIncidentSchema, incident)))} ms`,
    `read (check + map)    ${time(() => parsed.value.map((incident) => readIncident(incident, undefined)))} ms`,
    `parseIncidentListPage ${time(() => parseIncidentListPage(parsed, 'incidents.list'))} ms`,
    `JSON.parse + page     ${time(() => parseIncidentListPage(JSON.parse(text), 'incidents.list'))} ms`,
  ].join('\n') + '\n',
);
