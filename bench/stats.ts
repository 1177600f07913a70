/**
 * Sampling and summary statistics for the benchmark: warm-up, interleaved samples, medians and
 * quartiles. Shared machines are noisy, so every figure is a median of many samples taken in
 * alternation with its baseline, and the result is a ratio.
 * @packageDocumentation
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The median and quartiles of a set of samples. */
export interface Summary {
  /** The 50th percentile. */
  median: number;
  /** The 25th percentile. */
  p25: number;
  /** The 75th percentile. */
  p75: number;
  /** How many samples. */
  n: number;
}

/** The `q`-quantile (0–1) of sorted numbers, linearly interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/** Median and quartiles of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), n: sorted.length };
}

setFlagsFromString('--expose-gc');
const gcFunction = runInNewContext('gc') as (() => void) | undefined;

/** Runs a full garbage collection, so that one sample's garbage is not collected in the next. */
export function collectGarbage(): void {
  gcFunction?.();
}

/** How a paired comparison samples. */
export interface PairOptions {
  /** Unmeasured runs of each side first (JIT, connection pool, caches). */
  warmup: number;
  /** Measured runs of each side. */
  samples: number;
  /** Collect garbage before each measured run (for calls that allocate tens of MB). */
  gcBetween?: boolean;
}

/** The result of {@link comparePaired}: milliseconds per run of each side. */
export interface PairResult {
  /** The side under test (the SDK). */
  subject: Summary;
  /** The baseline. */
  baseline: Summary;
  /** `subject.median / baseline.median`. */
  ratio: number;
}

/**
 * Times `subject` against `baseline`, alternating them (and which goes first) so that drift in
 * the machine's load affects both alike.
 */
export async function comparePaired(
  subject: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
  options: PairOptions,
): Promise<PairResult> {
  for (let i = 0; i < options.warmup; i++) {
    await subject();
    await baseline();
  }
  const a: number[] = [];
  const b: number[] = [];
  const time = async (fn: () => Promise<unknown>, into: number[]) => {
    if (options.gcBetween) collectGarbage();
    const started = performance.now();
    await fn();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < options.samples; i++) {
    if (i % 2 === 0) {
      await time(subject, a);
      await time(baseline, b);
    } else {
      await time(baseline, b);
      await time(subject, a);
    }
  }
  const subjectSummary = summarize(a);
  const baselineSummary = summarize(b);
  return { subject: subjectSummary, baseline: baselineSummary, ratio: subjectSummary.median / baselineSummary.median };
}

/** `12.3 ms (11.9–12.8)`: the median and the interquartile range. */
export function formatMs(summary: Summary): string {
  const digits = summary.median >= 100 ? 0 : summary.median >= 10 ? 1 : 2;
  const f = (value: number) => value.toFixed(digits);
  return `${f(summary.median)} ms (${f(summary.p25)}–${f(summary.p75)})`;
}

/** `123.4 MB (120.1–125.0)`, from kilobytes. */
export function formatMb(summaryKb: Summary): string {
  const f = (kb: number) => (kb / 1024).toFixed(1);
  return `${f(summaryKb.median)} MB (${f(summaryKb.p25)}–${f(summaryKb.p75)})`;
}

/**
 * Times several equivalent calls against each other: each round runs every side once, the order
 * rotating from round to round, so that drift in the machine's load affects all sides alike.
 * Returns milliseconds per run of each side, by name.
 */
export async function compareMany<K extends string>(
  sides: Readonly<Record<K, () => Promise<unknown>>>,
  options: PairOptions,
): Promise<Record<K, Summary>> {
  const names = Object.keys(sides) as K[];
  for (let i = 0; i < options.warmup; i++) for (const name of names) await sides[name]();
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < options.samples; round++) {
    const order = rotate(names, round);
    for (const name of round % 2 === 0 ? order : order.reverse()) {
      if (options.gcBetween) collectGarbage();
      const started = performance.now();
      await sides[name]();
      samples[name].push(performance.now() - started);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples[name])])) as Record<K, Summary>;
}

/** `items` rotated left by `by` (a new array). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
