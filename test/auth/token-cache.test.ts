import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../src/auth/index.js';
import { AuthenticationError, CredentialError } from '../../src/errors.js';
import type { AccessToken, GetTokenOptions, Logger, TokenCredential } from '../../src/types.js';
import { expectNoSecrets } from '../support/leak.js';

const SCOPE = 'https://api.security.microsoft.com/.default';
const GRAPH = 'https://graph.microsoft.com/.default';
const MIN = 60_000;
const MARGIN = 5 * MIN;

/** A controllable clock. */
class Clock {
  t = Date.UTC(2026, 0, 1);
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

interface Call {
  scope: string | string[];
  signal: AbortSignal | undefined;
  resolve(token: AccessToken | null): void;
  reject(error: unknown): void;
}

/** A credential whose calls stay pending until the test settles them (or answers at once, if `auto`). */
class ManualCredential implements TokenCredential {
  calls: Call[] = [];
  auto: ((n: number) => AccessToken | null | Error) | undefined;
  constructor(readonly clock: Clock) {}
  getToken(scope: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    return new Promise((resolve, reject) => {
      this.calls.push({ scope, signal: options?.abortSignal, resolve, reject });
      if (this.auto) {
        const answer = this.auto(this.calls.length);
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      }
    });
  }
  /** A token `n` that lives `lifetimeMs` from now. */
  token(n: number, lifetimeMs = 60 * MIN, extra: Partial<AccessToken> = {}): AccessToken {
    return { token: `token-${n}`, expiresOnTimestamp: this.clock.t + lifetimeMs, ...extra };
  }
}

function recordingLogger() {
  const lines: Array<{ level: string; text: string }> = [];
  const logger: Logger = {
    debug: (m, ...d) => lines.push({ level: 'debug', text: [m, ...d.map(String)].join(' ') }),
    info: (m, ...d) => lines.push({ level: 'info', text: [m, ...d.map(String)].join(' ') }),
    warn: (m, ...d) => lines.push({ level: 'warn', text: [m, ...d.map(String)].join(' ') }),
    error: (m, ...d) => lines.push({ level: 'error', text: [m, ...d.map(String)].join(' ') }),
  };
  return { lines, logger };
}

function setup(options: { margin?: number } = {}) {
  const clock = new Clock();
  const credential = new ManualCredential(clock);
  const { lines, logger } = recordingLogger();
  const cache = new TokenCache(credential, { refreshMarginMs: options.margin ?? MARGIN, logger, now: clock.now });
  return { clock, credential, cache, lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('TokenCache', () => {
  it('100 concurrent calls on a cold cache make one credential call and all get its token', async () => {
    const { credential, cache } = setup();
    const pending = Array.from({ length: 100 }, () => cache.getToken(SCOPE));
    await flush();
    expect(credential.calls).toHaveLength(1);
    credential.calls[0]!.resolve(credential.token(1));
    expect(new Set(await Promise.all(pending))).toEqual(new Set(['token-1']));
    expect(credential.calls).toHaveLength(1);
  });

  it('serves the token from memory while more than the margin is left, refreshes inside the margin', async () => {
    const { clock, credential, cache } = setup();
    credential.auto = (n) => credential.token(n);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(60 * MIN - MARGIN - 1000); // 5 min + 1 s left
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(credential.calls).toHaveLength(1);
    clock.advance(2000); // 4 min 59 s left
    expect(await cache.getToken(SCOPE)).toBe('token-2');
    expect(credential.calls).toHaveLength(2);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
    expect(credential.calls).toHaveLength(2);
  });

  it('keeps a token per scope', async () => {
    const { credential, cache } = setup();
    credential.auto = (n) => credential.token(n);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(await cache.getToken(GRAPH)).toBe('token-2');
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(credential.calls.map((c) => c.scope)).toEqual([SCOPE, GRAPH]);
  });

  it('does not refresh on every call a token that lives shorter than twice the margin', async () => {
    const { clock, credential, cache } = setup();
    credential.auto = (n) => credential.token(n, 4 * MIN);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(MIN);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(MIN + 1);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
  });

  it("respects the credential's refreshAfterTimestamp", async () => {
    const { clock, credential, cache } = setup();
    credential.auto = (n) => credential.token(n, 120 * MIN, { refreshAfterTimestamp: clock.t + 30 * MIN });
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(29 * MIN);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(MIN);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
  });

  it('serves the still-valid old token when a refresh fails, warns, and backs off before trying again', async () => {
    const { clock, credential, cache, lines } = setup();
    const failure = new AuthenticationError('Entra ID is down', { status: 503, code: 'temporarily_unavailable' });
    credential.auto = (n) => (n === 1 ? credential.token(1) : n <= 3 ? failure : credential.token(n));
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(57 * MIN); // 3 min left: inside the margin
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(credential.calls).toHaveLength(2);
    const warning = lines.find((l) => l.level === 'warn');
    expect(warning?.text).toMatch(/refresh .* failed/);
    expect(warning?.text).toContain(SCOPE);
    // Within the back-off: no new attempt.
    clock.advance(10_000);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(credential.calls).toHaveLength(2);
    // After 30 s: one more attempt (fails again, still served).
    clock.advance(20_001);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(credential.calls).toHaveLength(3);
    clock.advance(30_001);
    expect(await cache.getToken(SCOPE)).toBe('token-4');
    expect(credential.calls).toHaveLength(4);
    for (const line of lines) expect(line.text).not.toMatch(/token-\d/);
  });

  it('throws the credential error when the refresh fails and the old token has expired', async () => {
    const { clock, credential, cache } = setup();
    const failure = new AuthenticationError('Entra ID rejected the client secret', { status: 401, code: 'AADSTS7000215' });
    credential.auto = (n) => (n === 1 ? credential.token(1) : failure);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(60 * MIN);
    await expect(cache.getToken(SCOPE)).rejects.toBe(failure);
  });

  it('passes CredentialError through and wraps a foreign error in an AuthenticationError without its secrets', async () => {
    const { credential, cache } = setup();
    const configError = new CredentialError('bad vault', { option: 'credential.keyVault' });
    credential.auto = () => configError;
    await expect(cache.getToken(SCOPE)).rejects.toBe(configError);

    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const foreign = new Error(`upstream said: token=${jwt} client_secret=Sup3rS3cretValue!!`);
    credential.auto = () => foreign;
    const error = await cache.getToken(GRAPH).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toMatch(/ManualCredential.*failed to get a token/);
    expectNoSecrets(error, [jwt, 'Sup3rS3cretValue!!']);
  });

  it('a credential returning null is an AuthenticationError', async () => {
    const { credential, cache } = setup();
    credential.auto = () => null;
    await expect(cache.getToken(SCOPE)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('invalidate drops the token only if it is the cached one', async () => {
    const { credential, cache } = setup();
    credential.auto = (n) => credential.token(n);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    cache.invalidate(SCOPE, 'token-1');
    expect(await cache.getToken(SCOPE)).toBe('token-2');
    // A 401 for a request made with the old token must not discard the newer one.
    cache.invalidate(SCOPE, 'token-1');
    cache.invalidate(GRAPH, 'token-2');
    expect(await cache.getToken(SCOPE)).toBe('token-2');
    expect(credential.calls).toHaveLength(2);
  });

  it('forceRefresh skips the cache but concurrent forced calls share one refresh', async () => {
    const { credential, cache } = setup();
    credential.auto = (n) => credential.token(n);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    credential.auto = undefined;
    const forced = [cache.getToken(SCOPE, { forceRefresh: true }), cache.getToken(SCOPE, { forceRefresh: true })];
    await flush();
    expect(credential.calls).toHaveLength(2);
    credential.calls[1]!.resolve(credential.token(2));
    expect(await Promise.all(forced)).toEqual(['token-2', 'token-2']);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
  });

  it('a forced refresh that fails throws rather than serving the token it was asked to replace', async () => {
    const { credential, cache } = setup();
    const failure = new AuthenticationError('nope', { status: 401 });
    credential.auto = (n) => (n === 1 ? credential.token(1) : failure);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    await expect(cache.getToken(SCOPE, { forceRefresh: true })).rejects.toBe(failure);
  });

  it("one waiter's abort rejects only that waiter; the shared refresh goes on for the others", async () => {
    const { credential, cache } = setup();
    const controller = new AbortController();
    const aborted = cache.getToken(SCOPE, { signal: controller.signal });
    const others = [cache.getToken(SCOPE), cache.getToken(SCOPE, { signal: new AbortController().signal })];
    await flush();
    expect(credential.calls).toHaveLength(1);
    const reason = new Error('this caller gave up');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(credential.calls[0]!.signal?.aborted).toBe(false);
    credential.calls[0]!.resolve(credential.token(1));
    expect(await Promise.all(others)).toEqual(['token-1', 'token-1']);
  });

  it('aborts the credential call only when every waiter has aborted; the next caller starts afresh', async () => {
    const { credential, cache } = setup();
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.getToken(SCOPE, { signal: a.signal });
    const second = cache.getToken(SCOPE, { signal: b.signal });
    await flush();
    a.abort(new Error('a'));
    await expect(first).rejects.toThrow('a');
    expect(credential.calls[0]!.signal?.aborted).toBe(false);
    b.abort(new Error('b'));
    await expect(second).rejects.toThrow('b');
    expect(credential.calls[0]!.signal?.aborted).toBe(true);
    credential.auto = (n) => credential.token(n);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
  });

  it('an already-aborted signal rejects at once with its reason', async () => {
    const { credential, cache } = setup();
    const reason = new Error('already');
    await expect(cache.getToken(SCOPE, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(credential.calls).toHaveLength(0);
  });

  it('logs "token for <scope> cached until <iso>" at debug and never the token', async () => {
    const { clock, credential, cache, lines } = setup();
    credential.auto = (n) => credential.token(n);
    await cache.getToken(SCOPE);
    const expiry = new Date(clock.t + 60 * MIN).toISOString();
    expect(lines).toContainEqual({ level: 'debug', text: `token for ${SCOPE} cached until ${expiry}` });
    for (const line of lines) expect(line.text).not.toContain('token-1');
  });

  it('rejects a negative margin', () => {
    expect(() => new TokenCache({ getToken: async () => null }, { refreshMarginMs: -1 })).toThrow(RangeError);
  });
});
