import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, RateLimitError, type RateLimitInfo } from '../src/index.js';
import { CountingCredential, fakeTenant, startServer } from './support/harness.js';

const server = startServer();
const quota = { error: { code: '429', message: 'API calls quota exceeded! maximum allowed 100 per 00:01:00', target: 'q-1' } };

/** The most requests any window of `intervalMs` saw, given their arrival times. */
function busiestWindow(times: readonly number[], intervalMs: number, toleranceMs = intervalMs / 4): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    // a request arrives some milliseconds after the pacer let it go, more under load
    while (j < sorted.length && sorted[j]! - sorted[i]! < intervalMs - toleranceMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

const firstId = (defender: { incidents: Map<number, unknown> }) => String([...defender.incidents.keys()][0]);

/**
 * A client logger that records when the transport sends each request (its `→` debug line, written
 * as the pacer lets the call go). Unlike arrival times at the fake tenant, these do not trail the
 * pacer's releases by however long a loaded machine takes to put a request through msw.
 */
function sendTimes() {
  const times: number[] = [];
  const logger = {
    debug: (message: string) => {
      if (message.startsWith('→ ')) times.push(Date.now());
    },
  };
  return { times, logger };
}

describe('quota pacing', () => {
  it('sends 60 concurrent gets at most N per window, and all succeed', async () => {
    const sent = sendTimes();
    const { client, defender } = fakeTenant(server, {
      client: { logger: sent.logger, rateLimit: { limits: { 'incidents.get': [{ limit: 10, intervalMs: 250 }] } } },
    });
    const id = firstId(defender);
    // a warm-up call (token, first connection)
    await client.incidents.get(id);
    await new Promise((resolve) => setTimeout(resolve, 250));
    defender.requests.length = 0;
    sent.times.length = 0;
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 60 }, () => client.incidents.get(id)));
    expect(results).toHaveLength(60);
    expect(results.every((incident) => incident.id === id)).toBe(true);
    expect(defender.requests).toHaveLength(60);
    expect(sent.times).toHaveLength(60);
    expect(busiestWindow(sent.times, 250, 100)).toBeLessThanOrEqual(10);
    // six windows of ten: the last batch goes out after five full windows
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 250 - 20);
  });

  it('paces each window of a family: every window must have room', async () => {
    const sent = sendTimes();
    const { client, defender } = fakeTenant(server, {
      client: {
        logger: sent.logger,
        rateLimit: {
          limits: {
            'incidents.get': [
              { limit: 3, intervalMs: 100 },
              { limit: 5, intervalMs: 400 },
            ],
          },
        },
      },
    });
    const id = firstId(defender);
    await Promise.all(Array.from({ length: 10 }, () => client.incidents.get(id)));
    expect(defender.requests).toHaveLength(10);
    const times = sent.times;
    expect(times).toHaveLength(10);
    expect(busiestWindow(times, 100)).toBeLessThanOrEqual(3);
    expect(busiestWindow(times, 400)).toBeLessThanOrEqual(5);
  });

  it('paces by default with the documented 100 gets per minute', async () => {
    // A budget far below the minute the extra five would wait, far above the time 100 calls take.
    const { client, defender } = fakeTenant(server, { client: { maxRetryWaitMs: 5_000 } });
    const id = firstId(defender);
    const started = Date.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 105 }, () => client.incidents.get(id)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(100);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(5);
    expect(refused.every((o) => o.reason instanceof RateLimitError)).toBe(true);
    expect(defender.requests).toHaveLength(100);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('sends at once with rateLimit: false', async () => {
    const { client, defender } = fakeTenant(server, { client: { rateLimit: false, maxRetryWaitMs: 1_000 } });
    const id = firstId(defender);
    const outcomes = await Promise.allSettled(Array.from({ length: 120 }, () => client.incidents.get(id)));
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(defender.requests).toHaveLength(120);
  });

  it('holds the whole family after a 429, so concurrent calls do not each hit the wall', async () => {
    const calls: RateLimitInfo[] = [];
    const { client, defender } = fakeTenant(server, { client: { rateLimit: { onRateLimit: (info) => void calls.push(info) } } });
    const id = firstId(defender);
    // Another process spent the quota: the service refuses every call for one second.
    let blockedUntil = 0;
    let throttled = 0;
    server.use(
      http.get(/\/api\/incidents\/[^/]+$/, () => {
        if (blockedUntil === 0) blockedUntil = Date.now() + 1_000;
        if (Date.now() >= blockedUntil) return undefined;
        throttled++;
        return HttpResponse.json(quota, { status: 429, headers: { 'retry-after': '1' } });
      }),
    );
    const first = client.incidents.get(id);
    await expect.poll(() => throttled).toBe(1);
    const started = Date.now();
    const others = await Promise.all(Array.from({ length: 10 }, () => client.incidents.get(id)));
    expect((await first).id).toBe(id);
    expect(others.every((incident) => incident.id === id)).toBe(true);
    expect(throttled).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(defender.requests).toHaveLength(11);
    // the retry of the throttled call waited in the pacer, as attempt 2
    expect(calls.some((c) => c.attempt === 2 && c.family === 'incidents.get' && c.waitMs > 800 && c.waitMs <= 1_000)).toBe(true);
  });

  it('fails at once with RateLimitError when the wait exceeds maxRetryWaitMs', async () => {
    const { client, defender } = fakeTenant(server, {
      client: { maxRetryWaitMs: 5_000, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 60_000 }] } } },
    });
    const id = firstId(defender);
    await client.incidents.get(id);
    const started = Date.now();
    const error = await client.incidents.get(id).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(200);
    expect(error).toBeInstanceOf(RateLimitError);
    const e = error as RateLimitError;
    expect(e.retryAfterMs).toBeGreaterThan(59_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(60_600); // the window plus the pacer's 1% guard
    expect(e.code).toBe('ClientRateLimited');
    expect(e.operation).toBe('incidents.get');
    expect(e.message).toMatch(/maxRetryWaitMs/);
    expect(defender.requests).toHaveLength(1);
  });

  it('fails queued calls at once when a 429 asks for longer than their budget', async () => {
    const { client, defender } = fakeTenant(server, {
      client: { maxRetryWaitMs: 2_000, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 300 }] } } },
    });
    const id = firstId(defender);
    defender.inject('get', { status: 429, body: quota, headers: { 'retry-after': '30' } });
    const started = Date.now();
    const outcomes = await Promise.allSettled([client.incidents.get(id), client.incidents.get(id), client.incidents.get(id)]);
    expect(Date.now() - started).toBeLessThan(1_500); // not the 2 s budget, nor the 30 s hold
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof RateLimitError)).toBe(true);
    // only the first was sent; the queued ones learned of the hold before their turn
    expect(defender.requests).toHaveLength(1);
    const queued = (outcomes[1] as PromiseRejectedResult).reason as RateLimitError;
    expect(queued.code).toBe('ClientRateLimited');
    expect(queued.retryAfterMs).toBeGreaterThan(29_000);
  });

  it('tells onRateLimit the family, the wait and the attempt, and lets it cancel the wait', async () => {
    const seen: RateLimitInfo[] = [];
    let allow = true;
    const { client, defender } = fakeTenant(server, {
      client: {
        rateLimit: {
          limits: { 'incidents.get': [{ limit: 1, intervalMs: 2_000 }] },
          onRateLimit: (info) => {
            seen.push(info);
            return allow;
          },
        },
      },
    });
    const id = firstId(defender);
    await Promise.all([client.incidents.get(id), client.incidents.get(id)]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ family: 'incidents.get', api: 'defender', operation: 'incidents.get', attempt: 1 });
    expect(seen[0]!.waitMs).toBeGreaterThan(1_000);
    expect(seen[0]!.waitMs).toBeLessThanOrEqual(2_020); // the window plus the pacer's 1% guard

    allow = false;
    const started = Date.now();
    const error = await client.incidents.get(id).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000); // not the ~2 s wait
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toMatch(/onRateLimit cancelled/);
    expect(defender.requests).toHaveLength(2);
  });

  it('rejects with the signal reason when aborted while waiting for a slot, and frees its place', async () => {
    const { client, defender } = fakeTenant(server, {
      client: { rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 3_000 }] } } },
    });
    const id = firstId(defender);
    await client.incidents.get(id);
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const waiting = client.incidents.get(id, { signal: controller.signal }).catch((e: unknown) => e);
    const behind = client.incidents.get(id);
    setTimeout(() => controller.abort(reason), 30);
    const started = Date.now();
    expect(await waiting).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1_000); // not the ~3 s wait
    // the call queued behind the aborted one takes the next slot
    await behind;
    expect(defender.requests).toHaveLength(2);
  });

  it('shares buckets between clients of one credential, not between credentials', async () => {
    const limits = { 'incidents.get': [{ limit: 5, intervalMs: 300 }] };
    const { client, credential, defender } = fakeTenant(server, { client: { rateLimit: { limits } } });
    const id = firstId(defender);
    const twin = new DefenderClient({ credential, maxRetryWaitMs: 10_000, rateLimit: { limits } });
    await Promise.all([
      ...Array.from({ length: 5 }, () => client.incidents.get(id)),
      ...Array.from({ length: 5 }, () => twin.incidents.get(id)),
    ]);
    let times = defender.requests.map((r) => r.at);
    expect(busiestWindow(times, 300)).toBeLessThanOrEqual(5);
    // the second five waited for the first five to leave the window (less the arrival jitter)
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(200);

    defender.requests.length = 0;
    // A long window: if the two credentials shared a bucket, the second five would wait 2 s.
    const long = { 'incidents.get': [{ limit: 5, intervalMs: 2_000 }] };
    const stranger = new DefenderClient({ credential: new CountingCredential(), maxRetryWaitMs: 10_000, rateLimit: { limits: long } });
    const other = new DefenderClient({ credential: new CountingCredential(), maxRetryWaitMs: 10_000, rateLimit: { limits: long } });
    await Promise.all([
      ...Array.from({ length: 5 }, () => stranger.incidents.get(id)),
      ...Array.from({ length: 5 }, () => other.incidents.get(id)),
    ]);
    times = defender.requests.map((r) => r.at);
    expect(times).toHaveLength(10);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(1_000);
  });

  it('paces families apart: hunting waits do not delay incident gets', async () => {
    const { client, defender } = fakeTenant(server, {
      huntingTables: { DeviceInfo: [{ DeviceName: 'pc-1' }] },
      client: { rateLimit: { limits: { hunting: [{ limit: 1, intervalMs: 60_000 }] } }, maxRetryWaitMs: 100 },
    });
    await client.advancedHunting.run('DeviceInfo | take 1');
    await expect(client.advancedHunting.run('DeviceInfo | take 1')).rejects.toBeInstanceOf(RateLimitError);
    await client.incidents.get(firstId(defender));
    expect(defender.requests.map((r) => r.route)).toEqual(['hunting', 'get']);
  });

  it('writes a debug line naming the family and the wait when a call waits', async () => {
    const lines: string[] = [];
    const logger = { debug: (message: string) => void lines.push(message) };
    const { client, defender } = fakeTenant(server, {
      client: { logger, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 100 }] } } },
    });
    const id = firstId(defender);
    await Promise.all([client.incidents.get(id), client.incidents.get(id)]);
    expect(lines.some((line) => /waiting \d+ ms for a slot of the defender "incidents\.get" quota/.test(line))).toBe(true);
  });

  it.each([
    ['rateLimit', true],
    ['rateLimit', 'off'],
    ['rateLimit.limit', { limit: {} }],
    ['rateLimit.onRateLimit', { onRateLimit: 'log' }],
    ['rateLimit.limits', { limits: [] }],
    ['rateLimit.limits.incident', { limits: { incident: [{ limit: 1, intervalMs: 1000 }] } }],
    ['rateLimit.limits.hunting', { limits: { hunting: { limit: 1, intervalMs: 1000 } } }],
    ['rateLimit.limits.hunting[0].limit', { limits: { hunting: [{ limit: 0, intervalMs: 1000 }] } }],
    ['rateLimit.limits.hunting[0].limit', { limits: { hunting: [{ limit: 1.5, intervalMs: 1000 }] } }],
    ['rateLimit.limits.hunting[0].intervalMs', { limits: { hunting: [{ limit: 1, intervalMs: -1 }] } }],
    ['rateLimit.limits.hunting[1].intervalMs', { limits: { hunting: [{ limit: 1, intervalMs: 1 }, { limit: 1 }] } }],
    ['rateLimit.limits.hunting[0].perMinute', { limits: { hunting: [{ limit: 1, intervalMs: 1, perMinute: 3 }] } }],
  ])('refuses an invalid option naming %s', (option, rateLimit) => {
    const error = (() => {
      try {
        new DefenderClient({ credential: new CountingCredential(), rateLimit: rateLimit as never });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect((error as InvalidArgumentError).message).toContain(option.split('.').at(-1)!.replace(/\[\d+\]$/, ''));
  });
});
