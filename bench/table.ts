/**
 * The one table `npm run bench` prints: a row per figure with the SDK's number, the baseline's,
 * their ratio, the target and the verdict.
 * @packageDocumentation
 */

/** Whether a figure met its target. `n/a` when it could not be measured (the reason is in `sdk`). */
export type Verdict = 'pass' | 'FAIL' | 'n/a' | 'info';

/** One row of the results table. */
export interface Row {
  /** Figure number and what it measures, e.g. `1 incidents page (100)`. */
  figure: string;
  /** The SDK's median with its spread, or a note. */
  sdk: string;
  /** The baseline's median with its spread, or `—`. */
  baseline: string;
  /** SDK ÷ baseline (or the measured quantity when there is no baseline). */
  ratio: string;
  /** The target, e.g. `≤ 1.25×`. */
  target: string;
  /** Met or not. */
  verdict: Verdict;
}

/** `1.07×`. */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—';
}

/** A row for a figure that could not run, with the reason. */
export function notMeasured(figure: string, reason: string, target: string): Row {
  return { figure, sdk: reason, baseline: '—', ratio: '—', target, verdict: 'n/a' };
}

/** Renders rows as a Markdown table (readable in a terminal, pasteable into docs). */
export function renderTable(rows: readonly Row[]): string {
  const keys = ['figure', 'sdk', 'baseline', 'ratio', 'target', 'verdict'] as const;
  const header = ['figure', 'SDK median (p25–p75)', 'baseline median (p25–p75)', 'ratio', 'target', 'result'];
  return renderGrid(header, rows.map((row) => keys.map((key) => row[key])));
}

/** Renders a header and rows of cells as a Markdown table with padded columns. */
export function renderGrid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => `| ${widths.map((w, i) => (row[i] ?? '').padEnd(w)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
