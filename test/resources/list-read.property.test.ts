/*
 * A listed page reads exactly as the reference path reads it (issue 18): for generated pages of
 * valid and mutated wire incidents on both APIs, served by msw in place of the fake tenant's
 * listing, the public `incidents.list` gives, item for item, what zod's full `safeParse` of the
 * wire schema and the mapping of before the fused read (test/support/reference/) give: the same
 * models (Dates, `raw` and all), the same items handed to `onInvalidItem` with zod's issue list,
 * and, without `onInvalidItem`, the first invalid item's error. Beside the random pages, a sweep
 * sets every node of a full incident (every entity and evidence kind) to each kind of value the
 * wire types tell apart, where random mutations land too rarely (an unsafe integer in `osBuild`).
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
import { applyMutations, mutation, nastyString, pathsOf, type Mutation } from '../support/mutate.js';
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

/** A new value for one leaf of an item (a string, number, boolean or null already there): where the type checks bite. */
const leafEdit = fc.record({ at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), value: fc.oneof(edgeValue, dateLike, nastyString) });

/** `item` with the leaf at fraction `at` of its leaves set to `value` (as an own property, whatever its key). */
function editLeaf(item: unknown, { at, value }: { at: number; value: unknown }): unknown {
  const leaves = pathsOf(item).filter((path) => path.length > 0 && !isContainer(valueAt(item, path)));
  const path = leaves[Math.floor(at * leaves.length)];
  if (path === undefined) return item;
  const parent = valueAt(item, path.slice(0, -1)) as Record<string | number, unknown>;
  Object.defineProperty(parent, path[path.length - 1]!, { value: JSON.parse(JSON.stringify(value)) as unknown, enumerable: true, writable: true, configurable: true });
  return item;
}
const isContainer = (value: unknown) => typeof value === 'object' && value !== null;
const valueAt = (root: unknown, path: readonly (string | number)[]): unknown => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);

/** A page: 1–4 items of the pool, each with 0–3 mutations and 0–2 leaf edits (so about a fifth arrive as sent). */
const page = (api: Api) =>
  fc
    .array(
      fc.record({ pick: fc.nat(pools[api].length - 1), changes: fc.array(itemMutation, { maxLength: 3 }), edits: fc.array(leafEdit, { maxLength: 2 }) }),
      { minLength: 1, maxLength: 4 },
    )
    .map((items) => items.map(({ pick, changes, edits }) => edits.reduce(editLeaf, applyMutations(pools[api][pick], changes.map(ownValue)))));

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

/** `actual` and `expected` are the same data ({@link canonical}); compared as JSON first, which is many times faster on these trees. */
function expectSame(actual: unknown, expected: unknown): void {
  const [a, b] = [canonical(actual), canonical(expected)];
  if (JSON.stringify(a) !== JSON.stringify(b)) expect(a).toEqual(b);
  // (equal JSON of canonical forms is equal data: canonical spells out every Date, undefined and key)
}

/** The models a listing delivers: each id once, as the listing drops an item it has delivered already. */
function firstOfEachId(models: Incident[]): Incident[] {
  const seen = new Set<string>();
  return models.filter((model) => !seen.has(model.id) && Boolean(seen.add(model.id)));
}

const listOptions = (api: Api, size: number) => ({ pageSize: size, ...(api === 'graph' ? { expandAlerts: true } : {}) });

/** Lists `items` (as served) with `onInvalidItem` and holds the page to the reference path; how many items were valid and invalid. */
async function expectListedAsReference(api: Api, client: DefenderClient, items: unknown[]): Promise<{ valid: number; invalid: number }> {
  const got: InvalidItem[] = [];
  const listed = await client.incidents.list({ ...listOptions(api, items.length), onInvalidItem: (item) => void got.push(item) }).byPage().next();
  const expected = items.map((item, index) => reference(api, item, index));
  const models = firstOfEachId(expected.flatMap((r) => (r.ok ? [r.model] : [])));
  const rejected = expected.flatMap((r, index) => (r.ok ? [] : [{ id: idOf(api, items[index]), raw: items[index], issues: r.issues }]));
  expect(listed.done).toBe(false);
  expectSame(listed.value!.items, models);
  expectSame(got.map((item) => ({ id: item.id, raw: item.raw, issues: item.error.issues })), rejected);
  for (const item of got) expect(item.error).toBeInstanceOf(ResponseValidationError);
  return { valid: models.length, invalid: rejected.length };
}

