/**
 * The HTTPS adapter of the fake tenant: a real server on 127.0.0.1 with its own certificate
 * authority, serving Entra ID, the Defender API, Graph and Key Vault on one origin, so that the
 * real `@azure/identity` credentials and the SDK's fetch reach it over real TLS. `m365d sim`, the
 * end-to-end tests and `npm run demo` run it.
 * @packageDocumentation
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import {
  CA_CERT_FILE,
  createCertificateAuthority,
  createClientCertificate,
  createServerCertificate,
  loadOrCreateCertificateAuthority,
  type PemKeyPair,
} from './certs.js';
import { networkFaultOf, type NetworkFault, type RequestHandlerLike } from './network-fault.js';
import { arrayOf, boolean, checkOptions, func, integer, nonEmptyString, object, oneOf, plainObject, type Check } from './options.js';
import {
  createFakeTenant,
  FAKE_TENANT_OPTIONS,
  REDACTED,
  type FakeAppOptions,
  type FakeTenant,
  type FakeTenantHosts,
  type FakeTenantOptions,
} from './tenant/tenant.js';

export type { PemKeyPair } from './certs.js';

/** The hosts a simulated tenant serves; for the simulator they are all its one origin. */
export interface SimulatorHosts {
  /** Entra ID login host (`AZURE_AUTHORITY_HOST`). */
  authorityHost: string;
  /** Defender API base URL (`DEFENDER_API_BASE_URL`). */
  defenderBaseUrl: string;
  /** Microsoft Graph base URL, without `/v1.0` (`DEFENDER_GRAPH_BASE_URL`). */
  graphBaseUrl: string;
  /** Key Vault URL. */
  keyVaultUrl: string;
}

/**
 * A step of a fault sequence on a route, as the fake tenant takes it (`{status, headers?, body?}`,
 * `{delayMs}`, `{network: {kind}}`, …); a bare number is shorthand for `{status: n}`.
 */
export type SimulatorFaultStep = number | Record<string, unknown>;

/** What the simulator needs from the tenant it serves (the fake tenant satisfies it). */
export interface SimulatorTenant extends RequestHandlerLike {
  /** Faults on demand, per route. */
  faults: {
    /** Queues `steps` on `route` (the tenant's route names, e.g. `defender.listIncidents`, `graph.*`, `*`). */
    add(route: string, ...steps: Record<string, unknown>[]): void;
    /** Removes every queued fault. */
    clear(): void;
  };
}

/** The app a client process should sign in as. */
export interface SimulatorApp {
  /** Directory (tenant) id. */
  tenantId: string;
  /** Application (client) id. */
  clientId: string;
  /** The app's client secret (a simulator value, not a real secret). */
  clientSecret: string;
}

/** One line of the request log ({@link SimulatorOptions.onRequest}). */
export interface SimulatorRequestLog {
  /** HTTP method. */
  method: string;
  /** Path and query (query values are not logged: they can carry names; the path is enough to follow). */
  path: string;
  /** Status sent, or `'reset'` / `'stall'` for a network fault. */
  status: number | string;
  /** Time to the response head, in milliseconds. */
  ms: number;
}

/**
 * Options of {@link startSimulator}. An unknown key, a wrongly typed value, or options that would
 * be ignored together (`ca` with `caDir`; built-in tenant options with `createTenant`) throw
 * `InvalidArgumentError` naming the option.
 */
