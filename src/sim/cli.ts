/**
 * `m365d sim`: starts the local HTTPS simulator of a Defender tenant and prints the environment a
 * client process needs to use it. The `m365d` entry (src/cli/main.ts) loads it for `m365d sim`.
 * @packageDocumentation
 */
import { chmod, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startSimulator, type SimulatorOptions } from '../testing/server.js';
import { SDK_VERSION } from '../version.js';

const HELP = `m365d ${SDK_VERSION}: tools of the m365-defender SDK

Usage:
  m365d sim [options]    start a local HTTPS simulator of a Microsoft 365 Defender tenant
  m365d --help           show this help
  m365d --version        show the version

Options of "m365d sim":
  --port N                   port on 127.0.0.1 (default 0: a free port)
  --seed N                   seed of the generated tenant data (default 1)
  --incidents N              number of incidents (default: the fake tenant's)
  --rows N                   rows of advanced-hunting data (default: the fake tenant's)
  --token-lifetime SECONDS   lifetime of issued access tokens
  --time-scale X             run the clock of quotas and tokens X times faster
  --churn N                  N changes per simulated minute: incidents created, updated and
                             merged, some sharing a timestamp, some visible late
  --tenants N                serve N tenants (default 1): the app's own and N-1 customer tenants
                             that consented to it; their ids are in M365D_TENANT_IDS
  --unconsented N            the last N customer tenants have not consented (AADSTS650052)
  --fault ROUTE=STATUS[,STATUS…]
                             queue error statuses on a route, e.g. --fault defender.listIncidents=429,503
                             (repeatable). Routes: entra.token, defender.listIncidents,
                             defender.getIncident, defender.updateIncident, defender.hunting,
                             graph.listIncidents, graph.hunting, …, "defender.*", "*".
  --ca-dir DIR               keep the CA (ca.pem, ca-key.pem) in DIR and reuse it across runs
  --env-file FILE            also write the environment to FILE
  --save-env FILE            the same (Node 20 itself takes --env-file naming a file that does
                             not exist yet as its own option and stops: use --save-env there)
  --quiet                    print only the environment, not the ready line and request log

It prints "export NAME=value" lines. In a shell, keep it running and load them from a file:
  m365d sim --quiet --save-env .sim.env &  until [ -s .sim.env ]; do sleep 0.1; done;  set -a; . ./.sim.env; set +a
Every example in the SDK's examples/ folder runs against it unchanged. Ctrl-C stops it.
Admin API (loopback only): GET /_sim/state, POST /_sim/faults {"route": "defender.hunting", "steps": [429, {"delayMs": 500}]},
DELETE /_sim/faults, POST /_sim/reset.
`;

class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}; got "${value}".`);
  }
  return n;
}

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a number greater than 0; got "${value}".`);
  return n;
}

function churnOf(value: string | undefined): SimulatorOptions['churn'] {
  const perMinute = positiveNumber('churn', value);
  if (perMinute !== undefined && perMinute > 10_000) throw new UsageError(`--churn must be a number greater than 0 and at most 10000; got "${value}".`);
  return perMinute === undefined ? undefined : { perMinute };
}

function parseFault(spec: string): { route: string; steps: number[] } {
  const at = spec.lastIndexOf('=');
  const route = at > 0 ? spec.slice(0, at).trim() : '';
  const list = at > 0 ? spec.slice(at + 1).split(',').map((s) => s.trim()) : [];
  if (route === '' || list.length === 0 || list.some((s) => !/^[1-5]\d\d$/.test(s))) {
    throw new UsageError(`--fault must be ROUTE=STATUS[,STATUS…], e.g. defender.listIncidents=429,503; got "${spec}".`);
  }
  return { route, steps: list.map(Number) };
}

/** Quotes a value for a POSIX shell when it needs it. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function sim(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      incidents: { type: 'string' },
      rows: { type: 'string' },
      'token-lifetime': { type: 'string' },
      'time-scale': { type: 'string' },
      churn: { type: 'string' },
      tenants: { type: 'string' },
      unconsented: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'ca-dir': { type: 'string' },
      'env-file': { type: 'string' },
      'save-env': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`m365d sim takes no arguments; got "${positionals[0]}".`);
  const faults = (values.fault ?? []).map(parseFault);
  const quiet = values.quiet === true;
  const options: SimulatorOptions = {
    port: integer('port', values.port, 0, 65535) ?? 0,
    seed: integer('seed', values.seed, 0, 2 ** 31 - 1),
    incidents: integer('incidents', values.incidents, 0, 100_000),
    huntingRows: integer('rows', values.rows, 0, 1_000_000),
    tokenLifetimeSeconds: integer('token-lifetime', values['token-lifetime'], 1, 24 * 3600),
    timeScale: positiveNumber('time-scale', values['time-scale']),
    churn: churnOf(values.churn),
    tenants: integer('tenants', values.tenants, 1, 1_000),
    unconsentedTenants: integer('unconsented', values.unconsented, 0, 999),
    caDir: values['ca-dir'],
    faults,
    onRequest: quiet ? undefined : (line) => process.stderr.write(`${new Date().toISOString()} ${line.method} ${line.path} -> ${line.status} (${line.ms} ms)\n`),
  };
  // Listen for Ctrl-C / SIGTERM before anything is printed: a signal right after the output must still stop cleanly.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const simulator = await startSimulator(options);
  const exports = Object.entries(simulator.env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
  // The file holds the client secret: 0600, also when it existed before (writeFile's mode applies to new files only).
  for (const file of new Set([values['env-file'], values['save-env']])) {
    if (file === undefined) continue;
    await writeFile(file, exports, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  process.stdout.write(exports);
  if (!quiet) {
    process.stderr.write(`m365d sim: ready at ${simulator.origin} (tenant ${simulator.env.AZURE_TENANT_ID}); CA in ${simulator.caPath}. Ctrl-C to stop.\n`);
  }

  await stopped;
  await simulator.close();
  if (!quiet) process.stderr.write('m365d sim: stopped.\n');
  return 0;
}

/** Runs `m365d sim …` (`argv` starts with `sim`) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${SDK_VERSION}\n`);
      return 0;
    }
    if (command === 'sim') return await sim(rest);
    throw new UsageError(`unknown ${command.startsWith('-') ? 'option' : 'command'} "${command}".`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`m365d: ${(error as Error).message}\nRun "m365d --help" for usage.\n`);
      return 2;
    }
    process.stderr.write(`m365d: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

