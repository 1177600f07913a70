import { describe, expect, it } from 'vitest';
import { QuotaBook, type TenantQuotaFamily, type QuotaRefused } from '../../../src/testing/tenant/quotas.js';
import { parseQuotaMessage, quotaKind } from '../../../src/transport/retry-after.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP = '11111111-2222-4333-8444-555555555555';
const START = Date.UTC(2026, 2, 1, 10, 0, 0);

/** A quota book on a clock the test moves by hand. */
function book(limits?: ConstructorParameters<typeof QuotaBook>[0]['limits']) {
  let now = START;
  const quotas = new QuotaBook({ now: () => now, ...(limits ? { limits } : {}) });
  return {
    quotas,
    advance: (ms: number) => {
      now += ms;
    },
    take: (family: TenantQuotaFamily, appId = APP, tenantId = TENANT) => quotas.take({ tenantId, appId, family }),
    /** Takes `n` calls and returns how many were granted. */
    takeMany: (family: TenantQuotaFamily, n: number, appId = APP) => {
      let granted = 0;
      for (let i = 0; i < n; i++) if (quotas.take({ tenantId: TENANT, appId, family }).ok) granted++;
      return granted;
    },
  };
}

function refused(answer: ReturnType<QuotaBook['take']>): QuotaRefused {
  expect(answer.ok).toBe(false);
  return answer as QuotaRefused;
}

function errorOf(answer: QuotaRefused): { code: string; message: string; target?: string; innerError?: Record<string, string> } {
  return (answer.body as { error: { code: string; message: string } }).error;
}