export interface SimulatorOptions<T extends SimulatorTenant = FakeTenant> extends Omit<FakeTenantOptions, keyof FakeTenantHosts> {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Address to listen on. Default and strongly advised: `127.0.0.1`. Another address exposes the
   * simulator to the network (the `/_sim` admin API still refuses non-loopback callers).
   */
  host?: string;
  /** A CA to sign the server certificate with, instead of generating one. */
  ca?: PemKeyPair;
  /**
   * A directory holding the CA (`ca.pem`, `ca-key.pem`); made there if absent, expired, expiring
   * within a week, or valid longer than a year; `ca-key.pem` is kept mode 0600. Not with `ca`.
   */
  caDir?: string;
  /** Faults queued at start (and again after a reset), as `POST /_sim/faults` takes them. */
  faults?: ReadonlyArray<{ route: string; steps: SimulatorFaultStep[] }>;
  /**
   * Also register an app that signs in with a certificate (same roles as the default app): its key
   * and certificate are written to a PEM file, see {@link Simulator.certificateApp}. Built-in tenant only.
   */
  certificateApp?: boolean;
  /** Called once per tenant request (not for `/_sim`), when the response head is sent. */
  onRequest?: ((line: SimulatorRequestLog) => void) | undefined;
  /**
   * Makes the tenant instead of the built-in fake tenant, once the hosts are known (they hold
   * the port). Also called by `POST /_sim/reset`.
   */
  createTenant?: (hosts: SimulatorHosts) => T | Promise<T>;
  /** With `createTenant`: the app whose credentials go into {@link Simulator.env}. */
  app?: (tenant: T) => SimulatorApp;
  /** With `createTenant`: what `GET /_sim/state` reports of the tenant besides request counts. */
  tenantState?: (tenant: T) => Record<string, unknown>;
}

/** Request counters of a running simulator. */
export interface SimulatorStats {
  /** Requests answered since start (or the last reset), by `METHOD /path-pattern`. */
  requestsByRoute: Record<string, number>;
  /** Requests to the Entra token endpoints. */
  tokenRequests: number;
}

/**
 * A running simulator. Printing it (`console.log(sim)`, `util.inspect`, `JSON.stringify`) shows
 * `env.AZURE_CLIENT_SECRET` as `[redacted]`; `sim.env` itself holds the real values, to pass to a
 * client process.
 */
export interface Simulator<T extends SimulatorTenant = FakeTenant> {
  /** `https://127.0.0.1:<port>`: every service is under it. */
  readonly origin: string;
  /** The port it listens on. */
  readonly port: number;
  /** The tenant being served (replaced by `POST /_sim/reset`). */
  readonly tenant: T;
  /** Path of the CA certificate file (PEM) clients must trust. */
  readonly caPath: string;
  /** The CA certificate (PEM). */
  readonly caPem: string;
  /**
   * The environment a client process needs: `NODE_EXTRA_CA_CERTS`, `AZURE_TENANT_ID`,
   * `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, `AZURE_AUTHORITY_HOST`, `DEFENDER_API_BASE_URL`,
   * `DEFENDER_GRAPH_BASE_URL`.
   */
  readonly env: Record<string, string>;
  /**
   * With `certificateApp: true`: the app that signs in with a certificate, and the environment that
   * selects it (`AZURE_CLIENT_ID`, `AZURE_CLIENT_CERTIFICATE_PATH`, and `AZURE_CLIENT_SECRET` empty).
   */
  readonly certificateApp: { clientId: string; certificatePath: string; env: Record<string, string> } | undefined;
  /** Request counters. */
  stats(): SimulatorStats;
  /** Replaces the tenant with a fresh one from the same options and zeroes the counters. */
  reset(): Promise<void>;
  /** Stops listening, ends every open connection (keep-alive and stalled ones), removes a temporary CA file. */
  close(): Promise<void>;
  /** What `JSON.stringify(sim)` shows: origin, port, CA path and the environment with its secret redacted. */
  toJSON(): Record<string, unknown>;
}

interface TenantFactory<T> {
  create(hosts: SimulatorHosts): T | Promise<T>;
  /** Back to the start state; default: a new tenant from `create`. */
  reset?(tenant: T): void;
  app(tenant: T): SimulatorApp;
  state(tenant: T): Record<string, unknown>;
}

