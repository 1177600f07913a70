/**
 * The oracle of the change-feed end-to-end tests: what a consumer of a churning tenant delivered
 * and wrote, checked against the tenant's record of every version it made visible
 * (`tenant.churn.versions`).
 */
import { expect } from 'vitest';
import type { ChurnVersion } from '../../src/testing/index.js';

/** A version's key as the tenant's record names it; a consumer names what it delivered the same way (`incident:<id>@<ms>`). */
export const recordKey = (version: ChurnVersion) => `${version.kind}:${version.id}@${version.lastUpdate}`;

/** What a consumer did: the version keys it was handed and wrote, and the polls it completed (simulated times). */
export interface ConsumerRecord {
  delivered: ReadonlySet<string>;
  written: ReadonlySet<string>;
  completed: readonly { start: number; end: number }[];
}

/** What the oracle finds. */
export interface ChurnFindings {
  /** Delivered, but never produced by the tenant. */
  neverProduced: string[];
  /** Visible through a whole completed poll, but not written. */
  missed: string[];
  /** The current version of an item, not written. */
  latestMissed: string[];
  /** How many versions stayed visible through a whole completed poll. */
  required: number;
}

/** Checks what a consumer of the `kind` feed did against the tenant's `versions`. */
export function checkAgainstChurn(versions: readonly ChurnVersion[], kind: ChurnVersion['kind'], record: ConsumerRecord): ChurnFindings {
  const ofKind = versions.filter((version) => version.kind === kind);
  const produced = new Set(ofKind.map(recordKey));
  const stayedVisible = (v: ChurnVersion) => record.completed.some((p) => v.visibleAt <= p.start && (v.replacedAt === undefined || v.replacedAt > p.end));
  return {
    neverProduced: [...record.delivered].filter((key) => !produced.has(key)),
    missed: ofKind.filter(stayedVisible).map(recordKey).filter((key) => !record.written.has(key)),
    latestMissed: ofKind.filter((v) => v.replacedAt === undefined).map(recordKey).filter((key) => !record.written.has(key)),
    required: ofKind.filter(stayedVisible).length,
  };
}

/** Nothing invented, nothing lost, and nothing (`violations`) delivered again after the batch that delivered it was committed. */
export function expectNothingLost(findings: ChurnFindings, violations: readonly string[]): void {
  expect(findings.neverProduced).toEqual([]);
  expect(violations).toEqual([]);
  expect(findings.missed).toEqual([]);
  expect(findings.latestMissed).toEqual([]);
}
