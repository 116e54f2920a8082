import { describe, expect, it } from "vitest";
import { type MedianPrunerOptions, medianPruner, nopPruner } from "../src/tagifai/optimize/pruners.js";
import type { Direction, FrozenTrial, TrialState } from "../src/tagifai/optimize/samplers.js";

/** A trial that reported `curve[step]` at each step (skipping undefined entries). */
function trial(number: number, state: TrialState, curve: (number | undefined)[]): FrozenTrial {
  const intermediate: Record<number, number> = {};
  curve.forEach((v, step) => {
    if (v !== undefined) intermediate[step] = v;
  });
  return { number, state, params: {}, intermediate, value: state === "COMPLETE" ? curve.at(-1) : undefined };
}

/** Five COMPLETE trials whose validation loss is flat at 1, 2, 3, 4, 5 (median 3 at every step). */
const FINISHED = [1, 2, 3, 4, 5].map((loss, i) => trial(i, "COMPLETE", Array(10).fill(loss)));

/** A running trial (number 99) with the given curve, and whether the pruner stops it at its last step. */
function prunes(
  curve: (number | undefined)[],
  options: MedianPrunerOptions = {},
  finished = FINISHED,
  direction: Direction = "minimize",
): boolean {
  const running = trial(99, "RUNNING", curve);
  return medianPruner(options).shouldPrune(running, curve.length - 1, [...finished, running], direction);
}

describe("medianPruner", () => {
  it("prunes a trial worse than the median at the same step, keeps a better one (minimizing loss)", () => {
    expect(prunes(Array(6).fill(3.5))).toBe(true);
    expect(prunes(Array(6).fill(2.5))).toBe(false);
    expect(prunes(Array(6).fill(3))).toBe(false);
  });

  it("judges the best value so far, not the latest one", () => {
    expect(prunes([9, 9, 2, 9, 9, 9])).toBe(false);
  });

  it("reverses the comparison when larger values are better", () => {
    expect(prunes(Array(6).fill(3.5), {}, FINISHED, "maximize")).toBe(false);
    expect(prunes(Array(6).fill(2.5), {}, FINISHED, "maximize")).toBe(true);
  });

  it("takes the median at exactly that step, averaging the middle two", () => {
    // At step 5 only the trials at 1, 2, 3, 4 reported (the fifth stopped at step 4): median 2.5.
    const finished = [...FINISHED.slice(0, 4), trial(4, "COMPLETE", Array(5).fill(5))];
    expect(prunes(Array(6).fill(2.6), {}, finished)).toBe(true);
    expect(prunes(Array(6).fill(2.4), {}, finished)).toBe(false);
  });

  it("does not prune before nStartupTrials trials are COMPLETE", () => {
    const four = FINISHED.slice(0, 4);
    const others = [
      trial(10, "PRUNED", Array(6).fill(1)),
      trial(11, "FAILED", []),
      trial(12, "RUNNING", [1]),
    ];
    expect(prunes(Array(6).fill(100), {}, [...four, ...others])).toBe(false);
    expect(prunes(Array(6).fill(100), { nStartupTrials: 4 }, four)).toBe(true);
    expect(prunes(Array(6).fill(100), { nStartupTrials: 0 }, [])).toBe(false);
  });

  it("does not prune during the first nWarmupSteps steps", () => {
    expect(prunes(Array(5).fill(100))).toBe(false); // step 4
    expect(prunes(Array(6).fill(100))).toBe(true); // step 5
    expect(prunes(Array(3).fill(100), { nWarmupSteps: 2 })).toBe(true);
  });

  it("checks only at the first report of each interval after the warmup", () => {
    const options = { nWarmupSteps: 5, intervalSteps: 3 }; // checkpoints 5, 8, 11, …
    const decisions = [5, 6, 7, 8, 9].map((step) => prunes(Array(step + 1).fill(100), options));
    expect(decisions).toEqual([true, false, false, true, false]);
    // Reports at steps 0 and 7 only: the check due at step 5 happens at step 7.
    expect(prunes([100, ...Array(6).fill(undefined), 100], options)).toBe(true);
  });

  it("does not prune when no COMPLETE trial reported at that step", () => {
    expect(prunes(Array(12).fill(100))).toBe(false);
  });

  it("prunes a trial that reported only NaN, and skips NaNs elsewhere", () => {
    expect(prunes(Array(6).fill(Number.NaN))).toBe(true);
    expect(prunes([2, 2, 2, 2, 2, Number.NaN])).toBe(false);
    const withNaN = [...FINISHED, trial(5, "COMPLETE", Array(10).fill(Number.NaN))];
    expect(prunes(Array(6).fill(3.5), {}, withNaN)).toBe(true);
  });

  it("compares with the other COMPLETE trials only, never the judged trial itself", () => {
    // Others: 1, 2, 4, 5 (median 3). Counting the trial's own 3.5 would make the median 3.5.
    const judged = trial(2, "COMPLETE", Array(6).fill(3.5));
    const trials = [...FINISHED.filter((t) => t.number !== 2), judged];
    expect(medianPruner({ nStartupTrials: 4 }).shouldPrune(judged, 5, trials, "minimize")).toBe(true);
  });

  it("refuses invalid options", () => {
    for (const options of [{ nStartupTrials: -1 }, { nWarmupSteps: 1.5 }, { intervalSteps: 0 }]) {
      expect(() => medianPruner(options)).toThrow(expect.objectContaining({ code: "STUDY_ERROR" }));
    }
  });
});

describe("nopPruner", () => {
  it("never prunes", () => {
    const running = trial(99, "RUNNING", Array(20).fill(Number.NaN));
    expect(nopPruner().shouldPrune(running, 19, FINISHED, "minimize")).toBe(false);
  });
});
