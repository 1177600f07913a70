/*
 * The fake tenant: one in-memory Microsoft 365 Defender tenant (Entra ID, the legacy Defender API,
 * Graph security and Key Vault) that answers web `Request`s with web `Response`s, deterministic from
 * a seed, with a simulated clock, quotas and faults on demand. Adapters put it on a wire: msw
 * (`handlers(tenant)`) and the HTTPS simulator.
 */
import { inspect } from 'node:util';
import { describe } from '../../checks.js';
import { InvalidArgumentError } from '../../errors.js';
import { generateHuntingTables, generateIncidents, prng } from '../data/index.js';
import { networkFaultOf, withNetworkFault, type RequestHandlerLike } from '../network-fault.js';
import { DefenderApi, legacyUnauthorized } from './defender-api.js';
import { MdeApi, MDE_RESOURCES } from './mde-api.js';
import { createDirectory } from '../data/directory.js';
import { IsolationReports } from './isolation-reports.js';
import { EntraApi, type EntraApp } from './entra.js';
import { GraphApi, graphTokenVerifier, graphUnauthorized, type GraphApiOptions } from './graph-api.js';
import { FaultBook, htmlErrorPage, type FaultStep, type TenantRoute } from './faults.js';
import { KeyVaultApi, type VaultSecret } from './key-vault.js';
import type { LegacyIncidentWire } from './legacy-wire.js';
import { injectedResponse, trimSlash } from './http-util.js';
import { QuotaBook, TENANT_QUOTA_FAMILIES, type TenantQuotaFamily, type TenantQuotaLimit } from './quotas.js';
import { arrayOf, checkOptions, exactly, httpUrl, instant, integer, nonEmptyString, object, oneOf, plainObject, positiveNumber, recordOf, string, boolean, type Check } from '../options.js';
import { TokenSigner, bearerToken, decodeTokenClaims } from './tokens.js';
import { Churn, churnOptionsCheck, type FakeTenantChurn, type FakeTenantChurnOptions } from './churn.js';
import { memberFor } from './tenant-set.js';

// ---------------------------------------------------------------- public shapes

/** Defender (Microsoft Threat Protection) application permissions. */
export type DefenderRole = 'Incident.Read.All' | 'Incident.ReadWrite.All' | 'AdvancedHunting.Read.All' | (string & {});
/** Defender for Endpoint (WindowsDefenderATP) application permissions. */
export type MdeRole =
  | 'Machine.Read.All'
  | 'Machine.ReadWrite.All'
  | 'Machine.Isolate'
  | 'Machine.Scan'
  | 'Machine.CollectForensics'
  | 'Machine.RestrictExecution'
  | 'Machine.StopAndQuarantine'
  | 'Ti.ReadWrite'
  | 'Ti.ReadWrite.All'
  | (string & {});
/** Microsoft Graph security application permissions. */
export type GraphRole =
  | 'SecurityIncident.Read.All'
  | 'SecurityIncident.ReadWrite.All'
  | 'SecurityAlert.Read.All'
  | 'SecurityAlert.ReadWrite.All'
  | 'ThreatHunting.Read.All'
  | (string & {});

/** An app registration to create in the fake tenant. */
export interface FakeAppOptions {
  /** The app's client id (a GUID). */
  clientId: string;
  /** A client secret value; absent = the app has no secret. */
  clientSecret?: string;
  /** The public certificate (PEM) whose key signs the app's client assertions. */
  certificatePem?: string;
  /** Granted application permissions per API. */
  roles: {
    /** Defender API roles; default none. */
    defender?: DefenderRole[];
    /** Graph roles; default none. */
    graph?: GraphRole[];
    /** Defender for Endpoint roles (tokens for `https://api.securitycenter.microsoft.com`); default none. */
    mde?: MdeRole[];
  };
  /**
   * Whether an administrator of this tenant consented to the (multi-tenant) app. Default `true`;
   * `false`: its token requests fail the way Entra ID fails them, with AADSTS650052.
   */
  consented?: boolean;
}

/**
 * An app registered in the fake tenant (what `tenant.apps` lists). Printing it
 * (`console.log`, `util.inspect`, `JSON.stringify`) shows `clientSecret` as `[redacted]`; the
 * property itself holds the value.
 */
export interface FakeApp {
  /** The app's client id (a GUID). */
  readonly clientId: string;
  /** The client secret value, for building a credential in a test; absent when the app has none. */
  readonly clientSecret?: string;
  /** The public certificate (PEM) registered for the app's client assertions; absent when it has none. */
  readonly certificatePem?: string;
  /** Granted application permissions: Defender API roles and Graph roles. */
  readonly roles: {
    /** Defender API roles, e.g. `Incident.ReadWrite.All`. */
    readonly defender: readonly string[];
    /** Graph roles, e.g. `SecurityIncident.ReadWrite.All`. */
    readonly graph: readonly string[];
    /** Defender for Endpoint roles, e.g. `Machine.Isolate`. */
    readonly mde: readonly string[];
  };
  /** `false` when the tenant has not consented to the app (its token requests fail with AADSTS650052); absent when it has. */
  readonly consented?: false;
}

