/**
 * The built-in client-credential credentials: thin wrappers of @azure/identity's
 * `ClientSecretCredential` and `ClientCertificateCredential`, loaded lazily on the first
 * `getToken`, whose failures become {@link AuthenticationError}s without secrets.
 * @internal
 * @packageDocumentation
 */
import type { ResolvedCloud } from '../clouds.js';
import type { AccessToken, GetTokenOptions, Logger, TokenCredential } from '../types.js';
import type { CertificateMaterial } from './certificate.js';
import { raceAbort } from './abort.js';
import { toAuthenticationError, TokenResponseProbe, type ProbedResponse } from './entra-errors.js';
import { inspectSymbol } from './redact.js';

/** Connection failures that a request sent on a reused keep-alive connection meets when the server has just closed it. */
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

type IdentityModule = typeof import('@azure/identity');
let identityModule: Promise<IdentityModule> | undefined;

/** Imports @azure/identity once, on first use (it costs ~300 ms; importing the SDK must not pay it). @internal */
export function loadIdentity(): Promise<IdentityModule> {
  identityModule ??= import('@azure/identity');
  return identityModule;
}

/** The options every built-in identity credential gets. @internal */
export function identityOptions(cloud: ResolvedCloud, probe: TokenResponseProbe) {
  return {
    authorityHost: cloud.authorityHost,
    // Custom login hosts are unknown to MSAL: without this it would first ask
    // login.microsoftonline.com for instance metadata about them.
    disableInstanceDiscovery: !cloud.knownAuthority,
    // No retries inside @azure/identity: core-rest-pipeline would retry 429/5xx three times
    // (~6 s) inside one getToken. The SDK's token cache serves the still-valid old token and
    // backs off when a refresh fails, and its transport owns retries: two retry layers would
    // multiply waits and hide throttling.
    retryOptions: { maxRetries: 0 },
    // Records the token endpoint's status and error body, which identity's errors lose.
    additionalPolicies: [{ policy: probe.policy as never, position: 'perCall' as const }],
  };
}

/** Shared settings of the two client-credential credentials. @internal */
export interface EntraCredentialSettings {
  tenantId: string;
  clientId: string;
  cloud: ResolvedCloud;
  logger?: Logger | undefined;
  /** Where the secret or certificate came from, for messages (Key Vault). */
  source?: string | undefined;
}

abstract class EntraCredential implements TokenCredential {
  readonly #settings: EntraCredentialSettings;
  readonly #probe = new TokenResponseProbe();
  #inner: Promise<TokenCredential> | undefined;

  protected constructor(settings: EntraCredentialSettings) {
    this.#settings = settings;
  }

  /** The tenant, app and cloud this credential authenticates as. */
  protected get settings(): EntraCredentialSettings {
    return this.#settings;
  }

  /** The @azure/identity class this wraps. */
  protected abstract get identityName(): string;
  protected abstract get kind(): 'secret' | 'certificate';
  protected abstract create(identity: IdentityModule, options: ReturnType<typeof identityOptions>): Promise<TokenCredential>;
  protected abstract secrets(): readonly (string | undefined)[];
  protected thumbprint(): string | undefined {
    return undefined;
  }

