/**
 * `npm run bench` (`tsx bench/run.ts [--quick] [--only 1,2,…]`): measures the SDK against the raw
 * calls a user could write by hand (the faster of two, `raw.ts`) and, in figure 7, against the
 * clients a user could pick instead, on a replay server on 127.0.0.1; prints one table of ratios
 * with each figure's target, then the peer table. See docs/performance.md for each figure.
 * @packageDocumentation
 */
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, DistState } from './context.js';
import { ensureBuild } from './build.js';
import { changeFeedFigure } from './figures/change-feed.js';
import { cliHuntFigures } from './figures/cli-hunt.js';
import { coldStartFigures } from './figures/cold-start.js';
import { huntingBody, incidentBody, incidentsPageBody, benchToken } from './fixtures.js';
import { HUNTING_ROWS, huntingFigures } from './figures/hunting.js';
import { incidentsPageFigure } from './figures/incidents-page.js';
import { packageSizeFigures } from './figures/package-size.js';
import { peersFigure } from './figures/peers.js';
import { quotaFigure } from './figures/quota.js';
import { redisLatencyFigures } from './figures/redis-latency.js';
import { tokenRequestsFigure } from './figures/token-requests.js';
import { startReplayServer } from './server.js';
import { notMeasured, renderTable, type Row } from './table.js';

const FIGURES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] as const;
type Figure = (typeof FIGURES)[number];

interface Args {
  quick: boolean;
  only: Set<Figure>;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, only: new Set(FIGURES) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') args.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      // "2b" is part of figure 2.
      const picked = (list ?? '').split(',').map((s) => s.trim().replace(/b$/, '')).filter(Boolean);
      const unknown = picked.filter((p) => !(FIGURES as readonly string[]).includes(p));
      if (picked.length === 0 || unknown.length > 0) throw new Error(`--only takes figure numbers from ${FIGURES.join(',')}; got "${list ?? ''}".`);
      args.only = new Set(picked as Figure[]);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: tsx bench/run.ts [--quick] [--only 1,2,3,4,5,6,7,8,9,10]\n');
      process.exit(0);
    } else throw new Error(`unknown argument "${arg}" (try --help)`);
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const started = performance.now();
  log(`m365-defender bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown CPU'})${args.quick ? ', --quick' : ''}`);

  const needsDist = args.only.has('2') || args.only.has('4') || args.only.has('5') || args.only.has('7') || args.only.has('9');
  const dist: DistState = needsDist
    ? ensureBuild(root, log)
    : { ok: false, withTypes: false, note: 'not needed', packageDir: root, esmEntry: '', cjsEntry: '' };

  const server = await startReplayServer({ incidentsPage: incidentsPageBody(), incident: incidentBody() });
  const ctx: BenchContext = { root, server, token: benchToken(), quick: args.quick, dist, log };
  const rows: Row[] = [];
  let peerTable: string | undefined;
  const attempt = async (figure: Figure, label: string, run: () => Promise<Row | Row[]>) => {
    if (!args.only.has(figure)) return;
    log(`figure ${figure}: ${label}`);
    const t0 = performance.now();
    try {
      const result = await run();
      rows.push(...(Array.isArray(result) ? result : [result]));
    } catch (error) {
      rows.push({ ...notMeasured(`${figure} ${label}`, `error: ${error instanceof Error ? error.message : String(error)}`, '—'), verdict: 'FAIL' });
    }
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };

  try {
    await attempt('1', 'incidents page', () => incidentsPageFigure(ctx));
    await attempt('2', 'hunting 100k rows', async () => {
      log(`  building the ${HUNTING_ROWS.toLocaleString('en')}-row result …`);
      server.bodies.hunting = huntingBody(HUNTING_ROWS);
      log(`  ${(server.bodies.hunting.length / 1e6).toFixed(1)} MB of JSON`);
      return huntingFigures(ctx);
    });
    server.bodies.hunting = undefined;
    await attempt('3', 'token requests', () => tokenRequestsFigure(ctx));
    await attempt('4', 'cold start', () => coldStartFigures(ctx));
    await attempt('5', 'package size', () => packageSizeFigures(ctx));
    await attempt('6', 'quota', () => quotaFigure(ctx));
    await attempt('7', 'peers', async () => {
      const result = await peersFigure(ctx);
      peerTable = result.table;
      return result.rows;
    });
    await attempt('8', 'change feed', () => changeFeedFigure(ctx));
    await attempt('9', 'm365d hunt to CSV', () => cliHuntFigures(ctx));
    await attempt('10', 'Redis quota store', () => redisLatencyFigures(ctx));
  } finally {
    await server.close();
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\n${renderTable(rows)}\n\n`);
  if (peerTable) process.stdout.write(`Peers (figure 7): median ms (p25–p75), ratio to the faster raw call; import: median ms over bare node (p25…p75) of the difference within each round.\n\n${peerTable}\n\n`);
  process.stdout.write(`${dist.note === 'not needed' ? '' : `${dist.note}. `}Whole run: ${seconds} s. Ratios are SDK ÷ baseline medians, the baseline being the faster of the two raw calls (text+JSON.parse, res.json()); spreads are p25–p75.\n`);
  return rows.some((row) => row.verdict === 'FAIL') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
