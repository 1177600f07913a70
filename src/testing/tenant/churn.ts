/*
 * Churn: the fake tenant's incidents and alerts changing over its simulated clock, as a live
 * tenant's do: new incidents, status, severity, assignment, tag and comment changes, alerts added
 * and changed, merges, changes sharing one timestamp, and changes indexed late. Drawn from the
 * seed in time order, so the same seed and the same clock give the same changes however often
 * they are applied; every version made visible is recorded, for tests to check a consumer against.
 */
import { describe } from '../../checks.js';
import { InvalidArgumentError } from '../../errors.js';
import { ANALYSTS } from '../data/catalog.js';
import { generateIncidents } from '../data/incidents.js';
import { deriveSeed, formatTime, prng, randomTools, type RandomTools } from '../data/random.js';
import type { LegacyAlertWire, LegacyIncidentWire } from './legacy-wire.js';
import { object, type Check } from '../options.js';

/**
 * Options of a tenant's churn (`createFakeTenant({ churn })`, `startSimulator({ churn })`,
 * `m365d sim --churn N`). Only `perMinute` is required.
 */
export interface FakeTenantChurnOptions {
  /** Changes per simulated minute (more than 0, at most 10,000). Each change creates, updates or merges incidents. */
  perMinute: number;
  /**
   * The longest ingestion lag, in simulated ms: a late change stamped `t` becomes visible at some
   * time in `(t, t + lateMs]`. Default 120,000 (2 minutes, within the change feed's default overlap); 0: none late.
   */
  lateMs?: number;
  /** The share of changes that are late (0 to 1). Default 0.1. */
  lateShare?: number;
  /** The share of changes stamped with exactly the last-update time of the change before them (0 to 0.9). Default 0.05. */
  sameTimestampShare?: number;
  /** The share of changes that create an incident, with 1–5 alerts (0 to 1). Default 0.25. */
  createShare?: number;
  /** The share of changes that merge one incident into another (0 to 1; with `createShare` at most 1). Default 0.02. */
  mergeShare?: number;
}

/** One version of an incident or alert that the tenant made visible: what a change feed may deliver. */
export interface ChurnVersion {
  /** An incident or an alert. */
  readonly kind: 'incident' | 'alert';
  /** The incident id (decimal) or the alert id, as the SDK's model gives it. */
  readonly id: string;
  /** Its last-update time in epoch ms, as a client reads it (the wire's fraction cut to milliseconds). */
  readonly lastUpdate: number;
  /** When it became visible (simulated epoch ms): the tenant's creation for the initial state. */
  readonly visibleAt: number;
  /** When the next version of the same item became visible; absent while it is the current one. */
  readonly replacedAt?: number;
  /** What made it: the initial state, a creation, an update, or a merge. */
  readonly change: 'initial' | 'create' | 'update' | 'merge';
}

/** Counts of the changes a churning tenant has made visible. */
export interface FakeTenantChurnStats {
  /** Changes made visible. */
  changes: number;
  /** Of them, incidents created. */
  created: number;
  /** Of them, updates of an incident or its alerts. */
  updated: number;
  /** Of them, merges of one incident into another. */
  merged: number;
  /** Of them, changes that became visible later than their last-update time. */
  late: number;
  /** Of them, changes stamped with exactly the last-update time of the change before them. */
  sameTimestamp: number;
  /** Changes drawn (their time has come) but not visible yet. */
  pending: number;
}

