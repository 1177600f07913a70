import { thrownBy } from '../support/throws.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseHuntingResponse } from '../../src/apis/defender/index.js';
import { InvalidArgumentError, ResponseValidationError } from '../../src/errors.js';
import { validateRows } from '../../src/models/hunting.js';
import { legacyHuntingResponse, realisticHuntingResponse } from '../support/defender-payloads.js';

const OP = 'advancedHunting.run';

const validationError = (fn: () => unknown) => thrownBy(ResponseValidationError, fn);

describe('parseHuntingResponse', () => {
  it('parses the realistic response of reference §3.1', () => {
    const body = realisticHuntingResponse();
    expect(parseHuntingResponse(body, OP)).toEqual({
      schema: [
        { name: 'Timestamp', type: 'DateTime' },
        { name: 'FileName', type: 'String' },
      ],
      rows: [{ Timestamp: '2020-08-30T06:38:35.7664356Z', FileName: 'conhost.exe' }],
      stats: body.Stats,
    });
  });

  it('reads keys case-insensitively (Graph-style lower-case, or a mix)', () => {
    const result = parseHuntingResponse(
      { schema: [{ name: 'A', type: 'Int64' }, { NAME: 'B', tYpe: 'String' }], results: [{ A: 1, B: 'x' }] },
      OP,
    );
    expect(result).toEqual({
      schema: [
        { name: 'A', type: 'Int64' },
        { name: 'B', type: 'String' },
      ],
      rows: [{ A: 1, B: 'x' }],
      stats: undefined,
    });
  });

  it('returns the rows array as sent, without copying it', () => {
    const body = legacyHuntingResponse(['A'], [{ A: 1 }]);
    expect(parseHuntingResponse(body, OP).rows).toBe(body.Results);
  });

  it('reports a row that is not an object, and a bad column, with their paths', () => {
    const body = { Schema: [{ Name: 'A', Type: 3 }], Results: [{ A: 1 }, null, [1]] };
    const error = validationError(() => parseHuntingResponse(body, OP));
    expect(error.operation).toBe(OP);
    expect(error.issues.map((issue) => issue.path)).toEqual(['Schema[0].Type', 'Results[1]', 'Results[2]']);
  });

  it('reports missing Results and a non-object body', () => {
    expect(validationError(() => parseHuntingResponse({ Schema: [] }, OP)).issues[0]!.path).toBe('Results');
    expect(validationError(() => parseHuntingResponse('<html>', OP)).issues[0]!.path).toBe('(root)');
  });
});

describe('validateRows', () => {
  const rowSchema = z.object({ DeviceName: z.string(), Timestamp: z.coerce.date() });

  it('returns the parsed rows, with the schema transforms applied', () => {
    const rows = validateRows([{ DeviceName: 'pc1', Timestamp: '2020-08-30T06:38:35.7664356Z', Extra: 1 }], rowSchema, OP);
    expect(rows).toEqual([{ DeviceName: 'pc1', Timestamp: new Date('2020-08-30T06:38:35.766Z') }]);
  });

  it('raises ResponseValidationError with paths like rows[12].DeviceName', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ DeviceName: i === 12 ? null : `pc${i}`, Timestamp: '2024-01-01T00:00:00Z' }));
    const error = validationError(() => validateRows(rows, rowSchema, OP));
    expect(error.operation).toBe(OP);
    expect(error.issues).toEqual([{ path: 'rows[12].DeviceName', message: 'Invalid input: expected string, received null' }]);
    expect(error.message).toContain('rows[12].DeviceName');
  });

  it('stops after 20 issues', () => {
    const rows = Array.from({ length: 1000 }, () => ({}));
    const error = validationError(() => validateRows(rows, z.object({ A: z.string() }), OP));
    expect(error.issues).toHaveLength(20);
  });

  it('refuses something that is not a zod schema', () => {
    expect(() => validateRows([{}], { parse: () => ({}) } as never, OP)).toThrow(InvalidArgumentError);
  });

  it('refuses an async schema with an InvalidArgumentError naming rowSchema', () => {
    const asyncSchema = z.object({ A: z.string() }).refine(async () => true);
    try {
      validateRows([{ A: 'x' }], asyncSchema, OP);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe('rowSchema');
    }
  });

  it('validates 100,000 rows quickly', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      Timestamp: '2024-01-01T00:00:00.1234567Z',
      DeviceName: `device-${i}.contoso.com`,
      ActionType: 'ProcessCreated',
      ProcessId: i,
    }));
    const schema = z.object({ Timestamp: z.string(), DeviceName: z.string(), ActionType: z.string(), ProcessId: z.number() });
    const started = performance.now();
    const parsed = validateRows(rows, schema, OP);
    const elapsed = performance.now() - started;
    expect(parsed).toHaveLength(100_000);
    expect(parsed[99_999]!.ProcessId).toBe(99_999);
    // ~100 ms here on 2 cores; the bound only catches a pathological regression
    expect(elapsed).toBeLessThan(5_000);
  });
});
