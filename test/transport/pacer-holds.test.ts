/*
 * What a 429 does to the pacer: the hold it puts on the whole family (never longer than the
 * family's longest documented window, whatever the service says), and the wait when its
 * Retry-After names none worth honouring (back-off, never an immediate resend).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DefenderClient, RateLimitError, type RateLimitInfo } from '../../src/index.js';
import type { FaultRoute } from '../../src/testing/index.js';
import { fakeTenant, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();
const huntingTables = { DeviceInfo: [{ DeviceName: 'pc-1' }] };
const callsQuota = { error: { code: '429', message: 'API calls quota exceeded! maximum allowed 100 per 00:01:00', target: 'q-1' } };
const cpuQuota = {
  error: { code: '429', message: 'You have exceeded processing resources allocated to this tenant. You can run queries again in 99:00:00.', target: 'q-2' },
};
const HOUR = 3_600_000;

/** A logger keeping its lines, by level. */
function recordingLogger() {
  const lines = { debug: [] as string[], warn: [] as string[] };
  return { lines, logger: { debug: (m: string) => void lines.debug.push(m), warn: (m: string) => void lines.warn.push(m) } };
}

type Family = 'incidents.get' | 'hunting';
const route: Record<Family, FaultRoute> = { 'incidents.get': 'defender.getIncident', hunting: 'defender.hunting' };
const call = (client: DefenderClient, family: Family, id: string) =>
  family === 'hunting' ? client.advancedHunting.run('DeviceInfo | take 1') : client.incidents.get(id);

describe('a 429 hold', () => {
  afterEach(() => void vi.useRealTimers());

  it.each([
    ['incidents.get', 'Retry-After: 99999999999 (seconds)', { 'retry-after': '99999999999' }, callsQuota, 99_999_999_999_000, HOUR],
    ['incidents.get', 'Retry-After: a date in the year 9999', { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, callsQuota, undefined, HOUR],
    ['hunting', 'a CPU quota body asking for 99 hours', {}, cpuQuota, 99 * HOUR, 15 * 60_000],
  ] as const)('on %s is held at most the longest documented window, after %s, and says so', async (family, _what, headers, body, askedMs, capMs) => {
    const { lines, logger } = recordingLogger();
    const { client, credential, tenant } = fakeTenant(server, { huntingTables, client: { logger, silenceDeprecationWarnings: true } });
    const id = String([...tenant.incidents.keys()][0]);
    tenant.faults.add(route[family], { status: 429, body, headers });
    // The throttled call itself cannot wait that long: it fails at once.
    await expect(call(client, family, id)).rejects.toBeInstanceOf(RateLimitError);

    // A new client of the same app, with the largest budget, is held for the cap, not for centuries.
    const waits: RateLimitInfo[] = [];
    const late = new DefenderClient({
      credential,
      maxRetryWaitMs: HOUR,
      silenceDeprecationWarnings: true,
      rateLimit: {
        onRateLimit: (info) => {
          waits.push(info);
          return false;
        },
      },
    });
    const error = await call(late, family, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toMatch(/onRateLimit cancelled/);
    expect(waits).toEqual([expect.objectContaining({ family, attempt: 1 })]);
    expect(waits[0]!.waitMs).toBeLessThanOrEqual(capMs);
    expect(waits[0]!.waitMs).toBeGreaterThan(capMs - 60_000);
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);

    // The warning names what the service asked and what was applied.
    const warning = lines.warn.find((line) => /asked to hold/.test(line));
    expect(warning).toMatch(new RegExp(`asked to hold the defender "${family}" quota for ${askedMs ?? '\\d+'} ms after a 429; held for ${capMs} ms`));
  });

  it('ends when the cap has passed: a new call is sent again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { client, credential, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    tenant.faults.add('defender.getIncident', { status: 429, body: callsQuota, headers: { 'retry-after': '99999999999' } });
    await expect(client.incidents.get(id)).rejects.toBeInstanceOf(RateLimitError);
    const late = new DefenderClient({ credential, maxRetryWaitMs: 1_000 });
    await expect(late.incidents.get(id)).rejects.toMatchObject({ code: 'ClientRateLimited' });
    // an hour and a bit later on the clients' clock (the token has expired too: a new one is fetched)
    vi.setSystemTime(Date.now() + HOUR + 60_000);
    await expect(late.incidents.get(id)).resolves.toMatchObject({ id });
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
  });
});

describe('a Retry-After that names no wait', () => {
  const tooMany = { error: { code: 'TooManyRequests', message: 'Too many requests.' } };
  const past = new Date(Date.UTC(2020, 0, 1)).toUTCString();

  it.each([
    { retryAfter: '0', pacing: true, body: tooMany },
    { retryAfter: '-1', pacing: true, body: tooMany },
    { retryAfter: past, pacing: true, body: tooMany },
    { retryAfter: '1, 2', pacing: true, body: tooMany },
    { retryAfter: 'soon 5', pacing: true, body: tooMany },
    { retryAfter: 'later', pacing: true, body: tooMany },
    { retryAfter: '0', pacing: false, body: tooMany },
    // the header came, so the body's worst case (a full minute) is not the fallback either
    { retryAfter: '0', pacing: true, body: callsQuota },
  ])('"$retryAfter" backs off as if none had come, instead of resending at once (pacing $pacing, body $body.error.code)', async ({ retryAfter, pacing, body }) => {
    const { lines, logger } = recordingLogger();
    const { client, tenant } = fakeTenant(server, { client: { logger, ...(pacing ? {} : { rateLimit: false }) } });
    const id = String([...tenant.incidents.keys()][0]);
    tenant.faults.add('defender.getIncident', { status: 429, body, headers: { 'retry-after': retryAfter } });
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
    const delays = lines.warn.flatMap((line) => /Retrying in (\d+) ms/.exec(line)?.[1] ?? []).map(Number);
    // the first back-off: between half and all of 500 ms
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(250);
    expect(delays[0]).toBeLessThanOrEqual(500);
  });
});

describe('a Retry-After sent twice', () => {
  it('honours "30, 30" (one value, the header repeated by a proxy) as 30 s', async () => {
    const { client, credential, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    tenant.faults.add('defender.getIncident', { status: 429, body: callsQuota, headers: { 'retry-after': '30, 30' } });
    const error = await client.incidents.get(id).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RateLimitError', retryAfterMs: 30_000 });
    // and the family is held for it: another client's call would wait the rest of the 30 s
    const waits: RateLimitInfo[] = [];
    const other = new DefenderClient({ credential, maxRetryWaitMs: 60_000, rateLimit: { onRateLimit: (info) => (waits.push(info), false) } });
    await expect(other.incidents.get(id)).rejects.toThrow(/onRateLimit cancelled/);
    expect(waits[0]!.waitMs).toBeGreaterThan(20_000);
    expect(waits[0]!.waitMs).toBeLessThanOrEqual(30_000);
  });
});
