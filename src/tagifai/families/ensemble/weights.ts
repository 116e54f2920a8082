/**
 * Ensemble weights chosen on the validation split: every blend on a grid over the simplex (each
 * weight a multiple of 1/steps, summing to 1) is scored by its validation weighted F1 at the
 * thresholds tuned for it on the same split (argmax for a multi-class task); the best wins, ties
 * going to the blend met first, and the given weights (normalized) are met first.
 */
import type { Task } from "../../data.js";
import { decisionF1, type ThresholdTuning, tuneThresholds } from "../thresholds.js";
import { blendWith } from "./blend.js";

/** Grid resolution: weights are multiples of 1/10. */
export const WEIGHT_STEPS = 10;

/** One candidate blend and its validation score. */
export interface WeightCandidate {
  weights: number[];
  valF1: number;
}

/**
 * Every way to split `steps` units among `count` members, as weights summing to 1.
 * @param count members
 * @param steps units
 * @returns the weight vectors (C(steps + count − 1, count − 1) of them)
 */
export function simplexGrid(count: number, steps = WEIGHT_STEPS): number[][] {
  const splits = (members: number, units: number): number[][] =>
    members === 1
      ? [[units]]
      : Array.from({ length: units + 1 }, (_, i) => units - i).flatMap((first) =>
          splits(members - 1, units - first).map((rest) => [first, ...rest]),
        );
  return splits(count, steps).map((units) => units.map((unit) => unit / steps));
}

/**
 * Choose the members' weights on the validation split.
 * @param given the configured weights (tried first)
 * @param valProbabilities each member's validation probabilities
 * @param valY validation labels
 * @param task the task
 * @param tuning how thresholds are tuned (multi-label)
 * @returns the chosen weights (summing to 1) and every candidate's score, in the order tried
 */
export function chooseWeights(
  given: readonly number[],
  valProbabilities: readonly number[][][],
  valY: number[][],
  task: Task,
  tuning: ThresholdTuning,
): { weights: number[]; candidates: WeightCandidate[] } {
  const total = given.reduce((sum, w) => sum + w, 0);
  const grid = [given.map((w) => w / total), ...simplexGrid(given.length)];
  const candidates = grid.map((weights) => {
    const blended = blendWith(weights, valProbabilities);
    const thresholds = task === "multi-label" ? tuneThresholds(valY, blended, tuning) : [];
    return { weights, valF1: decisionF1(task, valY, blended, thresholds) };
  });
  const best = candidates.reduce((a, b) => (b.valF1 > a.valF1 ? b : a));
  return { weights: best.weights, candidates };
}
