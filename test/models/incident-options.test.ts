import { describe, expect, it } from 'vitest';
import { LEGACY_MAX_PAGE_SIZE } from '../../src/apis/defender/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  validateIncidentListOptions,
  validateIncidentUpdate,
} from '../../src/models/incident-options.js';
import {
  type IncidentListOptions,
  type IncidentUpdate,
} from '../../src/models/index.js';
import { thrownBy } from '../support/throws.js';

const invalid = (fn: () => unknown) => thrownBy(InvalidArgumentError, fn);

const listError = (options: unknown) => invalid(() => validateIncidentListOptions(options as IncidentListOptions, LEGACY_MAX_PAGE_SIZE));
const updateError = (update: unknown) => invalid(() => validateIncidentUpdate(update as IncidentUpdate));

describe('validateIncidentListOptions', () => {
  it('accepts no options', () => {
    expect(validateIncidentListOptions({}, 100)).toEqual({});
    expect(validateIncidentListOptions(undefined as never, 100)).toEqual({});
  });

  it('accepts every option and turns date strings into Dates', () => {
    const signal = new AbortController().signal;
    const updatedAfter = new Date('2024-05-01T00:00:00Z');
    const valid = validateIncidentListOptions(
      {
        status: 'inProgress',
        assignedTo: 'secop@contoso.com',
        createdAfter: '2024-04-01T02:00:00+02:00',
        createdBefore: '2024-06-01T00:00:00.1234567Z',
        updatedAfter,
        updatedBefore: new Date('2024-06-01T00:00:00Z'),
        pageSize: 100,
        signal,
      },
      100,
    );
    expect(valid).toEqual({
      status: 'inProgress',
      assignedTo: 'secop@contoso.com',
      createdAfter: new Date('2024-04-01T00:00:00Z'),
      createdBefore: new Date('2024-06-01T00:00:00.123Z'),
      updatedAfter,
      updatedBefore: new Date('2024-06-01T00:00:00Z'),
      pageSize: 100,
      signal,
    });
    expect(valid.updatedAfter).not.toBe(updatedAfter); // a copy: later mutation of the caller's Date does not leak in
  });

  it('names the option and lists the allowed statuses', () => {
    const error = listError({ status: 'open' });
    expect(error.option).toBe('status');
    expect(error.message).toBe(
      `status must be one of 'active', 'inProgress', 'resolved', 'redirected', 'awaitingAction'; got "open".`,
    );
  });

  it("hints at the camelCase name when given the legacy one", () => {
    expect(listError({ status: 'InProgress' }).message).toContain("camelCase names: 'inProgress'");
  });

  it.each([0, 101, 1.5, '50', Number.NaN])('refuses pageSize %s with the maximum in the message', (pageSize) => {
    const error = listError({ pageSize });
    expect(error.option).toBe('pageSize');
    expect(error.message).toContain('from 1 to 100');
  });

  it('takes the page-size maximum from the caller (50 on Graph)', () => {
    expect(validateIncidentListOptions({ pageSize: 50 }, 50).pageSize).toBe(50);
    expect(invalid(() => validateIncidentListOptions({ pageSize: 51 }, 50)).message).toContain('from 1 to 50');
  });

  it.each([
    ['an invalid Date', new Date('nope')],
    ['a string without a time zone', '2024-05-01T00:00:00'],
    ['a date-only string', '2024-05-01'],
    ['free text', 'yesterday'],
    ['a number', 1714521600000],
  ])('refuses %s as a date', (_label, value) => {
    const error = listError({ updatedAfter: value });
    expect(error.option).toBe('updatedAfter');
    expect(error.message).toMatch(/^updatedAfter /);
  });

  it('refuses an empty range', () => {
    const error = listError({ createdAfter: new Date('2024-02-01T00:00:00Z'), createdBefore: new Date('2024-01-01T00:00:00Z') });
    expect(error.option).toBe('createdAfter');
    expect(error.message).toContain('must be earlier than createdBefore');
  });

  it('refuses an option the API cannot filter on, listing the options', () => {
    const error = listError({ priority: 'high' });
    expect(error.option).toBe('priority');
    expect(error.message).toContain('status, severity, assignedTo, createdAfter');
  });

  it('accepts a known severity and expandAlerts, refuses others', () => {
    expect(validateIncidentListOptions({ severity: 'high', expandAlerts: true }, 50)).toEqual({ severity: 'high', expandAlerts: true });
    expect(listError({ severity: 'High' }).message).toContain("'high'");
    expect(listError({ expandAlerts: 'yes' }).option).toBe('expandAlerts');
  });

  it('refuses an empty assignedTo and a non-signal signal', () => {
    expect(listError({ assignedTo: '' }).option).toBe('assignedTo');
    expect(listError({ signal: {} }).option).toBe('signal');
  });
});