/** The hosts a fake tenant answers on. */
export interface FakeTenantHosts {
  /** Entra ID. Default `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** The legacy Defender API. Default `https://api.security.microsoft.com`. */
  defenderBaseUrl: string;
  /** Microsoft Graph (without `/v1.0`). Default `https://graph.microsoft.com`. */
  graphBaseUrl: string;
  /** The tenant's Key Vault. Default `https://m365d-<seed>.vault.azure.net`. */
  keyVaultUrl: string;
}

/**
 * Options of {@link createFakeTenant}. Every one is optional; `undefined` counts as absent. An
 * unknown key or a wrongly typed value throws `InvalidArgumentError` naming the option.
 */
export interface FakeTenantOptions extends Partial<FakeTenantHosts> {
  /** Seed of everything generated (ids, secrets, incidents, tables). Same seed and start time → same tenant. Default 1. */
  seed?: number;
  /** The tenant id. Default: a GUID derived from the seed. */
  tenantId?: string;
  /**
   * Registered apps. Default: one app with a generated secret and every role (`Incident.ReadWrite.All`,
   * `AdvancedHunting.Read.All`; Graph `SecurityIncident.ReadWrite.All`, `SecurityAlert.ReadWrite.All`, `ThreatHunting.Read.All`).
   */
  apps?: FakeAppOptions[];
  /** Lifetime of every access token, in simulated seconds, 1 to 86,400 (Entra's longest). Default: drawn per token between 60 and 90 minutes, like Entra ID. */
  tokenLifetimeSeconds?: number;
  /** Simulated seconds per real second (token expiry, quotas, KQL `ago()`, `lastUpdateTime`), above 0 and at most 86,400 (a day a second). Default 1. */
  timeScale?: number;
  /** The simulated time at creation (Date or epoch ms), from 1970 to the end of 9999. Default: the real time. */
  startTime?: Date | number;
  /** Incidents: how many to generate (default 300), or the incidents themselves (deep-copied). */
  incidents?: number | LegacyIncidentWire[];
  /** Rows of advanced-hunting data to generate across the tables (default 10,000). Ignored when `huntingTables` is given. */
  huntingRows?: number;
  /** Advanced-hunting tables to serve instead of generated ones: table name → rows. */
  huntingTables?: Record<string, Record<string, unknown>[]>;
  /** Key Vault secrets by name. Default: the first app's client secret as `defender-client-secret`. */
  secrets?: Record<string, VaultSecret>;
  /**
   * API quotas per tenant and app (429 with `Retry-After` and the service's body): the documented
   * ones by default; `false` for none; or limits per family replacing the documented ones, e.g.
   * `{ 'defender.incident.get': [{ limit: 2, intervalMs: 60_000 }] }` (an empty list: no limit;
   * `intervalMs` at most 86,400,000, a day, as the client's `rateLimit` windows).
   */
  quotas?: false | Partial<Record<TenantQuotaFamily, TenantQuotaLimit[]>>;
  /**
   * Graph's `$expand=alerts` failure on large tenants (reference §5.2): a list of incidents with
   * `$expand=alerts` answers 500 when more incidents than this match its filter. Default: never.
   */
  graphExpandFailsAbove?: number;
  /**
   * Incidents and alerts that change over the simulated clock: created, updated, merged, some
   * sharing a timestamp, some visible late. Seeded: the same seed and clock give the same changes.
   * Default: none. See {@link FakeTenantChurnOptions}.
   */
  churn?: FakeTenantChurnOptions;
  /**
   * How many tenants to serve, 1 to 1,000 (default 1): this one, the partner's own, where its apps
   * are registered, and `tenants - 1` customer tenants that consented to the same (multi-tenant)
   * apps, each with its own id, data (generated from `seed + i`), quotas and signing key, on the
   * same hosts and clock. Entra requests go to the tenant named in their path, API requests to
   * the tenant of their token (`tid`). See {@link FakeTenant.tenants}.
   */
  tenants?: number;
  /**
   * How many of the customer tenants (the last ones) have not consented to the apps: their token
   * requests fail with AADSTS650052. From 0 (the default) to `tenants - 1`.
   */
  unconsentedTenants?: number;
  /** The most active custom indicators the tenant holds (Defender for Endpoint). Default 15,000, the documented cap. */
  indicatorCap?: number;
}

/** The tenant's simulated clock: `start + real elapsed × timeScale (+ advance())`. */
export interface FakeTenantClock {
  /** Simulated time, epoch ms. */
  now(): number;
  /** Simulated seconds per real second. */
  readonly timeScale: number;
  /**
   * Moves simulated time forward by `ms` (expire tokens, refill quotas) without waiting.
   * @throws InvalidArgumentError (option `ms`) for a negative or non-finite `ms`, or one that moves the clock past 9999.
   */
  advance(ms: number): void;
}

