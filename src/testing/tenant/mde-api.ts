/*
 * The fake tenant's Defender for Endpoint API (reference mde-actions.md §2–§4): machines, machine
 * actions that move Pending → InProgress → a final status on the tenant's clock, the investigation
 * package link, and custom indicators with the tenant's cap. Its tokens must be for the MDE
 * audience (https://api.securitycenter.microsoft.com): another audience gets 403, as the service
 * answers (reference §1.2). Framework-free: it answers a web `Request` with a web `Response`.
 */
import { randomUUID } from 'node:crypto';
import type { DirectoryDevice } from '../data/directory.js';
import { deriveSeed, prng } from '../data/random.js';
import type { RequestHandlerLike } from '../network-fault.js';
import type { MdeRouteName } from './faults.js';
import { isRecord, readRequestBody, trimSlash } from './http-util.js';
import { bearerToken, type TokenSigner } from './tokens.js';

/** The token audiences the MDE API accepts (commercial and US Gov). */
export const MDE_RESOURCES = ['https://api.securitycenter.microsoft.com', 'https://api-gcc.securitycenter.microsoft.us', 'https://api-gov.securitycenter.microsoft.us'];

/** A route of the MDE API, as the tenant names it (`mde.<route>`). */
export type MdeRoute = MdeRouteName;

/** How a new machine action ends: `hang` keeps it in progress until it is cancelled. */
export type MdeActionOutcome = 'Succeeded' | 'Failed' | 'TimeOut' | 'hang';

/** A machine action as the fake keeps it: the wire object and its schedule on the tenant's clock. */
interface ActionRecord {
  wire: Record<string, unknown>;
  createdAt: number;
  inProgressAt: number;
  doneAt: number;
  outcome: MdeActionOutcome;
  cancelledAt?: number;
}

/** Options of {@link MdeApi}. */
export interface MdeApiOptions {
  /** API origin (and path prefix) it answers on, the Defender API's. */
  baseUrl: string;
  /** The tenant whose tokens are accepted. */
  tenantId: string;
  /** The key whose signature tokens must carry. */
  signer: TokenSigner;
  /** The tenant's clock, epoch ms. */
  now: () => number;
  /** Seed of the action schedules. */
  seed: number;
  /** The fleet (the same devices as the incidents' evidence and the hunting tables). */
  devices: () => readonly DirectoryDevice[];
  /** The most active indicators the tenant holds (default 15,000, the documented cap). */
  indicatorCap?: number;
}

const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';
const READ_MACHINE = ['Machine.Read.All', 'Machine.ReadWrite.All'];
const TI_READ = ['Ti.ReadWrite', 'Ti.ReadWrite.All', 'Ti.Read.All'];
const TI_WRITE = ['Ti.ReadWrite', 'Ti.ReadWrite.All'];
/** Route segment → action type, the role it needs, and the body fields it requires. */
const ACTIONS: Record<string, { type: string; roles: string[] }> = {
  isolate: { type: 'Isolate', roles: ['Machine.Isolate'] },
  unisolate: { type: 'Unisolate', roles: ['Machine.Isolate'] },
  runantivirusscan: { type: 'RunAntiVirusScan', roles: ['Machine.Scan'] },
  collectinvestigationpackage: { type: 'CollectInvestigationPackage', roles: ['Machine.CollectForensics'] },
  restrictcodeexecution: { type: 'RestrictCodeExecution', roles: ['Machine.RestrictExecution'] },
  unrestrictcodeexecution: { type: 'UnrestrictCodeExecution', roles: ['Machine.RestrictExecution'] },
  stopandquarantinefile: { type: 'StopAndQuarantineFile', roles: ['Machine.StopAndQuarantine'] },
};
const CANCEL_ROLES = [...new Set(Object.values(ACTIONS).flatMap((a) => a.roles))];
/** How long a repeat of a pending action returns it; later repeats get 400 (reference §3.4). */
const REUSE_WINDOW_MS = 60_000;
const INDICATOR_TYPES = ['FileSha1', 'FileSha256', 'FileMd5', 'CertificateThumbprint', 'IpAddress', 'DomainName', 'Url'];
const INDICATOR_ACTIONS = ['Alert', 'Warn', 'Block', 'Audit', 'BlockAndRemediate', 'AlertAndBlock', 'Allowed'];
const SEVERITIES = ['Informational', 'Low', 'Medium', 'High'];
const MAX_IMPORT = 500;

