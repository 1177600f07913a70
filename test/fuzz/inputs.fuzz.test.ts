/**
 * User input, fuzzed (issue 5): ids, list filters, dates, page sizes, update bodies, KQL template
 * values and credential options. Every outcome is a clear typed error naming the option
 * (`InvalidArgumentError` / `CredentialError` with `option`) or a correct request: on the API
 * origin, the id in exactly one percent-encoded path segment, no filter text escaping into
 * another query parameter, and KQL values compared literally by the fake tenant's KQL engine.
 */
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  CredentialError,
  DefenderClient,
  INCIDENT_STATUSES,
  INCIDENT_UPDATE_STATUSES,
  CLASSIFICATIONS,
  DETERMINATIONS,
  InvalidArgumentError,
  SEVERITIES,
  kql,
} from '../../src/index.js';
import { seedIncidents } from '../../src/testing/data/seed-incidents.js';
import { runKql, type KqlType } from '../../src/testing/kql/index.js';
import { renderIncident } from '../../src/testing/tenant/graph-wire.js';
import { realisticIncident } from '../support/defender-payloads.js';
import { staticCredential } from '../support/jwt.js';
import { DEFENDER_ROLES, GRAPH_ROLES, TENANT_ID, TenantCredential, serveTenant, startServer } from '../support/tenant.js';
import { nastyString } from '../support/mutate.js';
import { templateOf } from '../support/template.js';

// Each property runs hundreds of cases: counted work, not time, but minutes of it on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

const DEFENDER = 'https://api.security.microsoft.com';
const GRAPH = 'https://graph.microsoft.com';
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 200);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x1d5);
const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };

/** Every request msw received, in order. */
const received: { method: string; url: string; body: string }[] = [];

const legacyIncident = realisticIncident();
const graphIncident = renderIncident(seedIncidents(1, 7)[0]!, { tenantId: TENANT_ID, includeUnknownEnumMembers: true });

const record = async (request: Request) => {
  received.push({ method: request.method, url: request.url, body: request.method === 'GET' ? '' : await request.text() });
};
/** Recording handlers that answer every incident call with a valid incident. */
const recording = [
  http.all(`${DEFENDER}/*`, async ({ request }) => {
    await record(request);
    return HttpResponse.json(legacyIncident);
  }),
  http.all(`${GRAPH}/*`, async ({ request }) => {
    await record(request);
    return HttpResponse.json(graphIncident);
  }),
];

const server = startServer();

const ROLES = [...DEFENDER_ROLES, ...GRAPH_ROLES];
const fast = { maxRetries: 0, rateLimit: false, silenceDeprecationWarnings: true } as const;
const clients = {
  defender: new DefenderClient({ credential: staticCredential(DEFENDER, ROLES), ...fast }),
  graph: new DefenderClient({ api: 'graph', credential: staticCredential(GRAPH, ROLES), ...fast }),
};
const origins = { defender: DEFENDER, graph: GRAPH };
const incidentPrefix = { defender: ['', 'api', 'incidents'], graph: ['', 'v1.0', 'security', 'incidents'] };

/** Runs `call`; returns the thrown error (sync or async) or `undefined`. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Asserts `error` is an InvalidArgumentError naming one of `options`. */
function expectInvalidArgument(error: unknown, options: readonly string[]): void {
  if (!(error instanceof InvalidArgumentError)) {
    throw new Error(`expected InvalidArgumentError or success, got ${String((error as Error)?.name)}: ${String((error as Error)?.message)}\n${(error as Error)?.stack}`);
  }
  expect(options, `option "${error.option}"`).toContain(error.option);
  expect(error.message.length).toBeGreaterThan(0);
}

// ---------------------------------------------------------------- ids

const hostileId = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  nastyString,
  // Lone surrogates cannot be percent-encoded (encodeURIComponent throws URIError).
  fc.constantFrom('\ud800', 'a\udc00', '\udfff\ud800'),
  fc.constantFrom('../', '..', '.', './x', '../../api/advancedhunting/run', '?', '#', '%', '%2e%2e', '%2F', '/', '\\', 'a/b', '1?$top=1', '1#x', '1%23', ' 1', '1\r\nX-Injected: 1', '\ud83d\ude00', '\udc00x'),
  fc.integer().map((n) => n),
  fc.constant('9'.repeat(5000)),
  fc.anything({ maxDepth: 1 }),
);