/** One request the tenant received, with secrets and tokens redacted. */
export interface TenantRequest {
  /** The route it was for. */
  route: TenantRoute;
  /** HTTP method, upper case. */
  method: string;
  /** The full request URL, query included. */
  url: string;
  /** Headers as sent, `authorization` redacted. */
  headers: Record<string, string>;
  /** JSON body as sent, form fields with `client_secret`/`client_assertion` redacted, else the text, else `undefined`. */
  body: unknown;
  /** The status answered; `0` when a network fault broke the connection before the headers; 404 when no service of the tenant answered. */
  status: number;
  /** Whether a fault step answered (or delayed) it. */
  faulted: boolean;
  /** Arrival, epoch ms on the tenant's simulated clock. */
  at: number;
}

/** A client-secret credential of a fake tenant's app, as `new DefenderClient({ credential })` takes it. */
export interface FakeTenantCredential {
  /** The tenant id. */
  tenantId: string;
  /** The app's client id. */
  clientId: string;
  /** The app's client secret (a fake value). */
  clientSecret: string;
}

/** A fake Microsoft 365 Defender tenant. Create one with {@link createFakeTenant}. */
export interface FakeTenant extends RequestHandlerLike {
  /** The tenant id. */
  readonly tenantId: string;
  /** The seed the tenant was generated from. */
  readonly seed: number;
  /** The hosts it answers on. */
  readonly hosts: Readonly<FakeTenantHosts>;
  /** The registered apps (the first is the default one). */
  readonly apps: readonly FakeApp[];
  /** The simulated clock. */
  readonly clock: FakeTenantClock;
  /** Faults on demand: `faults.add(route, ...steps)`, `faults.clear()`. */
  readonly faults: FaultBook;
  /** The requests answered, in order, the newest 10,000 at most (secrets and tokens redacted). */
  readonly requests: readonly TenantRequest[];
  /** The incidents by id (legacy wire shape), shared by the Defender API and Graph; mutable. */
  readonly incidents: Map<number, LegacyIncidentWire>;
  /** The advanced-hunting tables: table name → rows; mutable. */
  readonly tables: Record<string, Record<string, unknown>[]>;
  /** The Key Vault secrets by (lower-case) name; mutable. */
  readonly secrets: Map<string, VaultSecret>;
  /** How many access tokens Entra ID has issued. */
  readonly issuedTokens: number;
  /**
   * The Defender for Endpoint API's state: machine actions (`actions()`, `nextActions('Failed' | 'TimeOut' | 'hang')`,
   * `isIsolated(deviceId)`), `indicators`. Devices are the fleet of the incidents and hunting tables.
   */
  readonly mde: MdeApi;
  /** The tenant's churn, with the record of every version it made visible; `undefined` without the `churn` option. */
  readonly churn: FakeTenantChurn | undefined;
  /**
   * Every tenant served (option `tenants`): this one first, then the customer tenants. Each is a
   * whole fake tenant with its own `tenantId`, data, requests and faults. `[this]` by default.
   */
  readonly tenants: readonly FakeTenant[];
  /**
   * `{tenantId, clientId, clientSecret}` of an app with a secret (default: the first), for `new DefenderClient({credential})`.
   * @throws Error when no app (or not `clientId`) has a secret.
   */
  credential(clientId?: string): FakeTenantCredential;
  /** Answers a request for any of the tenant's services; `undefined` when it is for none of them. */
  handle(request: Request): Promise<Response | undefined>;
  /** Restores the generated state: incidents, tables, secrets; clears faults, requests, quotas and the token count. */
  reset(): void;
}

// ---------------------------------------------------------------- sibling modules

function createGraphApi(options: GraphApiOptions): GraphApi {
  return new GraphApi(options);
}

function generateTenantIncidents(seed: number, count: number, now: number): LegacyIncidentWire[] {
  return generateIncidents({ seed, count, now: new Date(now) });
}

function generateTenantTables(seed: number, rows: number, now: number, incidents: LegacyIncidentWire[]): Record<string, Record<string, unknown>[]> {
  return generateHuntingTables({ seed, rows, now: new Date(now), alerts: incidents.flatMap((incident) => incident.alerts) });
}

// ---------------------------------------------------------------- defaults

