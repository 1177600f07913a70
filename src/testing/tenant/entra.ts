/*
 * The fake tenant's Microsoft Entra ID: the client-credentials grant on the v2 and v1 token endpoints
 * (client secret, or a certificate client assertion verified for real), OpenID discovery, the JWKS
 * document, instance discovery, and Entra's real error bodies (reference entra-keyvault-kql.md §1).
 * Framework-free: it answers a web `Request` with a web `Response`.
 */
import { constants, createHash, randomUUID, verify, X509Certificate } from 'node:crypto';
import type { RequestHandlerLike } from '../network-fault.js';
import { trimSlash, uuidFrom } from './http-util.js';
import { sharedTokenSigner, type TokenSigner } from './tokens.js';

/** An app registration in the fake tenant. */
export interface EntraApp {
  /** The app's client id (a GUID). */
  clientId: string;
  /** The client secret's value; absent = the app has no secret. */
  clientSecret?: string;
  /** The public certificate registered on the app (PEM); client assertions must be signed by its key. */
  certificatePem?: string;
  /** Granted application permissions per resource (e.g. `https://api.security.microsoft.com`). */
  roles: Record<string, string[]>;
  /**
   * `false`: a multi-tenant app that no administrator of this tenant consented to: its token
   * requests fail with AADSTS650052. Default `true`.
   */
  consented?: boolean;
}