/** Asserts the one request received addresses incident `id` in one path segment on the API origin. */
function expectOneIncidentRequest(api: 'defender' | 'graph', id: unknown, method: string): void {
  expect(received, 'exactly one request').toHaveLength(1);
  const request = received[0]!;
  expect(request.method).toBe(method);
  const url = new URL(request.url);
  expect(url.origin).toBe(origins[api]);
  expect(url.username + url.password).toBe('');
  const segments = url.pathname.split('/');
  expect(segments.slice(0, -1)).toEqual(incidentPrefix[api]);
  expect(decodeURIComponent(segments.at(-1)!)).toBe(String(id));
  expect(url.search === '' || url.search === '?%24expand=alerts').toBe(true);
}

describe('incident ids', () => {
  for (const api of ['defender', 'graph'] as const) {
    it(`${api}: incidents.get(id) refuses the id by name or addresses it in exactly one path segment`, async () => {
      server.use(...recording);
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(hostileId, async (id) => {
          received.length = 0;
          const error = await outcome(() => clients[api].incidents.get(id as string));
          if (error !== undefined) {
            expectInvalidArgument(error, ['id']);
            expect(received, 'nothing is sent for a refused id').toHaveLength(0);
            return;
          }
          sent++;
          expectOneIncidentRequest(api, id, 'GET');
        }),
        settings,
      );
      expect(sent).toBeGreaterThan(RUNS / 4);
    });

    it(`${api}: incidents.update(id) refuses the id by name or PATCHes exactly that incident`, async () => {
      server.use(...recording);
      await fc.assert(
        fc.asyncProperty(hostileId, async (id) => {
          received.length = 0;
          const error = await outcome(() => clients[api].incidents.update(id as string, { tags: ['fuzz'] }));
          if (error !== undefined) {
            expectInvalidArgument(error, ['id']);
            expect(received).toHaveLength(0);
            return;
          }
          expectOneIncidentRequest(api, id, 'PATCH');
        }),
        settings,
      );
    });
  }
});

// ---------------------------------------------------------------- list filters

const LIST_OPTION_NAMES = ['status', 'severity', 'assignedTo', 'createdAfter', 'createdBefore', 'updatedAfter', 'updatedBefore', 'pageSize', 'expandAlerts', 'signal', 'options'];

/** Mostly valid values (so that requests are sent), else anything. */
const mostly = <T,>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) => fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: other });
const dateInput = mostly(
  fc.oneof(
    fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
    fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2024-05-01T00:00:00Z', '2024-05-01T02:00:00+02:00', '2024-05-01T00:00:00.1234567Z'),
  ),
  fc.oneof(
    fc.constant(new Date(Number.NaN)),
    // Valid Dates outside the years 0001–9999 that OData's DateTimeOffset (and ISO 'YYYY') can hold.
    fc.constantFrom(new Date('+010000-01-01T00:00:00Z'), new Date('-000001-06-01T00:00:00Z'), new Date(8.64e15), '9999-12-31T23:59:59-23:59'),
    fc.constantFrom('2024-05-01T00:00:00', '2024-05-01', '2024-02-30T00:00:00Z', 'yesterday'),
    fc.integer(),
    nastyString,
    fc.anything({ maxDepth: 1 }),
  ),
);
const pageSize = mostly(
  fc.integer({ min: 1, max: 50 }),
  fc.oneof(fc.integer({ min: -5, max: 150 }), fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 0.5, 1e21, 2 ** 53 + 1, '10', null)),
);
const enumInput = (values: readonly string[]) => mostly(fc.constantFrom(...values), fc.oneof(nastyString, fc.constantFrom('Active', 'HIGH', "active' or 1 eq 1")));
const assignedTo = fc.oneof(
  // Well-formed text most of the time (so requests are sent); binary strings hold lone surrogates.
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\ud800', 'owner\udc00@contoso.com'),
  fc.constantFrom("o'brien@contoso.com", "x' or assignedTo ne 'y", 'a&$top=1', 'a#b', 'a+b c%20d', "''", '&$filter=status eq \'Active\''),
  nastyString,
);
const listOptions = fc.record(
  {
    status: enumInput(INCIDENT_STATUSES),
    severity: enumInput(SEVERITIES),
    assignedTo,
    createdAfter: dateInput,
    createdBefore: dateInput,
    updatedAfter: dateInput,
    updatedBefore: dateInput,
    pageSize,
  },
  { requiredKeys: [] },
);

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The instant a caller's date input stands for (the inputs that were accepted). */
const instant = (value: unknown) => (value instanceof Date ? value : new Date(value as string));

