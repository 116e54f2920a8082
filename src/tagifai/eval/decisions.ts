/**
 * Decisions: turning probabilities into predictions, by one threshold for every class, or by the
 * most probable class, and choosing that threshold the way the original did.
 */
import { assertBinary, assertSameShape } from "./label-matrices.js";
import { f1Score, precisionRecallCurve } from "./scores.js";

/**
 * The decision threshold with the best F1 over all labels pooled (the original's
 * `find_best_threshold`). The curve's last point (precision 1, recall 0) has no threshold and an F1
 * of 0, so only the points that have a threshold are compared; a 0/0 F1 counts as 0. Ties go to the
 * lowest threshold.
 * @param yTrue true labels, `rows × classes` of 0/1
 * @param yProb predicted probabilities, same shape
 * @returns the threshold to apply to the probabilities
 * @throws TagifaiError INVALID_INPUT on bad shapes or labels (see {@link precisionRecallCurve})
 */
export function findBestThreshold(yTrue: number[][], yProb: number[][]): number {
  assertSameShape("yTrue", yTrue, "yProb", yProb);
  assertBinary("yTrue", yTrue);
  const { precisions, recalls, thresholds } = precisionRecallCurve(yTrue.flat(), yProb.flat());
  let best = 0;
  let bestF1 = Number.NEGATIVE_INFINITY;
  thresholds.forEach((_, i) => {
    const f1 = f1Score(precisions[i], recalls[i]);
    if (f1 > bestF1) {
      best = i;
      bestF1 = f1;
    }
  });
  return thresholds[best];
}

/**
 * Turn probabilities into 0/1 predictions.
 * @param yProb predicted probabilities, `rows × classes`
 * @param threshold a probability at or above it predicts the class
 * @returns a matrix of the same shape holding 1 where `prob >= threshold`, else 0
 */
export function applyThreshold(yProb: number[][], threshold: number): number[][] {
  return yProb.map((row) => row.map((prob) => (prob >= threshold ? 1 : 0)));
}

/**
 * Turn probabilities into one-hot predictions of the most probable class (a multi-class decision).
 * @param yProb predicted probabilities, `rows × classes`
 * @returns a matrix of the same shape holding 1 at each row's highest probability (ties: the first)
 */
export function applyArgmax(yProb: readonly (readonly number[])[]): number[][] {
  return yProb.map((row) => {
    const best = row.indexOf(Math.max(...row));
    return row.map((_, c) => (c === best ? 1 : 0));
  });
}