/** What the sweep puts in each leaf: one value of each kind the wire types tell apart, and a removal. */
const SWEEP_VALUES: unknown[] = [
  null, '', 'x', 0, -1, 1.5, 2 ** 53, -(2 ** 53), '12', '-3', '1.0', true, [], ['x'], [1], {}, { a: 1 },
  '2026-01-02T03:04:05.1234567+05:30', '2026-01-02T03:04Z', '2023-02-29T00:00:00Z', '2026-01-02T03:04:05',
];
const REMOVE = Symbol('remove the leaf');

/** Where `path` sits in the schema: its keys with list indexes left out, and the kind of evidence it is in. */
function placeOf(item: unknown, path: readonly (string | number)[]): string {
  let kind = '';
  for (let i = 1; i < path.length; i++) {
    const node = valueAt(item, path.slice(0, i));
    if (isContainer(node) && !Array.isArray(node)) {
      const type = (node as Record<string, unknown>)['entityType'] ?? (node as Record<string, unknown>)['@odata.type'];
      if (typeof type === 'string') kind = type;
    }
  }
  return `${path.map((key) => (typeof key === 'number' ? '[]' : key)).join('.')} in ${kind}`;
}

/** A copy of `item` with the leaf at `path` set to `value` (or removed), and its id made `unique` so that the listing keeps it. */
function withLeaf(api: Api, item: unknown, path: readonly (string | number)[], value: unknown, unique: number): unknown {
  const copy = structuredClone(item) as Record<string, unknown>;
  const idKey = api === 'graph' ? 'id' : 'incidentId';
  if (path[0] !== idKey) copy[idKey] = api === 'graph' ? `${String(copy[idKey])}-${unique}` : 900_000 + unique;
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (value === REMOVE) delete parent[key];
  else parent[key] = value;
  return copy;
}

describe.each(['defender', 'graph'] as const)('a listed page on api: %s', (api) => {
  it('gives the reference models, and hands over the items zod rejects with zod\'s issues', async () => {
    const { client, serve } = serving(api);
    let invalidSeen = 0;
    let validSeen = 0;
    await fc.assert(
      fc.asyncProperty(page(api), async (generated) => {
        const seen = await expectListedAsReference(api, client, serve(generated));
        validSeen += seen.valid;
        invalidSeen += seen.invalid;
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
          expectSame((await listing).value!.items, firstOfEachId(expected.flatMap((r) => (r.ok ? [r.model] : []))));
          return;
        }
        const error = await rejection(listing);
        expect(error).toBeInstanceOf(ResponseValidationError);
        const bad = expected[firstBad]!;
        expectSame((error as ResponseValidationError).issues, bad.ok ? undefined : bad.issues);
        expect((error as ResponseValidationError).message).toContain(`value[${firstBad}]`);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: SEED + 1 },
    );
  });

  it('reads every node of a full incident, set to each kind of value or removed, as the reference does', async () => {
    const { client, serve } = serving(api);
    // the full incident with its one full alert only: the sweep's cost is in the size of each item
    const full = { ...(pools[api][pools[api].length - 1] as Record<string, unknown>) };
    full['alerts'] = (full['alerts'] as unknown[]).slice(0, 1);
    // every node but the item itself (leaves, and the objects and lists that hold them), once per
    // place in the schema: the same field of another alert or of another evidence of the same kind reads alike
    const leaves = [...new Map(pathsOf(full).filter((path) => path.length > 0).map((path) => [placeOf(full, path), path])).values()];
    let valid = 0;
    let invalid = 0;
    for (const path of leaves) {
      const items = [...SWEEP_VALUES, REMOVE].map((value, index) => withLeaf(api, full, path, value, index));
      const seen = await expectListedAsReference(api, client, serve(items));
      valid += seen.valid;
      invalid += seen.invalid;
    }
    expect(leaves.length).toBeGreaterThan(100);
    expect(valid).toBeGreaterThan(leaves.length);
    expect(invalid).toBeGreaterThan(leaves.length);
  });
});