const DEFENDER_RESOURCE = 'https://api.security.microsoft.com';
const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const VAULT_RESOURCE = 'https://vault.azure.net';
const ALL_DEFENDER_ROLES: DefenderRole[] = ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'];
const ALL_GRAPH_ROLES: GraphRole[] = ['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All', 'ThreatHunting.Read.All'];
const ALL_MDE_ROLES: MdeRole[] = ['Machine.ReadWrite.All', 'Machine.Isolate', 'Machine.Scan', 'Machine.CollectForensics', 'Machine.RestrictExecution', 'Machine.StopAndQuarantine', 'Ti.ReadWrite.All'];
const DEFAULT_INCIDENTS = 300;
const DEFAULT_HUNTING_ROWS = 10_000;
const QUOTA_FAMILY: Partial<Record<TenantRoute, TenantQuotaFamily>> = {
  'defender.listIncidents': 'defender.incidents',
  'defender.updateIncident': 'defender.incidents',
  'defender.getIncident': 'defender.incident.get',
  'defender.hunting': 'defender.hunting',
  'graph.listIncidents': 'graph.incidents',
  'graph.getIncident': 'graph.incidents',
  'graph.updateIncident': 'graph.incidents',
  'graph.addComment': 'graph.incidents',
  'graph.listAlerts': 'graph.alerts',
  'graph.getAlert': 'graph.alerts',
  'graph.updateAlert': 'graph.alerts',
  'graph.addAlertComment': 'graph.alerts',
  'graph.hunting': 'graph.hunting',
  'mde.listMachines': 'mde.machines',
  'mde.getMachine': 'mde.machines',
  'mde.findMachines': 'mde.machines',
  'mde.machineAction': 'mde.machineActions',
  'mde.listActions': 'mde.machineActions',
  'mde.getAction': 'mde.machineActions',
  'mde.cancelAction': 'mde.machineActions',
  'mde.packageUri': 'mde.packageUri',
  'mde.listIndicators': 'mde.indicators',
  'mde.submitIndicator': 'mde.indicators',
  'mde.importIndicators': 'mde.indicators.import',
  'mde.deleteIndicator': 'mde.indicators',
};

/**
 * Creates a fake Microsoft 365 Defender tenant: Entra ID (client secret and certificate credentials,
 * RS256 tokens signed with the tenant's own key), the legacy Defender API, Graph security (when
 * available) and Key Vault, over deterministic data generated from `seed`.
 *
 * @throws InvalidArgumentError (from `m365-defender`) naming the option, for an unknown option or a wrongly typed value.
 *
 * @example
 * ```ts
 * const tenant = createFakeTenant({ seed: 42 });
 * const server = setupServer(...handlers(tenant));
 * const client = new DefenderClient({ credential: tenant.credential() });
 * ```
 */
export function createFakeTenant(options: FakeTenantOptions = {}): FakeTenant {
  checkOptions('createFakeTenant', options, FAKE_TENANT_OPTIONS);
  return new Tenant(options);
}

const roleList = arrayOf(nonEmptyString);

/** An incident given in `incidents`: an object with an integer `incidentId` (the rest is the caller's). */
const incidentWire: Check = (value, path) => {
  plainObject(value, path);
  integer(0)((value as Record<string, unknown>)['incidentId'], `${path}.incidentId`);
};

/** The last instant the simulated clock may show: data, tokens and the services' dates have four-digit years. */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const DAY_SECONDS = 86_400;

/** The checks of every {@link FakeTenantOptions} key (the simulator reuses them). */
export const FAKE_TENANT_OPTIONS: Readonly<Record<keyof FakeTenantOptions, Check>> = Object.freeze({
  seed: integer(Number.MIN_SAFE_INTEGER),
  tenantId: nonEmptyString,
  apps: arrayOf(
    object(
      { clientId: nonEmptyString, clientSecret: string, certificatePem: nonEmptyString, roles: object({ defender: roleList, graph: roleList, mde: roleList }), consented: boolean },
      ['clientId', 'roles'],
    ),
  ),
  tokenLifetimeSeconds: integer(1, DAY_SECONDS),
  timeScale: positiveNumber(DAY_SECONDS),
  startTime: instant(0, LAST_INSTANT),
  incidents: oneOf('a number of incidents (an integer ≥ 0) or an array of incidents', integer(0), arrayOf(incidentWire)),
  huntingRows: integer(0, 1_000_000),
  huntingTables: recordOf(arrayOf(plainObject)),
  secrets: recordOf(object({ value: string, contentType: string, enabled: boolean }, ['value'])),
  quotas: oneOf(
    `false, or an object of limits per family (${TENANT_QUOTA_FAMILIES.join(', ')}), each an array of { limit, intervalMs }`,
    exactly(false),
    recordOf(arrayOf(object({ limit: integer(1), intervalMs: positiveNumber(DAY_SECONDS * 1000, 'ms') }, ['limit', 'intervalMs'])), TENANT_QUOTA_FAMILIES),
  ),
  graphExpandFailsAbove: integer(0),
  churn: churnOptionsCheck,
  tenants: integer(1, 1_000),
  unconsentedTenants: integer(0, 999),
  indicatorCap: integer(0),
  authorityHost: httpUrl,
  defenderBaseUrl: httpUrl,
  graphBaseUrl: httpUrl,
  keyVaultUrl: httpUrl,
});

class Tenant implements FakeTenant {
  readonly tenantId: string;
  readonly seed: number;
  readonly hosts: Readonly<FakeTenantHosts>;
  readonly apps: readonly FakeApp[];
  readonly clock: FakeTenantClock;
  readonly faults = new FaultBook();
  readonly requests: TenantRequest[] = [];
  readonly incidents = new Map<number, LegacyIncidentWire>();
  readonly tables: Record<string, Record<string, unknown>[]> = {};
  readonly churn: Churn | undefined;
  readonly #options: FakeTenantOptions;
  readonly #signer = new TokenSigner();
  readonly #entra: EntraApi;
  readonly #defender: DefenderApi;
  readonly #graph: GraphApi | undefined;
  readonly mde: MdeApi;
  readonly #vault: KeyVaultApi;
  readonly #quotas: QuotaBook | undefined;
  readonly #isolationReports: IsolationReports;
  readonly #dataNow: number;
  /** This tenant, then the customer tenants of option `tenants`. */
  readonly tenants: readonly Tenant[];

