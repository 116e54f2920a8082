/**
 * The linear family's classifier: one-vs-rest logistic regression (logistic.ts) for multi-label
 * tasks, and for multi-class tasks multinomial softmax regression (softmax.ts, scikit-learn's
 * `LogisticRegression` default) or one-vs-rest; with its inverse L2 strength `C` fixed or chosen on
 * the validation split from a grid (`"auto"`: 1, 3, 10, 30, 100).
 */
import { z } from "zod";
import type { Task } from "../../data.js";
import {
  type FitReport,
  fitOneVsRest,
  type LogisticModel,
  logisticOptionsSchema,
  predictLogistic,
} from "./logistic.js";
import { fitSoftmax, predictSoftmax } from "./softmax.js";
import type { SparseMatrix, SparseRow } from "./sparse.js";

/** The grid `C: "auto"` searches. */
export const AUTO_C_GRID = [1, 3, 10, 30, 100] as const;

/** Schema of the classifier's options: the logistic regression's, with `C` a grid and a multi-class mode. */
export const classifierOptionsSchema = logisticOptionsSchema.extend({
  /**
   * Inverse L2 strength (as scikit-learn's `C`); a list of candidates, or "auto" for
   * {@link AUTO_C_GRID}: each is fitted on the training split and the one with the best validation
   * weighted F1 is kept (ties: the smaller C). Default 10, the scikit-learn reference's.
   */
  C: z.union([z.number().positive(), z.literal("auto"), z.array(z.number().positive()).min(1)]).default(10),
  /**
   * How a multi-class task is learned: "multinomial" (one softmax over the classes, scikit-learn's
   * LogisticRegression default; +0.7 point of test F1 on bench:quality's areas task) or "ovr"
   * (one-vs-rest, probabilities normalized). Multi-label tasks are always one-vs-rest.
   */
  multiClass: z.enum(["multinomial", "ovr"]).default("multinomial"),
});

/** The classifier's options, defaults applied. */
export type ClassifierOptions = z.infer<typeof classifierOptionsSchema>;

/** How a classifier turns margins into probabilities. */
export type ClassifierOutput = "sigmoid" | "softmax";

/** A fitted classifier: the logistic model and its output function. */
export interface Classifier extends LogisticModel {
  output: ClassifierOutput;
}

/** Validation weighted F1 of one candidate C. */
export interface CandidateScore {
  C: number;
  valF1: number;
}

/**
 * The C values a configuration asks for.
 * @param C a number, a list, or "auto"
 * @returns the candidates, ascending, without repeats
 */
export function cCandidates(C: ClassifierOptions["C"]): number[] {
  const list = C === "auto" ? [...AUTO_C_GRID] : typeof C === "number" ? [C] : C;
  return [...new Set(list)].sort((a, b) => a - b);
}

/**
 * Fit a classifier with one C.
 * @param X training rows
 * @param Y their labels, `rows × classes` of 0/1 (one-hot for a softmax)
 * @param options the options (`C` a number)
 * @param output "softmax" for a multinomial model, "sigmoid" for one-vs-rest
 * @returns the classifier, and its solver's iterations and convergence (per class for one-vs-rest,
 *   one entry for a softmax)
 * @throws TagifaiError INVALID_INPUT as `fitOneVsRest` / `fitSoftmax`
 */
export function fitClassifier(
  X: SparseMatrix,
  Y: readonly (readonly number[])[],
  options: Omit<ClassifierOptions, "C"> & { C: number },
  output: ClassifierOutput,
): { classifier: Classifier; report: FitReport } {
  const { multiClass: _, ...logistic } = options;
  if (output === "sigmoid") {
    const { model, report } = fitOneVsRest(X, Y, logistic);
    return { classifier: { ...model, output }, report };
  }
  const { model, report } = fitSoftmax(X, Y, logistic);
  return {
    classifier: { ...model, output },
    report: { iterations: [report.iterations], converged: [report.converged] },
  };
}

/**
 * @param classifier a fitted classifier
 * @param rows sparse rows with its features
 * @returns `rows × classes` probabilities (softmax rows sum to 1)
 */
export function predictClassifier(classifier: Classifier, rows: readonly SparseRow[]): number[][] {
  return classifier.output === "softmax"
    ? predictSoftmax(classifier, rows)
    : predictLogistic(classifier, rows);
}

/**
 * The output a task and options call for.
 * @param task the model's task
 * @param options the classifier options
 */
export function outputFor(task: Task, options: ClassifierOptions): ClassifierOutput {
  return task === "multi-class" && options.multiClass === "multinomial" ? "softmax" : "sigmoid";
}
