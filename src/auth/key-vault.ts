/**
 * A client credential whose secret or certificate is read from Azure Key Vault with a bootstrap
 * credential (managed identity by default). @azure/keyvault-secrets, @azure/identity and
 * node-forge are imported on the first `getToken`.
 * @internal
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { isLoopback, type ResolvedCloud } from '../clouds.js';
import { describe } from '../checks.js';
import { AuthenticationError, CredentialError } from '../errors.js';
import type { AccessToken, GetTokenOptions, Logger, TokenCredential } from '../types.js';
import { looksLikePem, parsePemCertificate } from './certificate.js';
import { parsePkcs12Certificate } from './pkcs12.js';
import { CertificateCredential, loadIdentity, SecretCredential } from './entra-credentials.js';
import { className, inspectSymbol, redact, redactedCause } from './redact.js';

/**
 * `@azure/keyvault-secrets`, an optional peer dependency: only this credential needs it. Missing,
 * it is a {@link CredentialError} that says what to install.
 */
async function loadKeyVaultSecrets(): Promise<typeof import('@azure/keyvault-secrets')> {
  try {
    return await import('@azure/keyvault-secrets');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]@azure\/keyvault-secrets['"]/.test(String((error as Error).message));
    if (!missing) throw error;
    throw new CredentialError(
      'credential.keyVault reads the secret or certificate with the package @azure/keyvault-secrets, which is not installed: run `npm install @azure/keyvault-secrets` (it is an optional peer dependency of m365-defender).',
      { option: 'credential.keyVault', cause: redactedCause(error) },
    );
  }
}

/** Re-read the vault this long before the token obtained with the value read expires. */
const REREAD_BEFORE_EXPIRY_MS = 5 * 60_000;

/** What the Key Vault credential needs. @internal */
export interface KeyVaultSettings {
  tenantId: string;
  clientId: string;
  cloud: ResolvedCloud;
  logger?: Logger | undefined;
  vaultUrl: string;
  secretName?: string | undefined;
  certificateName?: string | undefined;
  vaultCredential?: TokenCredential | undefined;
  sendCertificateChain: boolean;
}

interface Loaded {
  fingerprint: string;
  credential: SecretCredential | CertificateCredential;
  /** Until when the value is used without reading the vault again; set by the first token. */
  freshUntil: number | undefined;
}

interface SecretClientLike {
  getSecret(
    name: string,
    options?: { abortSignal?: AbortSignal | undefined },
  ): Promise<{ value?: string | undefined; properties: { contentType?: string | undefined } }>;
}

/**
 * Reads the client secret or certificate from Key Vault, caches it for the lifetime of the token
 * it yields, and reads it again once when the token endpoint rejects it (a rotated secret).
 * @internal
 */
export class KeyVaultCredential implements TokenCredential {
  readonly #settings: KeyVaultSettings;
  #vaultCredential: TokenCredential | undefined;
  #client: Promise<SecretClientLike> | undefined;
  #current: Loaded | undefined;

  constructor(settings: KeyVaultSettings) {
    this.#settings = settings;
    this.#vaultCredential = settings.vaultCredential;
  }

