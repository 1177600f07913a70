/**
 * `npm run demo`: starts the local simulator of a Defender tenant and runs every file in examples/
 * against it twice, as a user would: once with `DEFENDER_API=defender` (the Defender API) and once
 * with `DEFENDER_API=graph` (Microsoft Graph security), each a child process with the simulator's
 * environment and the real @azure/identity credentials over real TLS. It shows what each printed,
 * stops the simulator, and exits 0 only if every example that ran exited 0 on both APIs. The
 * environment variable is the only difference between the two runs: the examples are the same files.
 *
 * `m365-defender` resolves to src/index.ts through tsconfig.json's `paths`, which tsx honours: no
 * build is needed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../src/testing/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE_TIMEOUT_MS = 45_000;
const CONCURRENCY = 2;
const APIS = ['defender', 'graph'] as const;
type Api = (typeof APIS)[number];

interface Outcome {
  file: string;
  api: Api;
  code: number | null;
  output: string;
  ms: number;
  skipped?: string;
}

// Variables a user's shell may have set for a real tenant: the simulator's values replace them, and these are cleared.
const CLEARED = ['DEFENDER_CLOUD', 'DEFENDER_REGION', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN'];

const started = Date.now();
// Four tenants for examples/partner-all-tenants.ts: the app's own, two customers that consented, one that has not.
const sim = await startSimulator({ seed: 7, incidents: 25, huntingRows: 2_000, certificateApp: true, tenants: 4, unconsentedTenants: 1 });

// What some examples need besides the app's credentials: ids of the simulated tenant's data.
// Each API's run updates an incident of its own, so that both show an active incident being resolved.
const incidents = [...sim.tenant.incidents.values()];
const active = incidents.filter((incident) => incident.status === 'Active');
const incidentFor = (api: Api): string | undefined => {
  const incident = active[APIS.indexOf(api)] ?? incidents[0];
  return incident ? String(incident.incidentId) : undefined;
};
// A device with process events in the last 7 days (the window run-hunting-query.ts searches).
const time = (value: unknown): number => (typeof value === 'number' ? value : Date.parse(String(value)));
const weekAgo = sim.tenant.clock.now() - 7 * 86_400_000;
const device = sim.tenant.tables.DeviceProcessEvents?.find((row) => time(row.Timestamp) > weekAgo)?.DeviceName;

// A workstation per API for isolate-device.ts; the simulator's actions finish in seconds, not minutes.
const workstations = sim.tenant.mde.fleet().filter((d) => !d.server);
sim.tenant.mde.scaleActionDurations(0.02);

function perExample(name: string, api: Api): Record<string, string> {
  const incidentId = incidentFor(api);
  switch (name) {
    case 'update-incident.ts':
      return incidentId ? { INCIDENT_ID: incidentId } : {};
    case 'key-vault.ts':
      // The simulator's vault holds the app's secret as defender-client-secret; with no managed
      // identity on this machine, the app itself reads the vault (VAULT_CLIENT_*).
      return {
        VAULT_URL: sim.origin,
        SECRET_NAME: 'defender-client-secret',
        VAULT_CLIENT_ID: sim.env.AZURE_CLIENT_ID!,
        VAULT_CLIENT_SECRET: sim.env.AZURE_CLIENT_SECRET!,
        AZURE_CLIENT_SECRET: '',
      };
    case 'isolate-device.ts': {
      const workstation = workstations[APIS.indexOf(api)];
      return workstation ? { DEVICE_NAME: workstation.deviceName, POLL_MS: '500', RELEASE: '1' } : {};
    }
    case 'run-hunting-query.ts':
      return typeof device === 'string' ? { DEVICE_NAME: device } : {};
    case 'certificate-auth.ts':
      return sim.certificateApp?.env ?? {};
    case 'sync-incidents.ts':
      // A fresh folder per run and API: its checkpoint and NDJSON file are the example's output.
      return { SYNC_DIR: mkdtempSync(join(tmpdir(), `m365d-demo-sync-${api}-`)) };
    default:
      return {};
  }
}

// Examples that cannot run against the simulator, on either API, and why (said in the output).
const skip: Record<string, string> = {};

function run(file: string, api: Api): Promise<Outcome> {
  const name = file.split('/').at(-1)!;
  if (skip[name]) return Promise.resolve({ file, api, code: 0, output: '', ms: 0, skipped: skip[name] });
  const extra = perExample(name, api);
  const env: NodeJS.ProcessEnv = { ...process.env, ...sim.env, ...extra, DEFENDER_API: api, NO_COLOR: '1' };
  for (const key of CLEARED) if (!(key in extra)) delete env[key];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      output += `\n[demo] no exit after ${EXAMPLE_TIMEOUT_MS / 1000} s: stopped.\n`;
      child.kill('SIGKILL');
    }, EXAMPLE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ file, api, code, output, ms: Date.now() - t0 });
    });
  });
}

const files = readdirSync(join(root, 'examples'))
  .filter((name) => name.endsWith('.ts'))
  .sort()
  .map((name) => relative(root, join(root, 'examples', name)));
const jobs = APIS.flatMap((api) => files.map((file) => ({ file, api })));

console.log(
  `Simulator at ${sim.origin}: tenant ${sim.env.AZURE_TENANT_ID}, ${sim.tenant.incidents.size} incidents. ` +
    `Running ${files.length} examples on each API (${APIS.map((api) => `DEFENDER_API=${api}`).join(', then ')})…`,
);

const outcomes: Outcome[] = new Array(jobs.length);
let next = 0;
let printed = 0;
const print = (): void => {
  // Outputs appear in job order, each as soon as it and those before it are done; a header opens each API's run.
  while (printed < jobs.length && outcomes[printed]) {
    const o = outcomes[printed++]!;
    if (printed === 1 || outcomes[printed - 2]!.api !== o.api) {
      const title = ` DEFENDER_API=${o.api} (${o.api === 'graph' ? 'Microsoft Graph security, graph.microsoft.com' : 'the Defender API, api.security.microsoft.com'}) `;
      console.log(`\n${'═'.repeat(4)}${title}${'═'.repeat(Math.max(4, 78 - title.length))}\n`);
    }
    const status = o.skipped ? 'skipped' : o.code === 0 ? `ok, ${(o.ms / 1000).toFixed(1)} s` : `FAILED with exit code ${o.code}`;
    const label = `${o.file} [${o.api}]`;
    console.log(`━━ ${label} (${status}) ${'━'.repeat(Math.max(3, 70 - label.length - status.length))}`);
    const body = o.skipped ? `skipped: ${o.skipped}` : o.output.trimEnd() || '(no output)';
    console.log(`${body.replace(/^/gm, '  ')}\n`);
  }
};
try {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const index = next++;
        outcomes[index] = await run(jobs[index]!.file, jobs[index]!.api);
        print();
      }
    }),
  );
} finally {
  await sim.close();
}

const lines: string[] = [];
for (const api of APIS) {
  const mine = outcomes.filter((o) => o.api === api);
  const failed = mine.filter((o) => !o.skipped && o.code !== 0);
  const skipped = mine.filter((o) => o.skipped);
  lines.push(
    `DEFENDER_API=${api}: ${mine.length - failed.length - skipped.length} passed, ${failed.length} failed` +
      `${failed.length ? ` (${failed.map((o) => o.file).join(', ')})` : ''}, ${skipped.length} skipped (${skipped.map((o) => o.file).join(', ') || 'none'})`,
  );
}
const failures = outcomes.filter((o) => !o.skipped && o.code !== 0).length;
console.log(`${lines.join('\n')}\n${failures === 0 ? 'Every example ran on both APIs' : `${failures} run(s) failed`} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
process.exitCode = failures === 0 ? 0 : 1;
