/*
 * A listed page reads exactly as the reference path reads it (issue 18): for generated pages of
 * valid and mutated wire incidents on both APIs, served by msw in place of the fake tenant's
 * listing, the public `incidents.list` gives, item for item, what zod's full `safeParse` of the
 * wire schema and the mapping of before the fused read (test/support/reference/) give: the same
 * models (Dates, `raw` and all), the same items handed to `onInvalidItem` with zod's issue list,
 * and, without `onInvalidItem`, the first invalid item's error.
 */
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { DefenderClient, ResponseValidationError, type Incident, type InvalidItem } from '../../src/index.js';
import { legacyIncidentSchema } from '../../src/apis/defender/wire.js';
import { graphIncidentSchema } from '../../src/apis/graph/wire.js';
import { toValidationIssues } from '../../src/models/validation.js';
import { nullEntity } from '../../src/testing/data/catalog.js';
import { seedIncidents } from '../../src/testing/data/seed-incidents.js';
import type { LegacyIncidentWire } from '../../src/testing/index.js';
import { renderIncident } from '../../src/testing/tenant/graph-wire.js';
import { mapIncident as referenceDefender } from '../support/reference/defender-mappers.js';
import { mapIncident as referenceGraph } from '../support/reference/graph-mappers.js';
import { applyMutations, mutation, nastyString, type Mutation } from '../support/mutate.js';
import { rejection } from '../support/throws.js';
import { fakeTenant, startServer, TENANT_ID } from '../support/tenant.js';

// Hundreds of listings each: counted work, not time, but a minute of it on a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 150);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x18f1);
const PORTAL = 'https://security.microsoft.com';
const server = startServer();

type Api = 'defender' | 'graph';

/** A legacy incident whose one alert carries every entity kind and device field the mappers read, each set. */
function kitchenSink(base: LegacyIncidentWire): LegacyIncidentWire {
  const incident = structuredClone(base);
  const alert = incident.alerts[0]!;
  const set = (type: string, fields: Record<string, unknown>) => ({ ...nullEntity(type), ...fields });
  const account = { accountName: 'jdoe', domainName: 'CONTOSO', userSid: 'S-1-5-21-1-2-3-1001', aadUserId: '8f1c0e2a-0000-4000-8000-000000000001', userPrincipalName: 'jdoe@contoso.com' };
  alert.entities = [
    set('File', { sha1: 'a'.repeat(40), sha256: 'b'.repeat(64), fileName: 'x.exe', filePath: 'C:\\x', deviceId: 'dev1', md5: 'c'.repeat(32), verdict: 'Malicious' }),
    set('Process', { processId: 42, parentProcessId: '41', processCommandLine: 'cmd /c', processCreationTime: '2026-01-02T03:04:05.1234567Z', parentProcessCreationTime: '2026-01-02T03:04:05+01:00', fileName: 'cmd.exe', ...account }),
    set('User', account),
    set('Ip', { ipAddress: '10.0.0.1' }),
    set('Url', { url: 'https://login-contoso.example/' }),
    set('MailBox', { mailboxDisplayName: 'J Doe', mailboxAddress: 'jdoe@contoso.com', ...account }),
    set('MailMessage', { subject: 'Invoice', sender: 'a@b.example', recipient: 'jdoe@contoso.com', deliveryAction: 'Delivered', networkMessageId: 'n1', internetMessageId: '<m@x>', deliveryLocation: 'Inbox', urls: ['https://a.example/'], receivedDateTime: '2026-01-02T03:04:05Z', p2Sender: 'c@d.example' }),
    set('MailCluster', { clusterBy: 'Subject' }),
    set('Registry', { registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Run', registryValueType: 'String', registryValue: 'evil.exe', registryValueName: 'evil' }),
    set('Registry', { registryHive: 'HKEY_CURRENT_USER', registryKey: 'SOFTWARE\\Key' }),
    set('SecurityGroup', { securityGroupId: 'sg1', securityGroupName: 'Admins' }),
    set('CloudApplication', {}),
  ] as never;
  const device = alert.devices[0] as unknown as Record<string, unknown> | undefined;
  if (device) {
    device['vmMetadata'] = { vmId: 'vm1', cloudProvider: 'Azure', resourceId: '/subs/x', subscriptionId: 's1' };
    device['ipInterfaces'] = ['10.0.0.2'];
    device['loggedOnUsers'] = [{ accountName: 'jdoe', domainName: 'CONTOSO' }];
  }
  Object.assign(alert, { additionalData: { a: 1 }, systemTags: ['Defender Experts'], alertPolicyId: 'p1', recommendedActions: 'Isolate' });
  Object.assign(incident, { description: 'd', summary: 's', priorityScore: 7, systemTags: ['x'] });
  return incident;
}

const seeded = seedIncidents(10, 7);
const legacyPool: LegacyIncidentWire[] = [...seeded, kitchenSink(seeded[3]!), kitchenSink(seeded[8]!)];
const render = { tenantId: TENANT_ID, includeUnknownEnumMembers: true, alertComments: () => [{ comment: 'seen', createdBy: 'secop1@contoso.com', createdTime: '2026-01-03T00:00:00Z' }] };
const pools: Record<Api, unknown[]> = {
  defender: legacyPool,
  graph: legacyPool.map((incident) => renderIncident(incident, render as never, true)),
};

/** Date-times of every shape the parser reads, and near misses. */
const dateLike = fc.constantFrom(
  '2026-01-02T03:04:05Z',
  '2026-01-02t03:04:05.5z',
  '2026-01-02T03:04Z',
  '2026-01-02T03:04:05',
  '2026-01-02T03:04:05.1234567+05:30',
  '2026-01-02T03:04:05-0800',
  '2026-01-02T03:04:05,25Z',
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2026-01-02T24:00:00Z',
  '2026-01-02T03:04:05.Z',
  '0100-01-01T00:00:00Z',
  '2026-1-2T03:04:05Z',
);
/** Values at the edges of the wire types: non-safe and negative integers, numeric strings, empty things. */
const edgeValue = fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 53, -(2 ** 53) + 1, '12', '-3', '1.0', '', [], {}, [''], [1], { a: null }, true, null);

/** What one item goes through: the mutations of the fuzz test (no huge or deep values: they test nothing here), dates and edge values. */
const itemMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: mutation.filter((m) => m.kind !== 'nest' && m.kind !== 'huge') },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('enum' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), value: fc.oneof(dateLike, nastyString) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retype' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), value: edgeValue }) },
);

