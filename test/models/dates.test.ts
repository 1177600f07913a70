import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateTime } from '../../src/models/dates.js';

describe('parseDateTime', () => {
  it.each([
    ['2020-09-06T12:18:03.6266667Z', '2020-09-06T12:18:03.626Z'],
    ['2020-09-06T12:18:03.9999999Z', '2020-09-06T12:18:03.999Z'],
    ['2020-09-06T12:18:03.81Z', '2020-09-06T12:18:03.810Z'],
    ['2020-09-06T12:18:03Z', '2020-09-06T12:18:03.000Z'],
    ['2020-09-06T12:18Z', '2020-09-06T12:18:00.000Z'],
    ['2020-09-06T12:18:03.6266667+02:00', '2020-09-06T10:18:03.626Z'],
    ['2020-09-06T12:18:03-0530', '2020-09-06T17:48:03.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T23:59:59.5z', '2000-02-29T23:59:59.500Z'],
    ['2020-09-06t12:18:03,25Z', '2020-09-06T12:18:03.250Z'],
    ['2020-12-31T23:59:59.1234567890123Z', '2020-12-31T23:59:59.123Z'],
  ])('parses %s as %s', (input, iso) => {
    expect(parseDateTime(input)?.toISOString()).toBe(iso);
  });

  it('gives the instant Date.UTC gives for every date-time of years 100–9999, 7-digit fractions included', () => {
    const min = Date.UTC(100, 0, 1);
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min, max }), fc.integer({ min: 0, max: 9999 }), (millis, ticks) => {
        const iso = new Date(millis).toISOString();
        expect(parseDateTime(iso)?.getTime()).toBe(millis);
        // .NET's DateTimeOffset: 7 fractional digits, read to the millisecond
        expect(parseDateTime(iso.replace('Z', `${String(ticks).padStart(4, '0')}Z`))?.getTime()).toBe(millis);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a wire value without an offset as UTC, never local time', () => {
    expect(parseDateTime('2020-09-06T12:18:03.6266667')?.toISOString()).toBe('2020-09-06T12:18:03.626Z');
  });

  it('refuses a missing offset when asked to (caller input)', () => {
    expect(parseDateTime('2020-09-06T12:18:03', { requireOffset: true })).toBeUndefined();
    expect(parseDateTime('2020-09-06T12:18:03Z', { requireOffset: true })).toBeInstanceOf(Date);
  });

  it.each([
    'September 6, 2020',
    '2020-09-06 12:18:03Z',
    '2020-09-06',
    '2021-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2020-04-31T00:00:00Z',
    '0099-01-01T00:00:00Z',
    '2020-09-06T12:18:03.12a4Z',
    '2020-09-06T12:18:03+1Z',
    '2020-00-10T00:00:00Z',
    '2020-13-01T00:00:00Z',
    '2020-09-06T24:00:00Z',
    '2020-09-06T12:60:00Z',
    '',
    '2020-09-06T12:18:03.Z',
  ])('refuses %j', (input) => {
    expect(parseDateTime(input)).toBeUndefined();
  });
});