function tenantFactory<T extends SimulatorTenant>(options: SimulatorOptions<T>, certificatePem: string | undefined): TenantFactory<T> {
  if (options.createTenant && options.app) {
    return { create: options.createTenant, app: options.app, state: options.tenantState ?? (() => ({})) };
  }
  return builtInTenantFactory(options as unknown as SimulatorOptions, certificatePem) as unknown as TenantFactory<T>;
}

function builtInTenantFactory(options: SimulatorOptions, certificatePem: string | undefined): TenantFactory<FakeTenant> {
  const { port: _p, host: _h, ca: _c, caDir: _d, faults: _f, onRequest: _o, createTenant: _t, app: _a, tenantState: _s, certificateApp: _x, ...tenantOptions } = options;
  return {
    create(hosts) {
      let apps = tenantOptions.apps;
      if (certificatePem !== undefined) {
        // The default app of this seed (drawn from the seed, so a data-less probe tenant gives it), plus a certificate app.
        const base: FakeAppOptions[] =
          apps ??
          createFakeTenant({ ...tenantOptions, incidents: 0, huntingRows: 0 }).apps.map((app) => ({
            clientId: app.clientId,
            ...(app.clientSecret !== undefined ? { clientSecret: app.clientSecret } : {}),
            roles: { defender: [...app.roles.defender], graph: [...app.roles.graph] },
          }));
        apps = [...base, { clientId: certificateClientId(options.seed ?? 1), certificatePem, roles: { ...(base[0]?.roles ?? {}) } }];
      }
      return createFakeTenant({ ...tenantOptions, ...(apps ? { apps } : {}), ...hosts });
    },
    reset: (tenant) => tenant.reset(),
    app: (tenant) => tenant.credential(),
    state: (tenant) => {
      const byRoute: Record<string, number> = {};
      for (const request of tenant.requests) byRoute[request.route] = (byRoute[request.route] ?? 0) + 1;
      return {
        tenantId: tenant.tenantId,
        seed: tenant.seed,
        incidents: tenant.incidents.size,
        huntingRows: Object.values(tenant.tables).reduce((sum, rows) => sum + rows.length, 0),
        issuedTokens: tenant.issuedTokens,
        faultsPending: tenant.faults.pending,
        requestsByTenantRoute: byRoute,
        throttled: tenant.requests.filter((request) => request.status === 429).length,
        quotas: options.quotas !== false,
        timeScale: tenant.clock.timeScale,
        clock: new Date(tenant.clock.now()).toISOString(),
      };
    },
  };
}

/** A stable client id for the certificate app of a seed. */
function certificateClientId(seed: number): string {
  const hex = (seed >>> 0).toString(16).padStart(12, '0').slice(-12);
  return `c3e7f1a0-0000-4000-8000-${hex}`;
}

/** The options of the built-in tenant (every {@link FakeTenantOptions} key but the hosts, which are the simulator's origin). */
const { authorityHost: _a, defenderBaseUrl: _d, graphBaseUrl: _g, keyVaultUrl: _k, ...TENANT_SHAPE } = FAKE_TENANT_OPTIONS;
const TENANT_OPTION_KEYS = Object.keys(TENANT_SHAPE) as Array<keyof typeof TENANT_SHAPE>;

/** The checks of every {@link SimulatorOptions} key. */
const SIMULATOR_OPTIONS: Readonly<Record<keyof SimulatorOptions, Check>> = Object.freeze({
  ...TENANT_SHAPE,
  port: integer(0, 65535),
  host: nonEmptyString,
  ca: object({ certPem: nonEmptyString, keyPem: nonEmptyString }, ['certPem', 'keyPem']),
  caDir: nonEmptyString,
  faults: arrayOf(
    object({ route: nonEmptyString, steps: arrayOf(oneOf('an HTTP status (100–599) or a fault step object', integer(100, 599), plainObject), 1) }, ['route', 'steps']),
  ),
  certificateApp: boolean,
  onRequest: func,
  createTenant: func,
  app: func,
  tenantState: func,
});

