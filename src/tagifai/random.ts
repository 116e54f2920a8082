/**
 * Seeded randomness: the same seed gives the same splits, initial weights, shuffles and samples.
 */
import seedrandom from "seedrandom";

/** A seeded source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Make a deterministic random number generator.
 * @param seed any integer; the same seed gives the same sequence
 * @returns a function returning uniform numbers in [0, 1)
 */
export function createRng(seed: number): Rng {
  return seedrandom(String(seed));
}

/**
 * Draw a 32-bit integer seed from a generator (to seed tfjs ops such as initializers and dropout).
 * @param rng the generator to draw from
 */
export function nextSeed(rng: Rng): number {
  return Math.floor(rng() * 2 ** 31);
}

/**
 * Shuffle a copy of an array with a seeded generator (Fisher–Yates).
 * @param items the array (not modified)
 * @param rng the generator
 * @returns a new, shuffled array
 */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
