import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenCache } from '../../src/auth/index.js';
import { AuthenticationError, CredentialError } from '../../src/errors.js';
import type { AccessToken, GetTokenOptions, Logger, TokenCredential } from '../../src/types.js';
import { makeAccessToken } from '../support/jwt.js';
import { expectNoSecrets } from '../support/leak.js';
import { CLIENT_ID, TENANT_ID } from '../support/tenant.js';
import { rejection } from '../support/throws.js';

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

function setup(options: { margin?: number; maxRetryWaitMs?: number; realClock?: boolean } = {}) {
  const clock = new Clock();
  const credential = new ManualCredential(clock);
  const { lines, logger } = recordingLogger();
  const cache = new TokenCache(credential, {
    refreshMarginMs: options.margin ?? MARGIN,
    logger,
    ...(options.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: options.maxRetryWaitMs } : {}),
    // With realClock the cache reads Date.now, which vi.useFakeTimers moves along with its timers.
    ...(options.realClock ? {} : { now: clock.now }),
  });
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

/** What Entra ID's throttling becomes once a built-in credential mapped it. */
const throttledError = (status: number, retryAfterMs?: number) =>
  new AuthenticationError(`Entra ID throttled token requests (${status})`, { status, code: 'AADSTS50196', retryAfterMs, operation: 'auth.getToken' });

