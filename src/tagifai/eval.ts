/**
 * Evaluation: precision / recall / F1 of multi-label predictions overall, per class and on data
 * slices, plus the precision-recall curve used to pick the decision threshold.
 *
 * Every number follows scikit-learn's definitions with `zero_division=0`: a 0/0 precision or recall
 * is 0, and F1 is 0 when precision + recall is 0. Inputs are plain arrays: label matrices are
 * `rows × classes` of 0/1 indicators.
 */
import { z } from "zod";
import { behavioralReportSchema } from "./behavioral/suite.js";
import type { Task } from "./data/dataset.js";
import { TagifaiError } from "./errors.js";

/** Schema of one set of scores. */
export const metricsSchema = z.object({
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  num_samples: z.number().int().nonnegative(),
});

/** Precision, recall and F1 of some predictions, and how many samples they were measured on. */
export type Metrics = z.infer<typeof metricsSchema>;

/** Schema of a stored precision-recall curve: equal-length arrays, one entry per kept threshold. */
export const storedCurveSchema = z.object({
  precision: z.array(z.number()),
  recall: z.array(z.number()),
  thresholds: z.array(z.number()),
});

/** Schema of one of the most confident mistakes on a test set. */
export const mistakeSchema = z.object({
  text: z.string(),
  true: z.array(z.string()),
  predicted: z.array(z.string()),
  /** How sure the model was of the mistake (see {@link getPerformanceReport}). */
  probability: z.number(),
});

/** Schema of a run's performance report; loose, so later stages can add sections. */
export const performanceSchema = z.looseObject({
  overall: metricsSchema,
  class: z.record(z.string(), metricsSchema),
  slices: z.record(z.string(), metricsSchema),
  /** Multi-class: share of rows whose class is predicted. */
  accuracy: z.number().optional(),
  /** Multi-class: unweighted mean over classes. */
  macro: metricsSchema.optional(),
  /** Multi-class: `matrix[true][predicted]` counts, rows and columns in `labels` order. */
  confusion_matrix: z
    .object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number().int())) })
    .optional(),
  /** Multi-label: the decision threshold of each class. */
  thresholds: z.record(z.string(), z.number()).optional(),
  /** Per class with a positive test row, its precision-recall curve (at most 50 points). */
  pr_curves: z.record(z.string(), storedCurveSchema).optional(),
  /** The classes with the lowest F1, worst first. */
  worst_classes: z.array(metricsSchema.extend({ class: z.string() })).optional(),
  /** The wrong predictions the model was most sure of, surest first. */
  confident_mistakes: z.array(mistakeSchema).optional(),
  /** The pass rate and outcomes of the behavioral tests (set by `tagifai test-model`). */
  behavioral: behavioralReportSchema.optional(),
});

/** Performance of a model on a test set: overall, per class, and per data slice (with their "overall"). */
export type Performance = z.infer<typeof performanceSchema>;

/** How per-class scores are combined into one, as in scikit-learn. */
export type Average = "micro" | "macro" | "weighted";

/** Per-class scores; `support` is the number of true labels of each class. */
export type ScoresPerClass = { precision: number[]; recall: number[]; f1: number[]; support: number[] };

/** Averaged scores; `support` is the number of samples (rows). */
export type AveragedScores = { precision: number; recall: number; f1: number; support: number };

/** A precision-recall curve: `precisions` and `recalls` have one entry more than `thresholds`. */
export type PrecisionRecallCurve = { precisions: number[]; recalls: number[]; thresholds: number[] };

/** What a slicing function sees of a project. */
export type SliceRow = { text: string; tags: string[] };

/** Tells whether a project belongs to a slice. */
export type SliceFunction = (row: SliceRow) => boolean;

/** The built-in slices: projects we want to watch even when the overall numbers look fine. */
export const SLICES: Record<string, SliceFunction> = {
  cv_transformers: (row) => row.tags.includes("computer-vision") && row.tags.includes("transformers"),
  short_text: (row) => row.text.split(/\s+/).filter((token) => token !== "").length < 7,
};

