/**
 * The credential forms the client accepts, their validation, and the factory that turns them
 * into a {@link TokenCredential}.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { describe as describeValue } from '../checks.js';
import type { ResolvedCloud } from '../clouds.js';
import { CredentialError } from '../errors.js';
import type { Logger, TokenCredential } from '../types.js';
import { looksLikePem, parsePemCertificate, type CertificateMaterial } from './certificate.js';
import { DeferredCredential } from './deferred.js';
import { hideSecrets } from './hidden-secrets.js';

/**
 * Describes a credential option's value for an error message without ever echoing a string:
 * a secret pasted into the wrong option (a client secret as the tenant id, PEM text as a path)
 * must not end up in a log.
 */
function describe(value: unknown): string {
  return typeof value === 'string' ? (value === '' ? 'an empty string' : `a ${value.length}-character string`) : describeValue(value);
}

/** Whether a certificate "path" is really PEM text or other inline material. */
function looksLikeInlineMaterial(path: string): boolean {
  return path.includes('-----BEGIN') || /[\r\n]/.test(path) || path.length > 1024;
}

/** App-only authentication with a client secret (the secret's *value*, not its id). */
export interface ClientSecretCredentialOptions {
  /** Directory (tenant) id GUID, or a verified domain such as `contoso.onmicrosoft.com`. */
  tenantId: string;
  /** Application (client) id of the app registration. */
  clientId: string;
  /** The client secret's value. */
  clientSecret: string;
}

/** A certificate with its private key: a file (PEM or PKCS#12/PFX) or PEM text. */
export type CertificateSource =
  | {
      /** Path to a PEM file holding the private key and the certificate, or to a PKCS#12 (.pfx/.p12) file. */
      path: string;
      /** Password of an encrypted PEM key or of the PKCS#12 file. */
      password?: string;
    }
  | {
      /** PEM text holding the private key (`-----BEGIN PRIVATE KEY-----`) and the certificate. */
      pem: string;
      /** Password of an encrypted PEM key. */
      password?: string;
    };

/** App-only authentication with a certificate (a signed client assertion; no secret is sent). */
export interface ClientCertificateCredentialOptions {
  /** Directory (tenant) id GUID, or a verified domain. */
  tenantId: string;
  /** Application (client) id of the app registration. */
  clientId: string;
  /** The certificate registered on the app, with its private key. */
  certificate: CertificateSource;
  /** Send the certificate chain (`x5c`) for subject-name/issuer authentication. Default false. */
  sendCertificateChain?: boolean;
}

/** Where in Azure Key Vault the app's secret or certificate lives: exactly one of the two names. */
export interface KeyVaultLocation {
  /** The vault, e.g. `https://contoso-kv.vault.azure.net`. */
  vaultUrl: string;
  /** Name of a Key Vault secret whose value is the client secret. */
  secretName?: string;
  /**
   * Name of a Key Vault certificate (read as its secret: PEM or PKCS#12, which needs an exportable
   * key). The certificate must be registered on the app.
   */
  certificateName?: string;
}

/** App-only authentication with a secret or certificate read from Azure Key Vault. */
export interface KeyVaultCredentialOptions {
  /** Directory (tenant) id GUID, or a verified domain. */
  tenantId: string;
  /** Application (client) id of the app registration. */
  clientId: string;
  /** The vault and the name of the secret or certificate. */
  keyVault: KeyVaultLocation;
  /** The identity that reads the vault. Default: `new ManagedIdentityCredential()` from @azure/identity. */
  vaultCredential?: TokenCredential;
  /** For a certificate: send the chain (`x5c`). Default false. */
  sendCertificateChain?: boolean;
}

/** Anything the client's `credential` option accepts. */
export type CredentialInput =
  | ClientSecretCredentialOptions
  | ClientCertificateCredentialOptions
  | KeyVaultCredentialOptions
  | TokenCredential;

