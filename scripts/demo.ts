/**
 * `npm run demo`: starts the local simulator of a Defender tenant, runs every file in examples/ as
 * a user would (a child process with the simulator's environment, the real @azure/identity
 * credentials over real TLS), shows what each printed, stops the simulator, and exits 0 only if
 * every example that ran exited 0.
 *
 * `m365-defender` resolves to src/index.ts through tsconfig.json's `paths`, which tsx honours: no
 * build is needed.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../src/testing/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE_TIMEOUT_MS = 45_000;
const CONCURRENCY = 2;

interface Outcome {
  file: string;
  code: number | null;
  output: string;
  ms: number;
  skipped?: string;
}

// Variables a user's shell may have set for a real tenant: the simulator's values replace them, and these are cleared.
const CLEARED = ['DEFENDER_CLOUD', 'DEFENDER_REGION', 'DEFENDER_API', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN'];

const started = Date.now();
const sim = await startSimulator({ seed: 7, incidents: 25, huntingRows: 2_000, certificateApp: true });

// What some examples need besides the app's credentials: ids of the simulated tenant's data.
const active = [...sim.tenant.incidents.values()].find((incident) => incident.status === 'Active') ?? [...sim.tenant.incidents.values()][0];
const device = sim.tenant.tables.DeviceProcessEvents?.[0]?.DeviceName;
const perExample: Record<string, Record<string, string>> = {
  'update-incident.ts': active ? { INCIDENT_ID: String(active.incidentId) } : {},
  'run-hunting-query.ts': typeof device === 'string' ? { DEVICE_NAME: device } : {},
  'certificate-auth.ts': sim.certificateApp?.env ?? {},
};
const skip: Record<string, string> = {
  'key-vault.ts':
    'the Key Vault client sends its token only to a host under the vault domain (*.vault.azure.net) and reads the vault with a managed identity; ' +
    'neither exists on 127.0.0.1. The Key Vault credential is covered by the test suite.',
};

function run(file: string): Promise<Outcome> {
  const name = file.split('/').at(-1)!;
  if (skip[name]) return Promise.resolve({ file, code: 0, output: '', ms: 0, skipped: skip[name] });
  const env: NodeJS.ProcessEnv = { ...process.env, ...sim.env, ...perExample[name], NO_COLOR: '1' };
  for (const key of CLEARED) if (!(key in (perExample[name] ?? {}))) delete env[key];
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
      resolve({ file, code, output, ms: Date.now() - t0 });
    });
  });
}

const files = readdirSync(join(root, 'examples'))
  .filter((name) => name.endsWith('.ts'))
  .sort()
  .map((name) => relative(root, join(root, 'examples', name)));

console.log(`Simulator at ${sim.origin}: tenant ${sim.env.AZURE_TENANT_ID}, ${sim.tenant.incidents.size} incidents. Running ${files.length} examples…\n`);

const outcomes: Outcome[] = new Array(files.length);
let next = 0;
let printed = 0;
const print = (): void => {
  // Outputs appear in file order, each as soon as it and those before it are done.
  while (printed < files.length && outcomes[printed]) {
    const o = outcomes[printed++]!;
    const status = o.skipped ? 'skipped' : o.code === 0 ? `ok, ${(o.ms / 1000).toFixed(1)} s` : `FAILED with exit code ${o.code}`;
    console.log(`━━ ${o.file} (${status}) ${'━'.repeat(Math.max(3, 70 - o.file.length - status.length))}`);
    const body = o.skipped ? `skipped: ${o.skipped}` : o.output.trimEnd() || '(no output)';
    console.log(`${body.replace(/^/gm, '  ')}\n`);
  }
};
try {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < files.length) {
        const index = next++;
        outcomes[index] = await run(files[index]!);
        print();
      }
    }),
  );
} finally {
  await sim.close();
}

const failed = outcomes.filter((o) => !o.skipped && o.code !== 0);
const skipped = outcomes.filter((o) => o.skipped);
const passed = outcomes.length - failed.length - skipped.length;
console.log(
  `${passed} example(s) passed, ${failed.length} failed, ${skipped.length} skipped (${skipped.map((o) => o.file).join(', ') || 'none'}) ` +
    `in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