/** Refuses unknown keys, wrong types, and options that would be ignored in combination. */
function checkSimulatorOptions<T extends SimulatorTenant>(options: SimulatorOptions<T>): void {
  checkOptions('startSimulator', options, SIMULATOR_OPTIONS);
  if (options.ca !== undefined && options.caDir !== undefined) {
    throw new InvalidArgumentError('caDir', 'startSimulator: give ca or caDir, not both (caDir would be ignored).');
  }
  if (options.createTenant) {
    if (!options.app) {
      throw new InvalidArgumentError('app', 'startSimulator: app is required with createTenant (it names the app whose credentials go into env).');
    }
    if (options.certificateApp) throw new InvalidArgumentError('certificateApp', 'startSimulator: certificateApp works with the built-in tenant only, not with createTenant.');
    const ignored = TENANT_OPTION_KEYS.find((key) => options[key] !== undefined);
    if (ignored) {
      throw new InvalidArgumentError(ignored, `startSimulator: ${ignored} configures the built-in tenant; with createTenant, give it to the tenant you create.`);
    }
    return;
  }
  for (const key of ['app', 'tenantState'] as const) {
    if (options[key] !== undefined) throw new InvalidArgumentError(key, `startSimulator: ${key} goes with createTenant; the built-in tenant does not use it.`);
  }
}

/** `env` as printed: secret values redacted. */
function printableEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, /SECRET/i.test(name) && value !== '' ? REDACTED : value]));
}

/** A bare status is shorthand for `{status}`. */
function normalizeSteps(steps: readonly SimulatorFaultStep[]): Record<string, unknown>[] {
  return steps.map((step) => (typeof step === 'number' ? { status: step } : step));
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** Whether a socket's remote address is this machine (127.0.0.0/8, ::1, or their IPv4-mapped forms). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.replace(/^::ffff:/i, '');
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

// Route keys for the counters: ids and names become placeholders so that counts add up per operation.
function routeKey(method: string, pathname: string): string {
  const path = pathname
    .replace(/^\/[^/]+\/(oauth2\/(?:v2\.0\/)?token)$/, '/{tenant}/$1')
    .replace(/^\/[^/]+\/((?:v2\.0\/)?\.well-known\/openid-configuration)$/, '/{tenant}/$1')
    .replace(/^\/[^/]+\/(discovery\/(?:v2\.0\/)?keys)$/, '/{tenant}/$1')
    .replace(/^(\/api\/incidents)\/[^/]+$/, '$1/{id}')
    .replace(/^(\/v1\.0\/security\/(?:incidents|alerts_v2))\/[^/]+$/, '$1/{id}')
    .replace(/^(\/secrets)\/[^/]+(?:\/[^/]*)?$/, '$1/{name}');
  return `${method} ${path}`;
}

async function toWebRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    init.body = Buffer.concat(chunks);
  }
  return new Request(new URL(req.url ?? '/', origin), init);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function writeHead(res: ServerResponse, response: Response): void {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
}

/** Writes a web Response to a node response, streaming the body and honouring a network fault. */
async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response, fault: NetworkFault | undefined): Promise<void> {
  if (fault?.kind === 'reset') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'stall') {
    // Nothing is sent; the client times out, or close() ends the socket.
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  writeHead(res, response);
  if (response.body === null || req.method === 'HEAD') {
    res.end();
    return;
  }
  let budget = fault?.kind === 'reset-during-body' ? Math.max(0, fault.afterBytes) : Number.POSITIVE_INFINITY;
  if (budget === 0) res.flushHeaders();
  const reader = response.body.getReader();
  try {
    while (budget > 0) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value.byteLength > budget ? value.subarray(0, budget) : value;
      budget -= chunk.byteLength;
      if (!res.write(chunk)) await drainOrClose(res);
      if (res.destroyed) return;
    }
  } finally {
    if (budget <= 0) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  if (fault?.kind === 'reset-during-body') {
    // Let the headers and the first bytes leave, then break the connection mid-body.
    await new Promise<void>((resolve) => res.write('', () => resolve()));
    req.socket.destroy();
    return;
  }
  res.end();
}

