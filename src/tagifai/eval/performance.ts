/**
 * The performance report of a model on a test set: overall (support-weighted), per class, per
 * slice, and its depth (precision-recall curves, worst classes, most confident mistakes, and for
 * multi-class, accuracy, macro averages and the confusion matrix).
 */
import type { z } from "zod";
import type { Task } from "../data/dataset.js";
import { assertSameShape, invalidInput } from "./label-matrices.js";
import { type PrecisionRecallCurve, precisionRecallCurve, precisionRecallFscoreSupport } from "./scores.js";
import { getSliceMetrics, SLICES, type SliceFunction, type SliceRow } from "./slices.js";
import { type Performance, type storedCurveSchema, toMetrics } from "./stored-performance.js";

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
