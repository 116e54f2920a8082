/**
 * Metric primitives: precision / recall / F1 / support of multi-label predictions and the
 * precision-recall curve used to pick decision thresholds.
 *
 * Every number follows scikit-learn's definitions with `zero_division=0`: a 0/0 precision or recall
 * is 0, and F1 is 0 when precision + recall is 0. Inputs are plain arrays: label matrices are
 * `rows × classes` of 0/1 indicators.
 */
import { assertBinary, assertSameShape, invalidInput, isBinary } from "./label-matrices.js";

/** How per-class scores are combined into one, as in scikit-learn. */
export type Average = "micro" | "macro" | "weighted";

/** Per-class scores; `support` is the number of true labels of each class. */
export type ScoresPerClass = { precision: number[]; recall: number[]; f1: number[]; support: number[] };

/** Averaged scores; `support` is the number of samples (rows). */
export type AveragedScores = { precision: number; recall: number; f1: number; support: number };

/** A precision-recall curve: `precisions` and `recalls` have one entry more than `thresholds`. */
export type PrecisionRecallCurve = { precisions: number[]; recalls: number[]; thresholds: number[] };

/**
 * Precision, recall, F1 and support of multi-label predictions, as scikit-learn's
 * `precision_recall_fscore_support` with `zero_division=0`.
 * @param yTrue true labels, `rows × classes` of 0/1
 * @param yPred predicted labels, same shape
 * @param average `null` for per-class arrays; `"micro"` (pooled counts), `"macro"` (plain mean over
 *   classes) or `"weighted"` (mean over classes weighted by their number of true labels; all zeros
 *   when there are none) for single numbers
 * @returns per-class arrays for `null`, otherwise single numbers with `support` = number of rows
 * @throws TagifaiError INVALID_INPUT when the matrices are empty, ragged, of different shapes, or not 0/1
 */
export function precisionRecallFscoreSupport(
  yTrue: number[][],
  yPred: number[][],
  average: null,
): ScoresPerClass;
export function precisionRecallFscoreSupport(
  yTrue: number[][],
  yPred: number[][],
  average: Average,
): AveragedScores;
export function precisionRecallFscoreSupport(
  yTrue: number[][],
  yPred: number[][],
  average: Average | null,
): ScoresPerClass | AveragedScores {
  assertSameShape("yTrue", yTrue, "yPred", yPred);
  assertBinary("yTrue", yTrue);
  assertBinary("yPred", yPred);
  const counts = countPerClass(yTrue, yPred);
  if (average === "micro") {
    const precision = divideOrZero(sum(counts.truePositives), sum(counts.predicted));
    const recall = divideOrZero(sum(counts.truePositives), sum(counts.actual));
    return { precision, recall, f1: f1Score(precision, recall), support: yTrue.length };
  }
  const perClass = scoresPerClass(counts);
  if (average === null) return perClass;
  const weights = average === "macro" ? perClass.support.map(() => 1) : perClass.support;
  return {
    precision: weightedMean(perClass.precision, weights),
    recall: weightedMean(perClass.recall, weights),
    f1: weightedMean(perClass.f1, weights),
    support: yTrue.length,
  };
}

/**
 * The precision-recall curve of binary labels, as scikit-learn's `precision_recall_curve` up to
 * version 1.0 (the one the original used): the curve stops at the lowest threshold that already
 * reaches full recall (`last_ind = tps.searchsorted(tps[-1])`), so lower thresholds, which only lose
 * precision, are left out. Versions 1.1 and later keep every distinct score as a threshold instead.
 * Runs in O(n log n).
 * @param yTrue true labels, 0/1
 * @param yScore scores of the positive class, same length
 * @returns distinct thresholds in ascending order, with `precisions[i]` / `recalls[i]` of predicting
 *   positive when score >= `thresholds[i]`, and a final point (precision 1, recall 0) with no threshold
 * @throws TagifaiError INVALID_INPUT when the arrays are empty or of different lengths, a label is
 *   not 0/1, a score is NaN, or no label is positive (recall is undefined)
 */