/** A page: 1–4 items of the pool, each with 0–3 mutations (so about a third arrive as sent). */
const page = (api: Api) =>
  fc
    .array(fc.record({ pick: fc.nat(pools[api].length - 1), changes: fc.array(itemMutation, { maxLength: 3 }) }), { minLength: 1, maxLength: 4 })
    .map((items) => items.map(({ pick, changes }) => applyMutations(pools[api][pick], changes.map(ownValue))));

/** A mutation with a value of its own: fast-check shares generated values, and two mutations putting one object in two places would make a cycle. */
const ownValue = (change: Mutation): Mutation =>
  change.kind === 'retype' || change.kind === 'extra' ? { ...change, value: JSON.parse(JSON.stringify(change.value) ?? 'null') as unknown } : change;

/** What the reference path makes of one item: the model, or zod's issues at `value[index]`. */
function reference(api: Api, item: unknown, index: number): { ok: true; model: Incident } | { ok: false; issues: ReturnType<typeof toValidationIssues> } {
  const schema = api === 'graph' ? graphIncidentSchema : legacyIncidentSchema;
  const result = schema.safeParse(item);
  if (!result.success) return { ok: false, issues: toValidationIssues(result.error.issues, ['value', index]) };
  const wire = item as never;
  return { ok: true, model: api === 'graph' ? referenceGraph(wire) : referenceDefender(wire, { portalBaseUrl: PORTAL }) };
}

