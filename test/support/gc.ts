/**
 * A full garbage collection on demand, without starting Node with `--expose-gc`: what a busy
 * process does at some moment nobody chooses, done at the moment a spec chooses. Specs that
 * depend on what stays reachable (an abort signal chained through weak references) use it to
 * fail every time rather than once in a while on a loaded machine.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs a full (major) garbage collection, twice so that finalizers' garbage goes too. */
export function collectGarbage(): void {
  gc();
  gc();
}