describe('list filters', () => {
  for (const api of ['defender', 'graph'] as const) {
    it(`${api}: incidents.list(options) refuses a bad option by name or sends a well-formed query`, async () => {
      let sent = 0;
      server.use(
        http.get(`${origins[api]}/*`, async ({ request }) => {
          await record(request);
          return HttpResponse.json({ value: [] });
        }),
      );
      await fc.assert(
        fc.asyncProperty(listOptions, async (options) => {
          received.length = 0;
          const error = await outcome(() => clients[api].incidents.list(options as never).toArray());
          if (error !== undefined) {
            expectInvalidArgument(error, LIST_OPTION_NAMES);
            expect(received).toHaveLength(0);
            return;
          }
          sent++;
          expect(received).toHaveLength(1);
          const url = new URL(received[0]!.url);
          expect(url.origin).toBe(origins[api]);
          expect(url.pathname).toBe(api === 'defender' ? '/api/incidents' : '/v1.0/security/incidents');
          const names = [...url.searchParams.keys()];
          const allowed = api === 'defender' ? ['$filter', '$top', '$skip'] : ['$filter', '$top'];
          expect(names.every((name) => allowed.includes(name)), `query parameters ${names.join(', ')}`).toBe(true);
          expect(new Set(names).size).toBe(names.length);
          expect(url.searchParams.get('$top')).toBe(String(options.pageSize ?? (api === 'defender' ? 100 : 50)));
          const filter = url.searchParams.get('$filter') ?? '';
          // Every value sits where its clause puts it: quoted strings with quotes doubled, dates as plain ISO UTC.
          const expected: string[] = [];
          const field = api === 'defender' ? { updated: 'lastUpdateTime', created: 'createdTime' } : { updated: 'lastUpdateDateTime', created: 'createdDateTime' };
          if (options.updatedAfter !== undefined) expected.push(`${field.updated} ge ${instant(options.updatedAfter).toISOString()}`);
          if (options.updatedBefore !== undefined) expected.push(`${field.updated} lt ${instant(options.updatedBefore).toISOString()}`);
          if (options.createdAfter !== undefined) expected.push(`${field.created} ge ${instant(options.createdAfter).toISOString()}`);
          if (options.createdBefore !== undefined) expected.push(`${field.created} lt ${instant(options.createdBefore).toISOString()}`);
          for (const clause of expected) expect(ISO_UTC.test(clause.split(' ').at(-1)!), clause).toBe(true);
          if (options.assignedTo !== undefined) expected.push(`assignedTo eq '${(options.assignedTo as string).replaceAll("'", "''")}'`);
          for (const clause of expected) expect(filter, 'the filter').toContain(clause);
          // The filter holds exactly the clauses asked for: the quoted value cannot add one.
          const statusAndSeverity = (options.status !== undefined ? 1 : 0) + (api === 'graph' && options.severity !== undefined ? 1 : 0);
          const withoutValue = options.assignedTo === undefined ? filter : filter.replace(`'${(options.assignedTo as string).replaceAll("'", "''")}'`, "''");
          const clauses = withoutValue === '' ? 0 : withoutValue.split(' and ').length;
          expect(clauses).toBe(expected.length + statusAndSeverity);
        }),
        settings,
      );
      expect(sent).toBeGreaterThan(RUNS / 10);
    });
  }

  it('defender: assignedTo is compared literally by the fake tenant, whatever it contains', async () => {
    const tenant = serveTenant(server, { incidents: 3 });
    const client = new DefenderClient({ credential: new TenantCredential(tenant), ...fast });
    const [first, second] = [...tenant.incidents.values()];
    await fc.assert(
      fc.asyncProperty(assignedTo.filter((s) => s.trim() !== ''), async (owner) => {
        first!.assignedTo = owner;
        second!.assignedTo = `${owner}x`;
        const error = await outcome(async () => {
          const listed = await client.incidents.list({ assignedTo: owner }).toArray();
          expect(listed.map((incident) => incident.id)).toEqual([String(first!.incidentId)]);
        });
        if (error !== undefined) expectInvalidArgument(error, ['assignedTo']);
      }),
      { ...settings, numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

// ---------------------------------------------------------------- update bodies

const UPDATE_OPTION_NAMES = ['update', 'status', 'assignedTo', 'classification', 'determination', 'tags', 'comment'];
const updateBody = fc.oneof(
  fc.record(
    {
      status: enumInput(INCIDENT_UPDATE_STATUSES),
      assignedTo: mostly(fc.oneof(assignedTo, fc.constant(null)), fc.integer()),
      classification: enumInput(CLASSIFICATIONS),
      determination: enumInput(DETERMINATIONS),
      tags: mostly(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((t) => t.trim() !== ''), { maxLength: 4 }), fc.oneof(fc.array(nastyString), nastyString, fc.anything({ maxDepth: 1 }))),
      comment: mostly(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 50 }), fc.constant('x'.repeat(100_000))), fc.oneof(nastyString, fc.integer())),
    },
    { requiredKeys: [] },
  ),
  fc.anything({ maxDepth: 1 }),
);

describe('update bodies', () => {
  it('defender: incidents.update refuses a bad field by name or sends exactly the fields given', async () => {
    server.use(...recording);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(updateBody, async (update) => {
        received.length = 0;
        const error = await outcome(() => clients.defender.incidents.update('924521', update as never));
        if (error !== undefined) {
          // An unknown field is named by its own key.
          expectInvalidArgument(error, [...UPDATE_OPTION_NAMES, ...(typeof update === 'object' && update !== null ? Object.keys(update) : [])]);
          expect(received).toHaveLength(0);
          return;
        }
        sent++;
        expect(received).toHaveLength(1);
        const given = update as Record<string, unknown>;
        const body = JSON.parse(received[0]!.body) as Record<string, unknown>;
        expect(Object.keys(body).sort()).toEqual(Object.keys(given).filter((key) => given[key] !== undefined).sort());
        if (typeof given['comment'] === 'string') expect(body['comment']).toBe(given['comment']);
        if (Array.isArray(given['tags'])) expect(body['tags']).toEqual(given['tags']);
        if (typeof given['assignedTo'] === 'string' && given['assignedTo'] !== '') expect(body['assignedTo']).toBe(given['assignedTo']);
      }),
      settings,
    );
    expect(sent).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- KQL template values

/** A value, its KQL column type, and a different value of the same type. */
const kqlValue: fc.Arbitrary<{ value: string | number | boolean | Date | bigint; type: KqlType; other: unknown }> = fc.oneof(
  fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), nastyString, fc.constantFrom('" | project secret //', '\\" or 1 == 1 or "', "'", '\\', '```', '@"x"', '\\u0041', '//', 'a\nb', 'a\rb\tc')).map((value) => ({ value, type: 'string' as const, other: `${value}x` })),
  fc.integer().map((value) => ({ value, type: 'long' as const, other: value + 1 })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ value, type: 'long' as const, other: 0n === value ? 1 : 0 })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => ({ value, type: 'real' as const, other: value === 0 ? 1 : 0 })),
  fc.boolean().map((value) => ({ value, type: 'bool' as const, other: !value })),
  // From year 100: the fake engine does not match datetime literals of years 1–99 (see the report).
  fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((value) => ({ value, type: 'datetime' as const, other: new Date(value.getTime() + 1) })),
);

/** What a table cell holds for a template value (the engine reads bigints as numbers). */
const cell = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

describe('KQL template values', () => {
  it('kql renders every value as a literal the KQL engine compares exactly: no injection', () => {
    let compared = 0;
    fc.assert(
      fc.property(kqlValue, ({ value, type, other }) => {
        let text: string;
        try {
          text = kql`T | where A == ${value} | project A, B`.text;
        } catch (error) {
          expectInvalidArgument(error, ['values[0]']);
          return;
        }
        // bigints beyond 2^53 cannot be held exactly in a JS table cell: only check the query parses
        if (typeof value === 'bigint' && !Number.isSafeInteger(Number(value))) {
          runKql(text, { T: { columns: [{ name: 'A', type }, { name: 'B', type: 'long' }], rows: [] } });
          return;
        }
        compared++;
        const table = { columns: [{ name: 'A', type }, { name: 'B', type: 'long' as const }], rows: [{ A: cell(value), B: 1 }, { A: cell(other), B: 2 }] };
        const result = runKql(text, { T: table });
        expect(result.columns.map((column) => column.name)).toEqual(['A', 'B']);
        expect(result.rows.map((row) => row['B']), `query ${text}`).toEqual([1]);
      }),
      { ...settings, numRuns: RUNS * 3 },
    );
    expect(compared).toBeGreaterThan(RUNS);
  });

  it('kql renders a list of values as an `in (...)` list matching exactly those values', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 10 }), nastyString), { minLength: 1, maxLength: 5 }), (values) => {
        let text: string;
        try {
          text = kql`T | where A in (${values})`.text;
        } catch (error) {
          expectInvalidArgument(error, values.map((_, index) => `values[0][${index}]`));
          return;
        }
        const rows = [...values.map((A, index) => ({ A, B: index })), { A: `${values.join('')}-none`, B: -1 }];
        const result = runKql(text, { T: { columns: [{ name: 'A', type: 'string' }, { name: 'B', type: 'long' }], rows } });
        const expected = rows.filter((row) => values.includes(row.A)).map((row) => row.B);
        expect(result.rows.map((row) => row['B'])).toEqual(expected);
      }),
      settings,
    );
  });

  it('kql refuses a string whose literal the text around it would read differently, in a template or composed (issue 11)', () => {
    // [text before the placeholder, text after it, refused]: after "@" the literal turns verbatim
    // (a backslash escapes nothing); inside a string, comment, directive or datetime(…) it is not a
    // literal at all. The others leave it one literal, compared exactly by the engine.
    const contexts: [before: string, after: string, refused: boolean][] = [
      ['@', '', true],
      ['h@', '', true],
      ['H@', '', true],
      ['@ ', '', true],
      ['@\n', '', true],
      ['@"x"', '', true],
      ['@"', '"', true],
      ['"', '"', true],
      ["'", "'", true],
      ['// ', '\n', true],
      ['#', '\n', true],
      ['```', '```', true],
      ['~~~', '~~~', true],
      ['<=~~~', '~~~', true],
      ['datetime(', ')', true],
      ['guid(', ')', true],
      ['', '', false],
      [' ', ' ', false],
      ['h', '', false],
      ['H', '', false],
      ['(', ')', false],
      ['\n', '\n', false],
    ];
    // The same context written four ways: in the template, as a kql.raw() fragment before the value,
    // around a value given as a kql fragment, and all of it inside a fragment of the query.
    const build = (mode: number, before: string, after: string, value: string): string => {
      switch (mode) {
        case 0:
          return kql(templateOf(`T | where A == ${before}`, `${after} | project A, B`), value).text;
        case 1:
          return kql(templateOf('T | where A == ', '', `${after} | project A, B`), kql.raw(before), value).text;
        case 2:
          return kql(templateOf(`T | where A == ${before}`, `${after} | project A, B`), kql`${value}`).text;
        default:
          return kql(templateOf('T | where A == ', ' | project A, B'), kql(templateOf(before, after), value)).text;
      }
    };
    const strings = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), nastyString, fc.constantFrom('" or true //', '\\" or true or "', "' or true //", '") or true //', '```| project B //', '"" or true or ""', '\\'));
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...contexts), fc.integer({ min: 0, max: 3 }), strings, ([before, after, mustRefuse], mode, value) => {
        let text: string;
        try {
          text = build(mode, before, after, value);
        } catch (error) {
          expectInvalidArgument(error, ['values[0]', 'values[1]']);
          refused++;
          return;
        }
        expect(mustRefuse, `accepted ${JSON.stringify(text)}`).toBe(false);
        accepted++;
        const table = { columns: [{ name: 'A', type: 'string' as const }, { name: 'B', type: 'long' as const }], rows: [{ A: value, B: 1 }, { A: `${value}x`, B: 2 }] };
        expect(runKql(text, { T: table }).rows.map((row) => row['B']), `query ${text}`).toEqual([1]);
      }),
      { ...settings, numRuns: RUNS * 5 },
    );
    expect(accepted).toBeGreaterThan(RUNS / 2);
    expect(refused).toBeGreaterThan(RUNS);
  });

  it('kql refuses values that are not scalars by naming the interpolation', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(null, undefined, Number.NaN, Number.POSITIVE_INFINITY, new Date(Number.NaN), [], [[1]], Symbol('s'), () => 1, {}, { text: 'x' }, 2n ** 64n, new Date('0000-06-01T00:00:00Z'))), (value) => {
        let thrown: unknown;
        try {
          kql`T | where A == ${value as never}`;
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(InvalidArgumentError);
        expect((thrown as InvalidArgumentError).option).toMatch(/^values\[0\]/);
      }),
      { ...settings, numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------- credential options

const credentialShape = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.record(
    {
      tenantId: fc.oneof(fc.uuid(), nastyString, fc.constantFrom('contoso.onmicrosoft.com', 'common', 'organizations', '../evil', 'a/b?c#d', 'https://evil.example/'), fc.anything({ maxDepth: 0 })),
      clientId: fc.oneof(fc.uuid(), nastyString, fc.anything({ maxDepth: 0 })),
      clientSecret: fc.oneof(nastyString, fc.string({ unit: 'binary', maxLength: 40 }), fc.anything({ maxDepth: 0 })),
      certificate: fc.oneof(fc.record({ pem: nastyString }, { requiredKeys: [] }), fc.record({ path: fc.constantFrom('', '/nonexistent/cert.pem', '\u0000') }), fc.anything({ maxDepth: 1 })),
      keyVault: fc.oneof(
        fc.record({ vaultUrl: fc.oneof(fc.webUrl(), nastyString, fc.constantFrom('http://kv.vault.azure.net', 'https://evil.example')), secretName: nastyString }, { requiredKeys: [] }),
        fc.anything({ maxDepth: 1 }),
      ),
      sendCertificateChain: fc.anything({ maxDepth: 0 }),
      vaultCredential: fc.anything({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
);

describe('credential options', () => {
  it('new DefenderClient({ credential }) builds a client or throws a typed error naming the option', () => {
    let refused = 0;
    fc.assert(
      fc.property(credentialShape, (credential) => {
        try {
          const client = new DefenderClient({ credential: credential as never, ...fast });
          expect(client).toBeInstanceOf(DefenderClient);
        } catch (error) {
          if (!(error instanceof InvalidArgumentError) && !(error instanceof CredentialError)) {
            throw new Error(`expected InvalidArgumentError or CredentialError, got ${String((error as Error)?.name)}: ${String((error as Error)?.message)}`);
          }
          expect(typeof error.option === 'string' && error.option.startsWith('credential'), `option ${String(error.option)}`).toBe(true);
          refused++;
        }
      }),
      { ...settings, numRuns: RUNS * 2 },
    );
    expect(refused).toBeGreaterThan(RUNS);
  });

  it('a TokenCredential returning anything gives a typed error or a request with a well-formed bearer header', async () => {
    server.use(...recording);
    const token = fc.oneof(
      fc.constantFrom(null, undefined, 42, {}, { token: 5 }, { token: '' }, { token: 'abc' }, { token: 'abc', expiresOnTimestamp: Number.NaN }, { token: 'a\r\nb', expiresOnTimestamp: Date.now() + 3_600_000 }),
      fc.record({ token: fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), nastyString), expiresOnTimestamp: fc.oneof(fc.integer(), fc.double(), fc.constant(Date.now() + 3_600_000)) }),
      fc.anything({ maxDepth: 1 }),
    );
    await fc.assert(
      fc.asyncProperty(token, async (answer) => {
        received.length = 0;
        const client = new DefenderClient({ credential: { getToken: async () => answer as never }, ...fast });
        const error = await outcome(() => client.incidents.get('924521'));
        if (error !== undefined) {
          // Not a TypeError from deep inside, nor a connection failure for a request never sent: an
          // SDK error that says what the credential did wrong, before anything was sent.
          expect(error, `${String((error as Error)?.name)}: ${String((error as Error)?.message)}`).toSatisfy(
            (e: unknown) => e instanceof CredentialError || (e instanceof Error && e.name === 'AuthenticationError'),
          );
          expect(received).toHaveLength(0);
          return;
        }
        expect(received).toHaveLength(1);
        expect(new URL(received[0]!.url).origin).toBe(DEFENDER);
      }),
      settings,
    );
  });
});
