/**
 * A stand-in for a built-in credential whose implementation (and the @azure/* packages it wraps)
 * is imported on the first `getToken`: importing the SDK and constructing a client load neither.
 * @internal
 * @packageDocumentation
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '../types.js';
import { raceAbort } from './abort.js';
import { inspectSymbol } from './redact.js';

/**
 * Loads the real credential once, on the first `getToken`, and forwards every call to it. What
 * `util.inspect`, `JSON.stringify` and `String()` show is fixed at construction: the credential's
 * type name and identifiers, never a secret (the secret lives only in the loader's closure).
 * @internal
 */
export class DeferredCredential implements TokenCredential {
  readonly #type: string;
  readonly #shown: Readonly<Record<string, string>>;
  readonly #load: () => Promise<TokenCredential>;
  #inner: Promise<TokenCredential> | undefined;

  /**
   * @param type - the name shown for the credential, e.g. `SecretCredential`.
   * @param shown - identifiers safe to show (tenant id, client id, vault URL …).
   * @param load - imports the implementation and constructs the real credential.
   */
  constructor(type: string, shown: Record<string, string>, load: () => Promise<TokenCredential>) {
    this.#type = type;
    this.#shown = { ...shown };
    this.#load = load;
  }

  /** Gets a token from the real credential, importing it first if this is the first call. */
  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    options.abortSignal?.throwIfAborted();
    this.#inner ??= this.#load();
    let inner: TokenCredential;
    try {
      inner = await raceAbort(this.#inner, options.abortSignal);
    } catch (error) {
      if (options.abortSignal?.aborted) throw options.abortSignal.reason;
      // A failed import (or construction) is retried by the next call.
      this.#inner = undefined;
      throw error;
    }
    return inner.getToken(scopes, options);
  }

  /** What `JSON.stringify` shows: the type and identifiers only. */
  toJSON(): Record<string, string> {
    return { type: this.#type, ...this.#shown };
  }

  /** What `util.inspect` / `console.log` shows: the type and identifiers only. */
  [inspectSymbol](): string {
    const fields = Object.entries(this.#shown).map(([key, value]) => `${key}: '${value}'`);
    return `${this.#type} { ${fields.join(', ')} }`;
  }

  /** @returns the type name and identifiers, never the secret. */
  toString(): string {
    return this[inspectSymbol]();
  }
}