describe('TokenCache: a throttled token endpoint', () => {
  afterEach(() => vi.useRealTimers());

  it('20 sequential calls while a 429 with Retry-After: 60 holds make one credential call; after the wait, exactly one more', async () => {
    const { clock, credential, cache, lines } = setup({ maxRetryWaitMs: 10_000 });
    const answer = throttledError(429, 60_000);
    credential.auto = (n) => (n === 1 ? answer : credential.token(n));
    expect(await rejection(cache.getToken(SCOPE))).toBe(answer);
    const refused: AuthenticationError[] = [];
    for (let i = 0; i < 19; i++) {
      clock.advance(1_000);
      refused.push((await rejection(cache.getToken(SCOPE))) as AuthenticationError);
    }
    expect(credential.calls).toHaveLength(1);
    for (const [i, error] of refused.entries()) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ status: 429, code: 'AADSTS50196', operation: 'auth.getToken', retryAfterMs: 60_000 - (i + 1) * 1_000 });
      expect(error.message).toMatch(/^Not sent: the token endpoint asked not to be called again before 2026-01-01T00:01:00\.000Z .*beyond maxRetryWaitMs of 10000 ms\)\. Its last answer: Entra ID throttled/);
      expect(error.cause).toBe(answer);
    }
    expect(lines.find((l) => l.level === 'error')?.text).toContain('the token endpoint is left alone until 2026-01-01T00:01:00.000Z');
    // The wait has passed: the next call asks again (once), and the one after is served from memory.
    clock.advance(41_000);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
    expect(await cache.getToken(SCOPE)).toBe('token-2');
    expect(credential.calls).toHaveLength(2);
  });

  it('a 503 with Retry-After opens the circuit too; a 503 or 500 without one does not', async () => {
    const { clock, credential, cache } = setup({ maxRetryWaitMs: 0 });
    credential.auto = (n) => (n === 1 ? throttledError(503, 5_000) : n <= 3 ? throttledError(500) : credential.token(n));
    await rejection(cache.getToken(SCOPE));
    await rejection(cache.getToken(SCOPE));
    expect(credential.calls).toHaveLength(1);
    clock.advance(5_000);
    await rejection(cache.getToken(SCOPE));
    await rejection(cache.getToken(SCOPE));
    expect(credential.calls).toHaveLength(3);
    expect(await cache.getToken(SCOPE)).toBe('token-4');
  });

  it('a 429 without Retry-After holds 30 s; an absurd Retry-After is capped at 5 minutes, and the cap is logged', async () => {
    const { clock, credential, cache, lines } = setup({ maxRetryWaitMs: 0 });
    credential.auto = (n) => (n === 1 ? throttledError(429) : n === 2 ? throttledError(429, 99_999_999_999_000) : credential.token(n));
    await rejection(cache.getToken(SCOPE));
    clock.advance(29_999);
    expect(((await rejection(cache.getToken(SCOPE))) as AuthenticationError).retryAfterMs).toBe(1);
    clock.advance(1);
    await rejection(cache.getToken(SCOPE));
    expect(credential.calls).toHaveLength(2);
    expect(lines.filter((l) => l.level === 'error').at(-1)?.text).toMatch(/its Retry-After of 99999999999 s capped at 300 s/);
    clock.advance(299_999);
    expect(((await rejection(cache.getToken(SCOPE))) as AuthenticationError).retryAfterMs).toBe(1);
    clock.advance(1);
    expect(await cache.getToken(SCOPE)).toBe('token-3');
  });

  it('Retry-After: 0 still holds the token endpoint for a second', async () => {
    const { clock, credential, cache } = setup({ maxRetryWaitMs: 0 });
    credential.auto = (n) => (n === 1 ? throttledError(429, 0) : credential.token(n));
    await rejection(cache.getToken(SCOPE));
    await rejection(cache.getToken(SCOPE));
    expect(credential.calls).toHaveLength(1);
    clock.advance(1_000);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
  });

  it('a call waits once for a Retry-After that fits maxRetryWaitMs, and the calls waiting together share one new request', async () => {
    vi.useFakeTimers();
    const { credential, cache } = setup({ maxRetryWaitMs: 10_000, realClock: true });
    credential.auto = () => throttledError(429, 5_000);
    await rejection(cache.getToken(SCOPE));
    const waiting = Array.from({ length: 5 }, () => cache.getToken(SCOPE));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(credential.calls).toHaveLength(1);
    credential.auto = undefined;
    await vi.advanceTimersByTimeAsync(1);
    expect(credential.calls).toHaveLength(2);
    credential.calls[1]!.resolve({ token: 'token-2', expiresOnTimestamp: Date.now() + 60 * MIN });
    expect(await Promise.all(waiting)).toEqual(Array.from({ length: 5 }, () => 'token-2'));
  });

  it('waits only once: throttled again after the wait, the call that asked gets the new answer and one that did not ask fails unsent', async () => {
    vi.useFakeTimers();
    const { credential, cache } = setup({ maxRetryWaitMs: 10_000, realClock: true });
    const first = throttledError(429, 2_000);
    const second = throttledError(429, 2_000);
    credential.auto = (n) => (n === 1 ? first : second);
    await rejection(cache.getToken(SCOPE));
    const asker = rejection(cache.getToken(SCOPE));
    const other = rejection(cache.getToken(SCOPE));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await asker).toBe(second);
    const unsent = (await other) as AuthenticationError;
    expect(unsent.message).toMatch(/^Not sent: .*after one wait already/);
    expect(unsent.cause).toBe(second);
    expect(credential.calls).toHaveLength(2);
  });

  it("an abort during the wait rejects with the signal's reason and sends nothing", async () => {
    vi.useFakeTimers();
    const { credential, cache } = setup({ maxRetryWaitMs: 10_000, realClock: true });
    credential.auto = () => throttledError(429, 5_000);
    await rejection(cache.getToken(SCOPE));
    const controller = new AbortController();
    const waiting = rejection(cache.getToken(SCOPE, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(1_000);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await waiting).toBe(reason);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(credential.calls).toHaveLength(1);
  });

  it('a still-valid token is served through a Retry-After longer than the usual 30 s back-off, and no refresh is tried before it passes', async () => {
    const { clock, credential, cache } = setup();
    credential.auto = (n) => (n === 1 ? credential.token(1) : n === 2 ? throttledError(429, 120_000) : credential.token(n));
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(57 * MIN);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(60_000);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(credential.calls).toHaveLength(2);
    clock.advance(60_000);
    expect(await cache.getToken(SCOPE)).toBe('token-3');
  });

  it('keeps a circuit per scope', async () => {
    const { credential, cache } = setup({ maxRetryWaitMs: 0 });
    credential.auto = (n) => (n === 1 ? throttledError(429, 60_000) : credential.token(n));
    await rejection(cache.getToken(SCOPE));
    expect(await cache.getToken(GRAPH)).toBe('token-2');
    await rejection(cache.getToken(SCOPE));
    expect(credential.calls).toHaveLength(2);
  });

  it('rejects a negative maxRetryWaitMs', () => {
    expect(() => new TokenCache({ getToken: async () => null }, { refreshMarginMs: 0, maxRetryWaitMs: -1 })).toThrow(RangeError);
  });
});