/** Key of the combined entry in the slice metrics. */
const SLICES_OVERALL = "overall";

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

/**
 * Micro-averaged metrics on each slice, plus their combination under "overall": the mean of the
 * slices' precision, recall and F1 weighted by their number of samples, with `num_samples` their sum
 * (all zeros when no slice has a sample). A slice with no samples is left out.
 * @param yTrue true labels, `rows × classes` of 0/1
 * @param yPred predicted labels, same shape
 * @param masks for each slice name, one flag per row telling whether the row is in the slice
 * @returns metrics by slice name, with `num_samples` = rows in the slice
 * @throws TagifaiError INVALID_INPUT on bad matrices, a mask whose length is not the number of rows,
 *   or a slice named "overall"
 */
export function getSliceMetrics(
  yTrue: number[][],
  yPred: number[][],
  masks: Record<string, boolean[]>,
): Record<string, Metrics> {
  assertSameShape("yTrue", yTrue, "yPred", yPred);
  const metrics: Record<string, Metrics> = {};
  for (const [name, mask] of Object.entries(masks)) {
    if (name === SLICES_OVERALL)
      throw invalidInput(`"${SLICES_OVERALL}" is reserved and cannot name a slice`);
    if (mask.length !== yTrue.length)
      throw invalidInput(
        `mask of slice "${name}" has ${mask.length} entries but there are ${yTrue.length} rows`,
      );
    if (!mask.includes(true)) continue;
    const scores = precisionRecallFscoreSupport(
      yTrue.filter((_, i) => mask[i]),
      yPred.filter((_, i) => mask[i]),
      "micro",
    );
    metrics[name] = toMetrics(scores);
  }
  metrics[SLICES_OVERALL] = combineSlices(Object.values(metrics));
  return metrics;
}

/**
 * The performance report of predictions on a test set.
 * @param args.yTrue true labels, `rows × classes` of 0/1
 * @param args.yPred predicted labels, same shape
 * @param args.classes class names, one per column
 * @param args.rows the projects behind the rows; slices are only computed when given
 * @param args.slices slicing functions (default {@link SLICES})
 * @returns overall = support-weighted metrics (`num_samples` = rows), class = per-class metrics
 *   (`num_samples` = the class's true labels), slices = {@link getSliceMetrics} (or `{}` without rows)
 * @throws TagifaiError INVALID_INPUT on bad matrices, or when the number of classes or rows disagrees
 *   with the matrices
 */
export function getMetrics(args: {
  yTrue: number[][];
  yPred: number[][];
  classes: string[];
  rows?: SliceRow[];
  slices?: Record<string, SliceFunction>;
}): Performance {
  const { yTrue, yPred, classes, rows, slices = SLICES } = args;
  const { columns } = assertSameShape("yTrue", yTrue, "yPred", yPred);
  if (classes.length !== columns)
    throw invalidInput(`there are ${classes.length} classes but the label matrices have ${columns} columns`);
  if (rows && rows.length !== yTrue.length)
    throw invalidInput(`there are ${rows.length} rows but the label matrices have ${yTrue.length}`);

  const perClass = precisionRecallFscoreSupport(yTrue, yPred, null);
  const classMetrics = Object.fromEntries(
    classes.map((name, i) => [
      name,
      toMetrics({
        precision: perClass.precision[i],
        recall: perClass.recall[i],
        f1: perClass.f1[i],
        support: perClass.support[i],
      }),
    ]),
  );
  const masks = rows
    ? Object.fromEntries(
        Object.entries(slices).map(([name, inSlice]) => [name, rows.map((row) => inSlice(row))]),
      )
    : undefined;
  return {
    overall: toMetrics(precisionRecallFscoreSupport(yTrue, yPred, "weighted")),
    class: classMetrics,
    slices: masks ? getSliceMetrics(yTrue, yPred, masks) : {},
  };
}

/** Points kept per stored precision-recall curve. */
export const MAX_CURVE_POINTS = 50;

