#!/usr/bin/env node
/**
 * `node scripts/serverless-check.mjs` (CI, after `npm run build`): proves the serverless examples
 * work as users ship them, and measures them.
 *
 * 1. Bundles examples/serverless/aws-lambda.ts with esbuild, as a Lambda user does, with
 *    `m365-defender` resolved to this package's build (dist/, through package.json's `exports`:
 *    the same files a user's bundler takes from node_modules):
 *    - ESM with the createRequire banner, CJS, ESM with `--splitting` plus the banner, and ESM with
 *      the banner and three optional-feature packages left external: must work;
 *    - ESM without the banner, and ESM with `--splitting` alone: expected to fail at the first token
 *      request (`Dynamic require of "…" is not supported`), which docs/serverless.md says. Printed as
 *      expected failures; they never fail this script (a surprise success is printed as a notice).
 * 2. Starts the simulator (dist/testing `startSimulator`) and invokes each bundle's `handler` in a
 *    fresh `node` process, as a Lambda container would: one cold invocation and two warm ones, with
 *    a Lambda-like context. Asserts status 200, the simulator's active high-severity incidents
 *    exactly, `coldStart` only on the first invocation, and ONE token request per process (the
 *    module-scope client's token cache serves the warm invocations). Once more with DEFENDER_API=graph.
 * 3. Runs examples/serverless/azure-function.ts's two handlers (HTTP and timer) against the simulator,
 *    with a stub of `@azure/functions`' registration API (`app.http`, `app.timer`) in place of the
 *    Functions host, bundled as ESM with the banner.
 * 4. Measures, over SERVERLESS_RUNS (default 5) fresh processes per bundle: cold start (process start
 *    to the first handler result, the token request included), the CPU time it took, the warm
 *    invocation, RSS; prints the medians and the bundle sizes (docs/serverless.md quotes them).
 *
 * The bundles are built in a temporary directory, outside this package, so that they can only run
 * from what they contain (nothing is found in node_modules at run time).
 *
 * Every child process is killed after CHILD_TIMEOUT_MS and the whole script after WATCHDOG_MS:
 * nothing hangs. Exits 0 when every required check passed, 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Math.max(1, Number(process.env.SERVERLESS_RUNS ?? 5) || 5);
const CHILD_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 60_000;
const WATCHDOG_MS = 240_000 + RUNS * 40_000;
/** The handler's page limit (examples/serverless/aws-lambda.ts). */
const LAMBDA_LIMIT = 25;
/** Invocations per process: one cold, then warm ones. */
const INVOCATIONS = 3;
/** Packages only optional features load, left out of the "lean" bundle (docs/serverless.md). */
const LEAN_EXTERNALS = ['node-forge', '@azure/keyvault-secrets'];
/** The banner that gives an ESM bundle a `require` (aliased import: no clash with a bundled `createRequire`). */
const BANNER = "import { createRequire as __m365dCreateRequire } from 'node:module'; const require = __m365dCreateRequire(import.meta.url);";
// Variables a developer's shell may hold for a real tenant: the simulator's replace them, these are cleared.
const CLEARED = ['DEFENDER_API', 'DEFENDER_CLOUD', 'DEFENDER_REGION', 'DEFENDER_SCOPE', 'DEFENDER_GRAPH_SCOPE', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN', 'NODE_OPTIONS'];

const children = new Set();
let sim;
const work = mkdtempSync(join(tmpdir(), 'm365d-serverless-'));
// However the script ends (done, failed, thrown, watchdog): no child left running, no temporary files.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});
setTimeout(() => {
  console.error(`serverless-check: not done after ${WATCHDOG_MS / 1000} s: stopping.`);
  process.exit(1);
}, WATCHDOG_MS);

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.log(`  FAIL: ${message}`);
};
/** The q-quantile (0..1) of `values`, interpolated; q = 0.5 is the median. */
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
};
const median = (values) => quantile(values, 0.5);
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const mb = (bytes) => `${(bytes / 1048576).toFixed(2)} MB`;

