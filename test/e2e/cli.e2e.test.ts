/**
 * `m365d sim` as a user runs it: a child process of the built command line (dist/cli.js; global
 * setup builds it when it is stale).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SDK_VERSION } from '../../src/version.js';
import { M365D_BIN } from '../support/m365d.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

function m365d(args: string[]) {
  const child = spawn(process.execPath, [M365D_BIN, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    /** Resolves once stdout matches. */
    async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`m365d exited with ${child.exitCode}: ${stderr}`);
        if (Date.now() > until) throw new Error(`no ${pattern} in m365d output: ${stdout}${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[match[1]!] = match[2]!.replace(/^'(.*)'$/, '$1');
  return env;
}

describe('m365d', () => {
  it('sim prints the environment, serves the tenant it describes, and stops cleanly on SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'm365d-cli-'));
    try {
      const envFile = join(dir, 'sim.env');
      const sim = m365d(['sim', '--seed', '3', '--incidents', '7', '--rows', '50', '--ca-dir', process.env.M365D_E2E_CA_DIR!, '--save-env', envFile,
        '--fault', 'defender.getIncident=503,503']);
      await sim.waitFor(/export DEFENDER_GRAPH_BASE_URL=.*\n/);
      const env = parseExports(sim.out());
      expect(Object.keys(env).sort()).toEqual([
        'AZURE_AUTHORITY_HOST', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID', 'DEFENDER_API_BASE_URL', 'DEFENDER_GRAPH_BASE_URL', 'NODE_EXTRA_CA_CERTS',
      ]);
      expect(env.AZURE_AUTHORITY_HOST).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(env.NODE_EXTRA_CA_CERTS).toBe(join(process.env.M365D_E2E_CA_DIR!, 'ca.pem'));
      expect(await readFile(envFile, 'utf8')).toBe(sim.out());
      expect(sim.out().trim().split('\n')).toHaveLength(7); // stdout holds only the export lines

      const state = (await (await fetch(`${env.AZURE_AUTHORITY_HOST}/_sim/state`)).json()) as Record<string, unknown>;
      expect(state).toMatchObject({ tenantId: env.AZURE_TENANT_ID, seed: 3, incidents: 7, huntingRows: expect.any(Number), faultsPending: 2 });

      // (How promptly close() ends open connections is server.e2e's to check; here the exit is clean.)
      sim.child.kill('SIGINT');
      expect(await sim.exited).toBe(0);
      expect(sim.err()).toContain('m365d sim: ready at');
      expect(sim.err()).toContain('m365d sim: stopped.');
      await expect(fetch(`${env.AZURE_AUTHORITY_HOST}/_sim/state`)).rejects.toThrow(TypeError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sim --churn N changes the tenant over its simulated clock, as its state reports', async () => {
    // 600 changes a simulated minute at 60 simulated seconds a second: about 600 a real second.
    const sim = m365d(['sim', '--quiet', '--incidents', '5', '--rows', '1', '--churn', '600', '--time-scale', '60', '--ca-dir', process.env.M365D_E2E_CA_DIR!]);
    await sim.waitFor(/export DEFENDER_GRAPH_BASE_URL=.*\n/);
    const origin = parseExports(sim.out()).AZURE_AUTHORITY_HOST!;
    const state = async () => (await (await fetch(`${origin}/_sim/state`)).json()) as { incidents: number; churn: { changes: number; created: number; updated: number; merged: number } };
    const first = await state();
    let later = first;
    while (later.churn.changes <= first.churn.changes) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      later = await state();
    }
    expect(later.churn).toMatchObject({ changes: expect.any(Number), created: expect.any(Number), updated: expect.any(Number), merged: expect.any(Number) });
    expect(later.churn.created + later.churn.updated + later.churn.merged).toBe(later.churn.changes);
    // Each creation adds one incident to the five generated.
    expect(later.incidents).toBe(5 + later.churn.created);
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
  });

  it('sim --quiet prints only the environment, --env-file writes it, and SIGTERM stops it too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'm365d-cli-'));
    try {
      // Node 20 reads a --env-file argument itself (even after the script) and stops if the file is missing.
      const envFile = join(dir, 'sim.env');
      await writeFile(envFile, '');
      const sim = m365d(['sim', '--quiet', '--incidents', '1', '--rows', '1', '--env-file', envFile]);
      await sim.waitFor(/export DEFENDER_GRAPH_BASE_URL=.*\n/);
      sim.child.kill('SIGTERM');
      expect(await sim.exited).toBe(0);
      expect(sim.err()).toBe('');
      expect(await readFile(envFile, 'utf8')).toBe(sim.out());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sim --save-env makes an existing environment file private (0600): it holds the client secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'm365d-cli-'));
    try {
      const envFile = join(dir, 'sim.env');
      await writeFile(envFile, 'old contents\n');
      await chmod(envFile, 0o644);
      const sim = m365d(['sim', '--quiet', '--incidents', '1', '--rows', '1', '--save-env', envFile]);
      await sim.waitFor(/export DEFENDER_GRAPH_BASE_URL=.*\n/);
      sim.child.kill('SIGTERM');
      expect(await sim.exited).toBe(0);
      expect(await readFile(envFile, 'utf8')).toBe(sim.out());
      expect(parseExports(sim.out()).AZURE_CLIENT_SECRET).toMatch(/8Q~/);
      if (process.platform !== 'win32') expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--version prints the SDK version; --help the usage, sim --help the simulator\'s options', async () => {
    const version = m365d(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.out()).toBe(`${SDK_VERSION}\n`);
    const help = m365d(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.out()).toMatch(/^ {2}sim +start a local HTTPS simulator/m);
    const simHelp = m365d(['sim', '--help']);
    expect(await simHelp.exited).toBe(0);
    expect(simHelp.out()).toContain('m365d sim [options]');
    expect(simHelp.out()).toContain('--token-lifetime SECONDS');
  });

  it.each([
    [['sim', '--bogus'], /Unknown option '--bogus'/],
    [['sim', '--port', 'eighty'], /--port must be an integer from 0 to 65535; got "eighty"/],
    [['sim', '--fault', 'defender.hunting'], /--fault must be ROUTE=STATUS/],
    [['sim', '--time-scale', '0'], /--time-scale must be a number greater than 0/],
    [['sim', '--churn', 'lots'], /--churn must be a number greater than 0; got "lots"/],
    [['sim', '--churn', '20000'], /--churn must be a number greater than 0 and at most 10000/],
    [['serve'], /^m365d: unknown command: m365d takes one of token, consent-url, incidents, alerts, hunt, sync, devices, actions, sim, completion, help\n/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const run = m365d(args);
    expect(await run.exited).toBe(2);
    expect(run.err()).toMatch(message);
    expect(run.err()).toContain('m365d --help');
    expect(run.out()).toBe('');
  });
});
