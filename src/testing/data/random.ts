/*
 * Seeded randomness and time formatting shared by the fake tenant's data generators.
 */

/** An ISO-8601 UTC time with the service's 7-digit fraction: `ms` plus `subMs` ten-thousandths of a millisecond. */
export function formatTime(ms: number, subMs: number): string {
  return new Date(ms).toISOString().replace(/Z$/, `${String(subMs).padStart(4, '0')}Z`);
}

/** A small fast seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for one generator, derived from the tenant's seed and a label, so generators do not share a sequence. */
export function deriveSeed(seed: number, label: string): number {
  let hash = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** Helpers over one seeded sequence. Each call consumes the sequence in a fixed order (generators depend on it). */
export interface RandomTools {
  /** The next number in [0, 1). */
  random: () => number;
  /** One of `items`, uniformly. */
  pick: <T>(items: readonly T[]) => T;
  /** An integer in [min, max]. */
  int: (min: number, max: number) => number;
  /** `length` lowercase hex digits. */
  hex: (length: number) => string;
  /** `length` decimal digits. */
  digits: (length: number) => string;
  /** A version-4-shaped GUID. */
  guid: () => string;
}

const HEX = '0123456789abcdef';

/** {@link RandomTools} over `random` (for example `prng(seed)`). */
export function randomTools(random: () => number): RandomTools {
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const hex = (length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += HEX[int(0, 15)];
    return out;
  };
  return {
    random,
    pick: <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T,
    int,
    hex,
    digits: (length) => {
      let out = '';
      for (let i = 0; i < length; i++) out += String(int(0, 9));
      return out;
    },
    guid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
  };
}
