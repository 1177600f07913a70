/**
 * Bad responses, fuzzed (issue 5): thousands of mutated real payloads (fields removed, nulled,
 * retyped, enums replaced, extra and prototype-named fields, deep nesting, huge strings) and
 * non-JSON bodies, served to the PUBLIC client of both wire APIs. Every outcome must be a valid
 * model or a `ResponseValidationError`; never a TypeError, RangeError, SyntaxError or the like.
 */
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DefenderClient,
  ResponseValidationError,
  type Alert,
  type HuntingResult,
  type Incident,
  type InvalidItem,
} from '../../src/index.js';
import { seedIncidents } from '../../src/testing/data/seed-incidents.js';
import { renderAlert, renderIncident } from '../../src/testing/tenant/graph-wire.js';
import {
  legacyIncidentList,
  realisticHuntingResponse,
  realisticIncident,
  realisticIncidentListResponse,
} from '../support/defender-payloads.js';
import { staticCredential } from '../support/jwt.js';
import { DEFENDER_ROLES, TENANT_ID } from '../support/tenant.js';
import type { LegacyIncidentList } from '../../src/apis/defender/index.js';
import { applyMutations, brokenBody, mutations } from '../support/mutate.js';

// Each property runs hundreds of cases: counted work, not time, but minutes of it on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

const DEFENDER = 'https://api.security.microsoft.com';
const GRAPH = 'https://graph.microsoft.com';
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 200);
// FUZZ_SEED explores further (e.g. FUZZ_SEED=$RANDOM FUZZ_RUNS=5000); the default keeps CI deterministic.
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

/** What the msw handlers answer with; each property run sets it before calling the client. */
let reply: { status: number; text: string; contentType: string } = { status: 200, text: '{}', contentType: 'application/json' };

const answer = () => new HttpResponse(reply.text, { status: reply.status, headers: { 'content-type': reply.contentType } });
const server = setupServer(http.all(`${DEFENDER}/*`, answer), http.all(`${GRAPH}/*`, answer));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Fast path: one attempt, no pacing, no deprecation warning.
const defender = new DefenderClient({ credential: staticCredential(DEFENDER, DEFENDER_ROLES), maxRetries: 0, rateLimit: false, silenceDeprecationWarnings: true });
const graph = new DefenderClient({ api: 'graph', credential: staticCredential(GRAPH, DEFENDER_ROLES), maxRetries: 0, rateLimit: false });

// ---------------------------------------------------------------- real payloads

const seeded = seedIncidents(3, 7);
const graphRender = { tenantId: TENANT_ID, includeUnknownEnumMembers: true };
const payloads = {
  defenderList: [realisticIncidentListResponse(), legacyIncidentList(seeded as unknown as LegacyIncidentList['value'])],
  defenderIncident: [realisticIncident(), seeded[1]!, seeded[2]!],
  defenderHunting: [realisticHuntingResponse()],
  graphList: [
    {
      '@odata.context': `${GRAPH}/v1.0/$metadata#security/incidents`,
      value: seeded.map((incident) => renderIncident(incident, graphRender, true)),
      '@odata.nextLink': `${GRAPH}/v1.0/security/incidents?$top=3&$skip=3`,
    },
  ],
  graphIncident: seeded.map((incident) => ({ '@odata.context': `${GRAPH}/v1.0/$metadata#security/incidents/$entity`, ...renderIncident(incident, graphRender, true) })),
  graphAlerts: [
    {
      '@odata.context': `${GRAPH}/v1.0/$metadata#security/alerts_v2`,
      value: seeded.flatMap((incident) => incident.alerts.map((alert) => renderAlert(alert, graphRender))),
    },
  ],
  graphHunting: [
    {
      '@odata.context': `${GRAPH}/v1.0/$metadata#microsoft.graph.security.huntingQueryResults`,
      schema: [
        { name: 'Timestamp', type: 'DateTime' },
        { name: 'DeviceName', type: 'String' },
        { name: 'AdditionalFields', type: 'Object' },
      ],
      results: [
        { Timestamp: '2024-03-26T09:39:50.768Z', DeviceName: 'ws-01.contoso.com', AdditionalFields: { a: 1 } },
        { Timestamp: '2024-03-26T09:40:50.768Z', DeviceName: 'ws-02.contoso.com', AdditionalFields: null },
      ],
    },
  ],
};

// ---------------------------------------------------------------- invariants of a valid model

const isValidDate = (value: unknown) => value instanceof Date && !Number.isNaN(value.getTime());
const isNullableDate = (value: unknown) => value === null || isValidDate(value);
const isNullableString = (value: unknown) => value === null || typeof value === 'string';
const isStringArray = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');