/** Classes listed as the worst. */
const WORST_CLASSES = 5;

/** Mistakes listed as the most confident. */
const CONFIDENT_MISTAKES = 10;

/**
 * The full performance report of a model on a test set: {@link getMetrics} (overall weighted,
 * per class, slices), and its depth: each class's precision-recall curve (downsampled to at most
 * {@link MAX_CURVE_POINTS} points), the worst classes (lowest F1, 5), the most confident mistakes
 * (10); multi-label: each class's threshold; multi-class: accuracy, macro averages and the confusion
 * matrix.
 * @param args.task the task
 * @param args.yTrue true labels, `rows × classes` of 0/1 (one-hot for multi-class)
 * @param args.yProb predicted probabilities, same shape
 * @param args.yPred the model's decisions, same shape
 * @param args.classes class names, one per column
 * @param args.texts the rows' texts (shown with the mistakes)
 * @param args.thresholds multi-label: one per class
 * @param args.rows what the slicing functions see of each row; no slices when omitted
 * @param args.slices slicing functions (default {@link SLICES})
 * @returns the report; a mistake's `probability` is, multi-class, that of the predicted class, and
 *   multi-label, the surest wrong decision's (p for a false positive, 1 − p for a missed class)
 * @throws TagifaiError INVALID_INPUT on inconsistent shapes
 */
export function getPerformanceReport(args: {
  task: Task;
  yTrue: number[][];
  yProb: number[][];
  yPred: number[][];
  classes: string[];
  texts: string[];
  thresholds: readonly number[];
  rows?: SliceRow[];
  slices?: Record<string, SliceFunction>;
}): Performance {
  const { task, yTrue, yProb, yPred, classes, texts, rows, slices } = args;
  assertSameShape("yTrue", yTrue, "yProb", yProb);
  const labelsOf = (row: number[]) => classes.filter((_, c) => row[c] === 1);
  const performance = getMetrics({ yTrue, yPred, classes, rows, slices });
  const curves = classes.flatMap((name, c) => {
    const labels = yTrue.map((row) => row[c]);
    if (!labels.includes(1)) return [];
    return [
      [
        name,
        downsampleCurve(
          precisionRecallCurve(
            labels,
            yProb.map((row) => row[c]),
          ),
        ),
      ] as const,
    ];
  });
  const worst = Object.entries(performance.class)
    .map(([name, metrics]) => ({ class: name, ...metrics }))
    .sort((a, b) => a.f1 - b.f1)
    .slice(0, WORST_CLASSES);
  const mistakes = yTrue
    .flatMap((trueRow, i) => {
      const wrong = trueRow.flatMap((t, c) => (t !== yPred[i][c] ? [c] : []));
      if (wrong.length === 0) return [];
      const sureness = (c: number) => (yPred[i][c] === 1 ? yProb[i][c] : 1 - yProb[i][c]);
      const probability =
        task === "multi-class" ? yProb[i][yPred[i].indexOf(1)] : Math.max(...wrong.map(sureness));
      return [{ text: texts[i], true: labelsOf(trueRow), predicted: labelsOf(yPred[i]), probability }];
    })
    .sort((a, b) => b.probability - a.probability)
    .slice(0, CONFIDENT_MISTAKES);
  const depth = {
    pr_curves: Object.fromEntries(curves),
    worst_classes: worst,
    confident_mistakes: mistakes,
  };
  if (task === "multi-label")
    return {
      ...performance,
      thresholds: Object.fromEntries(classes.map((name, c) => [name, args.thresholds[c]])),
      ...depth,
    };
  return {
    ...performance,
    accuracy: precisionRecallFscoreSupport(yTrue, yPred, "micro").f1,
    macro: toMetrics(precisionRecallFscoreSupport(yTrue, yPred, "macro")),
    confusion_matrix: confusionMatrix(yTrue, yPred, classes),
    ...depth,
  };
}