/** A tenant's churn (`tenant.churn`): its options, the versions it produced, and a way to apply due changes. */
export interface FakeTenantChurn {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<FakeTenantChurnOptions>>;
  /**
   * Every version of every incident and alert made visible so far, in the order they became
   * visible: the initial state first, then each change's. Changes made through the APIs (an update
   * by a client) are not in it.
   */
  readonly versions: readonly ChurnVersion[];
  /** What it has done so far. */
  readonly stats: Readonly<FakeTenantChurnStats>;
  /**
   * Makes visible every change due by the tenant's clock; returns how many. The tenant does this
   * before answering each request; call it to read `tenant.incidents` or `versions` in between.
   */
  apply(): number;
}

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
const DEFAULTS = { lateMs: 2 * MINUTE, lateShare: 0.1, sameTimestampShare: 0.05, createShare: 0.25, mergeShare: 0.02 } as const;
const SEVERITIES = ['Informational', 'Low', 'Medium', 'High'] as const;
const TAGS = ['pen-test', 'VIP', 'phishing-campaign', 'Ransomware', 'Credential Phish', 'needs-review', 'escalated'] as const;
const COMMENTS = ['Investigating', 'Escalated to tier 2.', 'Isolated the device pending review.', 'Password reset; sessions revoked.', 'No further activity observed.'] as const;
const CLASSIFICATIONS = [['TruePositive', 'Malware'], ['TruePositive', 'Phishing'], ['FalsePositive', 'Clean'], ['InformationalExpectedActivity', 'SecurityTesting']] as const;
/** How many incidents to generate at a time as templates of new ones. */
const TEMPLATE_CHUNK = 32;

// ---------------------------------------------------------------- options

function numberIn(min: number, max: number, minExclusive = false): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (minExclusive && value === min) || value > max) {
      throw new InvalidArgumentError(path, `${path} must be a number ${minExclusive ? `greater than ${min}` : `from ${min}`} ${minExclusive ? 'and at most' : 'to'} ${max}; got ${describe(value)}.`);
    }
  };
}

function integerIn(min: number, max: number): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(path, `${path} must be an integer from ${min} to ${max}; got ${describe(value)}.`);
    }
  };
}

const CHURN_SHAPE = object(
  {
    perMinute: numberIn(0, 10_000, true),
    lateMs: integerIn(0, DAY),
    lateShare: numberIn(0, 1),
    sameTimestampShare: numberIn(0, 0.9),
    createShare: numberIn(0, 1),
    mergeShare: numberIn(0, 1),
  },
  ['perMinute'],
);

/** The check of the `churn` option: its keys and ranges, and shares that add up. */
export const churnOptionsCheck: Check = (value, path) => {
  CHURN_SHAPE(value, path);
  const options = value as FakeTenantChurnOptions;
  if ((options.createShare ?? DEFAULTS.createShare) + (options.mergeShare ?? DEFAULTS.mergeShare) > 1) {
    throw new InvalidArgumentError(`${path}.mergeShare`, `${path}.createShare and ${path}.mergeShare must add up to at most 1; got ${options.createShare ?? DEFAULTS.createShare} and ${options.mergeShare ?? DEFAULTS.mergeShare}.`);
  }
};

// ---------------------------------------------------------------- changes

/** What one change touched in the store it ran on. */
interface Touched {
  incidents: LegacyIncidentWire[];
  alerts: LegacyAlertWire[];
}

/** A change: decided when drawn, run on the churn's own model then, and on the tenant's store when visible. */
type Operation = (incidents: Map<number, LegacyIncidentWire>) => Touched;

interface Change {
  seq: number;
  kind: 'create' | 'update' | 'merge';
  stampMs: number;
  visibleAt: number;
  sameTimestamp: boolean;
  run: Operation;
}

interface Stamp {
  ms: number;
  text: string;
  same: boolean;
}

/** A deep copy of wire data (JSON values only), several times faster than structuredClone. */
function plainCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Milliseconds of a wire time, its fraction cut as a client cuts it. */
function wireMs(text: string): number {
  return Date.parse(text.replace(/(\.\d{3})\d+Z$/, '$1Z'));
}

function alertTime(alert: LegacyAlertWire): number {
  return wireMs(alert.lastUpdatedTime ?? alert.creationTime);
}

function highestSeverity(alerts: readonly LegacyAlertWire[], fallback: string): string {
  let rank = -1;
  for (const alert of alerts) rank = Math.max(rank, SEVERITIES.indexOf(alert.severity as (typeof SEVERITIES)[number]));
  return rank < 0 ? fallback : (SEVERITIES[rank] as string);
}

