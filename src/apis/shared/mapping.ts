/**
 * What both APIs' mappers convert the same way: enum values to the model's names (through
 * `enums.ts`), remembered per value. The mappers themselves (`../defender/mappers.ts`,
 * `../graph/mappers.ts`) read each field with the checks of `read.ts` and build the model
 * objects directly, each in its API's own field names.
 *
 * @packageDocumentation
 */
import {
  toPublicAlertStatus as toPublicAlertStatusOf,
  toPublicClassification as toPublicClassificationOf,
  toPublicDetectionSource as toPublicDetectionSourceOf,
  toPublicDetermination as toPublicDeterminationOf,
  toPublicIncidentStatus as toPublicIncidentStatusOf,
  toPublicServiceSource as toPublicServiceSourceOf,
  toPublicSeverity as toPublicSeverityOf,
  toPublicValue as toPublicValueOf,
} from './enums.js';

/** A wire field that may be `null` or missing. */
type Maybe<T> = T | null | undefined;

/**
 * Remembers a value mapping's answers: a page repeats the same few enum strings thousands of
 * times, and each fresh mapping lower-cases and matches regexes. Bounded, as the strings come
 * from the network; missing values go to the mapping itself (`unknown` or `null`).
 */
function memo<R>(fn: (value: Maybe<string>) => R): (value: Maybe<string>) => R {
  const known = new Map<string, R>();
  return (value) => {
    if (value == null) return fn(value);
    let out = known.get(value);
    if (out === undefined) {
      out = fn(value);
      if (known.size < 256) known.set(value, out);
    }
    return out;
  };
}

/** The model's incident status of a wire value (`Active`, `active` → `active`). */
export const toPublicIncidentStatus = memo(toPublicIncidentStatusOf as (value: Maybe<string>) => string);
/** The model's alert status of a wire value; missing → `unknown`. */
export const toPublicAlertStatus = memo(toPublicAlertStatusOf);
/** The model's severity of a wire value; missing → `unknown`. */
export const toPublicSeverity = memo(toPublicSeverityOf);
/** The model's classification of a wire value; missing → `unknown`. */
export const toPublicClassification = memo(toPublicClassificationOf);
/** The model's determination of a wire value; missing → `unknown`. */
export const toPublicDetermination = memo(toPublicDeterminationOf);
/** The model's service source of a wire value; missing → `unknown`. */
export const toPublicServiceSource = memo(toPublicServiceSourceOf);
/** The model's detection source of a wire value; missing → `unknown`. */
export const toPublicDetectionSource = memo(toPublicDetectionSourceOf);
/** The model's form of an open, descriptive value (device health, verdict…); missing → `null`. */
export const toPublicValue = memo(toPublicValueOf);
