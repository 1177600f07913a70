/**
 * The public (Graph) camelCase name of an enum value either wire API sends (reference §2.3,
 * §2.6, §5.4, §5.9). Both APIs read through the same tables: the Defender API's PascalCase
 * names and legacy synonyms, and Graph's documentation-name variants (`compromisedUser`,
 * `clean`, `confirmedActivity`), come out as the model's names.
 *
 * A known public value matches case-insensitively (`TruePositive` → `truePositive`); a synonym
 * maps through its table (`NotAvailable` → `unknown`, `Clean` → `notMalicious`); any other value
 * is lower-camelled (`SomeNewValue` → `someNewValue`, `MCAS` → `mcas`) so that a value Microsoft
 * adds later arrives as the name Graph will most likely give it, and a Graph value such as
 * `unknownFutureValue` passes through unchanged. Values with characters other than letters and
 * digits pass through unchanged. `raw` always keeps the original.
 *
 * @packageDocumentation
 */
import {
  ALERT_STATUSES,
  CLASSIFICATIONS,
  DETECTION_SOURCES,
  DETERMINATIONS,
  INCIDENT_STATUSES,
  SERVICE_SOURCES,
  SEVERITIES,
  type AlertStatus,
  type Classification,
  type DetectionSource,
  type Determination,
  type IncidentStatus,
  type ServiceSource,
  type Severity,
} from '../../models/enums.js';

/**
 * Lower-camels a PascalCase name, lower-casing a leading acronym as a whole:
 * `InProgress` → `inProgress`, `MCAS` → `mcas`, `AADIdentityProtection` → `aadIdentityProtection`.
 */
export function lowerCamel(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(value)) return value;
  let upper = 0;
  while (upper < value.length && value.charCodeAt(upper) >= 65 && value.charCodeAt(upper) <= 90) upper++;
  if (upper === 0) return value;
  if (upper === 1 || upper === value.length) return value.slice(0, upper).toLowerCase() + value.slice(upper);
  // `AADIdentity`: the last capital of the run starts the next word.
  const isWordStart = /[a-z]/.test(value.charAt(upper));
  const cut = isWordStart ? upper - 1 : upper;
  return value.slice(0, cut).toLowerCase() + value.slice(cut);
}

/** A value-mapping table: public known values (case-insensitive) plus legacy synonyms. */
class EnumTable {
  readonly #byLowerName = new Map<string, string>();

  constructor(known: readonly string[], synonyms: Record<string, string> = {}) {
    for (const value of known) this.#byLowerName.set(value.toLowerCase(), value);
    for (const [legacy, value] of Object.entries(synonyms)) this.#byLowerName.set(legacy.toLowerCase(), value);
  }

  /** The public name of a legacy value, or `undefined` when the table does not know it. */
  lookup(value: string): string | undefined {
    return this.#byLowerName.get(value.toLowerCase());
  }

  /** The public name of a legacy value: known, synonym, else lower-camelled. */
  toPublic(value: string): string {
    return this.lookup(value) ?? lowerCamel(value);
  }
}

/**
 * The legacy names (and Graph documentation-name variants) of public enum values, by enum. The
 * test kit renders Graph from its own tables; a test holds the two against each other.
 */
export const LEGACY_SYNONYMS = {
  incidentStatus: {
    // seen at incident level in real payloads (reference §2.4); Graph has no `new` incident status
    New: 'active',
  },
  // legacy alerts may be `Active` (reference §2.6): not yet handled, Graph's `new`
  alertStatus: { Active: 'new' },
  severity: { UnSpecified: 'unknown', Unspecified: 'unknown' },
  classification: { NotAvailable: 'unknown' },
  determination: {
    NotAvailable: 'unknown',
    UnSpecified: 'unknown',
    CompromisedUser: 'compromisedAccount',
    Clean: 'notMalicious',
    InsufficientData: 'notEnoughDataToValidate',
    NoEnoughDataToValidate: 'notEnoughDataToValidate',
    ConfirmedActivity: 'confirmedUserActivity',
  },
  serviceSource: {
    MicrosoftDefenderATP: 'microsoftDefenderForEndpoint',
    WindowsDefenderATP: 'microsoftDefenderForEndpoint',
    MDATP: 'microsoftDefenderForEndpoint',
    MicrosoftCloudAppSecurity: 'microsoftDefenderForCloudApps',
    MCAS: 'microsoftDefenderForCloudApps',
    OfficeATP: 'microsoftDefenderForOffice365',
    AzureATP: 'microsoftDefenderForIdentity',
    AzureAdvancedThreatProtection: 'microsoftDefenderForIdentity',
    AAD: 'azureAdIdentityProtection',
    AadIdentityProtection: 'azureAdIdentityProtection',
    AzureADIdentityProtection: 'azureAdIdentityProtection',
    MTP: 'microsoft365Defender',
    AppGovernance: 'microsoftAppGovernance',
    DLP: 'dataLossPrevention',
    MicrosoftDataLossPrevention: 'dataLossPrevention',
    AzureSecurityCenter: 'microsoftDefenderForCloud',
    AzureDefender: 'microsoftDefenderForCloud',
    AzureSentinel: 'microsoftSentinel',
    InsiderRiskManagement: 'microsoftInsiderRiskManagement',
  },
  detectionSource: {
    WindowsDefenderAv: 'antivirus',
    WindowsDefenderAtp: 'microsoftDefenderForEndpoint',
    MicrosoftDefenderATP: 'microsoftDefenderForEndpoint',
    EDR: 'microsoftDefenderForEndpoint',
    WindowsDefenderSmartScreen: 'smartScreen',
    CustomerTi: 'customTi',
    OfficeATP: 'microsoftDefenderForOffice365',
    MTP: 'microsoft365Defender',
    ThreatExperts: 'microsoftThreatExperts',
    MCAS: 'cloudAppSecurity',
    MicrosoftCloudAppSecurity: 'cloudAppSecurity',
    AzureATP: 'microsoftDefenderForIdentity',
    AAD: 'azureAdIdentityProtection',
    AadIdentityProtection: 'azureAdIdentityProtection',
    DLP: 'microsoftDataLossPrevention',
    DataLossPrevention: 'microsoftDataLossPrevention',
    AzureSecurityCenter: 'microsoftDefenderForCloud',
    AzureSentinel: 'microsoftSentinel',
  },
} as const satisfies Record<string, Readonly<Record<string, string>>>;