class WireError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * In-memory Defender for Endpoint API on the Defender API's host: `/api/machines` (list, get,
 * `findbyip`, `findbytag`, the actions), `/api/machineactions` (list, get, cancel,
 * `getPackageUri`) and `/api/indicators` (list, submit, import, delete).
 */
export class MdeApi implements RequestHandlerLike {
  /** Machine actions by id; read their wire objects with {@link MdeApi.action}. */
  readonly #actions = new Map<string, ActionRecord>();
  /** Indicators by id (wire shape); mutable. */
  readonly indicators = new Map<string, Record<string, unknown>>();
  readonly #options: MdeApiOptions;
  readonly #base: URL;
  #outcomes: MdeActionOutcome[] = [];
  #durationScale = 1;
  #random: () => number;
  #nextIndicator = 1000;

  constructor(options: MdeApiOptions) {
    this.#options = options;
    this.#base = new URL(trimSlash(options.baseUrl));
    this.#random = prng(deriveSeed(options.seed, 'mde-actions'));
  }

  /** The most active indicators the tenant holds. */
  get indicatorCap(): number {
    return this.#options.indicatorCap ?? 15_000;
  }

  /** The devices the API serves (the tenant's fleet). */
  fleet(): readonly DirectoryDevice[] {
    return this.#options.devices();
  }

  /**
   * Scales how long new machine actions take (default 1: in progress after 2–15 s, final 10–120 s
   * later, a package collection a minute more), e.g. 0.02 for a demo that should not wait.
   */
  scaleActionDurations(factor: number): void {
    if (!(factor > 0 && factor <= 1_000)) throw new RangeError(`scaleActionDurations: factor must be above 0 and at most 1,000; got ${factor}.`);
    this.#durationScale = factor;
  }

  /** Makes the next machine actions end this way, in order (then they succeed again). */
  nextActions(...outcomes: MdeActionOutcome[]): void {
    this.#outcomes.push(...outcomes);
  }