  /** `clock`: a customer tenant runs on its partner tenant's clock. */
  constructor(options: FakeTenantOptions, clock?: FakeTenantClock) {
    this.#options = options;
    this.seed = options.seed ?? 1;
    const random = prng(this.seed);
    this.tenantId = options.tenantId ?? guid(random);
    this.clock = clock ?? createClock(options.startTime, options.timeScale ?? 1);
    // Data is generated as of the start time when one is given (not the clock's reading a moment
    // later, which a slow or loaded machine moves by a millisecond): same seed and start, same tenant.
    this.#dataNow = clock === undefined && options.startTime !== undefined ? new Date(options.startTime).getTime() : this.clock.now();
    const now = () => this.clock.now();
    this.hosts = Object.freeze({
      authorityHost: trimSlash(options.authorityHost ?? 'https://login.microsoftonline.com'),
      defenderBaseUrl: trimSlash(options.defenderBaseUrl ?? DEFENDER_RESOURCE),
      graphBaseUrl: trimSlash(options.graphBaseUrl ?? GRAPH_RESOURCE),
      keyVaultUrl: trimSlash(options.keyVaultUrl ?? `https://m365d-${this.tenantId.slice(0, 8)}.vault.azure.net`),
    });
    this.apps = Object.freeze(
      (options.apps ?? [{ clientId: guid(random), clientSecret: entraSecret(random), roles: { defender: ALL_DEFENDER_ROLES, graph: ALL_GRAPH_ROLES, mde: ALL_MDE_ROLES } }]).map(fakeApp),
    );

    // A custom host is also accepted as the token audience, unless Defender and Graph share one origin (the simulator).
    const defenderOrigin = new URL(this.hosts.defenderBaseUrl).origin;
    const graphOrigin = new URL(this.hosts.graphBaseUrl).origin;
    const distinct = defenderOrigin !== graphOrigin;
    const defenderAudiences = distinct ? unique([DEFENDER_RESOURCE, defenderOrigin]) : [DEFENDER_RESOURCE];
    const graphAudiences = distinct ? unique([GRAPH_RESOURCE, graphOrigin]) : [GRAPH_RESOURCE];
    const lifetimeRandom = prng(this.seed ^ 0x7153);
    this.#entra = new EntraApi({
      recordRequests: false,
      tenantId: this.tenantId,
      authorityHost: this.hosts.authorityHost,
      apps: this.apps.map((app) => toEntraApp(app, defenderAudiences, graphAudiences)),
      ...(options.tokenLifetimeSeconds !== undefined
        ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds }
        : { tokenLifetime: () => 3600 + Math.floor(lifetimeRandom() * 1801) }),
      resources: unique([
        DEFENDER_RESOURCE,
        'https://api-gcc.security.microsoft.us',
        'https://api-gov.security.microsoft.us',
        ...MDE_RESOURCES,
        GRAPH_RESOURCE,
        'https://graph.microsoft.us',
        'https://dod-graph.microsoft.us',
        VAULT_RESOURCE,
        ...defenderAudiences,
        ...graphAudiences,
      ]),
      signer: this.#signer,
      now,
    });
    this.#defender = new DefenderApi({
      recordRequests: false,
      baseUrl: this.hosts.defenderBaseUrl,
      tenantId: this.tenantId,
      ...(distinct ? {} : { resource: DEFENDER_RESOURCE }),
      incidents: this.incidents,
      huntingTables: this.tables,
      signer: this.#signer,
      now,
    });
    // The same fleet as the incidents' evidence and the hunting tables (same seed and clock).
    const directory = createDirectory(this.seed, this.#dataNow);
    const devices = directory.devices;
    this.#isolationReports = new IsolationReports(directory);
    this.mde = new MdeApi({
      baseUrl: this.hosts.defenderBaseUrl,
      tenantId: this.tenantId,
      signer: this.#signer,
      now,
      seed: this.seed,
      devices: () => devices,
      ...(options.indicatorCap !== undefined ? { indicatorCap: options.indicatorCap } : {}),
    });
    this.#vault = new KeyVaultApi({
      recordRequests: false,
      vaultUrl: this.hosts.keyVaultUrl,
      tenantId: this.tenantId,
      authorityHost: this.hosts.authorityHost,
      signer: this.#signer,
      now,
    });
    this.#graph = createGraphApi({
      recordRequests: false,
      baseUrl: this.hosts.graphBaseUrl,
      tenantId: this.tenantId,
      incidents: this.incidents,
      tables: this.tables,
      verifyToken: graphTokenVerifier({ signer: this.#signer, audiences: graphAudiences, tenantId: this.tenantId, now }),
      now,
      ...(options.graphExpandFailsAbove !== undefined ? { expandFailsAbove: options.graphExpandFailsAbove } : {}),
    });
    this.#quotas = options.quotas === false ? undefined : new QuotaBook({ now, ...(options.quotas ? { limits: options.quotas } : {}) });
    this.churn = options.churn ? new Churn(options.churn, this.seed, this.incidents, now) : undefined;
    this.#load();
    this.tenants = Object.freeze([this, ...this.#customers(options)]);
  }

  /** The customer tenants of option `tenants`: the same apps (consented or not), their own seed and id. */
  #customers(options: FakeTenantOptions): Tenant[] {
    const count = options.tenants ?? 1;
    const unconsented = options.unconsentedTenants ?? 0;
    if (unconsented > count - 1) {
      throw new InvalidArgumentError('unconsentedTenants', `createFakeTenant: unconsentedTenants must be at most tenants - 1 (${count - 1}): the first tenant is the partner's own; got ${unconsented}.`);
    }
    const customers: Tenant[] = [];
    for (let i = 1; i < count; i += 1) {
      const consented = i < count - unconsented;
      const apps = this.apps.map((app): FakeAppOptions => ({
        clientId: app.clientId,
        ...(app.clientSecret !== undefined ? { clientSecret: app.clientSecret } : {}),
        ...(app.certificatePem !== undefined ? { certificatePem: app.certificatePem } : {}),
        roles: { defender: [...app.roles.defender], graph: [...app.roles.graph] },
        consented: consented && app.consented !== false,
      }));
      const { tenants: _t, unconsentedTenants: _u, tenantId: _i, secrets: _s, ...shared } = options;
      customers.push(new Tenant({ ...shared, ...this.hosts, seed: this.seed + i, apps }, this.clock));
    }
    return customers;
  }

  get secrets(): Map<string, VaultSecret> {
    return this.#vault.secrets;
  }

  get issuedTokens(): number {
    return this.#entra.issuedCount;
  }

  credential(clientId?: string): FakeTenantCredential {
    const app = this.apps.find((a) => (clientId === undefined ? a.clientSecret !== undefined : a.clientId === clientId));
    if (!app?.clientSecret) {
      throw new Error(clientId === undefined ? 'The fake tenant has no app with a client secret.' : `The fake tenant has no app ${clientId} with a client secret.`);
    }
    return { tenantId: this.tenantId, clientId: app.clientId, clientSecret: app.clientSecret };
  }

  reset(): void {
    for (const customer of this.tenants.slice(1)) customer.reset();
    this.faults.clear();
    this.requests.length = 0;
    this.#entra.issuedCount = 0;
    this.#quotas?.reset();
    this.#graph?.clearState();
    this.mde.clearState();
    this.#load();
  }

  async handle(request: Request): Promise<Response | undefined> {
    if (this.tenants.length > 1) {
      const member = memberFor(request, this.tenants, this.hosts.authorityHost);
      if (member !== this) return member.handle(request);
    }
    const route = this.#routeOf(request);
    if (!route) return undefined;
    // Changes due by now become visible before the answer, whichever API serves it.
    this.churn?.apply();
    const record: TenantRequest = {
      route,
      method: request.method.toUpperCase(),
      url: request.url,
      headers: redactHeaders(request.headers),
      body: await redactedBody(request, route),
      status: 0,
      faulted: false,
      at: this.clock.now(),
    };
    this.requests.push(record);
    // A long-running simulator must not grow without bound: keep the newest MAX_RECORDED_REQUESTS.
    if (this.requests.length > MAX_RECORDED_REQUESTS) this.requests.splice(0, this.requests.length - MAX_RECORDED_REQUESTS);
    const response = await this.#answer(request, route, record);
    const fault = response && networkFaultOf(response);
    record.status = !response ? 404 : fault && fault.kind !== 'reset-during-body' ? 0 : response.status;
    return response;
  }

  async #answer(request: Request, route: TenantRoute, record: TenantRequest): Promise<Response | undefined> {
    const step = this.faults.take(route);
    if (step) record.faulted = true;
    const faulted = step ? await this.#applyFault(step, request, route) : undefined;
    if (faulted) return faulted;
    const quota = this.#takeQuota(request, route);
    // A query sees the isolations that finished before it (on the tenant's clock).
    if (!quota && (route === 'defender.hunting' || route === 'graph.hunting')) this.#isolationReports.sync(this.tables, this.mde.actions());
    const response = quota ?? (await this.#service(route).handle(request));
    if (step && 'truncateBodyAt' in step && response) return withNetworkFault(response, { kind: 'reset-during-body', afterBytes: step.truncateBodyAt });
    if (step && 'network' in step && response) return withNetworkFault(response, step.network);
    return response;
  }

  /** The answer a fault step gives instead of the normal one; `undefined` = answer normally (after a delay, maybe). */
  async #applyFault(step: FaultStep, request: Request, route: TenantRoute): Promise<Response | undefined> {
    if ('html' in step) return htmlErrorPage(step.status);
    if ('expiredToken' in step) return this.#expired(request, route);
    if ('network' in step) {
      if (step.network.kind === 'reset-during-body') return undefined;
      return withNetworkFault(new Response(null, { status: 502 }), step.network);
    }
    if ('truncateBodyAt' in step) return undefined;
    if ('delayMs' in step) {
      await delay(step.delayMs, request.signal);
      return undefined;
    }
    return injectedResponse(step);
  }

  /** The 401 each API gives for an expired bearer token; Entra answers normally. */
  #expired(request: Request, route: TenantRoute): Response | undefined {
    const service = route.split('.')[0];
    if (service === 'defender' || service === 'mde') return legacyUnauthorized('the access token has expired');
    if (service === 'graph') return graphUnauthorized(request, 'Lifetime validation failed, the token is expired.', this.clock.now());
    if (service === 'keyvault') {
      return Response.json(this.#vault.expiredBody(), { status: 401, headers: this.#vault.challengeHeaders() });
    }
    return undefined;
  }

  #takeQuota(request: Request, route: TenantRoute): Response | undefined {
    const family = QUOTA_FAMILY[route];
    if (!this.#quotas || !family) return undefined;
    const token = bearerToken(request);
    const appId = token ? decodeTokenClaims(token)?.['appid'] : undefined;
    // Requests without a usable token are refused by the API itself (401), before any quota.
    if (typeof appId !== 'string') return undefined;
    const answer = this.#quotas.take({ tenantId: this.tenantId, appId, family });
    if (answer.ok) return undefined;
    return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  }

  #service(route: TenantRoute): RequestHandlerLike {
    switch (route.split('.')[0]) {
      case 'entra':
        return this.#entra;
      case 'defender':
        return this.#defender;
      case 'keyvault':
        return this.#vault;
      case 'mde':
        return this.mde;
      default:
        return this.#graph ?? { handle: async () => undefined };
    }
  }

  #routeOf(request: Request): TenantRoute | undefined {
    const defender = this.#defender.routeOf(request);
    if (defender) {
      const names = { list: 'defender.listIncidents', get: 'defender.getIncident', update: 'defender.updateIncident', hunting: 'defender.hunting' } as const;
      return names[defender.route];
    }
    const mde = this.mde.routeOf(request);
    if (mde) return `mde.${mde.route}`;
    const graph = graphRouteOf(request, this.hosts.graphBaseUrl);
    if (graph) return graph;
    if (this.#vault.routeOf(request)) return 'keyvault.getSecret';
    const entra = this.#entra.routeOf(request);
    if (entra) return entra.kind === 'token' ? 'entra.token' : 'entra.discovery';
    return undefined;
  }

  /** (Re)generates the state from the seed. */
  #load(): void {
    const options = this.#options;
    this.incidents.clear();
    const incidents = Array.isArray(options.incidents)
      ? options.incidents
      : generateTenantIncidents(this.seed, options.incidents ?? DEFAULT_INCIDENTS, this.#dataNow);
    for (const incident of incidents) this.incidents.set(incident.incidentId, structuredClone(incident));
    this.churn?.restart(this.#dataNow);
    for (const name of Object.keys(this.tables)) delete this.tables[name];
    this.#isolationReports.clear();
    const tables = options.huntingTables
      ? Object.fromEntries(Object.entries(options.huntingTables).map(([name, rows]) => [name, [...rows]]))
      : generateTenantTables(this.seed, options.huntingRows ?? DEFAULT_HUNTING_ROWS, this.#dataNow, [...this.incidents.values()]);
    Object.assign(this.tables, tables);
    this.#vault.secrets.clear();
    const first = this.apps[0];
    const secrets = options.secrets ?? (first?.clientSecret ? { 'defender-client-secret': { value: first.clientSecret } } : {});
    for (const [name, secret] of Object.entries(secrets)) this.#vault.setSecret(name, secret);
  }

  /** A summary without secrets, for `console.log(tenant)`. */
  [inspect.custom](): string {
    return `FakeTenant { tenantId: '${this.tenantId}', seed: ${this.seed}, apps: ${this.apps.length}, incidents: ${this.incidents.size}, ` +
      `tables: ${Object.keys(this.tables).length}, requests: ${this.requests.length}, faults pending: ${this.faults.pending} }`;
  }

  toJSON(): Record<string, unknown> {
    return { tenantId: this.tenantId, seed: this.seed, hosts: this.hosts, apps: this.apps.map((a) => ({ clientId: a.clientId, roles: a.roles })) };
  }
}

// ---------------------------------------------------------------- helpers

/** What printing shows instead of a secret. */
export const REDACTED = '[redacted]';

/** A registered app: frozen, and printed (`util.inspect`, `JSON.stringify`) with its secret redacted. */
function fakeApp(options: FakeAppOptions): FakeApp {
  const app: FakeApp = {
    clientId: options.clientId,
    ...(options.clientSecret !== undefined ? { clientSecret: options.clientSecret } : {}),
    ...(options.certificatePem !== undefined ? { certificatePem: options.certificatePem } : {}),
    roles: Object.freeze({
      defender: Object.freeze([...(options.roles.defender ?? [])]),
      graph: Object.freeze([...(options.roles.graph ?? [])]),
      mde: Object.freeze([...(options.roles.mde ?? [])]),
    }),
    ...(options.consented === false ? { consented: false as const } : {}),
  };
  const printable = (): Record<string, unknown> => ({ ...app, ...(app.clientSecret !== undefined ? { clientSecret: REDACTED } : {}) });
  Object.defineProperty(app, 'toJSON', { value: printable, enumerable: false });
  Object.defineProperty(app, inspect.custom, {
    value: (_depth: number, inspectOptions: object, print: typeof inspect) => `FakeApp ${print(printable(), inspectOptions)}`,
    enumerable: false,
  });
  return Object.freeze(app);
}

function createClock(start: Date | number | undefined, timeScale: number): FakeTenantClock {
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new RangeError(`timeScale must be a positive number; got ${timeScale}.`);
  const realStart = Date.now();
  const simulatedStart = start === undefined ? realStart : typeof start === 'number' ? start : start.getTime();
  let offset = 0;
  return {
    timeScale,
    now: () => simulatedStart + offset + (Date.now() - realStart) * timeScale,
    advance(ms: number) {
      const room = LAST_INSTANT - (simulatedStart + offset + (Date.now() - realStart) * timeScale);
      if (typeof ms !== 'number' || !(ms >= 0 && ms <= room)) {
        throw new InvalidArgumentError('ms', `clock.advance: ms must be a number of milliseconds ≥ 0 that keeps the clock within year 9999; got ${describe(ms)}.`);
      }
      offset += ms;
    },
  };
}

function toEntraApp(app: FakeApp, defenderAudiences: string[], graphAudiences: string[]): EntraApp {
  const roles: Record<string, string[]> = {};
  for (const audience of defenderAudiences) roles[audience] = [...app.roles.defender];
  for (const audience of graphAudiences) roles[audience] = [...app.roles.graph];
  for (const audience of MDE_RESOURCES) roles[audience] = [...app.roles.mde];
  return {
    clientId: app.clientId,
    ...(app.clientSecret !== undefined ? { clientSecret: app.clientSecret } : {}),
    ...(app.certificatePem !== undefined ? { certificatePem: app.certificatePem } : {}),
    roles,
    consented: app.consented !== false,
  };
}

/** Graph's route names, by path under `{graphBaseUrl}/v1.0/security/` (or `/beta/`). */
function graphRouteOf(request: Request, graphBaseUrl: string): TenantRoute | undefined {
  const url = new URL(request.url);
  const base = new URL(graphBaseUrl);
  if (url.origin !== base.origin) return undefined;
  const prefix = base.pathname.replace(/\/+$/, '');
  const match = /^\/(?:v1\.0|beta)\/security\/(.*?)\/?$/i.exec(url.pathname.slice(prefix.length));
  if (!match || !url.pathname.startsWith(prefix)) return undefined;
  const path = (match[1] ?? '').toLowerCase();
  const method = request.method.toUpperCase();
  if (path === 'incidents') return method === 'GET' ? 'graph.listIncidents' : 'graph.other';
  if (/^incidents\/[^/]+$/.test(path)) return method === 'PATCH' ? 'graph.updateIncident' : method === 'GET' ? 'graph.getIncident' : 'graph.other';
  if (/^incidents\/[^/]+\/comments$/.test(path)) return 'graph.addComment';
  if (path === 'alerts_v2') return method === 'GET' ? 'graph.listAlerts' : 'graph.other';
  if (/^alerts_v2\/[^/]+\/comments$/.test(path)) return 'graph.addAlertComment';
  if (/^alerts_v2\/[^/]+$/.test(path)) return method === 'PATCH' ? 'graph.updateAlert' : method === 'GET' ? 'graph.getAlert' : 'graph.other';
  if (path === 'runhuntingquery') return 'graph.hunting';
  return 'graph.other';
}

function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = name === 'authorization' ? `${value.split(' ')[0] ?? ''} [redacted]` : value;
  });
  return out;
}

/** How many requests `tenant.requests` keeps (the newest). */
const MAX_RECORDED_REQUESTS = 10_000;

async function redactedBody(request: Request, route: TenantRoute): Promise<unknown> {
  if (request.body === null) return undefined;
  const text = await request.clone().text();
  if (text === '') return undefined;
  // A token request is a form whatever its content type says: never keep its secret.
  if (route === 'entra.token' || /application\/x-www-form-urlencoded/i.test(request.headers.get('content-type') ?? '')) {
    const form = Object.fromEntries(new URLSearchParams(text));
    for (const key of ['client_secret', 'client_assertion']) if (key in form) form[key] = '[redacted]';
    return form;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function guid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(random() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A client secret value shaped like Entra's (`xxx8Q~` + 34 characters). */
function entraSecret(random: () => number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~';
  const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  return `${pick(3)}8Q~${pick(34)}`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