/** `matrix[true][predicted]` counts of one-hot rows. */
function confusionMatrix(
  yTrue: number[][],
  yPred: number[][],
  classes: string[],
): { labels: string[]; matrix: number[][] } {
  const matrix = classes.map(() => new Array<number>(classes.length).fill(0));
  yTrue.forEach((row, i) => {
    matrix[row.indexOf(1)][yPred[i].indexOf(1)] += 1;
  });
  return { labels: classes, matrix };
}

/** The thresholded points of a curve, at most MAX_CURVE_POINTS of them evenly spread, rounded to 1e-4. */
function downsampleCurve(curve: PrecisionRecallCurve): z.infer<typeof storedCurveSchema> {
  const n = curve.thresholds.length;
  const kept =
    n <= MAX_CURVE_POINTS
      ? curve.thresholds.map((_, i) => i)
      : [
          ...new Set(
            Array.from({ length: MAX_CURVE_POINTS }, (_, k) =>
              Math.round((k * (n - 1)) / (MAX_CURVE_POINTS - 1)),
            ),
          ),
        ];
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    precision: kept.map((i) => round(curve.precisions[i])),
    recall: kept.map((i) => round(curve.recalls[i])),
    thresholds: kept.map((i) => round(curve.thresholds[i])),
  };
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

/** Combine slice metrics: means weighted by `num_samples`, which are summed. */
function combineSlices(slices: Metrics[]): Metrics {
  const weights = slices.map((slice) => slice.num_samples);
  const meanOf = (score: "precision" | "recall" | "f1") =>
    weightedMean(
      slices.map((slice) => slice[score]),
      weights,
    );
  return {
    precision: meanOf("precision"),
    recall: meanOf("recall"),
    f1: meanOf("f1"),
    num_samples: sum(weights),
  };
}

function toMetrics(scores: AveragedScores): Metrics {
  return { precision: scores.precision, recall: scores.recall, f1: scores.f1, num_samples: scores.support };
}

/** F1 from precision and recall; 0 when both are 0. */
function f1Score(precision: number, recall: number): number {
  const denominator = precision + recall;
  return denominator === 0 ? 0 : (2 * precision * recall) / denominator;
}

function divideOrZero(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Mean of `values` weighted by `weights`; 0 when the weights sum to 0. */
function weightedMean(values: number[], weights: number[]): number {
  return divideOrZero(sum(values.map((value, i) => value * weights[i])), sum(weights));
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Check that two label matrices are non-empty, rectangular and of the same shape.
 * @returns their shape
 */
function assertSameShape(
  nameA: string,
  a: number[][],
  nameB: string,
  b: number[][],
): { rows: number; columns: number } {
  const shapeA = shapeOf(nameA, a);
  const shapeB = shapeOf(nameB, b);
  if (shapeA.rows !== shapeB.rows || shapeA.columns !== shapeB.columns)
    throw invalidInput(
      `${nameA} is ${shapeA.rows}×${shapeA.columns} but ${nameB} is ${shapeB.rows}×${shapeB.columns}`,
    );
  return shapeA;
}

function shapeOf(name: string, matrix: number[][]): { rows: number; columns: number } {
  if (matrix.length === 0) throw invalidInput(`${name} has no rows`);
  const columns = matrix[0].length;
  const raggedRow = matrix.findIndex((row) => row.length !== columns);
  if (raggedRow >= 0)
    throw invalidInput(
      `${name} is ragged: row 0 has ${columns} columns but row ${raggedRow} has ${matrix[raggedRow].length}`,
    );
  return { rows: matrix.length, columns };
}

function assertBinary(name: string, matrix: number[][]): void {
  matrix.forEach((row, i) => {
    const j = row.findIndex((value) => !isBinary(value));
    if (j >= 0) throw invalidInput(`${name}[${i}][${j}] is ${row[j]}, not 0 or 1`);
  });
}

function isBinary(value: number): boolean {
  return value === 0 || value === 1;
}

function invalidInput(message: string): TagifaiError {
  return new TagifaiError("INVALID_INPUT", message);
}
