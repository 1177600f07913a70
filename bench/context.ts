/**
 * What every figure gets from the runner: the replay server, the token, the sample budget and
 * the state of `dist/`.
 * @packageDocumentation
 */
import type { ReplayServer } from './server.js';

/** The package built from the current sources, which the child-process figures load. */
export interface DistState {
  /** Whether the build succeeded (its `dist/index.js` and `dist/index.cjs` exist). */
  ok: boolean;
  /** Whether the full build (every entry, with `.d.ts`) succeeded, rather than the main-entry fallback. */
  withTypes: boolean;
  /** What happened, e.g. "built from src/ in 5.8 s", or why there is no build. */
  note: string;
  /** The package folder: `package.json`, README, LICENSE, CHANGELOG and `dist/`, as packed. */
  packageDir: string;
  /** Absolute path of the built `dist/index.js`. */
  esmEntry: string;
  /** Absolute path of the built `dist/index.cjs`. */
  cjsEntry: string;
}

/** Shared by all figures. */
export interface BenchContext {
  /** The repository root. */
  root: string;
  /** The bench's replay server. */
  server: ReplayServer;
  /** The bearer token the baselines send (and the bench credential returns). */
  token: string;
  /** `--quick`: fewer samples. */
  quick: boolean;
  /** The built package. */
  dist: DistState;
  /** Progress output (stderr), so that stdout carries only the table. */
  log(message: string): void;
}