describe('QuotaBook', () => {
  it('grants 45 hunting calls a minute, then answers 429 with the legacy body and Retry-After', () => {
    const { take, takeMany } = book();
    expect(takeMany('defender.hunting', 45)).toBe(45);
    const answer = refused(take('defender.hunting'));
    expect(answer.status).toBe(429);
    expect(answer.retryAfterSeconds).toBe(60);
    expect(answer.headers['Retry-After']).toBe('60');
    const error = errorOf(answer);
    // legacy 429 bodies carry code "429" (reference §3.3)
    expect(error.code).toBe('429');
    expect(error.message).toBe('API calls quota exceeded! maximum allowed 45 per 00:01:00');
    expect(error.target).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('frees a slot when the oldest call leaves the sliding window, and says so in Retry-After', () => {
    const { take, advance } = book();
    for (let i = 0; i < 45; i++) {
      expect(take('defender.hunting').ok).toBe(true);
      advance(1_000); // one call a second: the first at 0 s, the last at 44 s
    }
    // now 45 s: the call made at 0 s frees its slot at 60 s
    expect(refused(take('defender.hunting')).retryAfterSeconds).toBe(15);
    advance(14_500);
    expect(refused(take('defender.hunting')).retryAfterSeconds).toBe(1);
    advance(500);
    expect(take('defender.hunting').ok).toBe(true);
    expect(take('defender.hunting').ok).toBe(false); // the 1 s call is still in the window
    advance(1_000);
    expect(take('defender.hunting').ok).toBe(true);
  });

  it('does not count refused calls', () => {
    const { take, takeMany, advance } = book();
    expect(takeMany('defender.hunting', 200)).toBe(45);
    advance(60_000);
    expect(takeMany('defender.hunting', 100)).toBe(45);
    expect(take('defender.hunting').ok).toBe(false);
  });

  it('caps incidents at 50 a minute and 1,500 an hour, naming the hourly quota when it binds', () => {
    const { take, takeMany, advance } = book();
    for (let minute = 0; minute < 30; minute++) {
      expect(takeMany('defender.incidents', 60)).toBe(50); // 10 refused each minute by the per-minute quota
      const perMinute = refused(take('defender.incidents'));
      if (minute < 29) expect(errorOf(perMinute).message).toBe('API calls quota exceeded! maximum allowed 50 per 00:01:00');
      advance(60_000);
    }
    // 1,500 calls in the last 30 minutes: the per-minute window is free, the hourly one is full
    const hourly = refused(take('defender.incidents'));
    expect(errorOf(hourly).message).toBe('API calls quota exceeded! maximum allowed 1500 per 01:00:00');
    expect(hourly.retryAfterSeconds).toBe(30 * 60); // the first 50 calls, made at 0 s, leave the hour at 60 min
    advance(30 * 60_000);
    expect(takeMany('defender.incidents', 60)).toBe(50);
  });

  it('gives getting one incident its own 100 a minute', () => {
    const { take, takeMany } = book();
    expect(takeMany('defender.incidents', 50)).toBe(50);
    expect(takeMany('defender.incident.get', 150)).toBe(100);
    expect(errorOf(refused(take('defender.incident.get'))).message).toBe('API calls quota exceeded! maximum allowed 100 per 00:01:00');
  });

  it('keeps quotas per tenant, per app and per family', () => {
    const { take, takeMany } = book();
    expect(takeMany('defender.hunting', 45)).toBe(45);
    expect(take('defender.hunting').ok).toBe(false);
    expect(take('defender.hunting', 'another-app').ok).toBe(true);
    expect(take('defender.hunting', APP, 'another-tenant').ok).toBe(true);
    expect(take('graph.hunting').ok).toBe(true);
    expect(take('defender.incidents').ok).toBe(true);
  });

  it("answers Graph families with Graph's TooManyRequests body", () => {
    const { take, takeMany } = book();
    expect(takeMany('graph.hunting', 45)).toBe(45);
    const answer = refused(take('graph.hunting'));
    const error = errorOf(answer);
    expect(error.code).toBe('TooManyRequests');
    expect(error.message).toBe('Too many requests.');
    expect(error.innerError?.['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.innerError?.['date']).toBe('2026-03-01T10:00:00');
    expect(answer.headers['Retry-After']).toBe('60');
    expect(takeMany('graph.incidents', 200)).toBe(150);
    expect(takeMany('graph.alerts', 200)).toBe(150);
  });

  it('writes bodies the SDK reads: a calls quota with the window as the worst-case wait', () => {
    const { take, takeMany } = book();
    takeMany('defender.incidents', 50);
    const message = errorOf(refused(take('defender.incidents'))).message;
    expect(quotaKind(message)).toBe('calls');
    expect(parseQuotaMessage(message)).toBe(60_000);
  });

  it('takes time only from the injected clock', () => {
    let now = 0;
    const quotas = new QuotaBook({ now: () => now });
    const call = () => quotas.take({ tenantId: TENANT, appId: APP, family: 'defender.hunting' });
    for (let i = 0; i < 45; i++) call();
    expect(call().ok).toBe(false);
    now += 59_999;
    expect(call().ok).toBe(false);
    now += 1;
    expect(call().ok).toBe(true);
  });

  it('takes custom limits, and an empty list means unlimited', () => {
    const { take, takeMany, quotas } = book({ 'defender.hunting': [{ limit: 2, intervalMs: 10_000 }], 'graph.hunting': [] });
    expect(quotas.limitsOf('defender.hunting')).toEqual([{ limit: 2, intervalMs: 10_000 }]);
    expect(quotas.limitsOf('defender.incidents')).toEqual([{ limit: 50, intervalMs: 60_000 }, { limit: 1_500, intervalMs: 3_600_000 }]);
    expect(takeMany('defender.hunting', 5)).toBe(2);
    expect(errorOf(refused(take('defender.hunting'))).message).toBe('API calls quota exceeded! maximum allowed 2 per 00:00:10');
    expect(takeMany('graph.hunting', 1_000)).toBe(1_000);
  });

  it('refuses nonsensical limits', () => {
    expect(() => new QuotaBook({ now: () => 0, limits: { 'defender.hunting': [{ limit: 0, intervalMs: 60_000 }] } })).toThrow(RangeError);
    expect(() => new QuotaBook({ now: () => 0, limits: { 'defender.hunting': [{ limit: 5, intervalMs: 0 }] } })).toThrow(/intervalMs > 0/);
  });

  it('forgets every call on reset()', () => {
    const { take, takeMany, quotas } = book();
    takeMany('defender.hunting', 45);
    takeMany('defender.incident.get', 100);
    quotas.reset();
    expect(takeMany('defender.hunting', 45)).toBe(45);
    expect(take('defender.incident.get').ok).toBe(true);
  });
});