/** Rejects after `ms` with a message naming the step. */
function bounded(promise, ms, label) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label}: no result after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/testing/index.js']) {
  if (!existsSync(join(root, file))) {
    console.error(`serverless-check: ${file} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Bundles
// ---------------------------------------------------------------------------------------------

const target = `node${process.versions.node.split('.')[0]}`;
/**
 * esbuild options shared by every bundle. `tsconfigRaw: {}` keeps esbuild from applying the
 * repository's tsconfig `paths` (which point `m365-defender` at src/ for tsx and tsc): the import
 * then resolves as in a user's project, by the package's name and `exports` (this package
 * references itself), to dist/. `ignored-bare-import` is silenced: tsup's chunks import each other
 * bare, and with `"sideEffects": false` esbuild drops those imports; it warns only because dist/
 * is not under node_modules here (in a user's project it is, and esbuild says nothing).
 */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target,
  minify: true,
  // Class names kept: error messages that name a credential class, and stack traces, stay readable (+4 % size).
  keepNames: true,
  tsconfigRaw: {},
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  logOverride: { 'ignored-bare-import': 'silent' },
};

const variants = [
  { name: 'esm', label: 'ESM + createRequire banner', format: 'esm', banner: true, expect: 'pass' },
  { name: 'cjs', label: 'CJS', format: 'cjs', banner: false, expect: 'pass' },
  { name: 'esm-split', label: 'ESM --splitting + banner', format: 'esm', banner: true, splitting: true, expect: 'pass' },
  // Leaves out what only optional features load (PKCS#12 certificates, Key Vault, advanced-hunting
  // streaming): a client-secret or PEM-certificate user never loads them.
  { name: 'esm-lean', label: 'ESM + banner, 3 externals', format: 'esm', banner: true, external: LEAN_EXTERNALS, expect: 'pass' },
  { name: 'esm-nobanner', label: 'ESM, no banner', format: 'esm', banner: false, expect: 'fail' },
  { name: 'esm-split-nobanner', label: 'ESM --splitting, no banner', format: 'esm', banner: false, splitting: true, expect: 'fail' },
];

console.log(`== bundling examples/serverless/aws-lambda.ts (esbuild ${esbuild.version}, --platform=node --target=${target} --minify --keep-names)`);
for (const variant of variants) {
  const outdir = join(work, variant.name);
  const ext = variant.format === 'esm' ? '.mjs' : '.cjs';
  const result = await bounded(
    esbuild.build({
      ...common,
      entryPoints: { handler: join(root, 'examples/serverless/aws-lambda.ts') },
      format: variant.format,
      outdir,
      outExtension: { '.js': ext },
      splitting: variant.splitting === true,
      external: variant.external ?? [],
      ...(variant.banner ? { banner: { js: BANNER } } : {}),
    }),
    STEP_TIMEOUT_MS,
    `esbuild ${variant.name}`,
  );
  const inputs = Object.keys(result.metafile.inputs);
  if (!inputs.includes('dist/index.js') || inputs.some((input) => input.startsWith('src/'))) {
    fail(`${variant.name}: m365-defender did not resolve to dist/index.js (inputs: ${inputs.filter((i) => !i.startsWith('node_modules/')).join(', ')})`);
  }
  const outputs = Object.keys(result.metafile.outputs).filter((file) => !file.endsWith('.map'));
  variant.entry = join(outdir, `handler${ext}`);
  variant.files = outputs.length;
  variant.bytes = outputs.reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
  variant.entryBytes = statSync(variant.entry).size;
  variant.gzipBytes = outputs.reduce((sum, file) => sum + gzipSync(readFileSync(join(root, file))).length, 0);
  variant.metafile = result.metafile;
}
// Unminified sizes, for the record (not run).
for (const format of ['esm', 'cjs']) {
  const result = await esbuild.build({
    ...common,
    minify: false,
    write: false,
    entryPoints: [join(root, 'examples/serverless/aws-lambda.ts')],
    format,
    outfile: join(work, `unminified.${format}.js`),
    ...(format === 'esm' ? { banner: { js: BANNER } } : {}),
  });
  variants.find((v) => v.name === format).unminifiedBytes = result.outputFiles[0].contents.length;
}
for (const v of variants) {
  console.log(`  ${v.label.padEnd(28)} ${mb(v.bytes).padStart(8)} in ${v.files} file(s)${v.splitting ? ` (entry ${kb(v.entryBytes)})` : ''}, gzip ${mb(v.gzipBytes)}${v.unminifiedBytes ? `; unminified ${mb(v.unminifiedBytes)}` : ''}`);
}
// What the ESM bundle is made of, by package.
{
  const esm = variants.find((v) => v.name === 'esm');
  const output = Object.values(esm.metafile.outputs).find((o) => o.entryPoint);
  const byPackage = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match ? match[1] : input.startsWith('dist/') ? 'm365-defender (dist/)' : input;
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.log(`  ESM bundle by package (minified bytes): ${top.map(([name, bytes]) => `${name} ${kb(bytes)}`).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// 2. The simulator and the Lambda invocations
// ---------------------------------------------------------------------------------------------

const { startSimulator } = await import(pathToFileURL(join(root, 'dist/testing/index.js')).href);
// No quotas: this script makes ~100 incident calls a minute from many short processes, each pacing
// only itself; the tenant's real 50 per minute would hold them (docs/serverless.md, "Quotas").
sim = await bounded(startSimulator({ seed: 11, incidents: 60, huntingRows: 100, quotas: false }), STEP_TIMEOUT_MS, 'startSimulator');
const expected = [...sim.tenant.incidents.values()]
  .filter((incident) => incident.status === 'Active' && incident.severity === 'High')
  .map((incident) => String(incident.incidentId))
  .sort();
console.log(`\n== simulator at ${sim.origin}: ${sim.tenant.incidents.size} incidents, ${expected.length} active high-severity`);
if (expected.length === 0) fail('the simulated tenant has no active high-severity incident: pick another seed');

// The Lambda side of an invocation: load the handler as Lambda's Node runtime does (require() for
// .cjs, import() for .mjs), then call it INVOCATIONS times with a context like Lambda's.
const lambdaRunner = join(work, 'lambda-runner.cjs');
writeFileSync(
  lambdaRunner,
  `'use strict';
const { performance } = require('node:perf_hooks');
const { pathToFileURL } = require('node:url');
const [file, count] = process.argv.slice(2);
const context = (i) => { const deadline = Date.now() + 20000; return { awsRequestId: 'request-' + i, getRemainingTimeInMillis: () => deadline - Date.now() }; };
(async () => {
  const out = { bootMs: performance.now(), invocations: [] };
  try {
    const mod = file.endsWith('.cjs') ? require(file) : await import(pathToFileURL(file).href);
    out.loadedAtMs = performance.now();
    for (let i = 0; i < Number(count); i++) {
      const start = performance.now();
      const result = await mod.handler({}, context(i));
      const end = performance.now();
      out.invocations.push({ statusCode: result.statusCode, body: JSON.parse(result.body), ms: end - start, atMs: end });
      if (i === 0) {
        out.rssAfterFirst = process.memoryUsage().rss;
        const cpu = process.cpuUsage();
        out.cpuFirstMs = (cpu.user + cpu.system) / 1000;
      }
    }
  } catch (error) {
    out.error = { name: error && error.name, message: String(error && error.message) };
  }
  out.maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify(out) + '\\n', () => process.exit(0));
})();
`,
);

/** Runs `node args…` with the simulator's environment; resolves with its last stdout line parsed as JSON. */
function runChild(args, extraEnv = {}) {
  const env = { ...process.env };
  for (const key of CLEARED) delete env[key];
  Object.assign(env, sim.env, extraEnv);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${CHILD_TIMEOUT_MS / 1000} s]`;
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.on('error', (error) => (stderr += `\n[spawn failed: ${error.message}]`));
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let json;
      try {
        json = JSON.parse(line);
      } catch {
        json = { error: { name: 'NoResult', message: `exit ${code}; ${(stderr || stdout).trim().slice(-600)}` } };
      }
      resolve(json);
    });
  });
}

/** One container: INVOCATIONS invocations in a fresh process; checks the results, returns them with the token requests made. */
async function invokeLambda(variant, api) {
  const before = sim.stats().tokenRequests;
  const out = await runChild([lambdaRunner, variant.entry, String(INVOCATIONS)], api ? { DEFENDER_API: api } : {});
  out.tokenRequests = sim.stats().tokenRequests - before;
  return out;
}

/** The checks a successful container must pass; returns the problems found. */
function problemsOf(out) {
  if (out.error) return [`${out.error.name}: ${out.error.message}`];
  const problems = [];
  const want = expected.slice(0, LAMBDA_LIMIT);
  out.invocations.forEach((invocation, i) => {
    if (invocation.statusCode !== 200) problems.push(`invocation ${i + 1}: status ${invocation.statusCode}`);
    const ids = invocation.body.incidents.map((incident) => incident.id).sort();
    if (expected.length <= LAMBDA_LIMIT ? ids.join() !== want.join() : ids.length !== LAMBDA_LIMIT) {
      problems.push(`invocation ${i + 1}: incidents ${ids.join(',')}, expected ${want.join(',')}`);
    }
    if (invocation.body.incidents.some((incident) => incident.severity !== 'high' || incident.status !== 'active')) {
      problems.push(`invocation ${i + 1}: an incident that is not active and high`);
    }
    if (invocation.body.coldStart !== (i === 0) || invocation.body.invocation !== i + 1) {
      problems.push(`invocation ${i + 1}: coldStart ${invocation.body.coldStart}, invocation ${invocation.body.invocation}`);
    }
  });
  if (out.invocations.length !== INVOCATIONS) problems.push(`${out.invocations.length} invocations of ${INVOCATIONS}`);
  // The module-scope client: one token for the container, however many invocations.
  if (out.tokenRequests !== 1) problems.push(`${out.tokenRequests} token requests for ${INVOCATIONS} invocations in one process (expected 1: the token cache)`);
  return problems;
}

const measured = new Map();
try {
  console.log(`\n== invoking each bundle's handler in fresh node ${process.version} processes (${INVOCATIONS} invocations per process: 1 cold, ${INVOCATIONS - 1} warm)`);
  for (const variant of variants) {
    const out = await invokeLambda(variant);
    const problems = problemsOf(out);
    if (variant.expect === 'pass') {
      if (problems.length === 0) {
        const [cold, ...warm] = out.invocations;
        console.log(`  ok   ${variant.label}: ${cold.body.count} incidents, cold start ${cold.atMs.toFixed(0)} ms, warm ${warm.map((w) => w.ms.toFixed(0)).join('/')} ms, 1 token request for ${INVOCATIONS} invocations`);
        measured.set(variant.name, [out]);
      } else {
        fail(`${variant.label}: ${problems.join('; ')}`);
      }
      const graph = await invokeLambda(variant, 'graph');
      const graphProblems = problemsOf(graph);
      if (graphProblems.length === 0) console.log(`  ok   ${variant.label}, DEFENDER_API=graph: ${graph.invocations[0].body.count} incidents, 1 token request`);
      else fail(`${variant.label}, DEFENDER_API=graph: ${graphProblems.join('; ')}`);
    } else if (out.error && /Dynamic require of "[^"]+" is not supported/.test(out.error.message)) {
      const what = /Dynamic require of "[^"]+" is not supported/.exec(out.error.message)[0];
      console.log(`  expected failure (not a CI failure) ${variant.label}: ${out.error.name}: ${what} (docs/serverless.md says so)`);
    } else if (problems.length === 0) {
      console.log(`  NOTICE ${variant.label} now WORKS: docs/serverless.md says it fails; update the docs (not a CI failure)`);
    } else {
      console.log(`  NOTICE ${variant.label} failed, but not as docs/serverless.md says (not a CI failure): ${problems.join('; ')}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // 3. The Azure Functions example, with a stub host
  // -------------------------------------------------------------------------------------------
  console.log('\n== examples/serverless/azure-function.ts with a stub of @azure/functions (app.http, app.timer)');
  const stubHost = {
    name: 'stub-azure-functions',
    setup(build) {
      build.onResolve({ filter: /^@azure\/functions$/ }, () => ({ path: 'stub', namespace: 'stub-azure-functions' }));
      build.onLoad({ filter: /.*/, namespace: 'stub-azure-functions' }, () => ({
        contents: `const registered = (globalThis.__azureFunctions ??= {});
export const app = {
  http(name, options) { registered[name] = { kind: 'http', ...options }; },
  timer(name, options) { registered[name] = { kind: 'timer', ...options }; },
};`,
        loader: 'js',
      }));
    },
  };
  const azureBundle = join(work, 'azure', 'functions.mjs');
  await bounded(
    esbuild.build({ ...common, entryPoints: [join(root, 'examples/serverless/azure-function.ts')], format: 'esm', outfile: azureBundle, banner: { js: BANNER }, plugins: [stubHost] }),
    STEP_TIMEOUT_MS,
    'esbuild azure-function',
  );
  const azureRunner = join(work, 'azure-runner.mjs');
  writeFileSync(
    azureRunner,
    `const logs = [];
const context = { log: (...a) => logs.push(['log', ...a]), warn: (...a) => logs.push(['warn', ...a]), error: (...a) => logs.push(['error', ...a]) };
const out = {};
try {
  await import(${JSON.stringify(pathToFileURL(azureBundle).href)});
  const fns = globalThis.__azureFunctions;
  out.registered = Object.fromEntries(Object.entries(fns).map(([name, f]) => [name, { kind: f.kind, route: f.route, schedule: f.schedule, authLevel: f.authLevel }]));
  const http = fns.highSeverityIncidents;
  const ok = await http.handler({ query: new URLSearchParams('limit=3') }, context);
  const all = await http.handler({ query: new URLSearchParams('') }, context);
  const bad = await http.handler({ query: new URLSearchParams('limit=abc') }, context);
  out.http = { ok: { status: ok.status, count: ok.jsonBody.count }, all: { status: all.status, ids: all.jsonBody.incidents.map((i) => i.id) }, bad: { status: bad.status } };
  await fns.highSeverityDigest.handler({ isPastDue: true, schedule: { adjustForDST: true }, scheduleStatus: { last: new Date(Date.now() - 3650 * 86400000).toISOString(), next: '', lastUpdated: '' } }, context);
  out.timerLogs = logs.map(([level, first]) => [level, String(first)]);
} catch (error) {
  out.error = { name: error && error.name, message: String(error && error.message) };
}
process.stdout.write(JSON.stringify(out) + '\\n', () => process.exit(0));
`,
  );
  {
    const before = sim.stats().tokenRequests;
    const out = await runChild([azureRunner]);
    const tokenRequests = sim.stats().tokenRequests - before;
    const problems = [];
    if (out.error) problems.push(`${out.error.name}: ${out.error.message}`);
    else {
      if (out.registered.highSeverityIncidents?.kind !== 'http' || out.registered.highSeverityDigest?.kind !== 'timer') problems.push(`registered: ${JSON.stringify(out.registered)}`);
      if (out.http.ok.status !== undefined && out.http.ok.status !== 200) problems.push(`http ?limit=3: status ${out.http.ok.status}`);
      if (out.http.ok.count !== Math.min(3, expected.length)) problems.push(`http ?limit=3: ${out.http.ok.count} incidents`);
      if (out.http.all.ids.slice().sort().join() !== expected.slice(0, 25).join()) problems.push(`http: incidents ${out.http.all.ids.join(',')}, expected ${expected.join(',')}`);
      if (out.http.bad.status !== 400) problems.push(`http ?limit=abc: status ${out.http.bad.status}, expected 400`);
      const summaryLine = out.timerLogs.find(([level, text]) => level === 'log' && /active high-severity incident\(s\) updated since/.test(text));
      if (!summaryLine || !summaryLine[1].startsWith(`${expected.length} `)) problems.push(`timer: summary ${JSON.stringify(summaryLine)}, expected ${expected.length} incidents`);
      if (!out.timerLogs.some(([level]) => level === 'warn')) problems.push('timer: no warning for isPastDue');
    }
    if (tokenRequests !== 1) problems.push(`${tokenRequests} token requests for four invocations in one worker (expected 1)`);
    if (problems.length === 0) {
      console.log(`  ok   HTTP trigger (${out.registered.highSeverityIncidents.route}, authLevel ${out.registered.highSeverityIncidents.authLevel}): limit=3 -> ${out.http.ok.count}, all -> ${out.http.all.ids.length}, limit=abc -> 400; timer (${out.registered.highSeverityDigest.schedule}): ${out.timerLogs.filter(([l]) => l === 'log').length - 1} incidents logged; 1 token request`);
    } else fail(`azure-function.ts: ${problems.join('; ')}`);
  }

  // -------------------------------------------------------------------------------------------
  // 4. Cold start and memory
  // -------------------------------------------------------------------------------------------
  const timed = variants.filter((v) => v.expect === 'pass' && measured.has(v.name));
  console.log(`\n== measuring: ${RUNS} fresh processes per bundle, interleaved (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} CPUs)`);
  for (let run = 1; run < RUNS; run++) {
    for (const variant of timed) {
      const out = await invokeLambda(variant);
      const problems = problemsOf(out);
      if (problems.length) fail(`${variant.label} (run ${run + 1}): ${problems.join('; ')}`);
      else measured.get(variant.name).push(out);
    }
  }
  const rows = [['bundle', 'size', 'node start', 'bundle loaded', 'cold start', '(p25-p75)', 'CPU to 1st result', 'first call', 'warm call', 'RSS after 1st', 'max RSS']];
  for (const variant of timed) {
    const outs = measured.get(variant.name);
    const ms = (values) => `${median(values).toFixed(0)} ms`;
    rows.push([
      variant.label,
      mb(variant.bytes),
      ms(outs.map((o) => o.bootMs)),
      ms(outs.map((o) => o.loadedAtMs)),
      ms(outs.map((o) => o.invocations[0].atMs)),
      `(${[0.25, 0.75].map((q) => quantile(outs.map((o) => o.invocations[0].atMs), q).toFixed(0)).join('-')})`,
      ms(outs.map((o) => o.cpuFirstMs)),
      ms(outs.map((o) => o.invocations[0].ms)),
      ms(outs.flatMap((o) => o.invocations.slice(1).map((i) => i.ms))),
      `${(median(outs.map((o) => o.rssAfterFirst)) / 1048576).toFixed(0)} MB`,
      `${(median(outs.map((o) => o.maxRssKb)) / 1024).toFixed(0)} MB`,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`  medians of ${RUNS} processes each; times since process start (performance.now()):`);
  for (const row of rows) console.log(`  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`);
  console.log(`  (node ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, simulator on the same machine; "cold start" = process start to the first handler result, token request included;`);
  console.log('   "CPU to 1st result" = user+system CPU time of the process until then, which other load on the machine disturbs less than wall time)');
} finally {
  await bounded(sim.close(), 10_000, 'simulator close').catch((error) => console.error(String(error)));
}

console.log(failures.length === 0 ? '\nserverless-check: every required check passed' : `\nserverless-check: ${failures.length} check(s) FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
process.exit(failures.length === 0 ? 0 : 1);
