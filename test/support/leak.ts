/** Assertions that nothing secret escapes in an error. */
import { inspect } from 'node:util';
import { expect } from 'vitest';

/** Every way an error can be shown or serialized. */
export function renderings(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof Error) {
      out.push(current.message, String(current.stack), String(current));
    }
    out.push(inspect(current, { depth: 10, showHidden: true, getters: true }));
    try {
      out.push(JSON.stringify(current) ?? '');
    } catch {
      // circular: inspect covers it
    }
    if (current && typeof current === 'object' && 'body' in current) out.push(JSON.stringify((current as { body: unknown }).body) ?? '');
    current = current instanceof Error ? current.cause : undefined;
  }
  return out;
}

/** Asserts that no secret (value, or a recognizable fragment of it) appears anywhere in `error`. */
export function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  const all = renderings(error).join('\n');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(all).not.toContain(secret);
    // A 16-character middle slice catches partial echoes (e.g. a PEM body line).
    const middle = secret.slice(Math.floor(secret.length / 2) - 8, Math.floor(secret.length / 2) + 8);
    expect(all).not.toContain(middle);
  }
}

/** The base64 body lines of a PEM private key (what a leak would contain). */
export function keyLines(pem: string): string[] {
  const match = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]+?)-----END/.exec(pem);
  return (match?.[1] ?? '').split(/\r?\n/).filter((line) => line.length >= 40);
}