/** The id `onInvalidItem` gets: the item's id when a string or finite number. */
function idOf(api: Api, item: unknown): string | undefined {
  const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[api === 'graph' ? 'id' : 'incidentId'] : undefined;
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** A client on `api` whose listing answers `body` (the token still comes from the fake tenant). */
function serving(api: Api) {
  const { credential } = fakeTenant(server);
  const client = new DefenderClient({ credential, api, maxRetries: 0, rateLimit: false });
  let body = '{}';
  const url = api === 'graph' ? 'https://graph.microsoft.com/v1.0/security/incidents' : 'https://api.security.microsoft.com/api/incidents';
  server.use(http.get(url, () => new HttpResponse(body, { headers: { 'content-type': 'application/json' } })));
  return {
    client,
    serve: (items: unknown[]) => {
      body = JSON.stringify({ value: items });
      // what the client receives: the items as JSON gives them back
      return (JSON.parse(body) as { value: unknown[] }).value;
    },
  };
}

/**
 * A value as plain data to compare: each `Date` as its time, each object as its own entries by
 * key with whether it is a plain object, `undefined` kept. (`toStrictEqual` compares objects'
 * `constructor`s, which an own `constructor` key of a wire object replaces.)
 */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return { date: String(value.getTime()) };
  if (value === undefined) return { undefined: true };
  if (Array.isArray(value)) return { array: Array.from(value, canonical) };
  if (typeof value !== 'object' || value === null) return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  const entries = Object.keys(value)
    .sort()
    .map((key) => [key, canonical((value as Record<string, unknown>)[key])]);
  return { plain: prototype === Object.prototype || prototype === null, entries };
}

/** The models a listing delivers: each id once, as the listing drops an item it has delivered already. */
function firstOfEachId(models: Incident[]): Incident[] {
  const seen = new Set<string>();
  return models.filter((model) => !seen.has(model.id) && Boolean(seen.add(model.id)));
}

const listOptions = (api: Api, size: number) => ({ pageSize: size, ...(api === 'graph' ? { expandAlerts: true } : {}) });

describe.each(['defender', 'graph'] as const)('a listed page on api: %s', (api) => {
  it('gives the reference models, and hands over the items zod rejects with zod\'s issues', async () => {
    const { client, serve } = serving(api);
    let invalidSeen = 0;
    let validSeen = 0;
    await fc.assert(
      fc.asyncProperty(page(api), async (generated) => {
        const items = serve(generated);
        const got: InvalidItem[] = [];
        const listed = await client.incidents.list({ ...listOptions(api, items.length), onInvalidItem: (item) => void got.push(item) }).byPage().next();
        const expected = items.map((item, index) => reference(api, item, index));
        const models = firstOfEachId(expected.flatMap((r) => (r.ok ? [r.model] : [])));
        const rejected = expected.flatMap((r, index) => (r.ok ? [] : [{ id: idOf(api, items[index]), raw: items[index], issues: r.issues }]));
        expect(listed.done).toBe(false);
        expect(canonical(listed.value!.items)).toEqual(canonical(models));
        expect(canonical(got.map((item) => ({ id: item.id, raw: item.raw, issues: item.error.issues })))).toEqual(canonical(rejected));
        for (const item of got) expect(item.error).toBeInstanceOf(ResponseValidationError);
        validSeen += models.length;
        invalidSeen += rejected.length;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The property saw both sides of the read.
    expect(validSeen).toBeGreaterThan(RUNS / 4);
    expect(invalidSeen).toBeGreaterThan(RUNS / 4);
  });

  it('without onInvalidItem, fails on the first item zod rejects with its issues, or gives every model', async () => {
    const { client, serve } = serving(api);
    await fc.assert(
      fc.asyncProperty(page(api), async (generated) => {
        const items = serve(generated);
        const expected = items.map((item, index) => reference(api, item, index));
        const firstBad = expected.findIndex((r) => !r.ok);
        const listing = client.incidents.list(listOptions(api, items.length)).byPage().next();
        if (firstBad === -1) {
          expect(canonical((await listing).value!.items)).toEqual(canonical(firstOfEachId(expected.flatMap((r) => (r.ok ? [r.model] : [])))));
          return;
        }
        const error = await rejection(listing);
        expect(error).toBeInstanceOf(ResponseValidationError);
        const bad = expected[firstBad]!;
        expect(canonical((error as ResponseValidationError).issues)).toEqual(canonical(bad.ok ? undefined : bad.issues));
        expect((error as ResponseValidationError).message).toContain(`value[${firstBad}]`);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: SEED + 1 },
    );
  });
});
