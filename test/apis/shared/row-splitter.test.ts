/**
 * The row splitter behind `advancedHunting.stream()` (`src/apis/shared/row-splitter.ts`), on its
 * own contract: fed a JSON object in chunks cut anywhere, it reports the object's members and the
 * rows array's elements exactly as `JSON.parse` of the whole text gives them, holds at most
 * `maxValueBytes` of one value, and refuses anything else with a `SplitError`. The public stream
 * is fuzzed the same way through the client in `test/fuzz/hunting-stream.fuzz.test.ts`; here the
 * chunks are exact and cheap, so every cut point of every body is tried.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowSplitter, SplitError, type SplitFault } from '../../../src/apis/shared/row-splitter.js';
import { breakBody, breakage, huntingBodySpec, writeHuntingBody } from '../../support/hunting-bodies.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 100);
/** Every cut of every body takes seconds; the bound is for a loaded machine. */
const TIMEOUT_MS = 180_000;
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

const isRowsKey = (key: string) => key.toLowerCase() === 'results';

/** Splits `bytes`, cut at `cuts`; returns what it reported, or the fault it threw. */
function split(bytes: Uint8Array, cuts: readonly number[], maxValueBytes = 1 << 20) {
  const members: Array<[string, unknown]> = [];
  const rows: unknown[] = [];
  let rowsKey: string | undefined;
  const splitter = new RowSplitter(
    { member: (key, value) => members.push([key, value]), rowsStart: (key) => (rowsKey = key), row: (value) => rows.push(value) },
    { isRowsKey, maxValueBytes },
  );
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort((a, b) => a - b);
  try {
    for (let i = 0; i + 1 < bounds.length; i++) splitter.write(bytes.subarray(bounds[i], bounds[i + 1]));
    splitter.end();
  } catch (error) {
    if (!(error instanceof SplitError)) throw error;
    return { fault: error.fault };
  }
  return { members, rows, rowsKey };
}

/** What the splitter must report for `text`, from `JSON.parse` of the whole of it. */
function oracle(text: string) {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    return { fault: 'invalid' as const };
  }
  if (whole === null || typeof whole !== 'object' || Array.isArray(whole)) return { fault: 'not-object' as const };
  const entries = Object.entries(whole);
  const rowsEntry = entries.find(([key, value]) => isRowsKey(key) && Array.isArray(value));
  return { members: entries.filter((entry) => entry !== rowsEntry), rows: (rowsEntry?.[1] as unknown[] | undefined) ?? [], rowsKey: rowsEntry?.[0] };
}

const encode = (text: string) => new TextEncoder().encode(text);
const faultOf = (text: string, cuts: number[] = []): SplitFault | undefined => (split(encode(text), cuts) as { fault?: SplitFault }).fault;

describe('RowSplitter', () => {
  it('reports JSON.parse\'s members and rows for any valid body, cut at any one byte, after every byte, or anywhere', () => {
    fc.assert(
      fc.property(huntingBodySpec(), fc.array(fc.nat(), { maxLength: 20 }), (spec, cuts) => {
        const text = writeHuntingBody(spec);
        const bytes = encode(text);
        const expected = oracle(text);
        expect(split(bytes, Array.from({ length: bytes.length }, (_, i) => i + 1))).toEqual(expected);
        expect(split(bytes, cuts.map((c) => c % (bytes.length + 1)))).toEqual(expected);
        for (let cut = 1; cut < bytes.length; cut++) {
          const got = split(bytes, [cut]);
          // expect() only on a difference: it costs more than the split, and there are hundreds of cuts.
          if (!isDeepStrictEqual(got, expected)) expect(got, `cut at byte ${cut}`).toEqual(expected);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, TIMEOUT_MS);

  it('refuses a broken body with the SplitError JSON.parse implies, or reports what JSON.parse reads in it', () => {
    fc.assert(
      fc.property(huntingBodySpec(), breakage, fc.array(fc.nat(), { maxLength: 20 }), (spec, change, cuts) => {
        const bytes = breakBody(encode(writeHuntingBody(spec)), change);
        const text = new TextDecoder().decode(bytes);
        const expected = oracle(text);
        const got = split(bytes, cuts.map((c) => c % (bytes.length + 1)));
        if (!('fault' in expected)) expect(got).toEqual(expected);
        else if (expected.fault === 'not-object') expect(got).toEqual({ fault: 'not-object' });
        // Invalid JSON is refused as invalid, truncated, or (a first byte that is not `{`) as not an object.
        else expect(['invalid', 'truncated', 'not-object']).toContain((got as { fault?: SplitFault }).fault);
      }),
      { numRuns: RUNS * 5, seed: SEED },
    );
  }, TIMEOUT_MS);

  it('names the fault: not an object, truncated, invalid', () => {
    expect(faultOf('')).toBe('not-object');
    expect(faultOf('  \n')).toBe('not-object');
    expect(faultOf('[{"a":1}]')).toBe('not-object');
    expect(faultOf('"Results"')).toBe('not-object');
    expect(faultOf('{"Results":[{"a":1}')).toBe('truncated');
    expect(faultOf('{"Results":[{"a":"}')).toBe('truncated');
    expect(faultOf('{"Results":[{"a":1}]')).toBe('truncated');
    expect(faultOf('{"Results":[{"a":1},]}')).toBe('invalid');
    expect(faultOf('{"Results":[,{"a":1}]}')).toBe('invalid');
    expect(faultOf('{"Results":[{"a":1}{"a":2}]}')).toBe('invalid');
    expect(faultOf('{"Results":[{"a":1]]}')).toBe('invalid');
    expect(faultOf('{"Results":[{"a":tru}]}')).toBe('invalid');
    expect(faultOf('{"Results":[]} x')).toBe('invalid');
    expect(faultOf('{"Results":[]}{}')).toBe('invalid');
    expect(faultOf('{"Results" []}')).toBe('invalid');
    expect(faultOf('{Results:[]}')).toBe('invalid');
    expect(faultOf('{"Results":[],}')).toBe('invalid');
    expect(faultOf('{"Results":[{"a":"\u0001"}]}')).toBe('invalid');
    expect(faultOf('{"Results":[]} \n')).toBeUndefined();
  });

  it('holds at most maxValueBytes of a row while it arrives, and any number of rows within it', () => {
    const row = JSON.stringify({ Cell: 'x'.repeat(100) });
    const text = `{"Results":[${Array.from({ length: 50 }, () => row).join(',')}]}`;
    const bytes = encode(text);
    const everyTenBytes = Array.from({ length: bytes.length / 10 }, (_, i) => (i + 1) * 10);
    // A row of 112 bytes, read 10 bytes at a time: held whole under a cap of its size, refused under less.
    const within = split(bytes, everyTenBytes, row.length + 10);
    expect((within as { rows: unknown[] }).rows).toHaveLength(50);
    expect(split(bytes, everyTenBytes, 100)).toEqual({ fault: 'too-large' });
    // The cap bounds one value, not the body: a body of 5,000+ bytes in one chunk holds nothing.
    expect((split(bytes, [], 100) as { rows: unknown[] }).rows).toHaveLength(50);
    // An envelope member is held under the same cap.
    expect(split(encode(`{"Schema":${JSON.stringify('y'.repeat(500))},"Results":[]}`), everyTenBytes, 100)).toEqual({ fault: 'too-large' });
  });
});