/** A value not sent: `null`, missing, or `""` (real payloads send `""` for an alert nobody classified). */
const isMissing = (value: string | null | undefined): value is null | undefined | '' => value == null || value === '';

const incidentStatuses = new EnumTable(INCIDENT_STATUSES, LEGACY_SYNONYMS.incidentStatus);
const alertStatuses = new EnumTable(ALERT_STATUSES, LEGACY_SYNONYMS.alertStatus);
const severities = new EnumTable(SEVERITIES, LEGACY_SYNONYMS.severity);
const classifications = new EnumTable(CLASSIFICATIONS, LEGACY_SYNONYMS.classification);
const determinations = new EnumTable(DETERMINATIONS, LEGACY_SYNONYMS.determination);
const serviceSources = new EnumTable(SERVICE_SOURCES, LEGACY_SYNONYMS.serviceSource);
const detectionSources = new EnumTable(DETECTION_SOURCES, LEGACY_SYNONYMS.detectionSource);

/** Public incident status of a legacy value (`Active` → `active`, `New` → `active`). */
export const toPublicIncidentStatus = (value: string): IncidentStatus => incidentStatuses.toPublic(value);
/** Public alert status of a legacy value; missing or `""` → `unknown`. */
export const toPublicAlertStatus = (value: string | null | undefined): AlertStatus =>
  isMissing(value) ? 'unknown' : alertStatuses.toPublic(value);
/** Public severity of a legacy value (`UnSpecified` → `unknown`); missing or `""` → `unknown`. */
export const toPublicSeverity = (value: string | null | undefined): Severity =>
  isMissing(value) ? 'unknown' : severities.toPublic(value);
/** Public classification of a legacy value; missing or `""` → `unknown`. */
export const toPublicClassification = (value: string | null | undefined): Classification =>
  isMissing(value) ? 'unknown' : classifications.toPublic(value);
/** Public determination of a legacy value (`NotAvailable` → `unknown`, `Clean` → `notMalicious`, …); missing or `""` → `unknown`. */
export const toPublicDetermination = (value: string | null | undefined): Determination =>
  isMissing(value) ? 'unknown' : determinations.toPublic(value);
/** Public service source of a legacy value (`MicrosoftDefenderATP` → `microsoftDefenderForEndpoint`, …); missing or `""` → `unknown`. */
export const toPublicServiceSource = (value: string | null | undefined): ServiceSource =>
  isMissing(value) ? 'unknown' : serviceSources.toPublic(value);

/** Public detection source of a legacy value (`WindowsDefenderAv` → `antivirus`, `MCAS` → `cloudAppSecurity`, …); missing or `""` → `unknown`. */
export function toPublicDetectionSource(value: string | null | undefined): DetectionSource {
  if (isMissing(value)) return 'unknown';
  const known = detectionSources.lookup(value);
  if (known !== undefined) return known;
  // Defender for Cloud plans: `DefenderForDatabases` → `microsoftDefenderForDatabases`.
  if (/^DefenderFor[A-Za-z0-9]+$/i.test(value)) return detectionSources.toPublic(`microsoft${value.charAt(0).toUpperCase()}${value.slice(1)}`);
  return lowerCamel(value);
}

/** Public form of an open, descriptive legacy value (device health, risk score, verdict…): lower-camelled. */
export const toPublicValue = (value: string | null | undefined): string | null => (value == null ? null : lowerCamel(value));