  /** Gets a token from Entra ID; failures are {@link AuthenticationError}s. */
  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    return this.#getToken(scopes, options, false);
  }

  async #getToken(scopes: string | string[], options: GetTokenOptions, retried: boolean): Promise<AccessToken | null> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    const { tenantId, clientId, cloud, logger, source } = this.#settings;
    options.abortSignal?.throwIfAborted();
    // MSAL serves its cached token until 5 min before expiry: a token the API rejected must
    // not come back, so a forced refresh starts from a new @azure/identity credential.
    if (options.forceRefresh) this.#inner = undefined;
    let inner: TokenCredential;
    try {
      this.#inner ??= loadIdentity().then((identity) => this.create(identity, identityOptions(cloud, this.#probe)));
      inner = await raceAbort(this.#inner, options.abortSignal);
    } catch (error) {
      if (options.abortSignal?.aborted) throw options.abortSignal.reason;
      this.#inner = undefined;
      throw error;
    }
    this.#probe.last = undefined;
    try {
      return await raceAbort(inner.getToken(list, { abortSignal: options.abortSignal }), options.abortSignal);
    } catch (error) {
      if (options.abortSignal?.aborted) throw options.abortSignal.reason;
      // Set by the probe while getToken ran (TypeScript still sees the reset above).
      const seen = this.#probe.last as ProbedResponse | undefined;
      // After a 429 or 5xx MSAL refuses every request for 60 s (it misses Node's lower-case
      // retry-after header and falls back to its default): start the next attempt from a new
      // credential, so recovery follows Entra ID and the SDK's own back-off, not MSAL's.
      if (seen && (seen.networkError !== undefined || seen.status === 429 || (seen.status ?? 0) >= 500)) this.#inner = undefined;
      // A kept-alive connection the server closed as it was reused: the request never reached
      // Entra ID, so it is sent once more, on a new connection (a new credential), before failing.
      if (!retried && seen?.networkError !== undefined && RESET_CODES.has(seen.networkError)) {
        logger?.debug?.(`${this.identityName} for app ${clientId}: the connection was reset (${seen.networkError}); asking once more`);
        return this.#getToken(scopes, options, true);
      }
      const mapped = toAuthenticationError(error, seen, {
        credentialName: this.identityName,
        kind: this.kind,
        tenantId,
        clientId,
        authorityHost: cloud.authorityHost,
        scope: list.join(' '),
        thumbprint: this.thumbprint(),
        secrets: this.secrets(),
        source,
      });
      logger?.debug?.(`${this.identityName} for app ${clientId} failed: ${mapped.code ?? mapped.status}`);
      throw mapped;
    }
  }

  /** What `JSON.stringify` shows: identifiers only, never the secret or key. */
  toJSON(): Record<string, string> {
    const { tenantId, clientId, cloud } = this.#settings;
    return { type: this.constructor.name, tenantId, clientId, authorityHost: cloud.authorityHost };
  }

  /** What `util.inspect` / `console.log` shows: identifiers only. */
  [inspectSymbol](): string {
    const { tenantId, clientId } = this.#settings;
    return `${this.constructor.name} { tenantId: '${tenantId}', clientId: '${clientId}' }`;
  }

  /** @returns the class name and ids, never the secret. */
  toString(): string {
    return this[inspectSymbol]();
  }
}

/**
 * Client-secret credential (wraps @azure/identity's `ClientSecretCredential`). The secret lives in
 * a private field: `util.inspect`, `JSON.stringify` and errors never show it.
 * @internal
 */
export class SecretCredential extends EntraCredential {
  readonly #secret: string;
  constructor(settings: EntraCredentialSettings, clientSecret: string) {
    super(settings);
    this.#secret = clientSecret;
  }
  protected get identityName() {
    return 'ClientSecretCredential';
  }
  protected get kind() {
    return 'secret' as const;
  }
  protected secrets() {
    return [this.#secret];
  }
  protected async create(identity: IdentityModule, options: ReturnType<typeof identityOptions>): Promise<TokenCredential> {
    const { tenantId, clientId } = this.settings;
    return new identity.ClientSecretCredential(tenantId, clientId, this.#secret, options);
  }
}

/**
 * Certificate credential (wraps @azure/identity's `ClientCertificateCredential`, which signs a
 * PS256 client assertion with the key). The key lives in a private field.
 * @internal
 */
export class CertificateCredential extends EntraCredential {
  readonly #material: () => Promise<CertificateMaterial>;
  readonly #sendCertificateChain: boolean;
  #thumbprint: string | undefined;
  #pem: string | undefined;

  constructor(
    settings: EntraCredentialSettings,
    material: CertificateMaterial | (() => Promise<CertificateMaterial>),
    sendCertificateChain: boolean,
  ) {
    super(settings);
    if (typeof material === 'function') {
      this.#material = material;
    } else {
      this.#thumbprint = material.thumbprint;
      this.#material = async () => material;
    }
    this.#sendCertificateChain = sendCertificateChain;
  }
  protected get identityName() {
    return 'ClientCertificateCredential';
  }
  protected get kind() {
    return 'certificate' as const;
  }
  protected secrets() {
    return [this.#pem];
  }
  protected override thumbprint() {
    return this.#thumbprint;
  }
  protected async create(identity: IdentityModule, options: ReturnType<typeof identityOptions>): Promise<TokenCredential> {
    const material = await this.#material();
    this.#thumbprint = material.thumbprint;
    this.#pem = material.pem;
    const { tenantId, clientId } = this.settings;
    return new identity.ClientCertificateCredential(
      tenantId,
      clientId,
      { certificate: material.pem },
      { ...options, sendCertificateChain: this.#sendCertificateChain },
    );
  }
}