  get #name(): string {
    return (this.#settings.secretName ?? this.#settings.certificateName)!;
  }
  get #option(): string {
    return this.#settings.secretName !== undefined ? 'credential.keyVault.secretName' : 'credential.keyVault.certificateName';
  }
  get #what(): string {
    return this.#settings.secretName !== undefined ? 'secret' : 'certificate (its secret)';
  }

  /** Gets a token with the secret or certificate read from Key Vault. */
  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    options.abortSignal?.throwIfAborted();
    let loaded = this.#current;
    let justRead = false;
    if (!loaded || (loaded.freshUntil !== undefined && Date.now() >= loaded.freshUntil)) {
      loaded = await this.#read(options.abortSignal);
      justRead = true;
    }
    try {
      return this.#remember(loaded, await loaded.credential.getToken(scopes, options));
    } catch (error) {
      if (justRead || !isRejectedClientCredential(error)) throw error;
      this.#settings.logger?.info?.(
        `Entra ID rejected the ${this.#what} "${this.#name}" from ${this.#settings.vaultUrl} (${(error as AuthenticationError).code ?? 'invalid_client'}); reading it again in case it was rotated.`,
      );
      const again = await this.#read(options.abortSignal);
      if (again.fingerprint === loaded.fingerprint) throw error;
      return this.#remember(again, await again.credential.getToken(scopes, options));
    }
  }

  #remember(loaded: Loaded, token: AccessToken | null): AccessToken | null {
    if (token && loaded.freshUntil === undefined) {
      loaded.freshUntil = Math.max(Date.now(), token.expiresOnTimestamp - REREAD_BEFORE_EXPIRY_MS);
    }
    return token;
  }

  async #secretClient(): Promise<SecretClientLike> {
    this.#client ??= (async () => {
      const [{ SecretClient }, vaultCredential] = await Promise.all([
        loadKeyVaultSecrets(),
        this.#vaultCredential ?? loadIdentity().then((identity) => new identity.ManagedIdentityCredential()),
      ]);
      this.#vaultCredential = vaultCredential;
      // The Key Vault client sends its token only to the resource its challenge names, under the
      // vault's domain; a vault on this machine (the simulator's) has none, so the check is lifted
      // for a loopback vault URL only. A real vault keeps it.
      const loopback = isLoopback(new URL(this.#settings.vaultUrl).hostname);
      return new SecretClient(this.#settings.vaultUrl, vaultCredential, loopback ? { disableChallengeResourceVerification: true } : {}) as SecretClientLike;
    })();
    try {
      return await this.#client;
    } catch (error) {
      this.#client = undefined;
      throw error;
    }
  }

  async #read(signal: AbortSignal | undefined): Promise<Loaded> {
    const { vaultUrl, logger } = this.#settings;
    const client = await this.#secretClient();
    let secret: Awaited<ReturnType<SecretClientLike['getSecret']>>;
    try {
      secret = await client.getSecret(this.#name, { abortSignal: signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw this.#vaultError(error);
    }
    const value = secret.value;
    if (typeof value !== 'string' || value === '') {
      throw new CredentialError(`The ${this.#what} "${this.#name}" in ${vaultUrl} has no value.`, { option: this.#option });
    }
    logger?.debug?.(`read ${this.#what} "${this.#name}" from ${vaultUrl}`);
    const fingerprint = createHash('sha256').update(value).digest('hex');
    if (this.#current?.fingerprint === fingerprint) {
      this.#current.freshUntil = undefined;
      return this.#current;
    }
    const contentType = (secret.properties.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const source = `Key Vault ${vaultUrl} ${this.#settings.secretName !== undefined ? 'secret' : 'certificate'} "${this.#name}"`;
    const settings = { tenantId: this.#settings.tenantId, clientId: this.#settings.clientId, cloud: this.#settings.cloud, logger, source };
    let credential: SecretCredential | CertificateCredential;
    if (this.#settings.secretName !== undefined) {
      if (contentType === 'application/x-pkcs12' || contentType === 'application/x-pem-file') {
        throw new CredentialError(
          `The secret "${this.#name}" in ${vaultUrl} holds a certificate (${contentType}): use keyVault.certificateName for it.`,
          { option: this.#option },
        );
      }
      credential = new SecretCredential(settings, value);
    } else {
      const option = `${this.#option} ("${this.#name}" in ${vaultUrl})`;
      let material;
      if (contentType === 'application/x-pem-file' || (contentType === '' && looksLikePem(value))) {
        material = rethrowWithOption(() => parsePemCertificate(value, option), this.#option);
      } else if (contentType === 'application/x-pkcs12' || contentType === '') {
        material = await rethrowWithOptionAsync(
          () => parsePkcs12Certificate(Buffer.from(value, 'base64'), option, undefined, undefined),
          this.#option,
        );
      } else {
        throw new CredentialError(
          `The certificate "${this.#name}" in ${vaultUrl} has content type ${describe(contentType)}: ` +
            'the SDK reads application/x-pem-file (PEM) or application/x-pkcs12 (base64 PFX).',
          { option: this.#option },
        );
      }
      credential = new CertificateCredential(settings, material, this.#settings.sendCertificateChain);
    }
    const loaded: Loaded = { fingerprint, credential, freshUntil: undefined };
    this.#current = loaded;
    return loaded;
  }

  #vaultError(error: unknown): CredentialError {
    const { vaultUrl } = this.#settings;
    const credentialName = this.#settings.vaultCredential
      ? className(this.#settings.vaultCredential)
      : 'ManagedIdentityCredential (the default vaultCredential)';
    const status = (error as { statusCode?: unknown }).statusCode;
    const message = redact(error instanceof Error ? error.message : String(error));
    const details = (error as { details?: { error?: { code?: string; innerError?: { code?: string } } } }).details;
    const code = details?.error?.innerError?.code ?? details?.error?.code ?? (error as { code?: unknown }).code;
    const target = `the ${this.#what} "${this.#name}" in ${vaultUrl}`;
    const cause = redactedCause(error);
    if (status === 403) {
      const caller = /appid=([^;\s']+);oid=([^;\s']+)/.exec(message);
      const identity = caller
        ? `the identity appid=${caller[1]};oid=${caller[2]} (signed in with ${credentialName})`
        : `the identity of ${credentialName}`;
      let hint = 'grant it the "Key Vault Secrets User" role on the vault (RBAC) or "Get" on secrets in an access policy.';
      if (/Client address is not authorized|firewall/i.test(message)) hint = "the vault's firewall blocks this machine's address: allow it in the vault's Networking settings.";
      else if (/disabled/i.test(message)) hint = 'the secret is disabled: enable it or its latest version.';
      return new CredentialError(`Key Vault refused ${identity} access to ${target} (403 ${code ?? 'Forbidden'}): ${hint}`, {
        option: 'credential.vaultCredential',
        cause,
      });
    }
    if (status === 404) {
      return new CredentialError(
        `Key Vault has no ${target} (404 ${code ?? 'NotFound'}; read with ${credentialName}): check the vault URL and the name.` +
          (this.#settings.secretName !== undefined ? '' : ' A certificate is read by its certificate name.'),
        { option: this.#option, cause },
      );
    }
    if (status === 401) {
      return new CredentialError(
        `Key Vault rejected the token of ${credentialName} for ${target} (401 ${code ?? 'Unauthorized'}): ${firstLine(message)}`,
        { option: 'credential.vaultCredential', cause },
      );
    }
    if (typeof status === 'number') {
      return new CredentialError(`Key Vault answered ${status}${code ? ` ${code}` : ''} reading ${target}: ${firstLine(message)}`, {
        option: 'credential.keyVault.vaultUrl',
        cause,
      });
    }
    if (code === 'REQUEST_SEND_ERROR' || code === 'ENOTFOUND' || code === 'ECONNREFUSED') {
      return new CredentialError(`Could not reach Key Vault at ${vaultUrl} (${String(code)}): check the vault URL and the network.`, {
        option: 'credential.keyVault.vaultUrl',
        cause,
      });
    }
    if (error instanceof CredentialError) return error;
    return new CredentialError(
      `Could not get a Key Vault token with ${credentialName} to read ${target}: ${firstLine(message)}`,
      { option: 'credential.vaultCredential', cause },
    );
  }

  /** Identifiers only: never the value read from the vault. */
  toJSON(): Record<string, string> {
    const { tenantId, clientId, vaultUrl } = this.#settings;
    return { type: 'KeyVaultCredential', tenantId, clientId, vaultUrl, [this.#settings.secretName !== undefined ? 'secretName' : 'certificateName']: this.#name };
  }

  /** What `util.inspect` shows: identifiers only. */
  [inspectSymbol](): string {
    const { tenantId, clientId, vaultUrl } = this.#settings;
    return `KeyVaultCredential { tenantId: '${tenantId}', clientId: '${clientId}', vaultUrl: '${vaultUrl}', ${this.#settings.secretName !== undefined ? 'secretName' : 'certificateName'}: '${this.#name}' }`;
  }

  /** @returns the class name and ids, never the value read. */
  toString(): string {
    return this[inspectSymbol]();
  }
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').trim().slice(0, 500);
}

/** Whether the token endpoint rejected the client secret or certificate (not a network problem). */
function isRejectedClientCredential(error: unknown): boolean {
  if (!(error instanceof AuthenticationError)) return false;
  const body = error.body as { error?: unknown } | undefined;
  return (
    body?.error === 'invalid_client' ||
    (error.status === 401 && error.code !== 'network_error') ||
    ['AADSTS7000215', 'AADSTS7000222', 'AADSTS700027'].includes(error.code ?? '')
  );
}

function rethrowWithOption<T>(fn: () => T, option: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CredentialError) throw new CredentialError(error.message, { option });
    throw error;
  }
}

async function rethrowWithOptionAsync<T>(fn: () => Promise<T>, option: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CredentialError) throw new CredentialError(error.message, { option });
    throw error;
  }
}
