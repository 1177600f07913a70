/**
 * Instructions per page of figure 1 (and of figure 7's Graph listing), counted by valgrind's
 * callgrind: repeatable whatever the load of the machine, where the bench's times are not. For
 * each API, the SDK's first `byPage()` page and the raw `fetch` + `res.text()` + `JSON.parse` of
 * the same page, each in a fresh `node --single-threaded --predictable-gc-schedule` under
 * callgrind (V8's compiler and GC on the main thread, the heap grown by a fixed rule rather than
 * by timing). The process reads `warmup` pages, then this driver zeroes callgrind's counters
 * (`callgrind_control -z`) and the process reads `pages` more: the count divided by `pages` is the
 * cost of one warm page, garbage collection included. Each side keeps only the count of what it
 * read, as the bench's figures do. The replay server runs in this (uncounted) process.
 *
 * `npx tsx bench/profile/page-instructions.ts [pages=100] [warmup=30] [defender,graph]`
 * (needs valgrind; 10–40 minutes on a loaded 2-core machine).
 * @packageDocumentation
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchClient, benchToken, countingCredential, GRAPH_PAGE_SIZE, graphIncidentPages, incidentBody, incidentsPageBody } from '../fixtures.js';
import { startReplayServer } from '../server.js';

type Api = 'defender' | 'graph';
type Side = 'sdk' | 'text';

const pageUrl = (base: string, api: Api) =>
  api === 'graph' ? `${base}/v1.0/security/incidents?$top=${GRAPH_PAGE_SIZE}&$expand=alerts` : `${base}/api/incidents?$top=100&$skip=0`;

/**
 * The counted process: `child <api> <side> <server url> <warmup> <pages> <go file>`. After the
 * warm-up it says `ready` and polls (valgrind takes commands only from a running process) until
 * the driver, having zeroed the counters, creates the go file.
 */
async function child(api: Api, side: Side, url: string, warmup: number, pages: number, go: string): Promise<void> {
  const token = benchToken();
  const client = benchClient(url, countingCredential(token), api);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const target = pageUrl(url, api);
  const pageSize = api === 'graph' ? GRAPH_PAGE_SIZE : 100;
  const once =
    side === 'sdk'
      ? async () => {
          const page = await client.incidents.list({ pageSize, ...(api === 'graph' ? { expandAlerts: true } : {}) }).byPage().next();
          return page.done ? 0 : page.value.items.length;
        }
      : async () => (JSON.parse(await (await fetch(target, { headers })).text()) as { value: unknown[] }).value.length;
  let items = 0;
  for (let i = 0; i < warmup; i++) items = await once();
  process.stdout.write('ready\n');
  // A wait of 2 ms at a time, a few hundred instructions each, so that the wait after the zero counts for little.
  const idle = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(go)) Atomics.wait(idle, 0, 0, 2);
  for (let i = 0; i < pages; i++) items = await once();
  if (items !== pageSize) throw new Error(`${api} ${side}: ${items} items`);
}

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);
const NODE_FLAGS = ['--single-threaded', '--predictable-gc-schedule', '--import', 'tsx'];

/** Instructions of `pages` warm pages in a fresh process. */
async function count(api: Api, side: Side, url: string, warmup: number, pages: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'm365d-instructions-'));
  const go = join(dir, 'go');
  try {
    const valgrind = spawn(
      'valgrind',
      ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...NODE_FLAGS, self, 'child', api, side, url, String(warmup), String(pages), go],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    valgrind.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    valgrind.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      // The counters start here: everything before (start-up, warm-up) is left out.
      run('callgrind_control', ['-z', String(valgrind.pid)]).then(
        () => writeFileSync(go, ''),
        (error: unknown) => {
          stderr += `callgrind_control failed: ${String(error)}\n`;
          valgrind.kill();
        },
      );
    });
    const code = await new Promise<number | null>((resolve) => valgrind.on('close', resolve));
    const match = /Collected : (\d+)/.exec(stderr);
    if (code !== 0 || !match) throw new Error(`callgrind failed (exit ${code}):\n${stderr.slice(-2000)}`);
    return Number(match[1]) / pages;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function parent(pages: number, warmup: number, apis: readonly Api[]): Promise<void> {
  const server = await startReplayServer({ incidentsPage: incidentsPageBody(), incident: incidentBody() });
  server.bodies.graphPages = graphIncidentPages(server.url);
  const M = (n: number) => `${(n / 1e6).toFixed(2)} M`;
  try {
    // Once without valgrind first: tsx caches what it compiles, and the counted runs must find the cache full.
    for (const api of apis) await run(process.execPath, [...NODE_FLAGS, self, 'child', api, 'sdk', server.url, '1', '1', self]);
    for (const api of apis) {
      const [sdk, text] = await Promise.all([count(api, 'sdk', server.url, warmup, pages), count(api, 'text', server.url, warmup, pages)]);
      process.stdout.write(`${api}: SDK ${M(sdk)}, raw ${M(text)} instructions per page (${pages} pages after ${warmup}): SDK ÷ raw = ${(sdk / text).toFixed(3)}×\n`);
    }
  } finally {
    await server.close();
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'child') {
  const [api, side, url, warmup, pages, go] = rest as [Api, Side, string, string, string, string];
  await child(api, side, url, Number(warmup), Number(pages), go);
} else {
  const apis = (rest[1] ?? 'defender,graph').split(',') as Api[];
  await parent(Number(mode ?? 100), Number(rest[0] ?? 30), apis);
}
