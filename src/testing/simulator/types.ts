/**
 * The simulator's public types: its options, what it serves, and what `startSimulator` returns.
 * @packageDocumentation
 */
import type { PemKeyPair } from '../certs.js';
import type { RequestHandlerLike } from '../network-fault.js';
import type { FakeTenant, FakeTenantHosts, FakeTenantOptions } from '../tenant/tenant.js';

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
   * Address to listen on. Default and strongly advised: `127.0.0.1`; `::1` works too (the server
   * certificate names it). Another address exposes the simulator to the network (the `/_sim` admin
   * API still refuses non-loopback callers).
   */
  host?: string;
  /** A CA to sign the server certificate with, instead of generating one. */
  ca?: PemKeyPair;
  /**
   * A directory holding the CA (`ca.pem`, `ca-key.pem`); made there if absent. A kept CA is used
   * only when it is the one the kit makes (its own key, the kit's subject, name constraints to this
   * machine's names), and renewed when it expires within a week, was made valid for longer than a
   * year, or names an address this machine no longer has; any other CA is refused with
   * `InvalidArgumentError` (option `caDir`) naming the file, and left alone. `ca-key.pem` is kept
   * mode 0600. Not with `ca`.
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
   * `DEFENDER_GRAPH_BASE_URL`; with `tenants` above 1 also `M365D_TENANT_IDS`, every tenant id
   * comma-separated (the partner's own first, the unconsented ones last).
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

/** What the request handler and the admin routes share while the simulator runs. Internal. */
export interface SimulatorState<T extends SimulatorTenant> {
  /** The tenant served; set by the first reset, before the server answers anything. */
  tenant: T | undefined;
  /** Counters since the last reset. */
  stats: SimulatorStats;
  /** `https://host:port`, known once the server listens. */
  origin: string;
}

/** The certificate material a running simulator uses. Internal. */
export interface SimulatorTls {
  /** The CA that signs the server certificate (and that callers trust). */
  ca: PemKeyPair;
  /** The server's certificate and key. */
  leaf: PemKeyPair;
  /** Where the CA certificate file is (for `NODE_EXTRA_CA_CERTS`). */
  caPath: string;
  /** The temporary directory removed on close. */
  tempDir: string;
  /** The certificate app's key pair and PEM file, with `certificateApp`. */
  clientCertificate?: { pair: PemKeyPair; path: string } | undefined;
}
