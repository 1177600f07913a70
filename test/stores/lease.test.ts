/*
 * The lease a sync worker holds to advance a shared checkpoint: one holder at a time, for a time,
 * with a fence that grows on every acquisition. Time moves on vitest's fake clock only.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DefenderError, InvalidArgumentError, LeaseLostError, MemoryLease } from '../../src/index.js';
import { rejection } from '../support/throws.js';

describe('MemoryLease', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('has one holder at a time, per key', async () => {
    const lease = new MemoryLease();
    const first = await lease.acquire('feed', 10_000);
    expect(first).toEqual({ token: expect.any(String), fence: expect.any(Number) });
    expect(await lease.acquire('feed', 10_000)).toBeUndefined();
    expect(await lease.acquire('other feed', 10_000)).toBeDefined();
  });

  it('increases the fence on every acquisition: after a release and after an expiry', async () => {
    const lease = new MemoryLease();
    const fences: number[] = [];
    const first = (await lease.acquire('feed', 1_000))!;
    fences.push(first.fence);
    await lease.release('feed', first.token);
    const second = (await lease.acquire('feed', 1_000))!;
    fences.push(second.fence);
    vi.advanceTimersByTime(1_000);
    const third = (await lease.acquire('feed', 1_000))!;
    fences.push(third.fence);
    expect(new Set([first.token, second.token, third.token]).size).toBe(3);
    expect(fences[1]).toBeGreaterThan(fences[0]!);
    expect(fences[2]).toBeGreaterThan(fences[1]!);
  });

  it('lasts ttlMs, and a renewal extends it from the moment of renewing', async () => {
    const lease = new MemoryLease();
    const grant = (await lease.acquire('feed', 1_000))!;
    vi.advanceTimersByTime(999);
    expect(await lease.acquire('feed', 1_000)).toBeUndefined();
    expect(await lease.renew('feed', grant.token, 1_000)).toBe(true);
    // past the first term, within the renewed one
    vi.advanceTimersByTime(999);
    expect(await lease.acquire('feed', 1_000)).toBeUndefined();
    vi.advanceTimersByTime(1);
    const next = await lease.acquire('feed', 1_000);
    expect(next?.fence).toBeGreaterThan(grant.fence);
  });

  it('refuses a renewal and ignores a release by a holder that lost it', async () => {
    const lease = new MemoryLease();
    const lost = (await lease.acquire('feed', 1_000))!;
    vi.advanceTimersByTime(1_000);
    // expired, nobody else yet: still lost
    expect(await lease.renew('feed', lost.token, 1_000)).toBe(false);
    const taker = (await lease.acquire('feed', 1_000))!;
    expect(await lease.renew('feed', lost.token, 1_000)).toBe(false);
    await lease.release('feed', lost.token);
    expect(await lease.acquire('feed', 1_000)).toBeUndefined();
    expect(await lease.renew('feed', taker.token, 1_000)).toBe(true);
    await lease.release('feed', taker.token);
    expect(await lease.acquire('feed', 1_000)).toBeDefined();
  });

  it.each([
    ['key', (lease: MemoryLease) => lease.acquire('', 1_000)],
    ['key', (lease: MemoryLease) => lease.acquire('a\nb', 1_000)],
    ['ttlMs', (lease: MemoryLease) => lease.acquire('feed', 0)],
    ['ttlMs', (lease: MemoryLease) => lease.acquire('feed', 1.5)],
    ['ttlMs', (lease: MemoryLease) => lease.renew('feed', 'token', 86_400_001)],
    ['token', (lease: MemoryLease) => lease.renew('feed', '', 1_000)],
    ['token', (lease: MemoryLease) => lease.release('feed', 42 as never)],
  ])('refuses a bad %s with InvalidArgumentError naming it', async (option, call) => {
    const error = await rejection(call(new MemoryLease()));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ option });
    expect((error as Error).message).toMatch(new RegExp(`^${option} must be`));
  });
});

describe('LeaseLostError', () => {
  it('is a DefenderError naming the key and the fence lost', () => {
    const error = new LeaseLostError('lost the lease "feed" (fence 3)', { key: 'feed', fence: 3 });
    expect(error).toBeInstanceOf(DefenderError);
    expect(error).toMatchObject({ name: 'LeaseLostError', key: 'feed', fence: 3 });
  });
});
