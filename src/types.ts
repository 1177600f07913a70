/**
 * Small public types shared across the SDK.
 * @packageDocumentation
 */

/** A token as a credential returns it: the same shape as `@azure/core-auth`'s `AccessToken`. */
export interface AccessToken {
  /** The bearer token. */
  token: string;
  /** When it expires, in milliseconds since the epoch. */
  expiresOnTimestamp: number;
  /** When the credential suggests refreshing it, in milliseconds since the epoch, if it says. */
  refreshAfterTimestamp?: number;
}

/** Options the SDK passes to {@link TokenCredential.getToken}. */
export interface GetTokenOptions {
  /** Aborts the token request. */
  abortSignal?: AbortSignal;
  /** The tenant to get the token for, if not the credential's own. */
  tenantId?: string;
  /**
   * Set when the API rejected the last token (401): a credential with its own cache should
   * bypass it. Credentials that do not cache may ignore it.
   */
  forceRefresh?: boolean;
}

/**
 * Anything that can produce a bearer token for a scope. Every `@azure/identity` credential
 * (managed identity, workload identity, `DefaultAzureCredential`, …) fits, as does your own.
 */
export interface TokenCredential {
  /** Gets a token for the given scope(s); `null` means none could be had. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}

/**
 * Where the SDK writes what it does. Console-like; every method is optional. The SDK is silent
 * unless you pass one, and never writes an Authorization header, token or secret to it.
 */
export interface Logger {
  /** Request and response lines, token cache decisions. */
  debug?(message: string, ...details: unknown[]): void;
  /** Notable events: a token refreshed, a fallback taken. */
  info?(message: string, ...details: unknown[]): void;
  /** Retries, waits for quota, a refresh that failed while an old token was still valid. */
  warn?(message: string, ...details: unknown[]): void;
  /** Failures about to be thrown. */
  error?(message: string, ...details: unknown[]): void;
}

/** The wire APIs a client can call: the Defender API (`api.security.microsoft.com`) or Microsoft Graph security. */
export type WireApiName = 'defender' | 'graph';
