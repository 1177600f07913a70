/**
 * Keeps secrets out of error messages, causes and log lines.
 * @internal
 * @packageDocumentation
 */

const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const FORM_SECRET = /\b(client_secret|client_assertion|access_token|refresh_token|password|secret)(["']?\s*[=:]\s*["']?)[^&\s"',;]+/gi;

/**
 * Removes from `text` every known secret value (exact match), anything that looks like a JWT, a
 * PEM private key, a bearer token, or a `client_secret=` / `password:` style value.
 * @internal
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; real secrets are long.
    if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(PEM_KEY, '[redacted private key]')
    .replace(JWT, '[redacted token]')
    .replace(BEARER, '$1 [redacted]')
    .replace(FORM_SECRET, '$1$2[redacted]');
}

/**
 * Applies {@link redact} to every string of a freshly parsed JSON value (an API error body), keys
 * included, in place, and returns it. Walked without recursion: no nesting depth can overflow the
 * stack. A string is redacted after parsing, so JSON escapes (`\u002e`) cannot hide a token.
 * @internal
 */
export function redactJson(value: unknown, secrets: readonly (string | undefined)[] = []): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (typeof value !== 'object' || value === null) return value;
  const pending: object[] = [value];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === 'object' && child !== null) pending.push(child);
      const safeValue = typeof child === 'string' ? redact(child, secrets) : child;
      const safeKey = Array.isArray(node) ? key : redact(key, secrets);
      if (safeKey === key && safeValue === child) continue;
      if (safeKey !== key) delete record[key];
      // defineProperty, not assignment: a "__proto__" key must stay a plain property.
      Object.defineProperty(record, safeKey, { value: safeValue, writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
}

/**
 * A stand-in for an error thrown by a library, safe to keep as `cause`: same name, redacted
 * message, no properties (a library's error may carry the request, with its form body), and no
 * nested cause.
 * @internal
 */
export function redactedCause(error: unknown, secrets: readonly (string | undefined)[] = []): Error {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const safe = new Error(redact(message, secrets).slice(0, 2000));
  safe.name = name;
  // The stack was captured here; keep only its first line (the redacted message).
  safe.stack = `${name}: ${safe.message}`;
  return safe;
}

/** Name of the class of an object, for messages ("ManagedIdentityCredential"). @internal */
export function className(value: unknown): string {
  if (value && typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    if (ctor && typeof ctor.name === 'string' && ctor.name !== '' && ctor.name !== 'Object') return ctor.name;
    return 'a TokenCredential object';
  }
  return typeof value;
}

/** Symbol Node's `util.inspect` calls, without importing node:util. @internal */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