function checkAlert(alert: Alert): void {
  expect(typeof alert.id === 'string' && alert.id.length > 0, `alert id ${String(alert.id)}`).toBe(true);
  expect(typeof alert.incidentId === 'string' && alert.incidentId.length > 0).toBe(true);
  expect(typeof alert.title).toBe('string');
  for (const key of ['status', 'severity', 'classification', 'determination', 'serviceSource', 'detectionSource'] as const) {
    expect(typeof alert[key], `alert.${key}`).toBe('string');
  }
  for (const key of ['description', 'category', 'detectorId', 'assignedTo', 'threatFamilyName', 'actorDisplayName'] as const) {
    expect(isNullableString(alert[key]), `alert.${key}`).toBe(true);
  }
  for (const key of ['createdDateTime', 'lastUpdateDateTime', 'resolvedDateTime', 'firstActivityDateTime', 'lastActivityDateTime'] as const) {
    expect(isNullableDate(alert[key]), `alert.${key} = ${String(alert[key])}`).toBe(true);
  }
  expect(isStringArray(alert.mitreTechniques)).toBe(true);
  for (const key of ['webUrl', 'incidentWebUrl', 'providerAlertId', 'threatDisplayName', 'productName', 'recommendedActions', 'tenantId', 'alertPolicyId', 'investigationId', 'investigationState'] as const) {
    expect(isNullableString(alert[key]), `alert.${key}`).toBe(true);
  }
  expect(isStringArray(alert.systemTags)).toBe(true);
  expect(alert.additionalData === null || (typeof alert.additionalData === 'object' && !Array.isArray(alert.additionalData))).toBe(true);
  for (const comment of alert.comments) {
    expect(typeof comment.comment).toBe('string');
    expect(isValidDate(comment.createdDateTime)).toBe(true);
  }
  expect(Array.isArray(alert.evidence)).toBe(true);
  for (const evidence of alert.evidence) {
    expect(typeof evidence).toBe('object');
    expect(typeof (evidence as { type?: unknown }).type, 'evidence.type').toBe('string');
  }
  expect(typeof alert.raw === 'object' && alert.raw !== null).toBe(true);
}

function checkIncident(incident: Incident): void {
  expect(typeof incident.id === 'string' && incident.id.length > 0, `incident id ${String(incident.id)}`).toBe(true);
  expect(typeof incident.displayName).toBe('string');
  for (const key of ['status', 'severity', 'classification', 'determination'] as const) {
    expect(typeof incident[key], `incident.${key}`).toBe('string');
  }
  expect(isValidDate(incident.createdDateTime), `createdDateTime = ${String(incident.createdDateTime)}`).toBe(true);
  expect(isValidDate(incident.lastUpdateDateTime), `lastUpdateDateTime = ${String(incident.lastUpdateDateTime)}`).toBe(true);
  expect(isNullableString(incident.assignedTo)).toBe(true);
  expect(isNullableString(incident.redirectIncidentId)).toBe(true);
  expect(isNullableString(incident.webUrl)).toBe(true);
  expect(isStringArray(incident.tags)).toBe(true);
  expect(isStringArray(incident.systemTags)).toBe(true);
  for (const key of ['description', 'summary', 'resolvingComment', 'lastModifiedBy', 'tenantId'] as const) {
    expect(isNullableString(incident[key]), `incident.${key}`).toBe(true);
  }
  expect(incident.priorityScore === null || Number.isInteger(incident.priorityScore), `priorityScore = ${String(incident.priorityScore)}`).toBe(true);
  for (const comment of incident.comments) {
    expect(typeof comment.comment).toBe('string');
    expect(isNullableString(comment.createdBy)).toBe(true);
    expect(isValidDate(comment.createdDateTime)).toBe(true);
  }
  incident.alerts.forEach(checkAlert);
  expect(typeof incident.raw === 'object' && incident.raw !== null).toBe(true);
}

function checkHunting(result: HuntingResult): void {
  expect(Array.isArray(result.schema)).toBe(true);
  for (const column of result.schema) {
    expect(typeof column.name).toBe('string');
    expect(typeof column.type).toBe('string');
  }
  expect(Array.isArray(result.rows)).toBe(true);
  for (const row of result.rows) expect(typeof row === 'object' && row !== null && !Array.isArray(row)).toBe(true);
}

/** Runs `call`; a valid model passes `check`, a failure must be a ResponseValidationError with issues. */
async function expectModelOrValidationError<T>(call: () => Promise<T>, check: (value: T) => void): Promise<'model' | 'error'> {
  let value: T;
  try {
    value = await call();
  } catch (error) {
    if (!(error instanceof ResponseValidationError)) {
      throw new Error(`expected a model or a ResponseValidationError, got ${String((error as Error)?.name)}: ${String((error as Error)?.message)}\n${(error as Error)?.stack}`);
    }
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(typeof issue.path).toBe('string');
    return 'error';
  }
  check(value);
  return 'model';
}