/** The churn of one tenant. Internal: the tenant creates it and exposes it as {@link FakeTenantChurn}. */
export class Churn implements FakeTenantChurn {
  readonly options: Readonly<Required<FakeTenantChurnOptions>>;
  readonly versions: ChurnVersion[] = [];
  readonly #stats: FakeTenantChurnStats = { changes: 0, created: 0, updated: 0, merged: 0, late: 0, sameTimestamp: 0, pending: 0 };
  readonly #seed: number;
  readonly #store: Map<number, LegacyIncidentWire>;
  readonly #now: () => number;
  #tools!: RandomTools;
  #origin = 0;
  /** The incidents as the changes drawn so far left them, visible or not. */
  #model = new Map<number, LegacyIncidentWire>();
  /** Ids of incidents that can still change (not merged away), and where each sits in it. */
  #open: number[] = [];
  #openAt = new Map<number, number>();
  /** Incident id → when its last change becomes visible: it takes no other change before. */
  #hiddenUntil = new Map<number, number>();
  /** Incident id → the latest time it or one of its alerts changed in the model: a new change must come after it. */
  #lastChange = new Map<number, number>();
  #alertIds = new Set<string>();
  #nextIncidentId = 0;
  #next!: Stamp;
  #seq = 0;
  #pending: Change[] = [];
  #templates: LegacyIncidentWire[] = [];
  #templateChunks = 0;
  #current = new Map<string, number>();