/** What {@link createCredential} needs besides the input. */
export interface CreateCredentialContext {
  /** The cloud: its login host is the authority. */
  cloud: ResolvedCloud;
  /** Where to log (debug lines only; never a secret). */
  logger?: Logger;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;
const VAULT_OBJECT_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Whether a value is a {@link TokenCredential} (has a `getToken` function). */
export function isTokenCredential(value: unknown): value is TokenCredential {
  return typeof value === 'object' && value !== null && typeof (value as { getToken?: unknown }).getToken === 'function';
}

/**
 * Validates a credential input and returns the {@link TokenCredential} the client uses. A value with
 * a `getToken` function is returned as it is. Everything is checked now, synchronously: a
 * certificate file is read and its key checked against the certificate.
 *
 * Built-in credentials load `@azure/identity` (and `@azure/keyvault-secrets`, `node-forge`) on
 * their first `getToken`, not before.
 *
 * @throws CredentialError naming the option at fault (`credential.tenantId`, `credential.certificate.path`, …).
 */
export function createCredential(input: CredentialInput, ctx: CreateCredentialContext): TokenCredential {
  if (isTokenCredential(input)) return input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CredentialError(
      `credential must be {tenantId, clientId, clientSecret}, {tenantId, clientId, certificate}, {tenantId, clientId, keyVault} ` +
        `or a TokenCredential (an object with getToken); got ${describe(input)}.`,
      { option: 'credential' },
    );
  }
  const raw = input as unknown as Record<string, unknown>;
  const tenantId = checkTenantId(raw.tenantId);
  const clientId = checkClientId(raw.clientId);
  const given = (['clientSecret', 'certificate', 'keyVault'] as const).filter((key) => raw[key] !== undefined);
  if (given.length === 0) {
    throw new CredentialError(
      'credential has a tenantId and clientId but nothing to prove the app is itself: give clientSecret, certificate or keyVault ' +
        '(or pass a TokenCredential such as a ManagedIdentityCredential).',
      { option: 'credential' },
    );
  }
  if (given.length > 1) {
    throw new CredentialError(`credential must have exactly one of clientSecret, certificate and keyVault; it has ${given.join(' and ')}.`, {
      option: `credential.${given[1]}`,
    });
  }
  const sendCertificateChain = checkOptionalBoolean(raw.sendCertificateChain, 'credential.sendCertificateChain');
  const settings = { tenantId, clientId, cloud: ctx.cloud, logger: ctx.logger };
  const shown = { tenantId, clientId, authorityHost: ctx.cloud.authorityHost };
  const log = (kind: string) => ctx.logger?.debug?.(`credential: ${kind} for app ${clientId} in tenant ${tenantId} at ${ctx.cloud.authorityHost}`);

  if (given[0] === 'clientSecret') {
    if (typeof raw.clientSecret !== 'string' || raw.clientSecret.trim() === '') {
      throw new CredentialError(
        `credential.clientSecret must be a non-empty string (the secret's value); got ${typeof raw.clientSecret === 'string' ? 'an empty string' : typeof raw.clientSecret}.`,
        { option: 'credential.clientSecret' },
      );
    }
    log('client secret');
    const clientSecret = raw.clientSecret;
    // The implementations (and @azure/identity behind them) load on the first getToken.
    return new DeferredCredential('SecretCredential', shown, async () => new (await import('./entra-credentials.js')).SecretCredential(settings, clientSecret));
  }

  if (given[0] === 'certificate') {
    const material = readCertificate(raw.certificate);
    log('client certificate');
    return new DeferredCredential(
      'CertificateCredential',
      typeof material === 'function' ? shown : { ...shown, thumbprint: material.thumbprint },
      async () => new (await import('./entra-credentials.js')).CertificateCredential(settings, material, sendCertificateChain),
    );
  }

  const location = checkKeyVault(raw.keyVault);
  let vaultCredential: TokenCredential | undefined;
  if (raw.vaultCredential !== undefined) {
    if (!isTokenCredential(raw.vaultCredential)) {
      throw new CredentialError(`credential.vaultCredential must be a TokenCredential (an object with getToken); got ${describe(raw.vaultCredential)}.`, {
        option: 'credential.vaultCredential',
      });
    }
    vaultCredential = raw.vaultCredential;
  }
  log(`Key Vault ${location.vaultUrl} ${location.secretName !== undefined ? 'secret' : 'certificate'}`);
  const name: Record<string, string> =
    location.secretName !== undefined ? { secretName: location.secretName } : { certificateName: location.certificateName! };
  return new DeferredCredential(
    'KeyVaultCredential',
    { tenantId, clientId, vaultUrl: location.vaultUrl, ...name },
    async () => new (await import('./key-vault.js')).KeyVaultCredential({ ...settings, ...location, vaultCredential, sendCertificateChain }),
  );
}

/** Whether `value` names one tenant: its id GUID or a verified domain (not `common`, `organizations`, `consumers`). */
export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && (GUID.test(value) || DOMAIN.test(value));
}

/**
 * The same app credential for another tenant: `input` with its `tenantId` replaced, its secrets
 * still hidden from printing. `undefined` for a `TokenCredential`, which is bound to its tenant.
 */
export function credentialForTenant(input: CredentialInput, tenantId: string): CredentialInput | undefined {
  if (isTokenCredential(input) || typeof input !== 'object' || input === null) return undefined;
  return hideSecrets({ ...input, tenantId }, ['clientSecret']);
}