// ---------------------------------------------------------------- the calls

type Target = { name: string; payloads: unknown[]; call: () => Promise<unknown>; check: (value: never) => void };

const firstPage = async (client: DefenderClient) => {
  const pages = client.incidents.list().byPage();
  const page = await pages.next();
  await pages.return?.();
  return page.done ? [] : page.value.items;
};
const firstAlertPage = async (client: DefenderClient) => {
  const pages = client.alerts.list().byPage();
  const page = await pages.next();
  await pages.return?.();
  return page.done ? [] : page.value.items;
};

const targets: Target[] = [
  { name: 'defender incidents.list', payloads: payloads.defenderList, call: () => firstPage(defender), check: (items: Incident[]) => items.forEach(checkIncident) },
  { name: 'defender alerts.list', payloads: payloads.defenderList, call: () => firstAlertPage(defender), check: (items: Alert[]) => items.forEach(checkAlert) },
  { name: 'defender incidents.get', payloads: payloads.defenderIncident, call: () => defender.incidents.get('924521'), check: checkIncident },
  { name: 'defender advancedHunting.run', payloads: payloads.defenderHunting, call: () => defender.advancedHunting.run('DeviceInfo | take 1'), check: checkHunting },
  { name: 'graph incidents.list', payloads: payloads.graphList, call: () => firstPage(graph), check: (items: Incident[]) => items.forEach(checkIncident) },
  { name: 'graph incidents.get', payloads: payloads.graphIncident, call: () => graph.incidents.get('924521', { expandAlerts: true }), check: checkIncident },
  { name: 'graph alerts.list', payloads: payloads.graphAlerts, call: () => firstAlertPage(graph), check: (items: Alert[]) => items.forEach(checkAlert) },
  { name: 'graph alerts.get', payloads: payloads.graphAlerts.map((page) => page.value[0]), call: () => graph.alerts.get('da637349914833441527_393341063'), check: checkAlert },
  { name: 'graph advancedHunting.run', payloads: payloads.graphHunting, call: () => graph.advancedHunting.run('DeviceInfo | take 1'), check: checkHunting },
];

describe('mutated real payloads', () => {
  for (const target of targets) {
    it(`${target.name}: every mutated payload gives a valid model or a ResponseValidationError`, async () => {
      // The unmutated payloads are valid: the property is not vacuous.
      for (const payload of target.payloads) {
        reply = { status: 200, text: JSON.stringify(payload), contentType: 'application/json' };
        expect(await expectModelOrValidationError(target.call as () => Promise<never>, target.check)).toBe('model');
      }
      const outcomes = { model: 0, error: 0 };
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...target.payloads), mutations, async (payload, changes) => {
          reply = { status: 200, text: JSON.stringify(applyMutations(payload, changes)), contentType: 'application/json' };
          outcomes[await expectModelOrValidationError(target.call as () => Promise<never>, target.check)]++;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      // Both outcomes occur: the mutations reach validated fields and spare others.
      expect(outcomes.model).toBeGreaterThan(0);
      expect(outcomes.error).toBeGreaterThan(0);
    });
  }
});

describe('bodies that are not JSON', () => {
  for (const target of targets) {
    it(`${target.name}: a truncated, HTML or random body is a ResponseValidationError`, async () => {
      const json = JSON.stringify(target.payloads[0]);
      await fc.assert(
        fc.asyncProperty(brokenBody(json), fc.constantFrom('application/json', 'text/html', 'text/plain; charset=utf-8'), async (text, contentType) => {
          reply = { status: 200, text, contentType };
          const error = await (target.call() as Promise<unknown>).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `body ${JSON.stringify(text.slice(0, 80))}`).toBeInstanceOf(ResponseValidationError);
        }),
        { numRuns: Math.ceil(RUNS / 3), seed: SEED + 1, endOnFailure: true },
      );
    });
  }
});

// ---------------------------------------------------------------- one invalid item in a page (issue 12)

/** An item of a page: where it sits and the id the SDK reads from it. */
type Slot = { path: (string | number)[]; idKey: string };
/** A change that makes an item invalid whatever else it holds. */
type Breaker = { name: string; apply: (item: Record<string, unknown>) => void };

const set = (key: string, value: unknown): Breaker => ({ name: `${key} = ${JSON.stringify(value)}`, apply: (item) => void (item[key] = value) });
const unset = (key: string): Breaker => ({ name: `no ${key}`, apply: (item) => void delete item[key] });

