/**
 * Figure 6: listing 3,000 incidents under the simulator's (time-scaled) quota, against the
 * theoretical minimum (calls ÷ quota), with no 429 received. Needs the simulator (issue 4) and
 * the client-side pacer (issue 5); both are feature-detected at run time, and the figure is a
 * placeholder row until both are there.
 * @packageDocumentation
 */
import type { BenchContext } from '../context.js';
import { clientHasRateLimitOption } from '../fixtures.js';
import { notMeasured, type Row } from '../table.js';

const FIGURE = '6 list 3,000 incidents under quota';
const TARGET = '≤ 1.10× min, 0 × 429';

/** The simulator's entry points, when `src/testing` exports them. */
async function simulatorModule(): Promise<Record<string, unknown> | undefined> {
  // A variable specifier: the module may not exist yet, and must not break the typecheck.
  for (const specifier of ['../../src/testing/index.js']) {
    try {
      const module = (await import(specifier)) as Record<string, unknown>;
      if (typeof module.startSimulator === 'function' && typeof module.createFakeTenant === 'function') return module;
    } catch {
      // not there yet
    }
  }
  return undefined;
}

/** Measures figure 6, or explains why it cannot yet. */
export async function quotaFigure(ctx: BenchContext): Promise<Row> {
  const simulator = await simulatorModule();
  const pacer = clientHasRateLimitOption(ctx.server.url);
  if (!simulator || !pacer) {
    const missing = [simulator ? undefined : 'the simulator (m365-defender/testing startSimulator, createFakeTenant)', pacer ? undefined : 'the pacer (rateLimit option)'].filter(Boolean);
    return notMeasured(FIGURE, `needs ${missing.join(' and ')}`, TARGET);
  }
  return notMeasured(FIGURE, 'simulator and pacer found; the bench adapter for them is not written yet (bench/figures/quota.ts)', TARGET);
}
