/**
 * The public incident and alert model, in Microsoft Graph's vocabulary. Both wire APIs map into
 * it; `raw` keeps the wire object for anything the model does not carry.
 *
 * @packageDocumentation
 */
import * as z from 'zod';
import type {
  AlertStatus,
  Classification,
  DetectionSource,
  Determination,
  IncidentStatus,
  ServiceSource,
  Severity,
} from './enums.js';
import { evidenceSchema, type Evidence } from './evidence.js';
import { lazySchema, once } from './lazy-schema.js';

/** A comment on an incident or (on Graph) an alert. */
export interface IncidentComment {
  /** The comment text. */
  comment: string;
  /** Who wrote it (UPN or display name), if the API says. */
  createdBy: string | null;
  /** When it was written. */
  createdDateTime: Date;
}

/**
 * An alert: one detection, part of exactly one incident.
 *
 * Which API fills what: fields marked "Graph only" are `null` (or `[]`) on the Defender API,
 * which does not send them; "Defender API only" fields are `null` on Graph. Sources: Graph's
 * alert resource (https://learn.microsoft.com/graph/api/resources/security-alert) and the
 * Defender API's incident resource (https://learn.microsoft.com/defender-xdr/api-incident).
 */
export interface Alert {
  /** Alert id, e.g. `da637349914833441527_393341063`. */
  id: string;
  /** Id of the incident the alert belongs to. */
  incidentId: string;
  /** Title. */
  title: string;
  /** Description, if any. */
  description: string | null;
  /** Category, e.g. `Malware`, `InitialAccess`. */
  category: string | null;
  /** Status; `unknown` when the API gave none. */
  status: AlertStatus;
  /** Severity; `unknown` when the API gave none. */
  severity: Severity;
  /** Classification; `unknown` when not classified. */
  classification: Classification;
  /** Determination; `unknown` when not determined. */
  determination: Determination;
  /** The product that raised the alert, e.g. `microsoftDefenderForEndpoint`. */
  serviceSource: ServiceSource;
  /** The detection technology, e.g. `antivirus`. */
  detectionSource: DetectionSource;
  /** Id of the detector (rule) that fired. */
  detectorId: string | null;
  /** Owner of the alert, e.g. `Automation`. */
  assignedTo: string | null;
  /** Threat family, e.g. `Mimikatz`. */
  threatFamilyName: string | null;
  /** Activity group (actor), if attributed. */
  actorDisplayName: string | null;
  /** MITRE ATT&CK technique ids, e.g. `T1564.001`. */
  mitreTechniques: string[];
  /** When the alert was created (documented as nullable on the Defender API, though always seen set). */
  createdDateTime: Date | null;
  /** When the alert last changed. */
  lastUpdateDateTime: Date | null;
  /** When the alert was resolved; `null` while open. */
  resolvedDateTime: Date | null;
  /** First activity the alert covers. */
  firstActivityDateTime: Date | null;
  /** Last activity the alert covers. */
  lastActivityDateTime: Date | null;
  /** Devices, files, accounts, … involved. */
  evidence: Evidence[];
  /**
   * Comments, oldest first (Graph only: `alerts_v2` sends them, and `alerts.update({ comment })`
   * returns the alert with the new one; `[]` on the Defender API, whose alerts have none).
   */
  comments: IncidentComment[];
  /**
   * Link to the alert in the Microsoft Defender portal, or `null` when not known. Graph sends it
   * (`alertWebUrl`); on the Defender API the SDK builds `<portal>/alerts/<id>` from the cloud's
   * portal address, as for an incident's `webUrl`.
   */
  webUrl: string | null;
  /**
   * Link to the alert's incident in the portal, or `null` when not known (Graph `incidentWebUrl`;
   * on the Defender API built as `<portal>/incidents/<incidentId>`).
   */
  incidentWebUrl: string | null;
  /** The id the product that raised the alert gives it (Graph only). */
  providerAlertId: string | null;
  /** The threat's name as the portal shows it (Graph only; the Defender API has `threatFamilyName`). */
  threatDisplayName: string | null;
  /** The product that raised the alert, by name, e.g. `Microsoft Defender for Endpoint` (Graph only). */
  productName: string | null;
  /** What to do about the alert, as free text (Graph only). */
  recommendedActions: string | null;
  /** Tags set by Microsoft, e.g. `Defender Experts` (Graph only; `[]` on the Defender API). */
  systemTags: string[];
  /** The Microsoft Entra tenant the alert was created in (Graph only). */
  tenantId: string | null;
  /**
   * The policy that generated the alert, when a specific one did, built-in or configured by you
   * (Graph only).
   */
  alertPolicyId: string | null;
  /**
   * Further alert properties, custom details and dynamic content of the alert's details
   * included, as Graph sends them (Graph only; `null` on the Defender API).
   */
  additionalData: Record<string, unknown> | null;
  /** The automated investigation of the alert, if one ran (Defender API only). */
  investigationId: string | null;
  /**
   * State of that investigation, lower-camelled, e.g. `successfullyRemediated`, `pendingApproval`,
   * `unsupportedOs` (Defender API only; an open value).
   */
  investigationState: string | null;
  /** The wire object, with every field the API sent. */
  raw: Record<string, unknown>;
}

