/**
 * Enum values in the Defender API's vocabulary, for what the SDK sends it: public (Graph)
 * camelCase names map to the names the current "Update incident" page documents (reference
 * §2.3). Reading goes the other way, for both APIs, in `../shared/enums.ts`.
 *
 * @packageDocumentation
 */

const upperFirst = (value: string): string => value.charAt(0).toUpperCase() + value.slice(1);

/** Legacy names the current "Update incident" page accepts where they are not just PascalCase (reference §2.3). */
const LEGACY_DETERMINATIONS: Record<string, string> = {
  unknown: 'NotAvailable',
  notMalicious: 'Clean',
  notEnoughDataToValidate: 'NoEnoughDataToValidate',
  confirmedUserActivity: 'ConfirmedActivity',
};

/** Legacy name of a public incident status (`inProgress` → `InProgress`). */
export const toLegacyIncidentStatus = (value: string): string => upperFirst(value);
/** Legacy name of a public classification (`truePositive` → `TruePositive`). */
export const toLegacyClassification = (value: string): string => upperFirst(value);
/** Legacy name of a public determination (`notMalicious` → `Clean`, `unknown` → `NotAvailable`, `malware` → `Malware`). */
export const toLegacyDetermination = (value: string): string => LEGACY_DETERMINATIONS[value] ?? upperFirst(value);
