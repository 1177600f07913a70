/**
 * The kit renders Graph's enum values from its legacy store with tables of its own, kept apart
 * from the SDK's on purpose (an independent check of the SDK's mapping). Held here against the
 * SDK's known values and legacy synonyms, so that the two cannot drift apart unnoticed.
 */
import { describe, expect, it } from 'vitest';
import {
  LEGACY_SYNONYMS,
  toPublicAlertStatus,
  toPublicClassification,
  toPublicDetectionSource,
  toPublicDetermination,
  toPublicIncidentStatus,
  toPublicServiceSource,
  toPublicSeverity,
} from '../../../src/apis/shared/enums.js';
import {
  ALERT_STATUSES,
  CLASSIFICATIONS,
  DETECTION_SOURCES,
  DETERMINATIONS,
  INCIDENT_STATUSES,
  SERVICE_SOURCES,
  SEVERITIES,
} from '../../../src/models/enums.js';
import { GRAPH_ENUM_SYNONYMS, GRAPH_WRITABLE_ENUMS, toGraphEnum, type GraphEnumKind } from '../../../src/testing/tenant/graph-wire.js';

const SDK: Record<GraphEnumKind, { known: readonly string[]; toPublic: (value: string) => string }> = {
  incidentStatus: { known: INCIDENT_STATUSES, toPublic: toPublicIncidentStatus },
  alertStatus: { known: ALERT_STATUSES, toPublic: toPublicAlertStatus },
  severity: { known: SEVERITIES, toPublic: toPublicSeverity },
  classification: { known: CLASSIFICATIONS, toPublic: toPublicClassification },
  determination: { known: DETERMINATIONS, toPublic: toPublicDetermination },
  serviceSource: { known: SERVICE_SOURCES, toPublic: toPublicServiceSource },
  detectionSource: { known: DETECTION_SOURCES, toPublic: toPublicDetectionSource },
};

/** Graph's metadata names where the public model's differ (reference §5.4): Graph sends these. */
const GRAPH_ONLY_NAMES: Partial<Record<GraphEnumKind, readonly string[]>> = { determination: ['confirmedActivity'] };

const upperFirst = (value: string): string => value.charAt(0).toUpperCase() + value.slice(1);
const kinds = Object.keys(SDK) as GraphEnumKind[];

/** Every legacy spelling either side knows for an enum: both tables' synonyms and the PascalCase of each known value. */
function legacyNames(kind: GraphEnumKind): string[] {
  const sdkSynonyms: Readonly<Record<string, string>> = LEGACY_SYNONYMS[kind];
  const kitSynonyms: Readonly<Record<string, string>> = GRAPH_ENUM_SYNONYMS[kind];
  return [...new Set([...Object.keys(sdkSynonyms), ...Object.keys(kitSynonyms), ...SDK[kind].known.map(upperFirst)])];
}

describe("the kit's Graph enum tables against the SDK's", () => {
  it.each(kinds)('renders every legacy %s the SDK knows as a value Graph sends', (kind) => {
    const graphNames = new Set([...SDK[kind].known, ...(GRAPH_ONLY_NAMES[kind] ?? []), 'unknownFutureValue']);
    const drifted = legacyNames(kind)
      .filter((legacy) => SDK[kind].known.includes(SDK[kind].toPublic(legacy)))
      .map((legacy) => [legacy, toGraphEnum(kind, legacy)] as const)
      .filter(([, graph]) => !graphNames.has(graph));
    expect(drifted, `legacy ${kind} values the kit renders as a name Graph does not send`).toEqual([]);
  });

  it.each(kinds)('gives each legacy %s the same public meaning through Graph as the SDK reads it from the Defender API', (kind) => {
    const disagreements = legacyNames(kind)
      .map((legacy) => ({ legacy, defender: SDK[kind].toPublic(legacy), graph: SDK[kind].toPublic(toGraphEnum(kind, legacy)) }))
      .filter(({ defender, graph }) => defender !== graph);
    expect(disagreements).toEqual([]);
  });

  it.each(['incidentStatus', 'alertStatus', 'classification', 'determination'] as const)(
    "accepts in a PATCH exactly the %s values the SDK sends",
    (kind) => {
      const sdkValues = SDK[kind].known.map((value) => (kind === 'determination' && value === 'confirmedUserActivity' ? 'confirmedActivity' : value));
      expect([...GRAPH_WRITABLE_ENUMS[kind]].sort()).toEqual([...sdkValues].sort());
    },
  );
});