/** A canned response for {@link EntraApi.failNext}. */
export interface EntraCannedResponse {
  /** HTTP status. */
  status: number;
  /** JSON body. */
  body: unknown;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** One request that reached the fake token endpoint. */
export interface TokenRequest {
  /** The `client_id` sent. */
  clientId: string;
  /** The v2 `scope`, or for v1 the `resource`. */
  scope: string;
  /** How the app proved itself: a client secret or a signed client assertion. */
  grant: 'secret' | 'assertion';
  /** When it arrived, epoch ms on the tenant's clock. */
  at: number;
  /** Tenant as it appeared in the URL. */
  tenant: string;
  /** Which token endpoint: `/oauth2/v2.0/token` or the v1 `/oauth2/token`. */
  endpoint: 'v2' | 'v1';
  /** HTTP status the fake answered with. */
  status: number;
  /** The form fields as sent (test-only: includes the secret; never logged by the fake). */
  form: Record<string, string>;
  /** The decoded client assertion, for the certificate grant. */
  assertion?: {
    /** The JWT header (`alg`, `x5t` or `x5t#S256`). */
    header: Record<string, unknown>;
    /** The JWT claims (`aud`, `iss`, `sub`, `exp`, `nbf`, `jti`). */
    claims: Record<string, unknown>;
  };
  /** The `error` of the answer, if it failed. */
  error?: string;
}

/** Options of an {@link EntraApi}. */
export interface EntraApiOptions {
  /**
   * Keep raw records of requests (`requests`, and Entra's `tokenRequests`/`issuedTokens`), tokens and
   * secrets included: for tests of this package. Default `true`; the fake tenant turns it off (it keeps
   * one redacted, capped log of its own).
   */
  recordRequests?: boolean;
  /** The tenant's id (a GUID). */
  tenantId: string;
  /** The registered apps. */
  apps: EntraApp[];
  /** `expires_in` of issued tokens, fixed. Default: {@link EntraApiOptions.tokenLifetime}, else 3900 s (65 min; MSAL treats a token as expired 300 s early). */
  tokenLifetimeSeconds?: number;
  /** Draws the lifetime of each token when no fixed one is set (Entra gives 60–90 min). */
  tokenLifetime?: () => number;
  /** Signs the access tokens. Default: the process-wide {@link sharedTokenSigner}. */
  signer?: TokenSigner;
  /** The tenant's clock, epoch ms. Default `Date.now()`. */
  now?: () => number;
  /** Default `https://login.microsoftonline.com`. */
  authorityHost?: string;
  /** Verified domains that also name the tenant, e.g. `contoso.onmicrosoft.com`. */
  domains?: string[];
  /** Resources tokens can be issued for (plus every key of the apps' `roles`). Default: Defender, MDE, Graph and Key Vault hosts. */
  resources?: string[];
}

const DEFAULT_RESOURCES = [
  'https://api.security.microsoft.com',
  'https://api-gcc.security.microsoft.us',
  'https://api-gov.security.microsoft.us',
  'https://api.securitycenter.microsoft.com',
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://vault.azure.net',
  'https://vault.usgovcloudapi.net',
];

/** An Entra endpoint, as {@link EntraApi.routeOf} names it. */
export interface EntraRoute {
  /** The token endpoint, OpenID metadata, its signing keys, or the instance discovery document. */
  kind: 'token' | 'openid' | 'keys' | 'instance';
  /** The tenant segment of the URL, as sent. */
  tenant: string;
  /** The endpoint version (`v2.0` paths, or v1). */
  version: 'v2' | 'v1';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

class EntraFailure {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
  ) {}
}

/** The body Entra ID sends with a failure (reference §1.3 shape). */
export function entraErrorBody(error: string, code: number, description: string, nowMs: number = Date.now()): Record<string, unknown> {
  const now = new Date(nowMs);
  const timestamp = now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

/** A fake Entra ID tenant: answers token, discovery and JWKS requests on its authority host. */
export class EntraApi implements RequestHandlerLike {
  /** The tenant's id. */
  readonly tenantId: string;
  /** The authority host, without a trailing slash. */
  readonly authorityHost: string;
  /** Every request that reached a token endpoint, in order. */
  readonly tokenRequests: TokenRequest[] = [];
  /** Every access token issued, in order. */
  readonly issuedTokens: string[] = [];
  /** Fixed `expires_in` of the next tokens (may be changed by tests); `undefined` = drawn per token. */
  tokenLifetimeSeconds: number | undefined;
  /** The key that signs the access tokens. */
  readonly signer: TokenSigner;
  readonly #now: () => number;
  readonly #lifetime: () => number;
  readonly #apps = new Map<string, EntraApp>();
  readonly #domains: string[];
  readonly #resources: Set<string>;
  readonly #failures: Array<{ remaining: number; response: EntraCannedResponse }> = [];

  readonly #record: boolean;
  /** How many access tokens were issued (kept even when requests are not recorded). */
  issuedCount = 0;

  constructor(options: EntraApiOptions) {
    this.#record = options.recordRequests ?? true;
    this.tenantId = options.tenantId;
    this.authorityHost = trimSlash(options.authorityHost ?? 'https://login.microsoftonline.com');
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? (options.tokenLifetime ? undefined : 3900);
    this.#lifetime = options.tokenLifetime ?? (() => 3900);
    this.signer = options.signer ?? sharedTokenSigner();
    this.#now = options.now ?? (() => Date.now());
    this.#domains = (options.domains ?? []).map((d) => d.toLowerCase());
    this.#resources = new Set(options.resources ?? DEFAULT_RESOURCES);
    for (const app of options.apps) this.addApp(app);
  }

  /** Registers (or replaces) an app. */
  addApp(app: EntraApp): void {
    this.#apps.set(app.clientId.toLowerCase(), app);
    for (const resource of Object.keys(app.roles)) this.#resources.add(trimSlash(resource));
  }

  /** The registered app, to change its secret or certificate (rotation). Throws for an unknown id. */
  app(clientId: string): EntraApp {
    const app = this.#apps.get(clientId.toLowerCase());
    if (!app) throw new Error(`EntraApi: no app ${clientId}`);
    return app;
  }

  /** The token endpoint URL (what a client assertion's `aud` must be). */
  tokenEndpoint(version: 'v2' | 'v1' = 'v2', tenant: string = this.tenantId): string {
    return `${this.authorityHost}/${tenant}/oauth2/${version === 'v2' ? 'v2.0/' : ''}token`;
  }

  /** The next `count` token requests get `response` (they are still recorded). */
  failNext(count: number, response: EntraCannedResponse): void {
    this.#failures.push({ remaining: count, response });
  }

  /**
   * Answers the token endpoints (v2, v1), OpenID discovery (v2, v1), the JWKS documents and MSAL's
   * instance discovery; `undefined` for any other request.
   */
  async handle(request: Request): Promise<Response | undefined> {
    const route = this.routeOf(request);
    if (!route) return undefined;
    switch (route.kind) {
      case 'token':
        return this.#token(request, route.tenant, route.version);
      case 'openid':
        return this.#openid(route.tenant, route.version);
      case 'keys':
        return Response.json(this.signer.jwks());
      case 'instance':
        return Response.json({
          tenant_discovery_endpoint: `${this.authorityHost}/{tenant}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: new URL(this.authorityHost).host, preferred_cache: new URL(this.authorityHost).host, aliases: [new URL(this.authorityHost).host] }],
        });
    }
  }

  /** Which Entra endpoint a request is for, without reading its body; `undefined` when it is not for Entra. */
  routeOf(request: Request): EntraRoute | undefined {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    if (method === 'GET' && url.origin === 'https://login.microsoftonline.com' && url.pathname === '/common/discovery/instance') {
      return { kind: 'instance', tenant: 'common', version: 'v2' };
    }
    const base = new URL(this.authorityHost);
    if (url.origin !== base.origin) return undefined;
    const prefix = trimSlash(base.pathname);
    if (!url.pathname.startsWith(`${prefix}/`)) return undefined;
    const [tenant = '', ...rest] = url.pathname.slice(prefix.length + 1).split('/');
    const path = rest.join('/');
    if (!tenant) return undefined;
    if (method === 'POST' && path === 'oauth2/v2.0/token') return { kind: 'token', tenant: decodeURIComponent(tenant), version: 'v2' };
    if (method === 'POST' && path === 'oauth2/token') return { kind: 'token', tenant: decodeURIComponent(tenant), version: 'v1' };
    if (method === 'GET' && path === 'v2.0/.well-known/openid-configuration') return { kind: 'openid', tenant: decodeURIComponent(tenant), version: 'v2' };
    if (method === 'GET' && path === '.well-known/openid-configuration') return { kind: 'openid', tenant: decodeURIComponent(tenant), version: 'v1' };
    if (method === 'GET' && path === 'discovery/v2.0/keys') return { kind: 'keys', tenant, version: 'v2' };
    if (method === 'GET' && path === 'discovery/keys') return { kind: 'keys', tenant, version: 'v1' };
    return undefined;
  }

  #tenantFailure(tenant: string): EntraFailure | undefined {
    if (tenant.toLowerCase() === this.tenantId.toLowerCase() || this.#domains.includes(tenant.toLowerCase())) return undefined;
    if (!GUID.test(tenant) && !DOMAIN.test(tenant)) {
      return new EntraFailure(400, 'invalid_request', 900023, `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`);
    }
    return new EntraFailure(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. ` +
        'Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.',
    );
  }

  #openid(tenant: string, version: 'v2' | 'v1'): Response {
    const failure = this.#tenantFailure(tenant);
    if (failure) return Response.json(entraErrorBody(failure.error, failure.code, failure.description, this.#now()), { status: failure.status });
    const base = `${this.authorityHost}/${tenant}`;
    const v = version === 'v2' ? 'v2.0/' : '';
    return Response.json({
      token_endpoint: `${base}/oauth2/${v}token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/${v}keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: version === 'v2' ? `${this.authorityHost}/${this.tenantId}/v2.0` : `https://sts.windows.net/${this.tenantId}/`,
      authorization_endpoint: `${base}/oauth2/${v}authorize`,
      device_authorization_endpoint: `${base}/oauth2/${v}devicecode`,
      end_session_endpoint: `${base}/oauth2/${v}logout`,
      tenant_region_scope: 'WW',
      cloud_instance_name: 'microsoftonline.com',
      msgraph_host: 'graph.microsoft.com',
    });
  }

  async #token(request: Request, tenant: string, endpoint: 'v2' | 'v1'): Promise<Response> {
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    const basic = request.headers.get('authorization');
    if (basic?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':').map(decodeURIComponent);
      if (id && !form.client_id) form.client_id = id;
      if (secret !== undefined && !form.client_secret) form.client_secret = secret;
    }
    const record: TokenRequest = {
      clientId: form.client_id ?? '',
      scope: (endpoint === 'v2' ? form.scope : form.resource) ?? '',
      grant: form.client_assertion !== undefined ? 'assertion' : 'secret',
      at: this.#now(),
      tenant,
      endpoint,
      status: 200,
      form,
    };
    if (this.#record) this.tokenRequests.push(record);
    if (form.client_assertion) {
      try {
        const [h, c] = form.client_assertion.split('.');
        record.assertion = {
          header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
          claims: JSON.parse(Buffer.from(c ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
        };
      } catch {
        // Verified (and refused) below.
      }
    }

    const queued = this.#failures[0];
    if (queued) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) this.#failures.shift();
      record.status = queued.response.status;
      const body = queued.response.body as { error?: unknown } | undefined;
      if (typeof body?.error === 'string') record.error = body.error;
      const init = { status: queued.response.status, headers: queued.response.headers ?? {} };
      return typeof queued.response.body === 'string' ? new Response(queued.response.body, init) : Response.json(queued.response.body, init);
    }

    try {
      const token = this.#issue(form, tenant, endpoint, record);
      return token;
    } catch (error) {
      if (!(error instanceof EntraFailure)) throw error;
      record.status = error.status;
      record.error = error.error;
      return Response.json(entraErrorBody(error.error, error.code, error.description, this.#now()), {
        status: error.status,
        headers: { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' },
      });
    }
  }

  #issue(form: Record<string, string>, tenant: string, endpoint: 'v2' | 'v1', record: TokenRequest): Response {
    const tenantFailure = this.#tenantFailure(tenant);
    if (tenantFailure) throw tenantFailure;
    if (form.grant_type !== 'client_credentials') {
      throw new EntraFailure(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type ?? ''}'.`);
    }
    const clientId = form.client_id ?? '';
    // Resource.
    let resource: string;
    if (endpoint === 'v2') {
      const scopes = (form.scope ?? '').split(' ').filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
      if (scopes.length === 0) {
        throw new EntraFailure(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
      }
      if (scopes.length > 1) {
        throw new EntraFailure(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.join(' ')} is not valid.`);
      }
      const scope = scopes[0]!;
      if (!scope.endsWith('/.default')) {
        throw new EntraFailure(
          400,
          'invalid_scope',
          1002012,
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      resource = scope.slice(0, -'/.default'.length);
    } else {
      resource = form.resource ?? '';
      if (!resource) throw new EntraFailure(400, 'invalid_request', 50001, 'The resource is missing.');
    }
    resource = trimSlash(resource);
    // App.
    const app = this.#apps.get(clientId.toLowerCase());
    if (!app) {
      throw new EntraFailure(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed ` +
          'by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.',
      );
    }
    // Client authentication.
    if (form.client_assertion !== undefined) {
      this.#verifyAssertion(form, app, tenant, endpoint);
    } else if (form.client_secret !== undefined) {
      if (!app.clientSecret || form.client_secret !== app.clientSecret) {
        throw new EntraFailure(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
        );
      }
    } else {
      throw new EntraFailure(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (app.consented === false) throw notConsented(resource, tenant);
    if (!this.#resources.has(resource)) {
      throw new EntraFailure(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed ` +
          'by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.',
      );
    }
    // Token.
    const nowMs = this.#now();
    const now = Math.floor(nowMs / 1000);
    const lifetime = Math.round(this.tokenLifetimeSeconds ?? this.#lifetime());
    const roles = app.roles[resource] ?? app.roles[`${resource}/`];
    const objectId = uuidFrom(`${this.tenantId}:${app.clientId}`);
    const accessToken = this.signer.sign({
      aud: resource,
      tid: this.tenantId,
      appid: app.clientId,
      ...(roles && roles.length > 0 ? { roles } : {}),
      exp: now + lifetime,
      iat: now,
      appidacr: record.grant === 'secret' ? '1' : '2',
      idp: `https://sts.windows.net/${this.tenantId}/`,
      oid: objectId,
      sub: objectId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
    }, nowMs);
    this.issuedCount++;
    if (this.#record) this.issuedTokens.push(accessToken);
    const headers = { 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'x-ms-request-id': randomUUID() };
    if (endpoint === 'v2') {
      return Response.json({ token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }, { headers });
    }
    return Response.json(
      {
        token_type: 'Bearer',
        expires_in: String(lifetime),
        ext_expires_in: String(lifetime),
        expires_on: String(now + lifetime),
        not_before: String(now),
        resource,
        access_token: accessToken,
      },
      { headers },
    );
  }

  #verifyAssertion(form: Record<string, string>, app: EntraApp, tenant: string, endpoint: 'v2' | 'v1'): void {
    const bad = (code: number, description: string) => new EntraFailure(401, 'invalid_client', code, description);
    if (form.client_assertion_type !== ASSERTION_TYPE) {
      throw new EntraFailure(400, 'invalid_request', 50027, `Invalid client_assertion_type: expected ${ASSERTION_TYPE}.`);
    }
    const parts = (form.client_assertion ?? '').split('.');
    if (parts.length !== 3) throw bad(50027, 'JWT token is invalid or malformed.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw bad(50027, 'JWT token is invalid or malformed.');
    }
    if (!app.certificatePem) {
      throw bad(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`);
    }
    const cert = new X509Certificate(app.certificatePem);
    const sha1 = createHash('sha1').update(cert.raw).digest('base64url');
    const sha256 = createHash('sha256').update(cert.raw).digest('base64url');
    const x5t = header.x5t;
    const x5tS256 = header['x5t#S256'];
    if (x5tS256 !== sha256 && x5t !== sha1) {
      const used = typeof x5tS256 === 'string' ? Buffer.from(x5tS256, 'base64url') : typeof x5t === 'string' ? Buffer.from(x5t, 'base64url') : Buffer.alloc(0);
      throw bad(
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., ` +
          `Thumbprint of key used by client: '${used.toString('hex').toUpperCase()}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`,
      );
    }
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2]!, 'base64url');
    let valid = false;
    if (header.alg === 'PS256') {
      valid = verify('sha256', data, { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    } else if (header.alg === 'RS256') {
      valid = verify('sha256', data, cert.publicKey, signature);
    } else {
      throw bad(5002738, `Invalid JWT token. '${String(header.alg)}' is not a supported signature algorithm.`);
    }
    if (!valid) throw bad(700027, 'Client assertion failed signature validation.');
    const audiences = [this.tokenEndpoint(endpoint, tenant), this.tokenEndpoint(endpoint, this.tenantId)];
    if (!audiences.includes(String(claims.aud))) {
      throw bad(700212, `Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials . Expected: ${audiences[0]}.`);
    }
    if (claims.iss !== app.clientId || claims.sub !== app.clientId) {
      throw bad(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    }
    const now = Math.floor(this.#now() / 1000);
    const exp = Number(claims.exp);
    const nbf = claims.nbf === undefined ? 0 : Number(claims.nbf);
    if (!Number.isFinite(exp) || exp <= now - 300 || nbf > now + 300) {
      throw bad(700024, `Client assertion is not within its valid time range. Current time: ${new Date(this.#now()).toISOString()}.`);
    }
  }
}

/** Application ids and names of the resources a consent creates a service principal for (reference defender-api.md §1.1). */
const RESOURCE_APPS: Record<string, [string, string]> = {
  'https://api.security.microsoft.com': ['8ee8fdad-f234-4243-8f3b-15c294843740', 'Microsoft Threat Protection'],
  'https://api.securitycenter.microsoft.com': ['fc780465-2017-40d4-a0c5-307022471b92', 'WindowsDefenderATP'],
  'https://graph.microsoft.com': ['00000003-0000-0000-c000-000000000000', 'Microsoft Graph'],
};

/**
 * Entra's answer to a multi-tenant app whose consent is missing in the tenant: AADSTS650052, as
 * Entra words it today (2025), with `invalid_client`.
 */
function notConsented(resource: string, tenant: string): EntraFailure {
  const [appId, name] = RESOURCE_APPS[resource] ?? [resource, resource];
  return new EntraFailure(
    400,
    'invalid_client',
    650052,
    `The app is trying to access a service '${appId}'(${name}) that your organization '${tenant}' lacks a service principal for. ` +
      'Contact your IT Admin to review the configuration of your service subscriptions or consent to the application in order to create the required service principal.',
  );
}