const manySeeded = seedIncidents(8, 11);
const perItem = [
  {
    name: 'defender incidents.list',
    list: (onInvalidItem?: (item: InvalidItem) => void) => defender.incidents.list(onInvalidItem ? { onInvalidItem } : {}).toArray(),
    page: legacyIncidentList(manySeeded as unknown as LegacyIncidentList['value']),
    slots: (page: { value: unknown[] }): Slot[] => page.value.map((_, i) => ({ path: ['value', i], idKey: 'incidentId' })),
    breakers: [set('incidentName', 42), set('createdTime', 'not a date'), set('lastUpdateTime', null), set('tags', 'x'), set('comments', [{ comment: 1 }]), set('status', 3), set('alerts', 'x'), set('incidentId', {}), unset('incidentId')],
  },
  {
    name: 'defender alerts.list',
    list: (onInvalidItem?: (item: InvalidItem) => void) => defender.alerts.list(onInvalidItem ? { onInvalidItem } : {}).toArray(),
    page: legacyIncidentList(manySeeded as unknown as LegacyIncidentList['value']),
    slots: (page: { value: { alerts: unknown[] }[] }): Slot[] =>
      page.value.flatMap((incident, i) => incident.alerts.map((_, j) => ({ path: ['value', i, 'alerts', j], idKey: 'alertId' }))),
    breakers: [set('title', 42), unset('alertId'), set('creationTime', 'x'), set('mitreTechniques', [1]), set('devices', 'x'), set('entities', [{ entityType: 'Process', processId: 'abc' }]), set('incidentId', true)],
  },
  {
    name: 'graph incidents.list',
    list: (onInvalidItem?: (item: InvalidItem) => void) => graph.incidents.list(onInvalidItem ? { onInvalidItem, expandAlerts: true } : { expandAlerts: true }).toArray(),
    page: { value: manySeeded.map((incident) => renderIncident(incident, graphRender, true)) },
    slots: (page: { value: unknown[] }): Slot[] => page.value.map((_, i) => ({ path: ['value', i], idKey: 'id' })),
    breakers: [set('displayName', 42), set('createdDateTime', 'x'), set('lastUpdateDateTime', null), set('customTags', 'x'), set('id', ''), set('status', 3), set('alerts', [{}]), set('comments', 'x')],
  },
  {
    name: 'graph alerts.list',
    list: (onInvalidItem?: (item: InvalidItem) => void) => graph.alerts.list(onInvalidItem ? { onInvalidItem } : {}).toArray(),
    page: { value: manySeeded.flatMap((incident) => incident.alerts.map((alert) => renderAlert(alert, graphRender))) },
    slots: (page: { value: unknown[] }): Slot[] => page.value.map((_, i) => ({ path: ['value', i], idKey: 'id' })),
    breakers: [set('title', 42), set('id', ''), unset('incidentId'), set('createdDateTime', 'x'), set('mitreTechniques', [1]), set('evidence', 'x'), set('comments', [{ createdDateTime: 'x' }])],
  },
] as const;

const itemAt = (root: unknown, path: (string | number)[]) => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root) as Record<string, unknown>;
const idOf = (item: Record<string, unknown>, key: string): string | undefined => {
  const value = item[key];
  return (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value)) ? String(value) : undefined;
};
const formatPath = (path: (string | number)[]) => path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');

describe('one item the model rejects, anywhere in a page', () => {
  for (const target of perItem) {
    const slots = target.slots(target.page as never);
    it(`${target.name}: the other items arrive, the handler gets exactly the bad one, and without a handler the error names it`, async () => {
      reply = { status: 200, text: JSON.stringify(target.page), contentType: 'application/json' };
      const all = (await target.list()) as { id: string }[];
      expect(all).toHaveLength(slots.length);
      await fc.assert(
        fc.asyncProperty(fc.nat(slots.length - 1), fc.constantFrom(...target.breakers), async (index, breaker) => {
          const page = structuredClone(target.page);
          const slot = slots[index]!;
          const bad = itemAt(page, slot.path);
          breaker.apply(bad);
          reply = { status: 200, text: JSON.stringify(page), contentType: 'application/json' };
          const got: InvalidItem[] = [];
          const items = (await target.list((item) => void got.push(item))) as { id: string }[];
          expect(items.map((item) => item.id)).toEqual(all.filter((_, i) => i !== index).map((item) => item.id));
          expect(got).toHaveLength(1);
          expect(got[0]!.raw).toEqual(JSON.parse(JSON.stringify(bad)));
          expect(got[0]!.id).toBe(idOf(bad, slot.idKey));
          expect(got[0]!.error).toBeInstanceOf(ResponseValidationError);
          const where = formatPath(slot.path);
          for (const issue of got[0]!.error.issues) expect(issue.path.startsWith(where), `${issue.path} under ${where}`).toBe(true);
          const strict = await target.list().then(() => undefined, (e: unknown) => e);
          expect(strict, breaker.name).toBeInstanceOf(ResponseValidationError);
          expect((strict as ResponseValidationError).message).toContain(where);
        }),
        { numRuns: Math.ceil(RUNS / 4), seed: SEED + 2, endOnFailure: true },
      );
    });
  }
});
