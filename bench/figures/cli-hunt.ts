/**
 * Figure 9: `m365d hunt … -o csv` on the bench's 100,000-row result, as a user runs it: a fresh
 * process of the built CLI (`dist/cli.js`) against the HTTPS simulator, its CSV read from a pipe.
 * Time is the process's, start to exit (Node's start and the imports included); peak RSS is the
 * process's `maxRSS`. The baseline is what a hand-written script does (`../cli-raw-child.mjs`):
 * one token POST, the body read whole, the rows written as CSV. Both read the same body, which the
 * simulator serves verbatim; runs alternate, and each side's output is counted, never kept.
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import type { BenchContext } from '../context.js';
import { huntingBody } from '../fixtures.js';
import { formatMb, formatMs, summarize } from '../stats.js';
import { formatRatio, notMeasured, type Row } from '../table.js';
import { HUNTING_ROWS } from './hunting.js';

const QUERY = 'DeviceProcessEvents | take 100000';
const RAW_CHILD = fileURLToPath(new URL('../cli-raw-child.mjs', import.meta.url));
/** Prints the CLI's peak RSS on stderr when it exits, in the raw child's format. */
const MAX_RSS_HOOK = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmax-rss-kb='+process.resourceUsage().maxRSS+'\\n'))`;

interface ChildRun {
  ms: number;
  maxRssKb: number;
  lines: number;
}

/** Runs one side in a fresh process; counts its stdout's lines and reads its peak RSS from stderr. */
function runChild(label: string, args: readonly string[], env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const rss = /max-rss-kb=(\d+)/.exec(stderr);
      if (code !== 0 || !rss) return reject(new Error(`${label} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' ')}`));
      resolve({ ms, maxRssKb: Number(rss[1]), lines });
    });
  });
}

/** Measures figure 9 (time and peak RSS of the CLI's 100k-row hunt to CSV). */
export async function cliHuntFigures(ctx: BenchContext): Promise<Row[]> {
  const cli = join(ctx.dist.packageDir, 'dist', 'cli.js');
  const names = ['9 m365d hunt 100k rows to CSV: time', '9 m365d hunt 100k rows to CSV: peak RSS'];
  if (!ctx.dist.ok || !existsSync(cli)) return names.map((name) => notMeasured(name, `needs the full build with dist/cli.js (${ctx.dist.note})`, 'report'));
  ctx.log(`  building the ${HUNTING_ROWS.toLocaleString('en')}-row result …`);
  const body = huntingBody(HUNTING_ROWS).toString('utf8');
  let sim: Simulator | undefined;
  try {
    sim = await startSimulator({ seed: 9 });
    const env = { ...sim.env, M365D_STDOUT_TTY: '0', M365D_STDERR_TTY: '0' };
    const sides = {
      cli: [`--import=${MAX_RSS_HOOK}`, cli, 'hunt', QUERY, '--quiet', '-o', 'csv'],
      raw: [RAW_CHILD, QUERY],
    };
    const runs = ctx.quick ? 2 : 5;
    const samples = { cli: [] as ChildRun[], raw: [] as ChildRun[] };
    ctx.log(`  ${runs} fresh processes each of m365d and the raw script, alternating`);
    for (let i = 0; i < runs; i++) {
      for (const side of i % 2 === 0 ? (['cli', 'raw'] as const) : (['raw', 'cli'] as const)) {
        sim.tenant.faults.add('defender.hunting', { status: 200, headers: { 'content-type': 'application/json' }, rawBody: body });
        const run = await runChild(side === 'cli' ? 'm365d' : 'the raw script', sides[side], env);
        // The header line and one line a row (the generated values hold no line break).
        if (run.lines !== HUNTING_ROWS + 1) throw new Error(`${side} wrote ${run.lines} lines, not ${HUNTING_ROWS + 1}`);
        samples[side].push(run);
      }
    }
    const time = { cli: summarize(samples.cli.map((r) => r.ms)), raw: summarize(samples.raw.map((r) => r.ms)) };
    const rss = { cli: summarize(samples.cli.map((r) => r.maxRssKb)), raw: summarize(samples.raw.map((r) => r.maxRssKb)) };
    const megabytes = (Buffer.byteLength(body) / 1e6).toFixed(1);
    return [
      {
        figure: names[0]!,
        sdk: `${formatMs(time.cli)} (${megabytes} MB body, a fresh process each)`,
        baseline: `${formatMs(time.raw)} raw script: token POST, text+JSON.parse, CSV`,
        ratio: formatRatio(time.cli.median / time.raw.median),
        target: 'report',
        verdict: 'info',
      },
      {
        figure: names[1]!,
        sdk: formatMb(rss.cli),
        baseline: `${formatMb(rss.raw)} raw script`,
        ratio: formatRatio(rss.cli.median / rss.raw.median),
        target: 'report',
        verdict: 'info',
      },
    ];
  } finally {
    await sim?.close();
  }
}
