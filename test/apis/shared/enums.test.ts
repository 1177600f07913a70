import { describe, expect, it } from 'vitest';
import { lowerCamel } from '../../../src/apis/shared/enums.js';

describe('lowerCamel (unknown legacy enum values)', () => {
  it.each([
    ['InProgress', 'inProgress'],
    ['MCAS', 'mcas'],
    ['AADIdentityProtection', 'aadIdentityProtection'],
    ['OfficeATP', 'officeATP'],
    ['alreadyCamel', 'alreadyCamel'],
    ['Informational, expected activity', 'Informational, expected activity'],
  ])('%s → %s', (input, output) => {
    expect(lowerCamel(input)).toBe(output);
  });
});
