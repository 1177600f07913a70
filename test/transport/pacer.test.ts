import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DefenderClient, InvalidArgumentError, RateLimitError, type RateLimitInfo } from '../../src/index.js';
import { Pacer, resolveRateLimitOptions, type RateLimitWindow } from '../../src/transport/pacer.js';
import { TenantCredential, fakeTenant, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();
const quota = { error: { code: '429', message: 'API calls quota exceeded! maximum allowed 100 per 00:01:00', target: 'q-1' } };

/** The most moments any window of `intervalMs` holds (a window starts at each moment). */
function mostInAnyWindow(times: readonly number[], intervalMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! - sorted[i]! < intervalMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

/** A pacer of `incidents.get` with `windows`, for `credential`, as a client makes one. */
function pacerFor(credential: object, windows: RateLimitWindow[]): Pacer {
  const rateLimit = resolveRateLimitOptions({ limits: { 'incidents.get': windows } });
  if (rateLimit === false) throw new Error('pacing is on');
  return new Pacer({ credential, api: 'defender', rateLimit });
}

/**
 * When `pacers` (in turn) grant `count` concurrent acquires, on vitest's fake clock: it moves only
 * as the pacers' own timers run, so these are the pacer's decisions exactly, with no machine in
 * between (no latency, no load). The client tests check the same pacing end to end, by counts.
 */
async function grantTimes(pacers: Pacer[], count: number): Promise<number[]> {
  const granted: number[] = [];
  const acquires = Array.from({ length: count }, (_, i) =>
    pacers[i % pacers.length]!.acquire({ family: 'incidents.get', operation: 'incidents.get', attempt: 1, budgetMs: 60_000 }).then(() => void granted.push(Date.now())),
  );
  await vi.runAllTimersAsync();
  await Promise.all(acquires);
  return granted;
}

const firstId = (tenant: { incidents: Map<number, unknown> }) => String([...tenant.incidents.keys()][0]);

describe('quota pacing', () => {
  it('sends 60 concurrent gets at most N per window, and all succeed', async () => {
    const waits: RateLimitInfo[] = [];
    const { client, tenant } = fakeTenant(server, {
      client: { rateLimit: { limits: { 'incidents.get': [{ limit: 10, intervalMs: 250 }] }, onRateLimit: (info) => void waits.push(info) } },
    });
    const id = firstId(tenant);
    // a warm-up call (token, first connection), whose slot then leaves the window
    await client.incidents.get(id);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const warmUp = requestsTo(tenant, 'defender').length;
    const started = tenant.clock.now();
    const results = await Promise.all(Array.from({ length: 60 }, () => client.incidents.get(id)));
    expect(results).toHaveLength(60);
    expect(results.every((incident) => incident.id === id)).toBe(true);
    expect(requestsTo(tenant, 'defender').slice(warmUp)).toHaveLength(60);
    // With the token cached, the 60 calls ask for a slot in one turn of the event loop, however busy
    // the machine: the window has room for ten, the other fifty wait.
    expect(waits).toHaveLength(50);
    // six windows of ten: the last batch reaches the tenant after five full windows, on its clock (a
    // lower bound: a slower machine only adds to it). The windows themselves: the fake-clock tests below.
    const arrivals = requestsTo(tenant, 'defender').slice(warmUp).map((request) => request.at);
    expect(Math.max(...arrivals) - started).toBeGreaterThanOrEqual(5 * 250 - 20);
  });

  it('paces each window of a family: every window must have room', async () => {
    const waits: RateLimitInfo[] = [];
    const { client, tenant } = fakeTenant(server, {
      client: {
        rateLimit: {
          limits: {
            'incidents.get': [
              { limit: 3, intervalMs: 100 },
              { limit: 5, intervalMs: 400 },
            ],
          },
          onRateLimit: (info) => void waits.push(info),
        },
      },
    });
    const id = firstId(tenant);
    const started = tenant.clock.now();
    await Promise.all(Array.from({ length: 10 }, () => client.incidents.get(id)));
    expect(requestsTo(tenant, 'defender')).toHaveLength(10);
    // The ten ask for a slot in one turn (when their shared token comes): three have room, seven wait,
    // and the last five wait for the first five to leave the 400 ms window (a lower bound).
    expect(waits).toHaveLength(7);
    expect(Math.max(...requestsTo(tenant, 'defender').map((request) => request.at)) - started).toBeGreaterThanOrEqual(400 - 20);
  });

  it('paces by default with the documented 100 gets per minute', async () => {
    // A budget far below the minute the extra five would wait. No call waits: the first 100 have
    // room, the last five are refused before waiting (onRateLimit hears of every wait).
    const waits: RateLimitInfo[] = [];
    const { client, tenant } = fakeTenant(server, { client: { maxRetryWaitMs: 5_000, rateLimit: { onRateLimit: (info) => void waits.push(info) } } });
    const id = firstId(tenant);
    const outcomes = await Promise.allSettled(Array.from({ length: 105 }, () => client.incidents.get(id)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(100);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(5);
    expect(refused.every((o) => o.reason instanceof RateLimitError && o.reason.code === 'ClientRateLimited' && /maxRetryWaitMs/.test(o.reason.message))).toBe(true);
    expect(requestsTo(tenant, 'defender')).toHaveLength(100);
    expect(waits).toEqual([]);
  });

  it('sends at once with rateLimit: false', async () => {
    const { client, tenant } = fakeTenant(server, { client: { rateLimit: false, maxRetryWaitMs: 1_000 } });
    const id = firstId(tenant);
    const outcomes = await Promise.allSettled(Array.from({ length: 120 }, () => client.incidents.get(id)));
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(requestsTo(tenant, 'defender')).toHaveLength(120);
  });

  it('holds the whole family after a 429, so concurrent calls do not each hit the wall', async () => {
    const calls: RateLimitInfo[] = [];
    const { client, tenant } = fakeTenant(server, { client: { rateLimit: { onRateLimit: (info) => void calls.push(info) } } });
    const id = firstId(tenant);
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
    // The throttled call's retry waits in the pacer, as attempt 2: the hold is in place.
    await expect.poll(() => calls.some((c) => c.attempt === 2), { timeout: 10_000 }).toBe(true);
    const others = await Promise.all(Array.from({ length: 10 }, () => client.incidents.get(id)));
    expect((await first).id).toBe(id);
    expect(others.every((incident) => incident.id === id)).toBe(true);
    // None of the others reached the service while it refused: all waited out the hold, which
    // began when the client read the 429, after the service's second began.
    expect(throttled).toBe(1);
    expect(requestsTo(tenant, 'defender')).toHaveLength(11);
    expect(calls.filter((c) => c.attempt === 2)).toEqual([expect.objectContaining({ family: 'incidents.get', attempt: 2 })]);
    const hold = calls.find((c) => c.attempt === 2)!;
    expect(hold.waitMs).toBeGreaterThan(0);
    expect(hold.waitMs).toBeLessThanOrEqual(1_000);
  });

  it('fails at once with RateLimitError when the wait exceeds maxRetryWaitMs', async () => {
    const waits: RateLimitInfo[] = [];
    const { client, tenant } = fakeTenant(server, {
      client: { maxRetryWaitMs: 5_000, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 60_000 }] }, onRateLimit: (info) => void waits.push(info) } },
    });
    const id = firstId(tenant);
    const started = Date.now();
    await client.incidents.get(id);
    const error = await client.incidents.get(id).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    // At once: refused before any wait began (onRateLimit hears of every wait).
    expect(waits).toEqual([]);
    expect(error).toBeInstanceOf(RateLimitError);
    const e = error as RateLimitError;
    // the rest of the minute the first call's slot holds, however long the calls took
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(60_000 - elapsed);
    expect(e.retryAfterMs).toBeLessThanOrEqual(66_000); // the window plus the pacer's margin: 1%, or the first call's arrival lag up to 10%
    expect(e.code).toBe('ClientRateLimited');
    expect(e.operation).toBe('incidents.get');
    expect(e.message).toMatch(/maxRetryWaitMs/);
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
  });

  it('fails queued calls at once when a 429 asks for longer than their budget', async () => {
    // One call per 5 s: the second and third wait 5 s and 10 s for their turns, within their budget;
    // the first call's 429 asks for 30 s, beyond it. (A pacer that let them wait would run into the
    // test's timeout, or send them at their turn.)
    const { client, tenant } = fakeTenant(server, {
      client: { maxRetryWaitMs: 15_000, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 5_000 }] } } },
    });
    const id = firstId(tenant);
    tenant.faults.add('defender.getIncident', { status: 429, body: quota, headers: { 'retry-after': '30' } });
    const outcomes = await Promise.allSettled([client.incidents.get(id), client.incidents.get(id), client.incidents.get(id)]);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof RateLimitError)).toBe(true);
    // only the first was sent; the queued ones learned of the hold before their turn
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
    const queued = (outcomes[1] as PromiseRejectedResult).reason as RateLimitError;
    expect(queued.code).toBe('ClientRateLimited');
    expect(queued.retryAfterMs).toBeGreaterThan(29_000);
  });

  it('tells onRateLimit the family, the wait and the attempt, and lets it cancel the wait', async () => {
    const seen: RateLimitInfo[] = [];
    let allow = true;
    const { client, tenant } = fakeTenant(server, {
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
    const id = firstId(tenant);
    const started = Date.now();
    await Promise.all([client.incidents.get(id), client.incidents.get(id)]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ family: 'incidents.get', api: 'defender', operation: 'incidents.get', attempt: 1 });
    expect(seen[0]!.waitMs).toBeGreaterThan(0);
    expect(seen[0]!.waitMs).toBeLessThanOrEqual(2_200); // the window plus the pacer's margin (1%, or an arrival lag up to 10%)
    // and it did wait for the slot: the second went out two seconds after the first at the least
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000 - 20);

    allow = false;
    const error = await client.incidents.get(id).catch((e: unknown) => e);
    // cancelled before waiting: the error says so, and nothing more was sent
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toMatch(/onRateLimit cancelled/);
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
  });

  it('rejects with the signal reason when aborted while waiting for a slot, and frees its place', async () => {
    const { client, tenant } = fakeTenant(server, {
      client: { rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 3_000 }] } } },
    });
    const id = firstId(tenant);
    await client.incidents.get(id);
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const waiting = client.incidents.get(id, { signal: controller.signal }).catch((e: unknown) => e);
    const behind = client.incidents.get(id);
    setTimeout(() => controller.abort(reason), 30);
    const started = Date.now();
    expect(await waiting).toBe(reason);
    // Before the slot it waited for came (3 s after the first call): a wait that ignored the signal
    // would end no sooner. (The one time bound here is the pacer's own window, not a guess at speed.)
    expect(Date.now() - started).toBeLessThan(3_000);
    // the call queued behind the aborted one takes the next slot
    await behind;
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
  });

  it.each(['onRateLimit', 'the logger'] as const)('rejects with the reason and sends nothing when %s aborts the signal as the wait begins', async (where) => {
    const controller = new AbortController();
    const reason = new Error('stop before waiting');
    const sent: string[] = [];
    const logger = {
      debug: (message: string) => {
        if (message.startsWith('→ ')) sent.push(message);
        if (where === 'the logger' && /waiting \d+ ms for a slot/.test(message)) controller.abort(reason);
      },
    };
    const onRateLimit = () => void (where === 'onRateLimit' && controller.abort(reason));
    // A short window: a call that ignored the abort would be granted its slot soon and start an attempt.
    const { client, tenant } = fakeTenant(server, {
      client: { logger, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 300 }] }, onRateLimit } },
    });
    const id = firstId(tenant);
    await client.incidents.get(id);
    await expect(client.incidents.get(id, { signal: controller.signal })).rejects.toBe(reason);
    // no attempt was started for it (the transport logs each before sending), and it took no slot
    expect(sent).toHaveLength(1);
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
    await client.incidents.get(id);
    expect(sent).toHaveLength(2);
  });

  it('rejects with the reason when the logger aborts the signal as a wait past the budget is refused', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const logger = { warn: (message: string) => void (/not sent: waiting/.test(message) && controller.abort(reason)) };
    const { client, tenant } = fakeTenant(server, {
      client: { logger, maxRetryWaitMs: 1_000, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 60_000 }] } } },
    });
    const id = firstId(tenant);
    await client.incidents.get(id);
    // an abort wins over the refusal, as everywhere in the SDK
    await expect(client.incidents.get(id, { signal: controller.signal })).rejects.toBe(reason);
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
  });

  it('shares buckets between clients of one credential, not between credentials', async () => {
    const limits = { 'incidents.get': [{ limit: 5, intervalMs: 300 }] };
    const shared: RateLimitInfo[] = [];
    const rateLimit = { limits, onRateLimit: (info: RateLimitInfo) => void shared.push(info) };
    const { client, credential, tenant } = fakeTenant(server, { client: { rateLimit } });
    const id = firstId(tenant);
    const twin = new DefenderClient({ credential, maxRetryWaitMs: 10_000, rateLimit });
    // Tokens first, so that the ten calls ask for a slot in one turn of the event loop.
    await client.auth.inspect();
    await twin.auth.inspect();
    await Promise.all([
      ...Array.from({ length: 5 }, () => client.incidents.get(id)),
      ...Array.from({ length: 5 }, () => twin.incidents.get(id)),
    ]);
    expect(requestsTo(tenant, 'defender')).toHaveLength(10);
    // one bucket of five for both clients: the second five waited for the first five to leave it
    expect(shared).toHaveLength(5);

    const firstTen = requestsTo(tenant, 'defender').length;
    // A long window: if the two credentials shared a bucket, the second five would wait for a slot,
    // and onRateLimit would hear of it.
    const long = { 'incidents.get': [{ limit: 5, intervalMs: 2_000 }] };
    const waits: RateLimitInfo[] = [];
    const onRateLimit = (info: RateLimitInfo) => void waits.push(info);
    const stranger = new DefenderClient({ credential: new TenantCredential(tenant), maxRetryWaitMs: 10_000, rateLimit: { limits: long, onRateLimit } });
    const other = new DefenderClient({ credential: new TenantCredential(tenant), maxRetryWaitMs: 10_000, rateLimit: { limits: long, onRateLimit } });
    await Promise.all([
      ...Array.from({ length: 5 }, () => stranger.incidents.get(id)),
      ...Array.from({ length: 5 }, () => other.incidents.get(id)),
    ]);
    expect(requestsTo(tenant, 'defender').slice(firstTen)).toHaveLength(10);
    expect(waits).toEqual([]);
  });

  it('paces families apart: hunting waits do not delay incident gets', async () => {
    const { client, tenant } = fakeTenant(server, {
      huntingTables: { DeviceInfo: [{ DeviceName: 'pc-1' }] },
      client: { rateLimit: { limits: { hunting: [{ limit: 1, intervalMs: 60_000 }] } }, maxRetryWaitMs: 100 },
    });
    await client.advancedHunting.run('DeviceInfo | take 1');
    await expect(client.advancedHunting.run('DeviceInfo | take 1')).rejects.toBeInstanceOf(RateLimitError);
    await client.incidents.get(firstId(tenant));
    expect(requestsTo(tenant, 'defender').map((r) => r.route)).toEqual(['defender.hunting', 'defender.getIncident']);
  });

  it('writes a debug line naming the family and the wait when a call waits', async () => {
    const lines: string[] = [];
    // One call a minute: the second waits whatever the machine's speed; once it says so, it is let go.
    const controller = new AbortController();
    const logger = {
      debug: (message: string) => {
        lines.push(message);
        if (/waiting \d+ ms for a slot/.test(message)) controller.abort();
      },
    };
    const { client, tenant } = fakeTenant(server, {
      client: { logger, maxRetryWaitMs: 120_000, rateLimit: { limits: { 'incidents.get': [{ limit: 1, intervalMs: 60_000 }] } } },
    });
    const id = firstId(tenant);
    await client.incidents.get(id);
    await expect(client.incidents.get(id, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(lines.some((line) => /waiting \d+ ms for a slot of the defender "incidents\.get" quota/.test(line))).toBe(true);
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
  });

  describe('the pacer\'s decisions, on a fake clock', () => {
    beforeEach(() => void vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }));
    afterEach(() => void vi.useRealTimers());

    it('grants 60 concurrent acquires ten per 250 ms window, in six windows', async () => {
      const granted = await grantTimes([pacerFor({}, [{ limit: 10, intervalMs: 250 }])], 60);
      expect(granted).toHaveLength(60);
      expect(mostInAnyWindow(granted, 250)).toBe(10);
      expect(Math.max(...granted) - Math.min(...granted)).toBeGreaterThanOrEqual(5 * 250);
    });

    it('grants only when every window of the family has room', async () => {
      const granted = await grantTimes([pacerFor({}, [{ limit: 3, intervalMs: 100 }, { limit: 5, intervalMs: 400 }])], 10);
      expect(granted).toHaveLength(10);
      expect(mostInAnyWindow(granted, 100)).toBe(3);
      expect(mostInAnyWindow(granted, 400)).toBe(5);
    });

    it('shares one credential\'s buckets between pacers, not another credential\'s', async () => {
      const windows = [{ limit: 5, intervalMs: 300 }];
      const credential = {};
      const shared = await grantTimes([pacerFor(credential, windows), pacerFor(credential, windows)], 10);
      expect(mostInAnyWindow(shared, 300)).toBe(5);
      expect(Math.max(...shared) - Math.min(...shared)).toBeGreaterThanOrEqual(300);
      const apart = await grantTimes([pacerFor({}, windows), pacerFor({}, windows)], 10);
      expect(Math.max(...apart) - Math.min(...apart)).toBe(0);
    });
  });

  describe('a call that reaches the service late, on a fake clock', () => {
    beforeEach(() => void vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }));
    afterEach(() => void vi.useRealTimers());

    /**
     * Runs `work` on the fake clock: time moves only when nothing else can happen (msw answers in
     * this process, in turns of the event loop), to the next timer: a pacer's wait, the tenant's
     * delay, or undici's own.
     */
    async function onFakeClock<T>(work: Promise<T>): Promise<T> {
      let done = false;
      void work.then(
        () => (done = true),
        () => (done = true),
      );
      const turns = async () => {
        for (let i = 0; i < 50 && !done; i++) await new Promise((resolve) => setImmediate(resolve));
      };
      for (await turns(); !done; await turns()) await vi.advanceTimersToNextTimerAsync();
      return work;
    }

    it('lengthens its windows by the lag, so the call one window later is not refused, then forgets it', async () => {
      // The service and the pacer allow one get a second. The first get reaches the service 60 ms
      // after the pacer counted it (a cold connection): the next, paced one window and 1 % later,
      // would arrive 950 ms after it and be refused.
      const windows = [{ limit: 1, intervalMs: 1_000 }];
      const { client, tenant } = fakeTenant(server, { quotas: { 'defender.incident.get': windows }, client: { rateLimit: { limits: { 'incidents.get': windows } } } });
      const id = firstId(tenant);
      tenant.faults.add('defender.getIncident', { delayMs: 60 });
      // The token and a connection first (another family): signing and connecting are real work,
      // not turns of the event loop, and would let the clock run while they are under way.
      await client.incidents.list().byPage().next();
      await onFakeClock(
        (async () => {
          for (let i = 0; i < 4; i++) await client.incidents.get(id);
        })(),
      );
      const gets = requestsTo(tenant, 'defender').filter((request) => request.route === 'defender.getIncident');
      expect(gets.map((request) => request.status)).toEqual([200, 200, 200, 200]);
      // The tenant records a request before its delay: arrivals are 60 ms later for the first.
      const arrivals = gets.map((request, i) => request.at + (i === 0 ? 60 : 0));
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(1_000);
      expect(arrivals[1]! - arrivals[0]!).toBeLessThanOrEqual(1_100);
      // The lag counts while a call it delayed can share a window with the next (window + 10 %),
      // then the margin is 1 % again: the quota's throughput, less the margin, is kept.
      expect(arrivals[3]! - arrivals[2]!).toBe(1_010);
      // Three paced gaps on the tenant's clock: the margin never costs more than 10 % a window.
      expect(gets[3]!.at - gets[0]!.at).toBeLessThanOrEqual(3 * 1_100);
    });
  });

  describe('a hold that grows, on a fake clock', () => {
    beforeEach(() => void vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }));
    afterEach(() => void vi.useRealTimers());

    it('fails a queued call it puts past its budget, and counts it no more for the calls behind', async () => {
      const pacer = pacerFor({}, [{ limit: 1, intervalMs: 1_000 }]);
      const acquire = (budgetMs: number) => pacer.acquire({ family: 'incidents.get', operation: 'incidents.get', attempt: 1, budgetMs });
      await acquire(60_000);
      const short = acquire(5_000).then(() => 'granted', (e: unknown) => e);
      const long = acquire(9_900).then(() => 'granted', (e: unknown) => e);
      // 9 s: beyond the first's budget; the second fits only if the first no longer goes before it
      await pacer.hold('incidents.get', 9_000, 'calls');
      await vi.runAllTimersAsync();
      expect(await short).toBeInstanceOf(RateLimitError);
      expect(await long).toBe('granted');
    });
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
    const { credential } = fakeTenant(server);
    const error = (() => {
      try {
        new DefenderClient({ credential, rateLimit: rateLimit as never });
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