  /** Every machine action, as the service would show it now. */
  actions(): Record<string, unknown>[] {
    return [...this.#actions.values()].map((record) => this.#view(record));
  }

  /** Whether the device's latest finished isolation is in force. */
  isIsolated(deviceId: string): boolean {
    let state = false;
    let at = -Infinity;
    for (const record of this.#actions.values()) {
      const view = this.#view(record);
      if (view['machineId'] !== deviceId || view['status'] !== 'Succeeded') continue;
      if ((view['type'] === 'Isolate' || view['type'] === 'Unisolate') && record.doneAt > at) {
        at = record.doneAt;
        state = view['type'] === 'Isolate';
      }
    }
    return state;
  }

  /** Forgets actions, indicators and queued outcomes. */
  clearState(): void {
    this.#actions.clear();
    this.indicators.clear();
    this.#outcomes = [];
    this.#durationScale = 1;
    this.#random = prng(deriveSeed(this.#options.seed, 'mde-actions'));
    this.#nextIndicator = 1000;
  }

  /** Which route a request is for; `undefined` when it is not for this API. */
  routeOf(request: Request): { route: MdeRoute; parts: string[] } | undefined {
    const url = new URL(request.url);
    if (url.origin !== this.#base.origin) return undefined;
    const prefix = this.#base.pathname.replace(/\/+$/, '');
    if (!url.pathname.toLowerCase().startsWith(`${prefix.toLowerCase()}/api/`)) return undefined;
    const raw = url.pathname.slice(prefix.length + '/api/'.length).replace(/\/+$/, '');
    const parts = raw.split('/').map((part) => decodeURIComponent(part));
    const lower = parts.map((part) => part.toLowerCase());
    const method = request.method.toUpperCase();
    const [head, second, third] = lower;
    if (head === 'machines') {
      if (parts.length === 1 && method === 'GET') return { route: 'listMachines', parts };
      if (parts.length === 2 && method === 'GET') {
        if (second?.startsWith('findbyip(') || second === 'findbytag') return { route: 'findMachines', parts };
        return { route: 'getMachine', parts };
      }
      if (parts.length === 3 && method === 'POST' && third !== undefined && third in ACTIONS) return { route: 'machineAction', parts };
      return undefined;
    }
    if (head === 'machineactions') {
      if (parts.length === 1 && method === 'GET') return { route: 'listActions', parts };
      if (parts.length === 2 && method === 'GET') return { route: 'getAction', parts };
      if (parts.length === 3 && third === 'cancel' && method === 'POST') return { route: 'cancelAction', parts };
      if (parts.length === 3 && third === 'getpackageuri' && method === 'GET') return { route: 'packageUri', parts };
      return undefined;
    }
    if (head === 'indicators') {
      if (parts.length === 1) return method === 'GET' ? { route: 'listIndicators', parts } : method === 'POST' ? { route: 'submitIndicator', parts } : undefined;
      if (parts.length === 2 && second === 'import' && method === 'POST') return { route: 'importIndicators', parts };
      if (parts.length === 2 && method === 'DELETE') return { route: 'deleteIndicator', parts };
    }
    return undefined;
  }

  /** Answers a request for this API; `undefined` when it is not for this API. */
  async handle(request: Request): Promise<Response | undefined> {
    const match = this.routeOf(request);
    if (!match) return undefined;
    const { body } = await readRequestBody(request);
    const url = new URL(request.url);
    const { parts } = match;
    try {
      switch (match.route) {
        case 'listMachines':
          this.#authorize(request, READ_MACHINE);
          return this.#listMachines(url);
        case 'getMachine':
          this.#authorize(request, READ_MACHINE);
          return json(this.#machineWire(this.#machine(parts[1] ?? '')));
        case 'findMachines':
          this.#authorize(request, READ_MACHINE);
          return this.#find(url, parts[1] ?? '');
        case 'machineAction': {
          const spec = ACTIONS[(parts[2] ?? '').toLowerCase()] as { type: string; roles: string[] };
          const appId = this.#authorize(request, spec.roles);
          return this.#act(parts[1] ?? '', spec.type, body, appId);
        }
        case 'listActions':
          this.#authorize(request, READ_MACHINE);
          return collection([...this.#actions.values()].map((r) => this.#view(r)), url, (a, b) => String(b['creationDateTimeUtc']).localeCompare(String(a['creationDateTimeUtc'])));
        case 'getAction':
          this.#authorize(request, READ_MACHINE);
          return json(this.#view(this.#action(parts[1] ?? '')));
        case 'cancelAction': {
          const appId = this.#authorize(request, CANCEL_ROLES);
          return this.#cancel(parts[1] ?? '', body, appId);
        }
        case 'packageUri':
          this.#authorize(request, READ_MACHINE);
          return this.#packageUri(parts[1] ?? '');
        case 'listIndicators':
          this.#authorize(request, TI_READ);
          return collection([...this.indicators.values()].filter((i) => this.#active(i)), url, (a, b) => Number(a['id']) - Number(b['id']));
        case 'submitIndicator': {
          const appId = this.#authorize(request, TI_WRITE);
          return json(this.#submit(body, appId));
        }
        case 'importIndicators': {
          const appId = this.#authorize(request, TI_WRITE);
          return this.#import(body, appId);
        }
        case 'deleteIndicator': {
          this.#authorize(request, TI_WRITE);
          const id = parts[1] ?? '';
          if (!this.indicators.delete(id)) throw new WireError(404, 'NotFound', `Indicator ${id} was not found`);
          return new Response(null, { status: 204 });
        }
      }
    } catch (error) {
      if (error instanceof WireError) return errorResponse(error.status, error.code, error.message);
      throw error;
    }
  }

  /** Checks the token: signature, MDE audience (else 403, as the service), tenant, expiry, then roles; returns `appid`. */
  #authorize(request: Request, anyOfRoles: string[]): string {
    const token = bearerToken(request);
    if (!token) throw new WireError(401, 'Unauthorized', 'Unauthorized request - reason of failure: Authorization header is missing');
    const checked = this.#options.signer.verify(token, { audiences: MDE_RESOURCES, tenantId: this.#options.tenantId, now: this.#options.now() });
    if (!checked.ok) {
      // A valid token for another audience is refused with 403, not 401 (reference §1.2, Learn tip).
      const audienceOnly = this.#options.signer.verify(token, { audiences: [audienceOf(token)], tenantId: this.#options.tenantId, now: this.#options.now() });
      if (audienceOnly.ok) throw new WireError(403, 'Forbidden', `The token audience ${audienceOf(token)} is not valid for this API; expected https://api.securitycenter.microsoft.com.`);
      throw new WireError(401, 'Unauthorized', `Unauthorized request - reason of failure: ${checked.reason}`);
    }
    const roles = Array.isArray(checked.claims['roles']) ? checked.claims['roles'] : [];
    if (!anyOfRoles.some((role) => roles.includes(role))) {
      throw new WireError(403, 'Forbidden', `Missing application roles. API required roles: ${anyOfRoles.join(', ')}`);
    }
    return typeof checked.claims['appid'] === 'string' ? checked.claims['appid'] : 'unknown';
  }

  // ------------------------------------------------------------ machines

  #machine(id: string): DirectoryDevice {
    const device = this.#options.devices().find((d) => d.deviceId === id.toLowerCase());
    if (!device) throw new WireError(404, 'ResourceNotFound', `Machine ${id} was not found`);
    return device;
  }

  #machineWire(device: DirectoryDevice): Record<string, unknown> {
    const now = this.#options.now();
    const hash = parseInt(device.deviceId.slice(0, 6), 16);
    return {
      id: device.deviceId,
      computerDnsName: device.deviceName,
      firstSeen: new Date(device.firstSeenMs).toISOString(),
      lastSeen: new Date(now - (hash % 86_400) * 1000).toISOString(),
      osPlatform: device.osPlatform,
      version: device.version,
      osProcessor: 'x64',
      osArchitecture: '64-bit',
      osBuild: device.osBuild,
      lastIpAddress: device.localIp,
      lastExternalIpAddress: `203.0.113.${(hash % 250) + 1}`,
      healthStatus: 'Active',
      onboardingStatus: 'Onboarded',
      rbacGroupId: device.rbacGroupId,
      rbacGroupName: device.rbacGroupName,
      riskScore: ['None', 'Low', 'Medium', 'High'][hash % 4],
      exposureLevel: ['Low', 'Medium', 'High'][hash % 3],
      isAadJoined: device.aadDeviceId !== null,
      aadDeviceId: device.aadDeviceId,
      machineTags: [...device.tags],
      ipAddresses: [{ ipAddress: device.localIp, macAddress: device.deviceId.slice(0, 12).toUpperCase(), type: 'Ethernet', operationalStatus: 'Up' }],
    };
  }

  #listMachines(url: URL): Response {
    const devices = this.#options.devices();
    // The service answers 404 when the tenant has no recent machines (reference §2.1).
    if (devices.length === 0) throw new WireError(404, 'ResourceNotFound', 'No machines found');
    return collection(devices.map((d) => this.#machineWire(d)), url, (a, b) => String(a['id']).localeCompare(String(b['id'])));
  }

  #find(url: URL, segment: string): Response {
    const devices = this.#options.devices();
    if (segment.toLowerCase() === 'findbytag') {
      const tag = url.searchParams.get('tag') ?? '';
      const startsWith = url.searchParams.get('useStartsWithFilter') === 'true';
      const found = devices.filter((d) => d.tags.some((t) => (startsWith ? t.startsWith(tag) : t === tag)));
      return json({ value: found.map((d) => this.#machineWire(d)) });
    }
    const match = /^findbyip\(ip='([^']*)',timestamp=([^)]+)\)$/i.exec(segment);
    if (!match) throw new WireError(400, 'InvalidInput', 'findbyip needs ip and timestamp.');
    const at = Date.parse(match[2] ?? '');
    if (Number.isNaN(at) || this.#options.now() - at > 30 * 86_400_000) {
      throw new WireError(400, 'InvalidInput', 'The timestamp must be within the last 30 days.');
    }
    return json({ value: devices.filter((d) => d.localIp === match[1]).map((d) => this.#machineWire(d)) });
  }

  // ------------------------------------------------------------ actions

  #act(machineId: string, type: string, body: unknown, appId: string): Response {
    const device = this.#machine(machineId);
    const fields = isRecord(body) ? body : {};
    const comment = fields['Comment'];
    if (typeof comment !== 'string' || comment === '') throw new WireError(400, 'InvalidRequestBody', 'Request body is incorrect: Comment is required.');
    let scope: string | null = null;
    let relatedFileInfo: unknown = null;
    if (type === 'Isolate') {
      scope = fields['IsolationType'] === undefined ? 'Full' : String(fields['IsolationType']);
      if (!['Full', 'Selective', 'UnManagedDevice'].includes(scope)) throw new WireError(400, 'InvalidRequestBody', 'Request body is incorrect: IsolationType.');
      if (scope === 'Selective' && device.server) throw new WireError(400, 'OsPlatformNotSupported', `Selective isolation is not supported on ${device.osPlatform}.`);
    }
    if (type === 'RunAntiVirusScan') {
      scope = String(fields['ScanType'] ?? '');
      if (scope !== 'Quick' && scope !== 'Full') throw new WireError(400, 'MissingRequiredParameter', 'ScanType is required: Quick or Full.');
    }
    if (type === 'StopAndQuarantineFile') {
      const sha1 = fields['Sha1'];
      if (typeof sha1 !== 'string' || !/^[0-9a-f]{40}$/i.test(sha1)) throw new WireError(400, 'MissingRequiredParameter', 'Sha1 is required.');
      relatedFileInfo = { fileIdentifier: sha1, fileIdentifierType: 'Sha1' };
    }
    const now = this.#options.now();
    const pending = [...this.#actions.values()].find((r) => r.wire['machineId'] === device.deviceId && r.wire['type'] === type && isPending(this.#view(r)['status']));
    if (pending) {
      // A repeat soon after returns the pending action; later, or a collection, gets 400 (reference §3.4).
      if (type !== 'CollectInvestigationPackage' && now - pending.createdAt < REUSE_WINDOW_MS) return json(this.#view(pending), 201);
      throw new WireError(400, 'ActiveRequestAlreadyExists', 'Action is already in progress');
    }
    const r = this.#random;
    const k = this.#durationScale;
    const inProgressAt = now + Math.round((2_000 + Math.floor(r() * 13_000)) * k);
    const doneAt = inProgressAt + Math.round(((type === 'CollectInvestigationPackage' ? 60_000 : 10_000) + Math.floor(r() * 110_000)) * k);
    const record: ActionRecord = {
      createdAt: now,
      inProgressAt,
      doneAt,
      outcome: this.#outcomes.shift() ?? 'Succeeded',
      wire: {
        id: randomUUID(),
        type,
        title: null,
        requestor: appId,
        requestorComment: comment,
        status: 'Pending',
        machineId: device.deviceId,
        computerDnsName: device.deviceName,
        creationDateTimeUtc: new Date(now).toISOString(),
        lastUpdateDateTimeUtc: new Date(now).toISOString(),
        cancellationRequestor: null,
        cancellationComment: null,
        cancellationDateTimeUtc: null,
        errorHResult: 0,
        scope,
        externalId: null,
        requestSource: 'PublicApi',
        relatedFileInfo,
        commands: [],
        troubleshootInfo: null,
      },
    };
    this.#actions.set(String(record.wire['id']), record);
    return json(this.#view(record), 201);
  }

  #action(id: string): ActionRecord {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new WireError(400, 'BadRequest', `The key value (${id}) from request is not valid. The key value should be format of type 'Edm.Guid'.`);
    }
    const record = this.#actions.get(id.toLowerCase());
    if (!record) throw new WireError(404, 'NotFound', `Machine action ${id} was not found`);
    return record;
  }

  /** The action as it stands on the tenant's clock. */
  #view(record: ActionRecord): Record<string, unknown> {
    const now = this.#options.now();
    const wire = { ...record.wire };
    const at = (ms: number) => new Date(ms).toISOString();
    if (record.cancelledAt !== undefined) {
      return { ...wire, status: 'Cancelled', lastUpdateDateTimeUtc: at(record.cancelledAt) };
    }
    if (now < record.inProgressAt) return wire;
    if (now < record.doneAt || record.outcome === 'hang') return { ...wire, status: 'InProgress', lastUpdateDateTimeUtc: at(record.inProgressAt) };
    return { ...wire, status: record.outcome, lastUpdateDateTimeUtc: at(record.doneAt), errorHResult: record.outcome === 'Succeeded' ? 0 : -2147024891 };
  }

  #cancel(id: string, body: unknown, appId: string): Response {
    const record = this.#action(id);
    if (!isPending(this.#view(record)['status'])) throw new WireError(400, 'InvalidRequest', 'The action is already in a final state.');
    const comment = isRecord(body) && typeof body['Comment'] === 'string' ? body['Comment'] : null;
    record.cancelledAt = this.#options.now();
    record.wire = { ...record.wire, cancellationRequestor: appId, cancellationComment: comment, cancellationDateTimeUtc: new Date(record.cancelledAt).toISOString() };
    return json(this.#view(record));
  }

  #packageUri(id: string): Response {
    const view = this.#view(this.#action(id));
    if (view['type'] !== 'CollectInvestigationPackage') {
      throw new WireError(400, 'InvalidInput', 'Provided Guid is not a valid id for a CollectInvestigationPackage action');
    }
    if (view['status'] !== 'Succeeded') throw new WireError(404, 'NotFound', 'The investigation package is not ready.');
    const token = randomUUID().replace(/-/g, '');
    return json({ '@odata.context': `${this.#base.origin}/api/$metadata#Edm.String`, value: `${this.#base.origin}/safedownload/WDATP_Investigation_Package.zip?token=${token}` });
  }

  // ------------------------------------------------------------ indicators

  #active(indicator: Record<string, unknown>): boolean {
    const expires = indicator['expirationTime'];
    return typeof expires !== 'string' || Date.parse(expires) > this.#options.now();
  }

  /** Creates or updates (same value, type and action) one indicator; throws the service's refusal. */
  #submit(body: unknown, appId: string): Record<string, unknown> {
    if (!isRecord(body)) throw new WireError(400, 'InvalidRequestBody', 'Request body is incorrect');
    const value = body['indicatorValue'];
    const type = body['indicatorType'];
    const action = body['action'];
    for (const [name, field] of [['indicatorValue', value], ['title', body['title']], ['description', body['description']]] as const) {
      if (typeof field !== 'string' || field === '') throw new WireError(400, 'MissingRequiredParameter', `${name} is required.`);
    }
    if (typeof type !== 'string' || !INDICATOR_TYPES.includes(type)) throw new WireError(400, 'InvalidRequestBody', 'indicatorType is not valid.');
    if (typeof action !== 'string' || !INDICATOR_ACTIONS.includes(action)) throw new WireError(400, 'InvalidRequestBody', 'action is not valid.');
    if (body['severity'] !== undefined && !SEVERITIES.includes(String(body['severity']))) throw new WireError(400, 'InvalidRequestBody', 'severity is not valid.');
    const expires = body['expirationTime'];
    if (typeof expires === 'string' && !(Date.parse(expires) > this.#options.now())) {
      throw new WireError(400, 'BadRequest', `Indicator ${String(value)} is inactive. (Expiration time should be set to a future date time)`);
    }
    const existing = [...this.indicators.values()].find((i) => i['indicatorValue'] === value && i['indicatorType'] === type && i['action'] === action);
    const active = [...this.indicators.values()].filter((i) => this.#active(i)).length;
    if (!existing && active >= this.indicatorCap) {
      const cap = this.indicatorCap;
      throw new WireError(400, 'BadRequest', `Max capacity exceeded. Current Total: ${active}, Limit: ${cap} (Parameter 'Capacity: ${active}/${cap}')`);
    }
    const now = new Date(this.#options.now()).toISOString();
    const id = existing ? String(existing['id']) : String(this.#nextIndicator++);
    const indicator: Record<string, unknown> = {
      id,
      indicatorValue: value,
      indicatorType: type,
      action,
      application: existing ? existing['application'] : (body['application'] ?? null),
      source: appId,
      sourceType: 'AadApp',
      createdBy: existing ? existing['createdBy'] : appId,
      severity: body['severity'] ?? 'Informational',
      title: body['title'],
      description: body['description'],
      recommendedActions: body['recommendedActions'] ?? null,
      creationTimeDateTimeUtc: existing ? existing['creationTimeDateTimeUtc'] : now,
      expirationTime: expires ?? null,
      lastUpdateTime: now,
      lastUpdatedBy: existing ? appId : null,
      rbacGroupNames: Array.isArray(body['rbacGroupNames']) ? body['rbacGroupNames'] : [],
      generateAlert: body['generateAlert'] === true,
    };
    this.indicators.set(id, indicator);
    return indicator;
  }

  #import(body: unknown, appId: string): Response {
    const items = isRecord(body) ? body['Indicators'] : undefined;
    if (!Array.isArray(items) || items.length === 0) throw new WireError(400, 'InvalidRequestBody', 'Request body is incorrect: Indicators is required.');
    if (items.length > MAX_IMPORT) throw new WireError(400, 'MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${items.length}, allowed: ${MAX_IMPORT}`);
    const value = items.map((item) => {
      const indicator = isRecord(item) ? item['indicatorValue'] : undefined;
      try {
        const created = this.#submit(item, appId);
        return { id: created['id'], indicator, isFailed: false, failureReason: null };
      } catch (error) {
        if (!(error instanceof WireError)) throw error;
        return { id: null, indicator, isFailed: true, failureReason: error.message };
      }
    });
    return json({ '@odata.context': `${this.#base.origin}/api/$metadata#Collection(microsoft.windowsDefenderATP.api.ImportIndicatorResult)`, value });
  }
}

// ---------------------------------------------------------------- helpers

function isPending(status: unknown): boolean {
  return status === 'Pending' || status === 'InProgress';
}

function audienceOf(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return typeof payload['aud'] === 'string' ? payload['aud'] : '';
  } catch {
    return '';
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': ODATA_JSON, 'odata-version': '4.0' } });
}

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message, target: randomUUID() } }, { status });
}

/** An OData collection: `$filter` (`eq`, `ne`, `and`, `or`, parentheses), then order, `$skip`, `$top` (≤ 10,000). */
function collection(items: Record<string, unknown>[], url: URL, order: (a: Record<string, unknown>, b: Record<string, unknown>) => number): Response {
  const filter = url.searchParams.get('$filter');
  const matches = filter ? compileFilter(filter) : () => true;
  const top = url.searchParams.get('$top');
  const skip = url.searchParams.get('$skip');
  const topN = top === null ? 10_000 : Number(top);
  const skipN = skip === null ? 0 : Number(skip);
  if (!Number.isInteger(topN) || topN < 0 || topN > 10_000 || !Number.isInteger(skipN) || skipN < 0) {
    throw new WireError(400, 'ODataError', 'The query specified in the URI is not valid: $top is at most 10000.');
  }
  const value = items.filter(matches).sort(order).slice(skipN, skipN + topN);
  return json({ '@odata.context': 'collection', value });
}

type Predicate = (item: Record<string, unknown>) => boolean;

/** A small OData `$filter` compiler: comparisons of a field with a string literal, `and`, `or`, parentheses. */
function compileFilter(text: string): Predicate {
  const tokens = text.match(/'(?:[^']|'')*'|\(|\)|[A-Za-z_][\w.]*|\S+/g) ?? [];
  let at = 0;
  const fail = (): never => {
    throw new WireError(400, 'ODataError', `The query specified in the URI is not valid: cannot read $filter near token ${at}.`);
  };
  const next = (): string => tokens[at++] ?? fail();
  const primary = (): Predicate => {
    const token = next();
    if (token === '(') {
      const inner = or();
      if (next() !== ')') fail();
      return inner;
    }
    const field = token;
    const op = next().toLowerCase();
    const literal = next();
    if (!/^'.*'$/s.test(literal) || (op !== 'eq' && op !== 'ne')) fail();
    const value = literal.slice(1, -1).replace(/''/g, "'");
    const read = (item: Record<string, unknown>) => {
      const found = Object.keys(item).find((key) => key.toLowerCase() === field.toLowerCase());
      const raw = found === undefined ? undefined : item[found];
      return Array.isArray(raw) ? raw.map(String) : [String(raw)];
    };
    return op === 'eq' ? (item) => read(item).some((v) => v.toLowerCase() === value.toLowerCase()) : (item) => !read(item).some((v) => v.toLowerCase() === value.toLowerCase());
  };
  const and = (): Predicate => {
    let left = primary();
    while (tokens[at]?.toLowerCase() === 'and') {
      at++;
      const l = left;
      const right = primary();
      left = (item) => l(item) && right(item);
    }
    return left;
  };
  const or = (): Predicate => {
    let left = and();
    while (tokens[at]?.toLowerCase() === 'or') {
      at++;
      const l = left;
      const right = and();
      left = (item) => l(item) || right(item);
    }
    return left;
  };
  const predicate = or();
  if (at !== tokens.length) fail();
  return predicate;
}