describe('validateIncidentUpdate', () => {
  it('accepts a full update', () => {
    const update: IncidentUpdate = {
      status: 'resolved',
      assignedTo: 'secop@contoso.com',
      classification: 'truePositive',
      determination: 'malware',
      tags: ['pen-test'],
      comment: 'Contained.',
    };
    expect(validateIncidentUpdate(update)).toEqual(update);
  });

  it('refuses an empty update', () => {
    const error = updateError({});
    expect(error.option).toBe('update');
    expect(error.message).toContain('at least one of status, assignedTo, classification, determination, tags, comment');
    expect(updateError({ status: undefined }).option).toBe('update');
  });

  it('refuses an unknown status, listing the settable ones', () => {
    const error = updateError({ status: 'awaitingAction' });
    expect(error.option).toBe('status');
    expect(error.message).toBe(`status must be one of 'active', 'inProgress', 'resolved', 'redirected'; got "awaitingAction".`);
  });

  it('refuses an unknown classification', () => {
    const error = updateError({ classification: 'benign' });
    expect(error.option).toBe('classification');
    expect(error.message).toContain("'unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity'");
  });

  it('refuses a determination without a classification', () => {
    const error = updateError({ determination: 'malware' });
    expect(error.option).toBe('determination');
    expect(error.message).toContain('together with classification');
  });

  it.each([
    ['truePositive', 'notMalicious', "'multiStagedAttack', 'maliciousUserActivity', 'compromisedAccount', 'malware', 'phishing', 'unwantedSoftware', 'other'"],
    ['falsePositive', 'malware', "'notMalicious', 'notEnoughDataToValidate', 'other'"],
    ['informationalExpectedActivity', 'phishing', "'securityTesting', 'lineOfBusinessApplication', 'confirmedUserActivity', 'other'"],
    ['truePositive', 'apt', "'multiStagedAttack'"],
  ])('refuses classification %s with determination %s, listing what it allows', (classification, determination, allowed) => {
    const error = updateError({ classification, determination });
    expect(error.option).toBe('determination');
    expect(error.message).toContain(`determination with classification '${classification}' must be one of ${allowed}`);
  });

  it.each([
    ['falsePositive', 'notMalicious'],
    ['falsePositive', 'notEnoughDataToValidate'],
    ['informationalExpectedActivity', 'confirmedUserActivity'],
    ['informationalExpectedActivity', 'other'],
    ['unknown', 'unknown'],
  ])('accepts classification %s with determination %s', (classification, determination) => {
    expect(validateIncidentUpdate({ classification, determination } as IncidentUpdate)).toEqual({ classification, determination });
  });

  it('accepts a classification alone', () => {
    expect(validateIncidentUpdate({ classification: 'falsePositive' })).toEqual({ classification: 'falsePositive' });
  });

  it('reads null and empty assignedTo as unassign, refuses other types', () => {
    expect(validateIncidentUpdate({ assignedTo: null })).toEqual({ assignedTo: null });
    expect(validateIncidentUpdate({ assignedTo: '' })).toEqual({ assignedTo: null });
    expect(updateError({ assignedTo: 5 }).option).toBe('assignedTo');
  });

  it('refuses tags that are not strings', () => {
    expect(updateError({ tags: 'pen-test' }).message).toContain('tags must be an array of strings');
    const error = updateError({ tags: ['ok', 7] });
    expect(error.option).toBe('tags');
    expect(error.message).toBe('tags[1] must be a non-empty string; got number 7.');
    expect(validateIncidentUpdate({ tags: [] })).toEqual({ tags: [] });
  });

  it('refuses an empty comment', () => {
    expect(updateError({ comment: '  ' }).option).toBe('comment');
    expect(updateError({ comment: 1 }).message).toBe('comment must be a non-empty string; got number 1.');
  });

  it('refuses unknown fields such as the legacy comments or Graph customTags', () => {
    expect(updateError({ comments: ['x'] }).option).toBe('comments');
    expect(updateError({ customTags: ['x'] }).message).toContain('its options are status, assignedTo');
  });

  it('refuses a non-object', () => {
    expect(updateError('resolved').option).toBe('update');
    expect(updateError(null).option).toBe('update');
  });
});
