import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidArgumentError, ResponseValidationError } from '../../src/errors.js';
import { validateRows } from '../../src/models/hunting.js';
import { thrownBy } from '../support/throws.js';

const OP = 'advancedHunting.run';

const validationError = (fn: () => unknown) => thrownBy(ResponseValidationError, fn);

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

  it('validates 100,000 rows in work linear in their cells', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      Timestamp: '2024-01-01T00:00:00.1234567Z',
      DeviceName: `device-${i}.contoso.com`,
      ActionType: 'ProcessCreated',
      ProcessId: i,
    }));
    const schema = z.object({ Timestamp: z.string(), DeviceName: z.string(), ActionType: z.string(), ProcessId: z.number() });
    // The work, counted rather than timed: every read of a row's cell. (How long it takes is the
    // machine's; a run gone quadratic would also meet the test's timeout.)
    let reads = 0;
    const counting: ProxyHandler<Record<string, unknown>> = {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    };
    const parsed = validateRows(rows.map((row) => new Proxy(row, counting)), schema, OP);
    expect(parsed).toHaveLength(100_000);
    expect(parsed[99_999]!.ProcessId).toBe(99_999);
    // Linear: each of the four cells of a row read once by the schema, twice at the most.
    expect(reads).toBeGreaterThanOrEqual(4 * rows.length);
    expect(reads).toBeLessThanOrEqual(2 * 4 * rows.length);
  });
});
