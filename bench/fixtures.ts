/**
 * What the bench server replays and the client the bench measures: a realistic incidents page,
 * a 100,000-row hunting result, a JWT-shaped token and a client pointed at loopback.
 * @packageDocumentation
 */
import { DefenderClient, type AccessToken, type DefenderClientOptions, type TokenCredential } from '../src/index.js';
import { prng, seedIncidents } from '../src/testing/data/seed-incidents.js';
import { renderIncident } from '../src/testing/tenant/graph-wire.js';

/** The scope the bench client asks for (the Defender API's). */
export const BENCH_SCOPE = 'https://api.security.microsoft.com/.default';

const b64url = (value: string) => Buffer.from(value).toString('base64url');

/**
 * A JWT-shaped app-only token (unsigned: neither the bench server nor the SDK checks signatures;
 * the SDK only reads claims, e.g. `roles` for 403 messages).
 */
export function benchToken(): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: 'bench' };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: 'https://api.security.microsoft.com',
    iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000001/',
    tid: '00000000-0000-0000-0000-000000000001',
    appid: '00000000-0000-0000-0000-000000000002',
    roles: ['Incident.Read.All', 'AdvancedHunting.Read.All'],
    iat: now,
    nbf: now,
    exp: now + 3600,
  };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${b64url('bench-signature')}`;
}

/** A plain {@link TokenCredential} that counts its calls; `delayMs` makes a refresh take time. */
export function countingCredential(token: string, delayMs = 0): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    async getToken(): Promise<AccessToken> {
      credential.calls++;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return credential;
}

/**
 * A client pointed at the bench server over plain http on loopback (the SDK allows that for
 * custom clouds), on the Defender API or (`api: 'graph'`) Microsoft Graph security. Quota pacing, where the client has it, is turned off: the bench measures the
 * per-call cost, and figure 6 measures pacing on its own.
 */
export function benchClient(apiBaseUrl: string, credential: TokenCredential, api: 'defender' | 'graph' = 'defender'): DefenderClient {
  const cloud = { authorityHost: 'https://login.microsoftonline.com', apiBaseUrl, scope: BENCH_SCOPE };
  const options: Record<string, unknown> = {
    credential,
    // With `api: 'graph'` the same server answers Graph's paths (`/v1.0/security/…`).
    ...(api === 'graph' ? { api, cloud: { ...cloud, graphBaseUrl: apiBaseUrl, graphScope: 'https://graph.microsoft.com/.default' } } : { cloud }),
    maxRetries: 0,
    ...LATER_OPTIONS,
  };
  for (;;) {
    try {
      return new DefenderClient(options as unknown as DefenderClientOptions);
    } catch (error) {
      // A client from before these options refuses them by name: drop that one and try again.
      const option = (error as { option?: unknown }).option;
      if (typeof option !== 'string' || !(option in LATER_OPTIONS) || !(option in options)) throw error;
      delete options[option];
    }
  }
}

/**
 * Options newer clients take and the bench wants: no quota pacing (the bench measures the cost
 * of a call; figure 6 measures pacing on its own) and no deprecation warning for the legacy
 * hunting endpoint on stderr.
 */
const LATER_OPTIONS: Record<string, unknown> = { rateLimit: false, silenceDeprecationWarnings: true };

/** Whether the client accepts the pacer's `rateLimit` option (issue 5). */
export function clientHasRateLimitOption(apiBaseUrl: string): boolean {
  try {
    new DefenderClient({
      credential: countingCredential(benchToken()),
      cloud: { authorityHost: 'https://login.microsoftonline.com', apiBaseUrl, scope: BENCH_SCOPE },
      rateLimit: false,
    } as DefenderClientOptions);
    return true;
  } catch {
    return false;
  }
}

/** `GET /api/incidents?$top=100`: 100 realistic incidents with alerts, devices and entities. */
export function incidentsPageBody(): Buffer {
  return Buffer.from(
    JSON.stringify({
      '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents',
      value: seedIncidents(100, 7),
    }),
  );
}

/** `GET /api/incidents/{id}`: one realistic incident. */
export function incidentBody(): Buffer {
  const [incident] = seedIncidents(1, 11);
  return Buffer.from(
    JSON.stringify({ '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents/$entity', ...incident }),
  );
}

/** Incidents in the listing figures (the peer table): 30 legacy pages of 100, 60 Graph pages of 50. */
export const LISTING_INCIDENTS = 3_000;
/** The Defender API's page size in the listing figures (its cap is 100). */
export const LEGACY_PAGE_SIZE = 100;
/** Microsoft Graph's page size (its cap with `$expand=alerts` is 50). */
export const GRAPH_PAGE_SIZE = 50;

/**
 * `GET /api/incidents?$top=100&$skip=…` for {@link LISTING_INCIDENTS} incidents: one body per
 * page, no `@odata.nextLink` (the Defender API pages by `$skip` until a short page).
 */
export function legacyIncidentPages(): Buffer[] {
  const incidents = seedIncidents(LISTING_INCIDENTS, 7);
  const pages: Buffer[] = [];
  for (let i = 0; i < incidents.length; i += LEGACY_PAGE_SIZE) {
    const value = incidents.slice(i, i + LEGACY_PAGE_SIZE);
    pages.push(Buffer.from(JSON.stringify({ '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents', value })));
  }
  return pages;
}

/**
 * `GET /v1.0/security/incidents?$top=50&$expand=alerts` for the same incidents in Graph's shape
 * (rendered by the fake tenant's Graph renderer), each page but the last with an absolute
 * `@odata.nextLink` to `baseUrl` carrying `$skiptoken=<page>`, as Graph pages.
 */
export function graphIncidentPages(baseUrl: string): Buffer[] {
  const incidents = seedIncidents(LISTING_INCIDENTS, 7);
  const render = { tenantId: '00000000-0000-0000-0000-000000000001', includeUnknownEnumMembers: false };
  const pages: Buffer[] = [];
  for (let i = 0; i < incidents.length; i += GRAPH_PAGE_SIZE) {
    const value = incidents.slice(i, i + GRAPH_PAGE_SIZE).map((incident) => renderIncident(incident, render, true));
    const next = i + GRAPH_PAGE_SIZE < incidents.length ? pages.length + 1 : undefined;
    const body: Record<string, unknown> = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/incidents(alerts())' };
    if (next !== undefined) body['@odata.nextLink'] = `${baseUrl}/v1.0/security/incidents?$top=${GRAPH_PAGE_SIZE}&$expand=alerts&$skiptoken=${next}`;
    body['value'] = value;
    pages.push(Buffer.from(JSON.stringify(body)));
  }
  return pages;
}

/** The columns of the bench hunting result, as `DeviceProcessEvents` has them. */
export const HUNTING_COLUMNS = [
  { Name: 'Timestamp', Type: 'DateTime' },
  { Name: 'DeviceId', Type: 'String' },
  { Name: 'DeviceName', Type: 'String' },
  { Name: 'ActionType', Type: 'String' },
  { Name: 'FileName', Type: 'String' },
  { Name: 'FolderPath', Type: 'String' },
  { Name: 'SHA256', Type: 'String' },
  { Name: 'ProcessCommandLine', Type: 'String' },
  { Name: 'AccountName', Type: 'String' },
  { Name: 'ReportId', Type: 'Int64' },
] as const;

/**
 * `POST /api/advancedhunting/run`: `rowCount` rows × 10 columns in the Defender API's shape
 * (`{Stats, Schema, Results}`), about 400 bytes a row (100,000 rows ≈ 40 MB); with `'graph'`,
 * the same rows as `POST /v1.0/security/runHuntingQuery` answers (`{schema, results}`).
 */
export function huntingBody(rowCount: number, shape: 'defender' | 'graph' = 'defender'): Buffer {
  const random = prng(42);
  const int = (max: number) => Math.floor(random() * max);
  const hex = (length: number) => {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[int(16)];
    return out;
  };
  const devices = Array.from({ length: 200 }, (_, i) => ({ id: hex(40), name: `wks-${String(i).padStart(4, '0')}.contoso.com` }));
  const files = ['powershell.exe', 'cmd.exe', 'rundll32.exe', 'svchost.exe', 'msedge.exe', 'excel.exe', 'mimikatz.exe'];
  const accounts = ['jdoe', 'asmith', 'mlee', 'svc-backup', 'system', 'network service'];
  const actions = ['ProcessCreated', 'OpenProcessApiCall', 'CreateRemoteThreadApiCall'];
  const start = Date.UTC(2026, 0, 8);
  const rows: string[] = [];
  for (let i = 0; i < rowCount; i++) {
    const device = devices[int(devices.length)]!;
    const file = files[int(files.length)]!;
    const row = {
      Timestamp: new Date(start + i * 6_048).toISOString().replace('Z', `${String(int(10_000)).padStart(4, '0')}Z`),
      DeviceId: device.id,
      DeviceName: device.name,
      ActionType: actions[int(actions.length)],
      FileName: file,
      FolderPath: `C:\\Windows\\System32\\${file}`,
      SHA256: hex(64),
      ProcessCommandLine: `${file} -enc ${hex(16)}`,
      AccountName: accounts[int(accounts.length)],
      ReportId: 1_000_000 + i,
    };
    rows.push(JSON.stringify(row));
  }
  const stats = { ExecutionTime: 4.213, resource_usage: { cache: { memory: { hits: 812, misses: 3, total: 815 } }, cpu: { 'total cpu': '00:00:04.2' } }, dataset_statistics: [{ table_row_count: rowCount, table_size: rowCount * 400 }] };
  if (shape === 'graph') {
    // Graph's huntingQueryResults: camelCase envelope, the rows as they are.
    const schema = HUNTING_COLUMNS.map((column) => ({ name: column.Name, type: column.Type }));
    const head = JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults', schema }).slice(0, -1);
    return Buffer.from(`${head},"results":[${rows.join(',')}]}`);
  }
  const head = JSON.stringify({ Stats: stats, Schema: HUNTING_COLUMNS }).slice(0, -1);
  return Buffer.from(`${head},"Results":[${rows.join(',')}]}`);
}
