import { describe, expect, it } from 'vitest';
import { parseHuntingResponse } from '../../../src/apis/shared/hunting.js';
import { ResponseValidationError } from '../../../src/errors.js';
import { legacyHuntingResponse, realisticHuntingResponse } from '../../support/defender-payloads.js';
import { thrownBy } from '../../support/throws.js';

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
