/*
 * A tenant that changes: `createFakeTenant({ churn })` creates, updates and merges incidents over
 * its simulated clock, seeded, some changes sharing a timestamp and some visible late, and records
 * every version it made visible. The clock here moves only by `advance()` (a time scale of 1e-9),
 * so what a test sees follows from the seed and the simulated clock alone.
 */
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError } from '../../../src/index.js';
import { createFakeTenant, startSimulator, type ChurnVersion, type FakeTenant, type FakeTenantChurnOptions, type LegacyIncidentWire } from '../../../src/testing/index.js';
import { handlers } from '../../../src/testing/msw.js';
import { startServer } from '../../support/tenant.js';
import { rejection, thrownBy } from '../../support/throws.js';

const server = startServer();
const START = Date.UTC(2026, 5, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function churning(churn: FakeTenantChurnOptions, seed = 11): FakeTenant {
  return createFakeTenant({ seed, incidents: 50, huntingRows: 0, timeScale: 1e-9, startTime: START, churn });
}

/** Moves the tenant's clock on and makes the changes due visible. */
function after(tenant: FakeTenant, ms: number): FakeTenant {
  tenant.clock.advance(ms);
  tenant.churn!.apply();
  return tenant;
}

const stateOf = (tenant: FakeTenant) => JSON.stringify([...tenant.incidents.values()]);
const ms = (wire: string) => Date.parse(wire.replace(/(\.\d{3})\d+Z$/, '$1Z'));

describe('createFakeTenant({ churn })', () => {
  it('changes nothing without the option', () => {
    const tenant = createFakeTenant({ seed: 11, incidents: 20, huntingRows: 0, timeScale: 1e-9, startTime: START });
    const before = stateOf(tenant);
    tenant.clock.advance(24 * HOUR);
    expect(tenant.churn).toBeUndefined();
    expect(stateOf(tenant)).toBe(before);
  });

  it('is deterministic: the same seed and clock give the same changes however often they are applied, and reset() gives them again', () => {
    const options = { perMinute: 3, lateMs: 5 * MINUTE, lateShare: 0.3, sameTimestampShare: 0.2, mergeShare: 0.05 };
    const once = after(churning(options), 6 * HOUR);
    const stepwise = churning(options);
    for (let minute = 0; minute < 6 * 60; minute++) after(stepwise, MINUTE);
    expect(once.churn!.stats.changes).toBeGreaterThan(900);
    expect(stateOf(stepwise)).toBe(stateOf(once));
    expect(stepwise.churn!.versions).toEqual(once.churn!.versions);
    expect(stateOf(after(churning(options, 12), 6 * HOUR))).not.toBe(stateOf(once));

    const state = stateOf(once);
    const versions = [...once.churn!.versions];
    once.reset();
    once.churn!.apply();
    expect(stateOf(once)).toBe(state);
    expect(once.churn!.versions).toEqual(versions);
  });

  it('makes perMinute changes a simulated minute, about createShare of them new incidents and mergeShare merges', () => {
    const tenant = after(churning({ perMinute: 5, createShare: 0.3, mergeShare: 0.05 }), 10 * HOUR);
    const { changes, created, updated, merged } = tenant.churn!.stats;
    expect(changes).toBeGreaterThanOrEqual(2850);
    expect(changes).toBeLessThanOrEqual(3150);
    expect(created + updated + merged).toBe(changes);
    expect(created / changes).toBeCloseTo(0.3, 1);
    expect(merged / changes).toBeGreaterThan(0.03);
    expect(merged / changes).toBeLessThan(0.07);
    expect(tenant.incidents.size).toBe(50 + created);
    // Nothing changes between changes: the next simulated second brings at most a few.
    const before = tenant.churn!.stats.changes;
    expect(after(tenant, 1_000).churn!.stats.changes - before).toBeLessThanOrEqual(2);
  });

  it('stamps about sameTimestampShare of the changes with exactly the last-update time of the change before, on other incidents', async () => {
    const tenant = after(churning({ perMinute: 4, sameTimestampShare: 0.3, lateMs: 0, createShare: 0.1 }), 8 * HOUR);
    const { changes, sameTimestamp } = tenant.churn!.stats;
    expect(sameTimestamp / changes).toBeCloseTo(0.3, 1);
    const byTime = new Map<string, number[]>();
    for (const incident of tenant.incidents.values()) byTime.set(incident.lastUpdateTime, [...(byTime.get(incident.lastUpdateTime) ?? []), incident.incidentId]);
    const shared = [...byTime.values()].filter((ids) => ids.length > 1);
    expect(shared.length).toBeGreaterThan(20);
    expect(shared.some((ids) => ids.length >= 3)).toBe(true);

    // A client reads them as one instant.
    server.use(...handlers(tenant));
    const client = new DefenderClient({ credential: tenant.credential(), rateLimit: false });
    const listed = await client.incidents.list({ updatedAfter: new Date(START) }).toArray();
    const instants = listed.map((incident) => incident.lastUpdateDateTime.getTime());
    expect(instants.length - new Set(instants).size).toBeGreaterThanOrEqual(shared.reduce((sum, ids) => sum + ids.length - 1, 0));
  });

  it('makes a late change visible only after its time, within lateMs, and never moves a last-update time back', () => {
    const options = { perMinute: 2, lateMs: 10 * MINUTE, lateShare: 0.5 };
    const tenant = churning(options);
    const latest = new Map<number, number>();
    for (let minute = 0; minute < 4 * 60; minute++) {
      after(tenant, MINUTE);
      for (const incident of tenant.incidents.values()) {
        const time = ms(incident.lastUpdateTime);
        expect(time).toBeGreaterThanOrEqual(latest.get(incident.incidentId) ?? -Infinity);
        expect(time).toBeLessThanOrEqual(tenant.clock.now());
        latest.set(incident.incidentId, time);
      }
    }
    const { changes, late } = tenant.churn!.stats;
    expect(late / changes).toBeCloseTo(0.5, 1);
    const changed = tenant.churn!.versions.filter((v) => v.change !== 'initial');
    for (const version of changed) {
      expect(version.visibleAt - version.lastUpdate).toBeGreaterThanOrEqual(0);
      expect(version.visibleAt - version.lastUpdate).toBeLessThanOrEqual(10 * MINUTE);
    }
    // One late creation: absent a millisecond before it became visible, there from then on.
    const lateCreation = changed.find((v) => v.kind === 'incident' && v.change === 'create' && v.visibleAt - v.lastUpdate > MINUTE)!;
    const replay = churning(options);
    replay.clock.advance(lateCreation.visibleAt - 1 - START);
    replay.churn!.apply();
    expect(replay.incidents.has(Number(lateCreation.id))).toBe(false);
    after(replay, 1);
    expect(ms(replay.incidents.get(Number(lateCreation.id))!.lastUpdateTime)).toBe(lateCreation.lastUpdate);
  });

  it('merges incidents: the merged one is redirected to the other, which takes its alerts', async () => {
    const tenant = after(churning({ perMinute: 2, mergeShare: 0.3, lateMs: 0 }), 4 * HOUR);
    const merged = [...tenant.incidents.values()].filter((incident) => tenant.churn!.versions.some((v) => v.change === 'merge' && v.id === String(incident.incidentId) && incident.status === 'Redirected'));
    expect(merged.length).toBeGreaterThan(20);
    for (const incident of merged) {
      const target = tenant.incidents.get(incident.redirectIncidentId!) as LegacyIncidentWire;
      expect(target).toBeDefined();
      expect(incident.alerts).toEqual([]);
      expect(target.alerts.every((alert) => alert.incidentId === target.incidentId)).toBe(true);
    }
    // Every alert lives in one incident.
    const alertIds = [...tenant.incidents.values()].flatMap((incident) => incident.alerts.map((alert) => alert.alertId));
    expect(new Set(alertIds).size).toBe(alertIds.length);

    server.use(...handlers(tenant));
    const client = new DefenderClient({ credential: tenant.credential(), api: 'graph', rateLimit: false });
    const redirected = await client.incidents.get(String(merged[0]!.incidentId));
    expect(redirected).toMatchObject({ status: 'redirected', redirectIncidentId: String(merged[0]!.redirectIncidentId) });
  });

  it('changes status, severity, assignment, tags, comments and alerts, and records each version with when it became visible and was replaced', () => {
    const tenant = churning({ perMinute: 3, lateMs: 3 * MINUTE, lateShare: 0.3, sameTimestampShare: 0.1 });
    const initial = new Map([...tenant.incidents].map(([id, incident]) => [id, structuredClone(incident)]));
    after(tenant, 12 * HOUR);
    const changedIn = (field: keyof LegacyIncidentWire) =>
      [...initial].filter(([id, before]) => JSON.stringify(tenant.incidents.get(id)![field]) !== JSON.stringify(before[field])).length;
    for (const field of ['status', 'severity', 'assignedTo', 'tags', 'comments', 'alerts'] as const) expect(changedIn(field), field).toBeGreaterThan(3);

    const versions = tenant.churn!.versions;
    expect(versions.filter((v) => v.change === 'initial')).toHaveLength(50 + [...initial.values()].reduce((sum, incident) => sum + incident.alerts.length, 0));
    const byItem = new Map<string, ChurnVersion[]>();
    for (const version of versions) byItem.set(`${version.kind}:${version.id}`, [...(byItem.get(`${version.kind}:${version.id}`) ?? []), version]);
    const current = new Map<string, number>();
    for (const incident of tenant.incidents.values()) {
      current.set(`incident:${incident.incidentId}`, ms(incident.lastUpdateTime));
      for (const alert of incident.alerts) current.set(`alert:${alert.alertId}`, ms(alert.lastUpdatedTime ?? alert.creationTime));
    }
    expect([...byItem.keys()].sort()).toEqual([...current.keys()].sort());
    for (const [key, chain] of byItem) {
      for (let i = 1; i < chain.length; i++) {
        expect(chain[i - 1]!.replacedAt).toBe(chain[i]!.visibleAt);
        expect(chain[i]!.lastUpdate).toBeGreaterThan(chain[i - 1]!.lastUpdate);
      }
      expect(chain.at(-1)!.replacedAt).toBeUndefined();
      expect(chain.at(-1)!.lastUpdate, key).toBe(current.get(key));
    }
  });

  it.each(['defender', 'graph'] as const)('is applied before each request, so a client on api %s sees the changes due', async (api) => {
    const tenant = churning({ perMinute: 1, createShare: 1, mergeShare: 0, lateMs: 0, sameTimestampShare: 0 });
    server.use(...handlers(tenant));
    const client = new DefenderClient({ credential: tenant.credential(), api, rateLimit: false, silenceDeprecationWarnings: true });
    tenant.clock.advance(30 * MINUTE);
    expect(tenant.churn!.stats.changes).toBe(0); // not applied yet: nothing asked
    const listed = await client.incidents.list({ updatedAfter: new Date(START) }).toArray();
    expect(tenant.churn!.stats.changes).toBeGreaterThanOrEqual(27);
    expect(listed).toHaveLength(tenant.churn!.stats.created);
    expect(listed.every((incident) => incident.status === 'active' && incident.createdDateTime.getTime() > START)).toBe(true);
  });

  it('refuses churn options out of range or unknown, naming them', () => {
    const bad = (churn: unknown) => thrownBy(InvalidArgumentError, () => createFakeTenant({ incidents: 0, huntingRows: 0, churn: churn as FakeTenantChurnOptions }));
    expect(bad({ lateMs: 10 }).option).toBe('churn.perMinute');
    expect(bad({ perMinute: 0 }).message).toBe('churn.perMinute must be a number greater than 0 and at most 10000; got number 0.');
    expect(bad({ perMinute: 5, lateMs: 1.5 }).option).toBe('churn.lateMs');
    expect(bad({ perMinute: 5, sameTimestampShare: 1 }).option).toBe('churn.sameTimestampShare');
    expect(bad({ perMinute: 5, lateShare: -0.1 }).option).toBe('churn.lateShare');
    expect(bad({ perMinute: 5, rate: 2 }).option).toBe('churn.rate');
    expect(bad({ perMinute: 5, createShare: 0.9, mergeShare: 0.2 }).message).toMatch(/churn\.createShare and churn\.mergeShare must add up to at most 1/);
    expect(bad(5).option).toBe('churn');
  });

  it('is an option of the simulator too, checked before it starts', async () => {
    const error = await rejection(startSimulator({ churn: { perMinute: -1 } }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('churn.perMinute');
  });
});