function checkTenantId(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CredentialError(`credential.tenantId must be the directory (tenant) id GUID or a verified domain; got ${describe(value)}.`, {
      option: 'credential.tenantId',
    });
  }
  const tenant = value.trim();
  if (['common', 'organizations', 'consumers'].includes(tenant.toLowerCase())) {
    throw new CredentialError(
      `credential.tenantId is "${tenant}": app-only tokens need a specific tenant (its id GUID or a verified domain); ` +
        'for a multi-tenant app, create one client per customer tenant.',
      { option: 'credential.tenantId' },
    );
  }
  if (!GUID.test(tenant) && !DOMAIN.test(tenant)) {
    throw new CredentialError(
      `credential.tenantId must be the directory (tenant) id GUID (e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47) or a verified domain ` +
        `(e.g. contoso.onmicrosoft.com); got ${describe(tenant)}.`,
      { option: 'credential.tenantId' },
    );
  }
  return tenant;
}

function checkClientId(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CredentialError(
      `credential.clientId must be the application (client) id of the app registration; got ${typeof value === 'string' ? 'an empty string' : describe(value)}.`,
      { option: 'credential.clientId' },
    );
  }
  // Entra application ids are GUIDs. Checking the form also catches a client secret pasted into
  // clientId (a swap), which would otherwise be sent as client_id and echoed back by Entra.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value.trim())) {
    throw new CredentialError(
      'credential.clientId must be the application (client) id GUID of the app registration, e.g. 5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11 (the value is not repeated here in case it is a secret).',
      { option: 'credential.clientId' },
    );
  }
  return value.trim();
}

function checkOptionalBoolean(value: unknown, option: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new CredentialError(`${option} must be a boolean; got ${describe(value)}.`, { option });
  return value;
}

function readCertificate(value: unknown): CertificateMaterial | (() => Promise<CertificateMaterial>) {
  if (typeof value !== 'object' || value === null) {
    throw new CredentialError(`credential.certificate must be {path} or {pem}; got ${describe(value)}.`, { option: 'credential.certificate' });
  }
  const cert = value as Record<string, unknown>;
  const password = cert.password;
  if (password !== undefined && typeof password !== 'string') {
    throw new CredentialError(`credential.certificate.password must be a string; got ${typeof password}.`, {
      option: 'credential.certificate.password',
    });
  }
  if (cert.path !== undefined && cert.pem !== undefined) {
    throw new CredentialError('credential.certificate must have either path or pem, not both.', { option: 'credential.certificate' });
  }
  if (cert.pem !== undefined) {
    if (typeof cert.pem !== 'string' || !looksLikePem(cert.pem)) {
      throw new CredentialError(
        'credential.certificate.pem must be PEM text ("-----BEGIN PRIVATE KEY-----" and "-----BEGIN CERTIFICATE-----" blocks); for a file use certificate.path.',
        { option: 'credential.certificate.pem' },
      );
    }
    return parsePemCertificate(cert.pem, 'credential.certificate.pem', password, 'credential.certificate.password');
  }
  if (typeof cert.path !== 'string' || cert.path === '') {
    throw new CredentialError(`credential.certificate must have a path (a PEM or PFX file) or pem (PEM text); got ${describe(cert.path)} as path.`, {
      option: cert.path === undefined ? 'credential.certificate' : 'credential.certificate.path',
    });
  }
  const path = cert.path;
  if (looksLikeInlineMaterial(path)) {
    throw new CredentialError(
      `credential.certificate.path must be a file path, but it holds ${describe(path)} that looks like PEM text: pass the text as credential.certificate.pem instead.`,
      { option: 'credential.certificate.path' },
    );
  }
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? 'unreadable');
    throw new CredentialError(`Cannot read the certificate file credential.certificate.path "${path}": ${reason}.`, {
      option: 'credential.certificate.path',
    });
  }
  const option = `credential.certificate.path ("${path}")`;
  if (looksLikePem(data)) {
    return withOption(() => parsePemCertificate(data.toString('utf8'), option, password, 'credential.certificate.password'), 'credential.certificate.path');
  }
  // A PKCS#12 file: converted with node-forge (imported lazily) on the first getToken.
  return async () => (await import('./pkcs12.js')).parsePkcs12Certificate(data, option, password, 'credential.certificate.password');
}

function withOption<T>(fn: () => T, option: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CredentialError && error.option !== 'credential.certificate.password') {
      throw new CredentialError(error.message, { option });
    }
    throw error;
  }
}

