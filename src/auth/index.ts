/**
 * Authentication: credentials, the token cache, token inspection and admin consent.
 * @packageDocumentation
 */
export {
  createCredential,
  credentialForTenant,
  credentialsFromEnv,
  isTenantId,
  isTokenCredential,
  type CertificateSource,
  type ClientCertificateCredentialOptions,
  type ClientSecretCredentialOptions,
  type CreateCredentialContext,
  type CredentialEnvironment,
  type CredentialInput,
  type KeyVaultCredentialOptions,
  type KeyVaultLocation,
} from './credentials.js';
export { TokenCache, type TokenCacheGetOptions, type TokenCacheOptions } from './token-cache.js';
export { decodeAccessToken, type TokenInfo } from './jwt.js';
export { adminConsentUrl, type AdminConsentUrlOptions } from './consent.js';
