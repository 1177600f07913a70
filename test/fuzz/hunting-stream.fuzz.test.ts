/**
 * `advancedHunting.stream()` against `JSON.parse`, fuzzed (issue 18): for any valid hunting body
 * of either API (escapes, `\u` sequences, surrogate pairs, braces and quotes inside strings,
 * nested cells, any whitespace, either member order), cut into chunks anywhere down to single
 * bytes, the stream yields exactly `JSON.parse(body)`'s rows, schema and statistics; for any
 * broken body it does what `run()` does with the same bytes: the same rows, or a
 * `ResponseValidationError`, never a hang, a wrong row or another exception.
 */
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DefenderClient, ResponseValidationError } from '../../src/index.js';
import { breakBody, breakage, cutBody, everyByte, huntingBodySpec, writeHuntingBody, type HuntingApi } from '../support/hunting-bodies.js';
import { fakeTenant, startServer, type TenantCredential } from '../support/tenant.js';

// Each property runs hundreds of cases: counted work, not time, but minutes of it on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

// Each run reads its body a byte per event-loop turn: few runs here, thousands in the splitter's own test.
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 40);
/** A run takes tens of milliseconds; the bound is for a loaded machine. */
const TIMEOUT_MS = 180_000;
// FUZZ_SEED explores further (e.g. FUZZ_SEED=$RANDOM FUZZ_RUNS=5000); the default keeps CI deterministic.
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

const HUNTING_URL: Record<HuntingApi, string> = {
  defender: 'https://api.security.microsoft.com/api/advancedhunting/run',
  graph: 'https://graph.microsoft.com/v1.0/security/runHuntingQuery',
};

const server = startServer();

/** What the hunting endpoint answers next: these bytes, cut at these offsets. */
let reply: { bytes: Uint8Array; cuts: number[] } = { bytes: new Uint8Array(), cuts: [] };

let credential: TenantCredential;
beforeEach(() => {
  ({ credential } = fakeTenant(server));
  const answer = () => new HttpResponse(cutBody(reply.bytes, reply.cuts), { status: 200, headers: { 'content-type': 'application/json' } });
  server.use(http.post(HUNTING_URL.defender, answer), http.post(HUNTING_URL.graph, answer));
});

const clients = () => ({
  defender: new DefenderClient({ credential, maxRetries: 0, rateLimit: false, silenceDeprecationWarnings: true }),
  graph: new DefenderClient({ credential, api: 'graph', maxRetries: 0, rateLimit: false }),
});

/** What a stream gave: its rows, and how it ended. */
async function streamed(client: DefenderClient, bytes: Uint8Array, cuts: number[]) {
  reply = { bytes, cuts };
  const stream = client.advancedHunting.stream('T');
  const rows: unknown[] = [];
  try {
    for await (const row of stream) rows.push(row);
    return { rows, schema: await stream.schema, stats: await stream.stats, error: undefined };
  } catch (error) {
    return { rows, schema: undefined, stats: undefined, error };
  }
}

const cutsOf = fc.array(fc.nat(), { maxLength: 12 });

describe('advancedHunting.stream, fuzzed against JSON.parse', () => {
  it('yields JSON.parse(body)\'s rows, schema and stats for any valid body, one byte at a time or cut anywhere', async () => {
    const client = clients();
    await fc.assert(
      fc.asyncProperty(huntingBodySpec(), cutsOf, async (spec, cuts) => {
        const text = writeHuntingBody(spec);
        const bytes = new TextEncoder().encode(text);
        const whole = JSON.parse(text) as Record<string, unknown>;
        const expectedSchema = ((whole['Schema'] ?? whole['schema']) as Array<Record<string, string>>).map((c) => ({ name: c['Name'] ?? c['name'], type: c['Type'] ?? c['type'] }));
        for (const pieces of [everyByte(bytes), cuts.map((c) => c % (bytes.length + 1))]) {
          const got = await streamed(client[spec.api], bytes, pieces);
          expect(got.error).toBeUndefined();
          expect(got.rows).toEqual(whole[spec.api === 'defender' ? 'Results' : 'results']);
          expect(got.schema).toEqual(expectedSchema);
          expect(got.stats).toEqual(spec.api === 'defender' ? whole['Stats'] : undefined);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, TIMEOUT_MS);

  it('does with a broken body what run() does with the same bytes: its rows, or a ResponseValidationError', async () => {
    const client = clients();
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(huntingBodySpec(), breakage, cutsOf, async (spec, change, cuts) => {
        const bytes = breakBody(new TextEncoder().encode(writeHuntingBody(spec)), change);
        reply = { bytes, cuts: [] };
        const run = await client[spec.api].advancedHunting.run('T').then(
          (result) => ({ rows: result.rows as unknown[], error: undefined }),
          (error: unknown) => ({ rows: undefined, error }),
        );
        for (const pieces of [everyByte(bytes), cuts.map((c) => c % (bytes.length + 1))]) {
          const got = await streamed(client[spec.api], bytes, pieces);
          if (run.error === undefined) {
            expect(got.error).toBeUndefined();
            expect(got.rows).toEqual(run.rows);
          } else {
            expect(run.error).toBeInstanceOf(ResponseValidationError);
            expect(got.error).toBeInstanceOf(ResponseValidationError);
          }
        }
        if (run.error !== undefined) refused++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The breakage mostly breaks: the property is not met by bodies that all stayed valid.
    expect(refused).toBeGreaterThan(RUNS / 2);
  }, TIMEOUT_MS);
});