  constructor(options: FakeTenantChurnOptions, seed: number, store: Map<number, LegacyIncidentWire>, now: () => number) {
    this.options = Object.freeze({ ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<FakeTenantChurnOptions>);
    this.#seed = seed;
    this.#store = store;
    this.#now = now;
  }

  get stats(): Readonly<FakeTenantChurnStats> {
    return { ...this.#stats, pending: this.#pending.length };
  }

  /** Starts over from the store's (just generated) state at `origin`: changes are drawn from then on. */
  restart(origin: number): void {
    this.#tools = randomTools(prng(deriveSeed(this.#seed, 'churn')));
    this.#origin = origin;
    this.#model = new Map([...this.#store].map(([id, incident]) => [id, plainCopy(incident)]));
    this.#open = [];
    this.#openAt.clear();
    for (const incident of this.#model.values()) if (incident.status !== 'Redirected') this.#openIncident(incident.incidentId);
    this.#hiddenUntil.clear();
    this.#lastChange = new Map([...this.#model].map(([id, incident]) => [id, lastChangeMs(incident)]));
    this.#alertIds = new Set([...this.#model.values()].flatMap((incident) => incident.alerts.map((alert) => alert.alertId)));
    this.#nextIncidentId = Math.max(0, ...this.#model.keys());
    this.#seq = 0;
    this.#pending = [];
    this.#templates = [];
    this.#templateChunks = 0;
    this.versions.length = 0;
    this.#current.clear();
    Object.assign(this.#stats, { changes: 0, created: 0, updated: 0, merged: 0, late: 0, sameTimestamp: 0 });
    for (const incident of this.#store.values()) this.#record({ incidents: [incident], alerts: incident.alerts }, origin, 'initial');
    this.#next = this.#drawStamp({ ms: origin, text: '', same: false });
  }

  apply(): number {
    const now = this.#now();
    while (this.#next.ms <= now) {
      this.#draw(this.#next);
      this.#next = this.#drawStamp(this.#next);
    }
    let applied = 0;
    while (this.#pending.length > 0 && (this.#pending[0] as Change).visibleAt <= now) {
      const change = this.#pending.shift() as Change;
      this.#record(change.run(this.#store), change.visibleAt, change.kind);
      this.#stats.changes += 1;
      this.#stats[change.kind === 'create' ? 'created' : change.kind === 'merge' ? 'merged' : 'updated'] += 1;
      if (change.visibleAt > change.stampMs) this.#stats.late += 1;
      if (change.sameTimestamp) this.#stats.sameTimestamp += 1;
      applied += 1;
    }
    return applied;
  }

  /** The time of the change after `previous`: the same one (a shared timestamp), or later by about 1/perMinute. */
  #drawStamp(previous: Stamp): Stamp {
    const { random, int } = this.#tools;
    const share = this.options.sameTimestampShare;
    if (previous.text !== '' && random() < share) return { ...previous, same: true };
    const meanGap = MINUTE / this.options.perMinute / (1 - share);
    const ms = previous.ms + Math.max(1, Math.round(meanGap * (0.5 + random())));
    return { ms, text: formatTime(ms, int(1, 9999)), same: false };
  }

  /** Draws the change at `stamp`, runs it on the model and queues it for the store. */
  #draw(stamp: Stamp): void {
    const { random, int } = this.#tools;
    const { lateMs, lateShare, createShare, mergeShare } = this.options;
    const lag = lateMs > 0 && random() < lateShare ? int(1, lateMs) : 0;
    const roll = random();
    let kind: Change['kind'] = 'create';
    let run: Operation | undefined;
    let touched: number[] = [];
    if (roll >= createShare) {
      const first = this.#pickOpen(stamp.ms);
      const target = first !== undefined && roll < createShare + mergeShare ? this.#pickOpen(stamp.ms, first) : undefined;
      if (first !== undefined && target !== undefined) [kind, run, touched] = ['merge', mergeOperation(first, target, stamp.text), [first, target]];
      else if (first !== undefined) [kind, run, touched] = ['update', this.#updateOperation(first, stamp.text), [first]];
    }
    if (!run) {
      const incident = this.#newIncident(stamp.text);
      // The model takes the incident and the store a copy made now, before later changes to the model.
      const copies = [plainCopy(incident), incident];
      run = (incidents) => {
        const created = copies.pop() as LegacyIncidentWire;
        incidents.set(created.incidentId, created);
        return { incidents: [created], alerts: created.alerts };
      };
      touched = [incident.incidentId];
    }
    const change: Change = { seq: this.#seq++, kind, stampMs: stamp.ms, visibleAt: stamp.ms + lag, sameTimestamp: stamp.same, run };
    run(this.#model);
    for (const id of touched) {
      this.#hiddenUntil.set(id, change.visibleAt);
      this.#lastChange.set(id, stamp.ms);
    }
    if (kind === 'merge') this.#closeIncident(touched[0] as number);
    if (kind === 'create') this.#openIncident(touched[0] as number);
    this.#enqueue(change);
  }

  /** An incident that can change at `ms`: not merged away, its last change visible, and last updated before `ms`. */
  #pickOpen(ms: number, except?: number): number | undefined {
    for (let tries = 0; tries < 20 && this.#open.length > 0; tries++) {
      const id = this.#open[this.#tools.int(0, this.#open.length - 1)] as number;
      if (id === except || (this.#hiddenUntil.get(id) ?? -Infinity) > ms) continue;
      if ((this.#lastChange.get(id) ?? Infinity) < ms) return id;
    }
    return undefined;
  }

  /** One update of an incident (and maybe its alerts), decided from the model's state. */
  #updateOperation(id: number, stamp: string): Operation {
    const { random, pick } = this.#tools;
    const incident = this.#model.get(id) as LegacyIncidentWire;
    const alertIds = incident.alerts.map((alert) => alert.alertId);
    const roll = random();
    if (roll < 0.3) {
      const status = incident.status === 'Active' ? 'InProgress' : incident.status === 'InProgress' ? 'Resolved' : 'Active';
      const [classification, determination] = status === 'Resolved' ? pick(CLASSIFICATIONS) : ['Unknown', 'NotAvailable'];
      const assignee = incident.assignedTo ?? pick(ANALYSTS);
      return onIncident(id, stamp, (target) => {
        Object.assign(target, { status, classification, determination });
        if (status === 'InProgress') target.assignedTo ??= assignee;
        if (status !== 'Resolved') return [];
        // Resolving an incident resolves its alerts.
        for (const alert of target.alerts) Object.assign(alert, { status: 'Resolved', resolvedTime: stamp, classification, determination });
        return target.alerts;
      });
    }
    if (roll < 0.45) {
      const assignee = pick([...ANALYSTS, 'Automation', null].filter((who) => who !== incident.assignedTo));
      return onIncident(id, stamp, (target) => {
        target.assignedTo = assignee;
        return [];
      });
    }
    if (roll < 0.55) {
      const tag = pick(TAGS);
      return onIncident(id, stamp, (target) => {
        target.tags = target.tags.includes(tag) ? target.tags.filter((t) => t !== tag) : [...target.tags, tag];
        return [];
      });
    }
    if (roll < 0.75) {
      const comment = { comment: pick(COMMENTS), createdBy: incident.assignedTo && incident.assignedTo !== 'Automation' ? incident.assignedTo : pick(ANALYSTS), createdTime: stamp };
      return onIncident(id, stamp, (target) => {
        target.comments.push({ ...comment });
        return [];
      });
    }
    if (roll < 0.95 && alertIds.length > 0) {
      const alertId = pick(alertIds);
      const alert = incident.alerts.find((a) => a.alertId === alertId) as LegacyAlertWire;
      const change: Partial<LegacyAlertWire> =
        roll < 0.85
          ? { severity: pick(SEVERITIES.filter((s) => s !== alert.severity)) }
          : alert.status === 'New'
            ? { status: 'InProgress' }
            : alert.status === 'Resolved' ? { status: 'New', resolvedTime: null } : { status: 'Resolved', resolvedTime: stamp };
      return onIncident(id, stamp, (target) => {
        const changed = target.alerts.find((a) => a.alertId === alertId);
        if (!changed) return [];
        Object.assign(changed, change);
        target.severity = highestSeverity(target.alerts, target.severity);
        return [changed];
      });
    }
    // Correlation adds an alert to the incident.
    const added = this.#newAlerts(id, stamp, 1);
    const copies = [plainCopy(added), added];
    return onIncident(id, stamp, (target) => {
      const alerts = copies.pop() as LegacyAlertWire[];
      target.alerts.push(...alerts);
      target.severity = highestSeverity(target.alerts, target.severity);
      return alerts;
    });
  }

  /** A new incident, Active and unassigned, created at `stamp` with the alerts of a generated template. */
  #newIncident(stamp: string): LegacyIncidentWire {
    const template = this.#template();
    this.#nextIncidentId += this.#tools.int(1, 3);
    const incidentId = this.#nextIncidentId;
    const alerts = this.#newAlerts(incidentId, stamp, template.alerts.length, template.alerts);
    return {
      ...template,
      incidentId,
      redirectIncidentId: null,
      createdTime: stamp,
      lastUpdateTime: stamp,
      assignedTo: null,
      classification: 'Unknown',
      determination: 'NotAvailable',
      status: 'Active',
      severity: highestSeverity(alerts, 'Informational'),
      tags: [],
      comments: [],
      alerts,
    };
  }

  /** `count` new alerts of incident `incidentId`, created at `stamp`, from `from` or from templates. */
  #newAlerts(incidentId: number, stamp: string, count: number, from?: readonly LegacyAlertWire[]): LegacyAlertWire[] {
    const stampMs = wireMs(stamp);
    return Array.from({ length: count }, (_, i) => {
      const source = from?.[i] ?? (this.#template().alerts[0] as LegacyAlertWire);
      let alertId = source.alertId;
      while (this.#alertIds.has(alertId)) alertId = `${source.alertId}-${this.#tools.int(1, 99_999)}`;
      this.#alertIds.add(alertId);
      const firstActivity = stampMs - this.#tools.int(MINUTE, 60 * MINUTE);
      return {
        ...source,
        alertId,
        incidentId,
        creationTime: stamp,
        lastUpdatedTime: stamp,
        resolvedTime: null,
        firstActivity: formatTime(firstActivity, this.#tools.int(1, 9999)),
        lastActivity: formatTime(firstActivity + this.#tools.int(0, MINUTE), this.#tools.int(1, 9999)),
        status: 'New',
        classification: null,
        determination: null,
        assignedTo: null,
      };
    });
  }

  /** The next generated incident to model a new one on. */
  #template(): LegacyIncidentWire {
    if (this.#templates.length === 0) {
      const chunk = this.#templateChunks++;
      this.#templates = generateIncidents({ seed: deriveSeed(this.#seed, `churn-${chunk}`), count: TEMPLATE_CHUNK, now: new Date(this.#origin) }).reverse();
    }
    return this.#templates.pop() as LegacyIncidentWire;
  }

  #openIncident(id: number): void {
    this.#openAt.set(id, this.#open.length);
    this.#open.push(id);
  }

  #closeIncident(id: number): void {
    const at = this.#openAt.get(id);
    if (at === undefined) return;
    const last = this.#open.pop() as number;
    if (last !== id) {
      this.#open[at] = last;
      this.#openAt.set(last, at);
    }
    this.#openAt.delete(id);
  }

  /** Queues a change, in the order the store sees changes: by visibility, then as drawn. */
  #enqueue(change: Change): void {
    let at = this.#pending.length;
    while (at > 0 && (this.#pending[at - 1] as Change).visibleAt > change.visibleAt) at--;
    this.#pending.splice(at, 0, change);
  }

  /** Records the versions a change left in the store, replacing the ones before. */
  #record(touched: Touched, visibleAt: number, change: ChurnVersion['change']): void {
    const add = (kind: ChurnVersion['kind'], id: string, lastUpdate: number) => {
      const key = `${kind}:${id}`;
      const previous = this.#current.get(key);
      if (previous !== undefined) {
        const before = this.versions[previous] as ChurnVersion;
        if (before.lastUpdate === lastUpdate) return;
        this.versions[previous] = { ...before, replacedAt: visibleAt };
      }
      this.#current.set(key, this.versions.length);
      this.versions.push({ kind, id, lastUpdate, visibleAt, change });
    };
    for (const incident of touched.incidents) add('incident', String(incident.incidentId), wireMs(incident.lastUpdateTime));
    for (const alert of touched.alerts) add('alert', alert.alertId, alertTime(alert));
  }
}

/** The latest time an incident or any of its alerts changed: a new change must come after it. */
function lastChangeMs(incident: LegacyIncidentWire): number {
  let latest = wireMs(incident.lastUpdateTime);
  for (const alert of incident.alerts) latest = Math.max(latest, alertTime(alert));
  return latest;
}

/** An operation on one incident: `edit` changes it and returns the alerts it changed; all are stamped. */
function onIncident(id: number, stamp: string, edit: (incident: LegacyIncidentWire) => LegacyAlertWire[]): Operation {
  return (incidents) => {
    const incident = incidents.get(id);
    if (!incident) return { incidents: [], alerts: [] };
    const alerts = edit(incident);
    for (const alert of alerts) alert.lastUpdatedTime = stamp;
    incident.lastUpdateTime = stamp;
    return { incidents: [incident], alerts };
  };
}

/** Merges incident `sourceId` into `targetId`: the source is redirected, its alerts move to the target. */
function mergeOperation(sourceId: number, targetId: number, stamp: string): Operation {
  return (incidents) => {
    const source = incidents.get(sourceId);
    const target = incidents.get(targetId);
    if (!source || !target) return { incidents: [], alerts: [] };
    const moved = source.alerts;
    for (const alert of moved) Object.assign(alert, { incidentId: targetId, lastUpdatedTime: stamp });
    Object.assign(source, { status: 'Redirected', redirectIncidentId: targetId, alerts: [], lastUpdateTime: stamp });
    target.alerts.push(...moved);
    target.severity = highestSeverity(target.alerts, target.severity);
    target.lastUpdateTime = stamp;
    return { incidents: [source, target], alerts: moved };
  };
}