function checkKeyVault(value: unknown): { vaultUrl: string; secretName?: string; certificateName?: string } {
  if (typeof value !== 'object' || value === null) {
    throw new CredentialError(`credential.keyVault must be {vaultUrl, secretName} or {vaultUrl, certificateName}; got ${describe(value)}.`, {
      option: 'credential.keyVault',
    });
  }
  const kv = value as Record<string, unknown>;
  if (typeof kv.vaultUrl !== 'string') {
    throw new CredentialError(`credential.keyVault.vaultUrl must be the vault's URL, e.g. https://contoso-kv.vault.azure.net; got ${describe(kv.vaultUrl)}.`, {
      option: 'credential.keyVault.vaultUrl',
    });
  }
  let url: URL;
  try {
    url = new URL(kv.vaultUrl);
  } catch {
    throw new CredentialError(`credential.keyVault.vaultUrl must be an absolute URL like https://contoso-kv.vault.azure.net; got ${describe(kv.vaultUrl)}.`, {
      option: 'credential.keyVault.vaultUrl',
    });
  }
  if (url.protocol !== 'https:') {
    throw new CredentialError(`credential.keyVault.vaultUrl must use https (Key Vault refuses anything else); got "${url.origin}".`, {
      option: 'credential.keyVault.vaultUrl',
    });
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username || url.password) {
    throw new CredentialError(
      `credential.keyVault.vaultUrl must be the vault's base URL (https://<vault>.vault.azure.net) without a path; got ${describe(kv.vaultUrl)}: ` +
        'give the secret or certificate name in keyVault.secretName / keyVault.certificateName.',
      { option: 'credential.keyVault.vaultUrl' },
    );
  }
  const names = (['secretName', 'certificateName'] as const).filter((key) => kv[key] !== undefined);
  if (names.length !== 1) {
    throw new CredentialError(
      names.length === 0
        ? 'credential.keyVault needs secretName (a secret holding the client secret) or certificateName (a certificate with an exportable key).'
        : 'credential.keyVault must have exactly one of secretName and certificateName, not both.',
      { option: 'credential.keyVault' },
    );
  }
  const key = names[0]!;
  const name = kv[key];
  if (typeof name !== 'string' || !VAULT_OBJECT_NAME.test(name)) {
    throw new CredentialError(`credential.keyVault.${key} must be a Key Vault object name (1–127 letters, digits and dashes); got ${describe(name)}.`, {
      option: `credential.keyVault.${key}`,
    });
  }
  return { vaultUrl: url.origin, [key]: name };
}

/** Environment variables {@link credentialsFromEnv} reads (the @azure/identity `EnvironmentCredential` convention). */
export type CredentialEnvironment = Record<string, string | undefined>;

/**
 * Reads the app's credentials from environment variables, as @azure/identity's
 * `EnvironmentCredential` does: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, and either
 * `AZURE_CLIENT_SECRET` or `AZURE_CLIENT_CERTIFICATE_PATH` (with `AZURE_CLIENT_CERTIFICATE_PASSWORD`
 * and `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`). When both a secret and a certificate path are set,
 * the secret is used (as `EnvironmentCredential` does).
 *
 * The result is validated when the client is created. It prints without its secret:
 * `util.inspect`, `JSON.stringify` and `String()` show `clientSecret` and the certificate
 * `password` as `[redacted]`, while the fields themselves hold the values (pass the object on as
 * it is, or inside a spread of the options; a spread of the object itself copies the fields
 * without the redaction).
 * @throws CredentialError naming the missing variable(s) in `option`.
 */
export function credentialsFromEnv(env: CredentialEnvironment = process.env): CredentialInput {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const tenantId = get('AZURE_TENANT_ID');
  const clientId = get('AZURE_CLIENT_ID');
  const secret = env.AZURE_CLIENT_SECRET === undefined || env.AZURE_CLIENT_SECRET === '' ? undefined : env.AZURE_CLIENT_SECRET;
  const certificatePath = get('AZURE_CLIENT_CERTIFICATE_PATH');
  const missing = [tenantId ? undefined : 'AZURE_TENANT_ID', clientId ? undefined : 'AZURE_CLIENT_ID'].filter((v): v is string => !!v);
  if (!secret && !certificatePath) missing.push('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
  if (missing.length > 0) {
    throw new CredentialError(
      `Environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set: ` +
        'credentialsFromEnv() needs AZURE_TENANT_ID, AZURE_CLIENT_ID, and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.',
      { option: missing.join(', ') },
    );
  }
  if (secret) return hideSecrets({ tenantId: tenantId!, clientId: clientId!, clientSecret: secret }, ['clientSecret']);
  const password = env.AZURE_CLIENT_CERTIFICATE_PASSWORD;
  const chain = get('AZURE_CLIENT_SEND_CERTIFICATE_CHAIN');
  return hideSecrets(
    {
      tenantId: tenantId!,
      clientId: clientId!,
      // Hidden in its own object too, so that a spread of the credential keeps it hidden.
      certificate: password ? hideSecrets({ path: certificatePath!, password }, ['password']) : { path: certificatePath! },
      sendCertificateChain: chain !== undefined && ['true', '1', 'yes'].includes(chain.toLowerCase()),
    },
    [],
  );
}