export function precisionRecallCurve(yTrue: number[], yScore: number[]): PrecisionRecallCurve {
  if (yTrue.length !== yScore.length)
    throw invalidInput(`yTrue has ${yTrue.length} labels but yScore has ${yScore.length} scores`);
  if (yTrue.length === 0) throw invalidInput("yTrue and yScore are empty");
  const badLabel = yTrue.findIndex((label) => !isBinary(label));
  if (badLabel >= 0) throw invalidInput(`yTrue[${badLabel}] is ${yTrue[badLabel]}, not 0 or 1`);
  const nanIndex = yScore.findIndex(Number.isNaN);
  if (nanIndex >= 0) throw invalidInput(`yScore[${nanIndex}] is NaN`);

  // Walk the samples from the highest score down; at the last sample of each run of equal scores,
  // record the true/false positives of predicting positive when score >= that score.
  const order = yScore.map((_, i) => i).sort((a, b) => yScore[b] - yScore[a]);
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  const descendingThresholds: number[] = [];
  let positivesSoFar = 0;
  order.forEach((sampleIndex, rank) => {
    positivesSoFar += yTrue[sampleIndex];
    const score = yScore[sampleIndex];
    const nextIndex = order[rank + 1];
    if (nextIndex !== undefined && yScore[nextIndex] === score) return;
    truePositives.push(positivesSoFar);
    falsePositives.push(rank + 1 - positivesSoFar);
    descendingThresholds.push(score);
  });
  const totalPositives = positivesSoFar;
  if (totalPositives === 0) throw invalidInput("yTrue has no positive label, so recall is undefined");

  const fullRecallIndex = truePositives.indexOf(totalPositives);
  const curve: PrecisionRecallCurve = { precisions: [], recalls: [], thresholds: [] };
  for (let i = fullRecallIndex; i >= 0; i--) {
    curve.precisions.push(truePositives[i] / (truePositives[i] + falsePositives[i]));
    curve.recalls.push(truePositives[i] / totalPositives);
    curve.thresholds.push(descendingThresholds[i]);
  }
  curve.precisions.push(1);
  curve.recalls.push(0);
  return curve;
}

/** Per-class counts: true positives, predicted positives (TP + FP) and actual positives (TP + FN). */
type ClassCounts = { truePositives: number[]; predicted: number[]; actual: number[] };

function countPerClass(yTrue: number[][], yPred: number[][]): ClassCounts {
  const columns = yTrue[0].length;
  const counts: ClassCounts = {
    truePositives: new Array(columns).fill(0),
    predicted: new Array(columns).fill(0),
    actual: new Array(columns).fill(0),
  };
  yTrue.forEach((trueRow, i) => {
    trueRow.forEach((isTrue, j) => {
      const isPredicted = yPred[i][j];
      counts.truePositives[j] += isTrue * isPredicted;
      counts.predicted[j] += isPredicted;
      counts.actual[j] += isTrue;
    });
  });
  return counts;
}

function scoresPerClass(counts: ClassCounts): ScoresPerClass {
  const precision = counts.truePositives.map((tp, j) => divideOrZero(tp, counts.predicted[j]));
  const recall = counts.truePositives.map((tp, j) => divideOrZero(tp, counts.actual[j]));
  const f1 = precision.map((p, j) => f1Score(p, recall[j]));
  return { precision, recall, f1, support: counts.actual };
}

/** F1 from precision and recall; 0 when both are 0. */
export function f1Score(precision: number, recall: number): number {
  const denominator = precision + recall;
  return denominator === 0 ? 0 : (2 * precision * recall) / denominator;
}

/** `numerator / denominator`, or 0 when the denominator is 0 (scikit-learn's `zero_division=0`). */
export function divideOrZero(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Mean of `values` weighted by `weights`; 0 when the weights sum to 0. */
export function weightedMean(values: number[], weights: number[]): number {
  return divideOrZero(sum(values.map((value, i) => value * weights[i])), sum(weights));
}

/** Sum of the values (0 for none). */
export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
