/**
 * The HTTPS adapter of the fake tenant: a real server on 127.0.0.1 with its own certificate
 * authority, serving Entra ID, the Defender API, Graph and Key Vault on one origin, so that the
 * real `@azure/identity` credentials and the SDK's fetch reach it over real TLS. `m365d sim`, the
 * end-to-end tests and `npm run demo` run it.
 *
 * The parts live in `simulator/`: option checks, certificates (`tls.ts`), the tenant factory,
 * the request handler (`http.ts`) and the `/_sim` admin routes (`admin.ts`).
 * @packageDocumentation
 */
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import { REDACTED, type FakeTenant } from './tenant/tenant.js';
import { createAdminHandler } from './simulator/admin.js';
import { createRequestHandler } from './simulator/http.js';
import { checkSimulatorOptions, normalizeSteps } from './simulator/options.js';
import { certificateClientId, tenantFactory } from './simulator/tenant-factory.js';
import { prepareTls } from './simulator/tls.js';
import type { Simulator, SimulatorApp, SimulatorHosts, SimulatorOptions, SimulatorState, SimulatorTenant, SimulatorTls } from './simulator/types.js';

export type { PemKeyPair } from './certs.js';
export { isLoopbackAddress } from './simulator/admin.js';
export type {
  Simulator,
  SimulatorApp,
  SimulatorFaultStep,
  SimulatorHosts,
  SimulatorOptions,
  SimulatorRequestLog,
  SimulatorStats,
  SimulatorTenant,
} from './simulator/types.js';

/** `env` as printed: secret values redacted. */
function printableEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, /SECRET/i.test(name) && value !== '' ? REDACTED : value]));
}

/** Listens on `host:port` with the simulator's certificate; resolves with the server and its open sockets. */
async function listen(
  tls: SimulatorTls,
  host: string,
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; sockets: Set<Socket>; port: number }> {
  const sockets = new Set<Socket>();
  // Idle connections are kept for a minute, as Azure's front ends keep them for minutes: with
  // Node's 5 s, a client on a loaded machine reused a connection the server was closing (ECONNRESET).
  const server: Server = createServer({ key: tls.leaf.keyPem, cert: tls.leaf.certPem, keepAliveTimeout: 60_000 }, handler);
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client that drops the TLS handshake is not the simulator's problem.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return { server, sockets, port: typeof address === 'object' && address !== null ? address.port : port };
}

/** The URL origin for a bound host and port (a wildcard host is reached on 127.0.0.1). */
function originOf(host: string, port: number): string {
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `https://${urlHost}:${port}`;
}

/**
 * Starts the simulator: makes (or loads and checks) the CA, issues a server certificate, listens on
 * `host` (127.0.0.1 by default), then creates the tenant with its hosts set to this origin.
 *
 * The `/_sim` admin API (loopback callers only; others get 403):
 * `GET /_sim/state`, `POST /_sim/faults` with `{route, steps}`, `DELETE /_sim/faults`, `POST /_sim/reset`.
 * Any other request the tenant does not serve gets a 404 JSON body.
 *
 * @throws InvalidArgumentError (from `m365-defender`) naming the option, for an unknown option, a
 * wrongly typed or out-of-range value, options that would be ignored together, or a CA in `caDir`
 * that the kit did not make (option `caDir`); nothing is started then.
 */
export async function startSimulator<T extends SimulatorTenant = FakeTenant>(options: SimulatorOptions<T> = {}): Promise<Simulator<T>> {
  checkSimulatorOptions(options);
  const host = options.host ?? '127.0.0.1';
  const tls = await prepareTls(options, host);
  const factory = tenantFactory(options, tls.clientCertificate?.pair.certPem);
  const state: SimulatorState<T> = { tenant: undefined, stats: { requestsByRoute: {}, tokenRequests: 0 }, origin: '' };
  let hosts: SimulatorHosts | undefined;

  const reset = async (): Promise<void> => {
    let fresh: T;
    if (state.tenant !== undefined && factory.reset) {
      factory.reset(state.tenant);
      fresh = state.tenant;
    } else {
      fresh = await factory.create(hosts!);
    }
    for (const fault of options.faults ?? []) fresh.faults.add(fault.route, ...normalizeSteps(fault.steps));
    state.tenant = fresh;
    state.stats = { requestsByRoute: {}, tokenRequests: 0 };
  };
  const admin = createAdminHandler({ state, factory, reset });
  const { server, sockets, port } = await listen(tls, host, options.port ?? 0, createRequestHandler({ state, admin, onRequest: options.onRequest }));
  const origin = originOf(host, port);
  state.origin = origin;
  hosts = { authorityHost: origin, defenderBaseUrl: origin, graphBaseUrl: origin, keyVaultUrl: origin };
  try {
    await reset();
  } catch (error) {
    server.close();
    await rm(tls.tempDir, { recursive: true, force: true });
    throw error;
  }
  return simulatorHandle(state, { tls, server, sockets, port, app: factory.app(state.tenant!), seed: options.seed ?? 1, reset });
}

/** The {@link Simulator} object a caller holds: its origin, environment, stats and `close()`. */
function simulatorHandle<T extends SimulatorTenant>(
  state: SimulatorState<T>,
  run: {
    tls: SimulatorTls;
    server: Server;
    sockets: Set<Socket>;
    port: number;
    app: SimulatorApp;
    seed: number;
    reset: () => Promise<void>;
  },
): Simulator<T> {
  const { tls, server, sockets, port, app, seed, reset } = run;
  const { origin } = state;
  const env: Record<string, string> = {
    NODE_EXTRA_CA_CERTS: tls.caPath,
    AZURE_TENANT_ID: app.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_SECRET: app.clientSecret,
    AZURE_AUTHORITY_HOST: origin,
    DEFENDER_API_BASE_URL: origin,
    DEFENDER_GRAPH_BASE_URL: origin,
  };
  // With `tenants`: every tenant the app may ask for, the partner's own first.
  const tenants = (state.tenant as { tenants?: readonly { tenantId: string }[] }).tenants;
  if (tenants && tenants.length > 1) env.M365D_TENANT_IDS = tenants.map((tenant) => tenant.tenantId).join(',');
  const certificateApp = tls.clientCertificate
    ? {
        clientId: certificateClientId(seed),
        certificatePath: tls.clientCertificate.path,
        env: { AZURE_CLIENT_ID: certificateClientId(seed), AZURE_CLIENT_CERTIFICATE_PATH: tls.clientCertificate.path, AZURE_CLIENT_SECRET: '' },
      }
    : undefined;
  let closing: Promise<void> | undefined;
  const simulator: Simulator<T> = {
    origin,
    port,
    get tenant() {
      return state.tenant!;
    },
    caPath: tls.caPath,
    caPem: tls.ca.certPem,
    env,
    certificateApp,
    stats: () => structuredClone(state.stats),
    reset,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await closed;
        await rm(tls.tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
    toJSON() {
      return { origin, port, caPath: tls.caPath, env: printableEnv(env), ...(certificateApp ? { certificateApp } : {}) };
    },
  };
  Object.defineProperty(simulator, 'toJSON', { enumerable: false });
  // console.log(sim) shows the JSON view (secret redacted) and the tenant's own summary.
  Object.defineProperty(simulator, inspect.custom, {
    enumerable: false,
    value: (_depth: number, options: object, print: typeof inspect) => `Simulator ${print({ ...simulator.toJSON(), tenant: simulator.tenant }, options)}`,
  });
  return simulator;
}