/**
 * Starts the simulator: makes (or loads) the CA, issues a server certificate, listens on
 * 127.0.0.1, then creates the tenant with its hosts set to this origin.
 *
 * The `/_sim` admin API (loopback callers only; others get 403):
 * `GET /_sim/state`, `POST /_sim/faults` with `{route, steps}`, `DELETE /_sim/faults`, `POST /_sim/reset`.
 * Any other request the tenant does not serve gets a 404 JSON body.
 *
 * @throws InvalidArgumentError (from `m365-defender`) naming the option, for an unknown option, a
 * wrongly typed value, or options that would be ignored together; nothing is started then.
 */
export async function startSimulator<T extends SimulatorTenant = FakeTenant>(options: SimulatorOptions<T> = {}): Promise<Simulator<T>> {
  checkSimulatorOptions(options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const ca = options.ca ?? (options.caDir !== undefined ? await loadOrCreateCertificateAuthority(options.caDir) : await createCertificateAuthority());
  // On a wildcard address the certificate names every local IPv4 address, so that callers over them verify it.
  const extraIps =
    host === '0.0.0.0'
      ? Object.values(networkInterfaces()).flatMap((nics) => (nics ?? []).filter((nic) => nic.family === 'IPv4').map((nic) => nic.address))
      : /^[\d.]+$/.test(host)
        ? [host]
        : [];
  const leaf = await createServerCertificate(ca, extraIps);

  // The temporary directory holds the CA file (unless it lives in caDir) and the certificate app's PEM.
  const tempDir = await mkdtemp(join(tmpdir(), 'm365d-sim-'));
  let caPath: string;
  if (options.caDir !== undefined && options.ca === undefined) {
    caPath = join(options.caDir, CA_CERT_FILE);
  } else {
    caPath = join(tempDir, CA_CERT_FILE);
    await writeFile(caPath, ca.certPem);
  }
  let clientCertificate: PemKeyPair | undefined;
  let certificatePath: string | undefined;
  if (options.certificateApp) {
    clientCertificate = await createClientCertificate();
    certificatePath = join(tempDir, 'app-certificate.pem');
    await writeFile(certificatePath, `${clientCertificate.keyPem}${clientCertificate.certPem}`, { mode: 0o600 });
  }

  const factory = tenantFactory(options, clientCertificate?.certPem);
  let tenant: T | undefined;
  let stats: SimulatorStats = { requestsByRoute: {}, tokenRequests: 0 };
  const sockets = new Set<Socket>();
  let origin = '';

  const admin = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: { code: 'Forbidden', message: 'The /_sim admin API answers loopback callers only.' } });
      return;
    }
    const method = req.method ?? 'GET';
    if (pathname === '/_sim/state' && method === 'GET') {
      sendJson(res, 200, { origin, ...stats, ...factory.state(tenant!) });
      return;
    }
    if (pathname === '/_sim/faults' && method === 'DELETE') {
      tenant!.faults.clear();
      res.writeHead(204).end();
      return;
    }
    if (pathname === '/_sim/faults' && method === 'POST') {
      let body: unknown;
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        sendJson(res, 400, { error: { code: 'BadRequest', message: 'POST /_sim/faults needs a JSON body {"route": "GET /api/incidents", "steps": [429, 200]}.' } });
        return;
      }
      const { route, steps } = (body ?? {}) as { route?: unknown; steps?: unknown };
      if (typeof route !== 'string' || !Array.isArray(steps) || steps.length === 0) {
        sendJson(res, 400, { error: { code: 'BadRequest', message: 'POST /_sim/faults needs {"route": string, "steps": [status or step object, …]} with at least one step.' } });
        return;
      }
      try {
        tenant!.faults.add(route, ...normalizeSteps(steps as SimulatorFaultStep[]));
      } catch (error) {
        sendJson(res, 400, { error: { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) } });
        return;
      }
      sendJson(res, 201, { route, steps });
      return;
    }
    if (pathname === '/_sim/reset' && method === 'POST') {
      await reset();
      res.writeHead(204).end();
      return;
    }
    sendJson(res, 404, { error: { code: 'NotFound', message: `No admin route ${method} ${pathname}. Known: GET /_sim/state, POST|DELETE /_sim/faults, POST /_sim/reset.` } });
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
      await admin(req, res, url.pathname);
      return;
    }
    const key = routeKey(req.method ?? 'GET', url.pathname);
    stats.requestsByRoute[key] = (stats.requestsByRoute[key] ?? 0) + 1;
    if (/\/oauth2\/(?:v2\.0\/)?token$/.test(url.pathname)) stats.tokenRequests++;
    const started = performance.now();
    const aborter = new AbortController();
    res.once('close', () => aborter.abort());
    const request = await toWebRequest(req, origin, aborter.signal);
    const response = await tenant!.handle(request);
    if (res.destroyed) return;
    const fault = response === undefined ? undefined : networkFaultOf(response);
    options.onRequest?.({
      method: req.method ?? 'GET',
      path: url.pathname,
      status: fault?.kind === 'reset' || fault?.kind === 'stall' ? fault.kind : (response?.status ?? 404),
      ms: Math.round(performance.now() - started),
    });
    if (response === undefined) {
      sendJson(res, 404, { error: { code: 'NotFound', message: `The simulator serves no ${req.method} ${url.pathname}.` } });
      return;
    }
    await writeResponse(req, res, response, fault);
  };

  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem, keepAliveTimeout: 5_000 }, (req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      sendJson(res, 500, { error: { code: 'SimulatorError', message: `The simulator failed: ${error instanceof Error ? error.message : String(error)}` } });
    });
  });
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
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  origin = `https://${urlHost}:${boundPort}`;
  const hosts: SimulatorHosts = { authorityHost: origin, defenderBaseUrl: origin, graphBaseUrl: origin, keyVaultUrl: origin };

  const reset = async (): Promise<void> => {
    let fresh: T;
    if (tenant !== undefined && factory.reset) {
      factory.reset(tenant);
      fresh = tenant;
    } else {
      fresh = await factory.create(hosts);
    }
    for (const fault of options.faults ?? []) fresh.faults.add(fault.route, ...normalizeSteps(fault.steps));
    tenant = fresh;
    stats = { requestsByRoute: {}, tokenRequests: 0 };
  };
  try {
    await reset();
  } catch (error) {
    server.close();
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }

  const app = factory.app(tenant!);
  const env: Record<string, string> = {
    NODE_EXTRA_CA_CERTS: caPath,
    AZURE_TENANT_ID: app.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_SECRET: app.clientSecret,
    AZURE_AUTHORITY_HOST: origin,
    DEFENDER_API_BASE_URL: origin,
    DEFENDER_GRAPH_BASE_URL: origin,
  };

  let closing: Promise<void> | undefined;
  const simulator: Simulator<T> = {
    origin,
    port: boundPort,
    get tenant() {
      return tenant!;
    },
    caPath,
    caPem: ca.certPem,
    env,
    certificateApp:
      clientCertificate && certificatePath
        ? {
            clientId: certificateClientId(options.seed ?? 1),
            certificatePath,
            env: { AZURE_CLIENT_ID: certificateClientId(options.seed ?? 1), AZURE_CLIENT_CERTIFICATE_PATH: certificatePath, AZURE_CLIENT_SECRET: '' },
          }
        : undefined,
    stats: () => structuredClone(stats),
    reset,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await closed;
        await rm(tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
    toJSON() {
      return {
        origin,
        port: boundPort,
        caPath,
        env: printableEnv(env),
        ...(simulator.certificateApp ? { certificateApp: simulator.certificateApp } : {}),
      };
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

/** Waits for `drain` or `close`, whichever comes first, removing both listeners after. */
function drainOrClose(res: import('node:http').ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