/**
 * An incident: correlated alerts about one attack.
 *
 * Which API fills what: fields marked "Graph only" are `null` (or `[]`) on the Defender API,
 * which does not send them. Sources: Graph's incident resource
 * (https://learn.microsoft.com/graph/api/resources/security-incident) and the Defender API's
 * (https://learn.microsoft.com/defender-xdr/api-incident).
 */
export interface Incident {
  /** Incident id, always a string (the Defender API sends a number). */
  id: string;
  /** Name of the incident. */
  displayName: string;
  /** Status. When `redirected`, the incident was merged into {@link Incident.redirectIncidentId}. */
  status: IncidentStatus;
  /** Severity. */
  severity: Severity;
  /** Classification; `unknown` when not classified. */
  classification: Classification;
  /** Determination; `unknown` when not determined. */
  determination: Determination;
  /** Owner (UPN), or `null` when unassigned. */
  assignedTo: string | null;
  /** When the incident was created. */
  createdDateTime: Date;
  /** When the incident last changed: use it for incremental sync. */
  lastUpdateDateTime: Date;
  /** The incident this one was merged into, or `null`. */
  redirectIncidentId: string | null;
  /** Tags set by people (Graph `customTags`). */
  tags: string[];
  /** Tags set by Microsoft, e.g. `Defender Experts` (Graph only; empty on the Defender API). */
  systemTags: string[];
  /** Comments, oldest first as the API returns them. */
  comments: IncidentComment[];
  /** The incident's alerts (always included on the Defender API). */
  alerts: Alert[];
  /**
   * Link to the incident in the Microsoft Defender portal, or `null` when not known. Graph sends
   * one; on the Defender API the SDK builds it only when it was given the portal's address.
   */
  webUrl: string | null;
  /** A rich-text description of the incident (Graph only). */
  description: string | null;
  /** A summary of the incident (Graph only). */
  summary: string | null;
  /** The comment given when the incident was resolved (Graph only). */
  resolvingComment: string | null;
  /** The identity that last changed the incident, e.g. an app id or a UPN (Graph only). */
  lastModifiedBy: string | null;
  /** The Microsoft Entra tenant the incident belongs to (Graph only). */
  tenantId: string | null;
  /**
   * The priority score Microsoft gives the incident, an integer; higher means look at it sooner
   * (Graph only, added to Graph's v1.0 incident in 2026 and sent as `null` where not computed;
   * the Defender API has none). Reference: the `priorityScore` property of
   * https://learn.microsoft.com/graph/api/resources/security-incident (nullable Int32 in the v1.0
   * metadata).
   */
  priorityScore: number | null;
  /** The wire object, with every field the API sent. */
  raw: Record<string, unknown>;
}

// Built on first use (lazy-schema.ts): nothing here runs at import.
/** The field types the schemas below share. */
const parts = once(() => ({ str: z.string().nullable(), raw: z.record(z.string(), z.unknown()) }));

/** Schema of {@link IncidentComment}. */
export const incidentCommentSchema = lazySchema(() => {
  const { str } = parts();
  return z.object({
    comment: z.string(),
    createdBy: str,
    createdDateTime: z.date(),
  }) satisfies z.ZodType<IncidentComment>;
});

/** Schema of {@link Alert} (the public shape, not a wire shape). */
export const alertSchema = lazySchema(() => {
  const { str, raw } = parts();
  return z.object({
    id: z.string(),
    incidentId: z.string(),
    title: z.string(),
    description: str,
    category: str,
    status: z.string(),
    severity: z.string(),
    classification: z.string(),
    determination: z.string(),
    serviceSource: z.string(),
    detectionSource: z.string(),
    detectorId: str,
    assignedTo: str,
    threatFamilyName: str,
    actorDisplayName: str,
    mitreTechniques: z.array(z.string()),
    createdDateTime: z.date().nullable(),
    lastUpdateDateTime: z.date().nullable(),
    resolvedDateTime: z.date().nullable(),
    firstActivityDateTime: z.date().nullable(),
    lastActivityDateTime: z.date().nullable(),
    evidence: z.array(evidenceSchema),
    comments: z.array(incidentCommentSchema),
    webUrl: str,
    incidentWebUrl: str,
    providerAlertId: str,
    threatDisplayName: str,
    productName: str,
    recommendedActions: str,
    systemTags: z.array(z.string()),
    tenantId: str,
    alertPolicyId: str,
    additionalData: raw.nullable(),
    investigationId: str,
    investigationState: str,
    raw,
  }) satisfies z.ZodType<Alert>;
});

/** Schema of {@link Incident} (the public shape, not a wire shape). */
export const incidentSchema = lazySchema(() => {
  const { str, raw } = parts();
  return z.object({
    id: z.string(),
    displayName: z.string(),
    status: z.string(),
    severity: z.string(),
    classification: z.string(),
    determination: z.string(),
    assignedTo: str,
    createdDateTime: z.date(),
    lastUpdateDateTime: z.date(),
    redirectIncidentId: str,
    tags: z.array(z.string()),
    systemTags: z.array(z.string()),
    comments: z.array(incidentCommentSchema),
    alerts: z.array(alertSchema),
    webUrl: str,
    description: str,
    summary: str,
    resolvingComment: str,
    lastModifiedBy: str,
    tenantId: str,
    priorityScore: z.number().int().nullable(),
    raw,
  }) satisfies z.ZodType<Incident>;
});
