import { describe, expect, it } from "vitest";
import { createRng, nextSeed, shuffled } from "../src/tagifai/random.js";

describe("random", () => {
  it("makes the same random sequence for the same seed, another for another seed", () => {
    const a = createRng(1234);
    const b = createRng(1234);
    const c = createRng(42);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
  });

  it("shuffles a copy deterministically", () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const first = shuffled(items, createRng(1));
    expect(shuffled(items, createRng(1))).toEqual(first);
    expect(first).not.toEqual(items);
    expect([...first].sort((x, y) => x - y)).toEqual(items);
    expect(items[0]).toBe(0);
  });

  it("draws whole 31-bit seeds", () => {
    const seeds = Array.from(
      { length: 100 },
      (
        (rng) => () =>
          nextSeed(rng)
      )(createRng(7)),
    );
    expect(seeds.every((seed) => Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31)).toBe(true);
  });
});