describe('TokenCache: odd token lifetimes', () => {
  const jwt = (expSeconds: number) => makeAccessToken({ aud: 'https://api.security.microsoft.com', tid: TENANT_ID, appid: CLIENT_ID, exp: expSeconds });

  it.each([
    ['in the past', (t: number) => t - 5_000],
    ['now', (t: number) => t],
    ['half a second away', (t: number) => t + 500],
    ['NaN', () => Number.NaN],
    ['missing', () => undefined],
    ['a string', () => '3600'],
  ])('an expiresOnTimestamp %s falls back to the exp claim, with a warning that holds no token', async (_, expires) => {
    const { clock, credential, cache, lines } = setup();
    const exp = Math.floor(clock.t / 1000) + 3600;
    const token = jwt(exp);
    credential.auto = () => ({ token, expiresOnTimestamp: expires(clock.t) }) as never;
    for (let i = 0; i < 20; i++) {
      expect(await cache.getToken(SCOPE)).toBe(token);
      clock.advance(1_000);
    }
    expect(credential.calls).toHaveLength(1);
    expect(lines).toContainEqual({ level: 'debug', text: `token for ${SCOPE} cached until ${new Date(exp * 1000).toISOString()}` });
    const warning = lines.find((l) => l.level === 'warn');
    expect(warning?.text).toMatch(/using the token's own exp claim/);
    for (const line of lines) expect(line.text).not.toContain(token.split('.')[2]!);
    // Refreshed, as any token, when the margin before its exp is reached.
    clock.advance(60 * MIN - MARGIN - 20_000);
    await cache.getToken(SCOPE);
    expect(credential.calls).toHaveLength(2);
  });

  it('a token with no usable expiry and no exp claim is kept 60 s, and the log says why', async () => {
    const { clock, credential, cache, lines } = setup();
    credential.auto = (n) => ({ token: `opaque-${n}`, expiresOnTimestamp: Number.NaN });
    expect(await cache.getToken(SCOPE)).toBe('opaque-1');
    clock.advance(59_999);
    expect(await cache.getToken(SCOPE)).toBe('opaque-1');
    expect(credential.calls).toHaveLength(1);
    clock.advance(1);
    expect(await cache.getToken(SCOPE)).toBe('opaque-2');
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.text);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/no usable expiresOnTimestamp and the token has no readable exp claim; keeping it 60 s rather than fetching a new token for every call/);
    for (const line of lines) expect(line.text).not.toMatch(/opaque-\d/);
  });

  it('a token whose reported expiry and exp claim are both past is kept 60 s too', async () => {
    const { clock, credential, cache, lines } = setup();
    const token = jwt(Math.floor(clock.t / 1000) - 60);
    credential.auto = () => ({ token, expiresOnTimestamp: clock.t - 60_000 });
    await cache.getToken(SCOPE);
    clock.advance(30_000);
    await cache.getToken(SCOPE);
    expect(credential.calls).toHaveLength(1);
    expect(lines.find((l) => l.level === 'warn')?.text).toMatch(/an expiry 60 s in the past and the token has an exp claim already past; keeping it 60 s/);
  });

  it('a short but real lifetime is honoured, with a warning', async () => {
    const { clock, credential, cache, lines } = setup();
    credential.auto = (n) => credential.token(n, 4_000);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(1_999);
    expect(await cache.getToken(SCOPE)).toBe('token-1');
    clock.advance(1);
    expect(await cache.getToken(SCOPE)).toBe('token-2');
    expect(lines.find((l) => l.level === 'warn')?.text).toBe(`token for ${SCOPE} lives only 4.0 s: a new one will be fetched that often (Entra ID tokens live 60–90 min)`);
  });

  it('a refreshAfterTimestamp already past is ignored', async () => {
    const { clock, credential, cache } = setup();
    credential.auto = (n) => credential.token(n, 60 * MIN, { refreshAfterTimestamp: clock.t - 1 });
    for (let i = 0; i < 5; i++) expect(await cache.getToken(SCOPE)).toBe('token-1');
    expect(credential.calls).toHaveLength(1);
  });
});

describe('TokenCache: tokens that cannot be sent', () => {
  it.each([
    ['empty', ''],
    ['with CR/LF', 'eyJhbGciOiJub25lIn0.e30.c2ln\r\nX-Injected: yes'],
    ['with NUL', 'Secr3tTokenValue\u0000tail-part'],
    ['with a space', 'Secr3tTokenValue inner-part'],
    ['with a non-ASCII character', 'Secr3tTokenValue\u0100tail-part'],
    ['with a tab', 'Secr3tTokenValue\ttail-part'],
  ])('%s: AuthenticationError invalid_token, without the token in message, log or inspect', async (_, token) => {
    const { clock, credential, cache, lines } = setup();
    credential.auto = () => ({ token, expiresOnTimestamp: clock.t + 60 * MIN });
    const error = (await rejection(cache.getToken(SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'invalid_token', status: 401, operation: 'auth.getToken' });
    expect(error.cause).toBeUndefined();
    expect(error.message).toMatch(token === '' ? /it is empty/ : /cannot be sent in an Authorization header/);
    expectNoSecrets(error, ['Secr3tTokenValue', 'tail-part', 'inner-part', 'X-Injected'].filter((part) => token.includes(part)));
    for (const line of lines) expect(line.text).not.toMatch(/Secr3t|tail-part|inner-part|Injected/);
  });
});
