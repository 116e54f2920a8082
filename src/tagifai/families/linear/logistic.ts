/**
 * One-vs-rest logistic regression on sparse rows: one binary classifier per class on the
 * L2-penalized, optionally class-balanced log loss (scikit-learn's `LogisticRegression(penalty="l2",
 * C, class_weight="balanced")` per class, intercept not penalized). All classes are trained together
 * by a truncated Newton method (Newton–CG with a backtracking line search, per class), so that each
 * pass over the sparse rows serves every class at once. Deterministic.
 */
import { z } from "zod";
import { TagifaiError } from "../../errors.js";
import { parseWith } from "../../schema.js";
import { multiplyDense, multiplyDenseTransposed, type SparseMatrix, type SparseRow } from "./sparse.js";

/** Schema of the training options; defaults found on the validation split. */
export const logisticOptionsSchema = z.strictObject({
  /** Inverse L2 strength: larger fits the training data more closely. */
  C: z.number().positive().default(10),
  /** "balanced": weight each binary problem's samples by n / (2 · count of their label); "none": 1. */
  classWeight: z.enum(["balanced", "none"]).default("balanced"),
  /** Newton iterations, at most. */
  maxIterations: z.number().int().min(1).default(50),
  /**
   * A class has converged when every entry of the gradient of scikit-learn 1.2's objective
   * (`Σ sᵢ·loss + ‖w‖²/(2C)`, not divided by the sum of the weights: its lbfgs `gtol`) is at most this.
   */
  tolerance: z.number().positive().default(1e-4),
});
/** Training options, defaults applied. */
export type LogisticOptions = z.infer<typeof logisticOptionsSchema>;

/**
 * The binary problems of one-vs-rest training, side by side: column `c` of each `rows × classes`
 * matrix (row-major) belongs to class `c`'s problem.
 */
export interface OneVsRestProblem {
  X: SparseMatrix;
  numClasses: number;
  /** 0/1 labels. */
  labels: Float64Array;
  /** Sample weights divided by their column's sum, so that each column sums to 1. */
  weights: Float64Array;
  /** Per class, the L2 strength of the normalized objective: 1 / (C · Σ sample weights). */
  l2: Float64Array;
  /** Per class, Σ sample weights: scikit-learn's objective is this times the normalized one. */
  scale: Float64Array;
}

/** A fitted one-vs-rest model: weights feature-major (`weights[feature · numClasses + class]`). */
export interface LogisticModel {
  numFeatures: number;
  numClasses: number;
  weights: Float32Array;
  biases: Float32Array;
}

/** How the training of each class went: Newton iterations run, and whether the tolerance was met. */
export interface FitReport {
  iterations: number[];
  converged: boolean[];
}

const ARMIJO = 1e-4;
const MAX_HALVINGS = 30;
const MAX_CG_STEPS = 200;

/**
 * Set up the one-vs-rest problems.
 * @param X the rows
 * @param Y their labels, `rows × classes` of 0/1
 * @param options the training options (validated)
 * @returns the problems
 * @throws TagifaiError INVALID_INPUT when the shapes disagree or a class has no positive or no
 *   negative row
 */
export function oneVsRestProblem(
  X: SparseMatrix,
  Y: readonly (readonly number[])[],
  options: LogisticOptions,
): OneVsRestProblem {
  if (Y.length !== X.rows)
    throw new TagifaiError("INVALID_INPUT", `X has ${X.rows} rows but Y has ${Y.length}`);
  const numClasses = Y[0]?.length ?? 0;
  const labels = new Float64Array(X.rows * numClasses);
  const weights = new Float64Array(X.rows * numClasses);
  const l2 = new Float64Array(numClasses);
  const scale = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const y = Y.map((row) => row[c]);
    const positives = sum(y);
    if (positives === 0 || positives === y.length)
      throw new TagifaiError(
        "INVALID_INPUT",
        `Class ${c} needs positive and negative rows, has ${positives} of ${y.length} positive`,
      );
    const sampleWeights = sampleWeightsFor(y, options.classWeight);
    const total = sum(sampleWeights);
    y.forEach((label, i) => {
      labels[i * numClasses + c] = label;
      weights[i * numClasses + c] = sampleWeights[i] / total;
    });
    l2[c] = 1 / (options.C * total);
    scale[c] = total;
  }
  return { X, numClasses, labels, weights, l2, scale };
}

/**
 * Sample weights of a binary problem.
 * @param y 0/1 labels
 * @param classWeight "balanced" gives n / (2 · count of the sample's label); "none" gives 1
 * @returns one weight per sample
 */
export function sampleWeightsFor(
  y: readonly number[],
  classWeight: LogisticOptions["classWeight"],
): Float64Array {
  if (classWeight === "none") return new Float64Array(y.length).fill(1);
  const positives = sum(y);
  const negatives = y.length - positives;
  return Float64Array.from(y, (label) =>
    label === 1 ? y.length / (2 * positives) : y.length / (2 * negatives),
  );
}

/**
 * Each class's training objective, scaled by 1 / (C · Σs) so that its size does not depend on the
 * data size: `Σᵢ sᵢ·logloss(yᵢ, w·xᵢ + b) / Σs + ‖w‖² / (2 · C · Σs)`, the same minimizer as
 * scikit-learn's `½‖w‖² + C·Σᵢ sᵢ·logloss`.
 * @param problem the problems
 * @param params `(features + 1) × classes`, row-major: the weights, then a row of biases
 * @param gradient where to write the gradient (same shape as `params`)
 * @returns the objective of each class
 */
export function oneVsRestObjective(
  problem: OneVsRestProblem,
  params: Float64Array,
  gradient: Float64Array,
): Float64Array {
  const size = problem.X.rows * problem.numClasses;
  const margins = marginsOf(problem, params, new Float64Array(size));
  const residuals = new Float64Array(size);
  const values = lossAndDerivatives(problem, margins, params, residuals, new Float64Array(size));
  gradientOf(problem, params, residuals, gradient);
  return values;
}

/**
 * Fit one binary classifier per class.
 * @param X the rows
 * @param Y their labels, `rows × classes` of 0/1
 * @param options the training options (defaults for those left out)
 * @returns the model (weights rounded to 32-bit floats, as saved) and a report per class
 * @throws TagifaiError INVALID_INPUT when the shapes disagree or a class has no positive or no
 *   negative row; INVALID_PARAMS for bad options
 */
export function fitOneVsRest(
  X: SparseMatrix,
  Y: readonly (readonly number[])[],
  options: z.input<typeof logisticOptionsSchema> = {},
): { model: LogisticModel; report: FitReport } {
  const checked = parseWith(logisticOptionsSchema, options, {
    code: "INVALID_PARAMS",
    what: "logistic regression options",
  });
  const problem = oneVsRestProblem(X, Y, checked);
  const K = problem.numClasses;
  const params = new Float64Array((X.cols + 1) * K);
  const margins = new Float64Array(X.rows * K);
  const residuals = new Float64Array(X.rows * K);
  const curvatures = new Float64Array(X.rows * K);
  const gradient = new Float64Array(params.length);
  const stepMargins = new Float64Array(X.rows * K);
  const report: FitReport = { iterations: new Array(K).fill(0), converged: new Array(K).fill(false) };
  const stalled = new Array<boolean>(K).fill(false);

  for (let iteration = 0; iteration < checked.maxIterations; iteration++) {
    const values = lossAndDerivatives(problem, margins, params, residuals, curvatures);
    gradientOf(problem, params, residuals, gradient);
    // scikit-learn's gradient: the normalized one times the class's sum of sample weights.
    const gradientMax = columnMaxAbs(gradient, K).map((norm, c) => norm * problem.scale[c]);
    const active = gradientMax.map((norm, c) => !stalled[c] && norm > checked.tolerance);
    gradientMax.forEach((norm, c) => {
      report.converged[c] = norm <= checked.tolerance;
    });
    if (!active.includes(true)) break;
    const direction = newtonDirection(problem, curvatures, gradient, active);
    marginsOf(problem, direction, stepMargins);
    const steps = lineSearch(problem, { margins, params, values, gradient, direction, stepMargins }, active);
    for (let c = 0; c < K; c++) {
      if (!active[c]) continue;
      report.iterations[c]++;
      if (steps[c] === 0) stalled[c] = true;
    }
    addScaledColumns(params, direction, steps, K);
    addScaledColumns(margins, stepMargins, steps, K);
  }
  return {
    model: toLinearModel(params, X.cols, K),
    report,
  };
}

/**
 * Probabilities of each class.
 * @param model a fitted model
 * @param rows sparse rows with the model's features
 * @returns `rows × classes` probabilities σ(w·x + b)
 */
export function predictLogistic(model: LogisticModel, rows: readonly SparseRow[]): number[][] {
  return rows.map((row) => Array.from(linearMargins(model, row), sigmoid));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** ln(1 + eᶻ) without overflow. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * Per class (column) sums of `a ⊙ b` over the first `rows` rows (default: all) of `K`-wide matrices.
 */
function columnDots(a: Float64Array, b: Float64Array, K: number, rows = a.length / K): Float64Array {
  const dots = new Float64Array(K);
  for (let base = 0; base < rows * K; base += K)
    for (let c = 0; c < K; c++) dots[c] += a[base + c] * b[base + c];
  return dots;
}

/** `y[j·K + c] += scales[c] · x[j·K + c]` over the first `rows` rows (default: all). */
function addScaledColumns(
  y: Float64Array,
  x: Float64Array,
  scales: ArrayLike<number>,
  K: number,
  rows = y.length / K,
): void {
  for (let base = 0; base < rows * K; base += K)
    for (let c = 0; c < K; c++) y[base + c] += scales[c] * x[base + c];
}

/** Per class (column) largest absolute entry of a `K`-wide matrix. */
function columnMaxAbs(a: Float64Array, K: number): number[] {
  const norms = new Array<number>(K).fill(0);
  for (let base = 0; base < a.length; base += K)
    for (let c = 0; c < K; c++) norms[c] = Math.max(norms[c], Math.abs(a[base + c]));
  return norms;
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** `X·W + b` for `params` = W stacked on a row of biases b. */
function marginsOf(problem: OneVsRestProblem, params: Float64Array, out: Float64Array): Float64Array {
  const { X, numClasses: K } = problem;
  multiplyDense(X, params, K, out);
  const biasBase = X.cols * K;
  for (let base = 0; base < out.length; base += K)
    for (let c = 0; c < K; c++) out[base + c] += params[biasBase + c];
  return out;
}

/**
 * Per class objective at the given margins; writes the loss's derivatives with respect to each
 * margin (`residuals`: s·(σ − y)) and its second derivatives (`curvatures`: s·σ·(1 − σ)).
 */
function lossAndDerivatives(
  problem: OneVsRestProblem,
  margins: Float64Array,
  params: Float64Array,
  residuals: Float64Array,
  curvatures: Float64Array,
): Float64Array {
  const { labels, weights, numClasses: K } = problem;
  const values = penalties(problem, params, params);
  for (let base = 0; base < margins.length; base += K)
    for (let c = 0; c < K; c++) {
      const k = base + c;
      const z = margins[k];
      const p = sigmoid(z);
      values[c] += weights[k] * (softplus(z) - labels[k] * z);
      residuals[k] = weights[k] * (p - labels[k]);
      curvatures[k] = weights[k] * p * (1 - p);
    }
  return values;
}

/** Per class `l2 · a_w · b_w / 2` over the weight rows (biases are not penalized). */
function penalties(problem: OneVsRestProblem, a: Float64Array, b: Float64Array): Float64Array {
  const dots = columnDots(a, b, problem.numClasses, problem.X.cols);
  return dots.map((dot, c) => (problem.l2[c] * dot) / 2);
}

/** The gradient from the residuals: `Xᵀ·R + l2·W`, and the residuals' column sums for the biases. */
function gradientOf(
  problem: OneVsRestProblem,
  params: Float64Array,
  residuals: Float64Array,
  out: Float64Array,
): void {
  backProject(problem, residuals, out);
  addPenaltyGradient(problem, params, out);
}

/** `Xᵀ·R`, then a row of `R`'s column sums. */
function backProject(problem: OneVsRestProblem, R: Float64Array, out: Float64Array): void {
  const { X, numClasses: K } = problem;
  multiplyDenseTransposed(X, R, K, out);
  const biasBase = X.cols * K;
  out.fill(0, biasBase);
  for (let base = 0; base < R.length; base += K) for (let c = 0; c < K; c++) out[biasBase + c] += R[base + c];
}

function addPenaltyGradient(problem: OneVsRestProblem, params: Float64Array, out: Float64Array): void {
  const K = problem.numClasses;
  addScaledColumns(out, params, problem.l2, K, problem.X.cols);
}

/**
 * Approximately solve H·d = −g for each active class by conjugate gradients (lockstep over classes),
 * stopping a class when its residual falls below min(0.5, √‖g‖) · ‖g‖ (a superlinear forcing term).
 * @returns the directions, zero for inactive classes
 */
function newtonDirection(
  problem: OneVsRestProblem,
  curvatures: Float64Array,
  gradient: Float64Array,
  active: boolean[],
): Float64Array {
  const K = problem.numClasses;
  const solving = [...active];
  const direction = new Float64Array(gradient.length);
  const residual = new Float64Array(gradient.length);
  addScaledColumns(
    residual,
    gradient,
    solving.map((isSolving) => (isSolving ? -1 : 0)),
    K,
  );
  const search = Float64Array.from(residual);
  const product = new Float64Array(gradient.length);
  const scratch = new Float64Array(problem.X.rows * K);
  let squared = columnDots(residual, residual, K);
  const targets = squared.map((norm2) => Math.min(0.25, Math.sqrt(norm2)) * norm2);
  for (let step = 0; step < MAX_CG_STEPS; step++) {
    squared.forEach((norm2, c) => {
      if (norm2 <= targets[c]) solving[c] = false;
    });
    if (!solving.includes(true)) break;
    hessianTimes(problem, curvatures, search, product, scratch);
    const curvature = columnDots(search, product, K);
    const alphas = squared.map((norm2, c) => (solving[c] ? norm2 / curvature[c] : 0));
    addScaledColumns(direction, search, alphas, K);
    addScaledColumns(
      residual,
      product,
      alphas.map((alpha) => -alpha),
      K,
    );
    const next = columnDots(residual, residual, K);
    const betas = next.map((norm2, c) => (solving[c] ? norm2 / squared[c] : 0));
    for (let base = 0; base < search.length; base += K)
      for (let c = 0; c < K; c++) search[base + c] = residual[base + c] + betas[c] * search[base + c];
    squared = next;
  }
  return direction;
}

/** `H·v` per class, H = Xᵀ·diag(curvatures)·X (with the bias column) + l2 on the weights. */
function hessianTimes(
  problem: OneVsRestProblem,
  curvatures: Float64Array,
  v: Float64Array,
  out: Float64Array,
  scratch: Float64Array,
): void {
  marginsOf(problem, v, scratch);
  for (let k = 0; k < scratch.length; k++) scratch[k] *= curvatures[k];
  backProject(problem, scratch, out);
  addPenaltyGradient(problem, v, out);
}

/** Where a line search starts: the current point, its values and gradient, and the direction. */
interface LineSearchStart {
  margins: Float64Array;
  params: Float64Array;
  values: Float64Array;
  gradient: Float64Array;
  direction: Float64Array;
  stepMargins: Float64Array;
}

/**
 * Backtracking (halving) line search with the Armijo condition, per active class; each trial costs
 * one pass over the margins, since margins move linearly along the direction.
 * @returns per class the step size taken (0 when none decreases the objective, or inactive)
 */
function lineSearch(problem: OneVsRestProblem, start: LineSearchStart, active: boolean[]): Float64Array {
  const { labels, weights, numClasses: K } = problem;
  const { margins, params, values, gradient, direction, stepMargins } = start;
  const slopes = columnDots(gradient, direction, K);
  const penalty = penalties(problem, params, params);
  const cross = penalties(problem, params, direction);
  const quadratic = penalties(problem, direction, direction);
  const steps = new Float64Array(K);
  const pending = active.map((isActive, c) => isActive && slopes[c] < 0);
  let size = 1;
  for (let halving = 0; halving <= MAX_HALVINGS && pending.includes(true); halving++, size /= 2) {
    const trial = penalty.map((value, c) => value + 2 * size * cross[c] + size * size * quadratic[c]);
    for (let base = 0; base < margins.length; base += K)
      for (let c = 0; c < K; c++) {
        const k = base + c;
        const z = margins[k] + size * stepMargins[k];
        trial[c] += weights[k] * (softplus(z) - labels[k] * z);
      }
    pending.forEach((isPending, c) => {
      if (isPending && trial[c] <= values[c] + ARMIJO * size * slopes[c]) {
        steps[c] = size;
        pending[c] = false;
      }
    });
  }
  return steps;
}

/**
 * A fitted model from the optimizer's parameter vector (weights `cols × classes`, then the biases).
 * @param params the parameters, weights first
 * @param cols number of features
 * @param numClasses number of classes
 * @returns the model, in 32-bit floats
 */
export function toLinearModel(params: Float64Array, cols: number, numClasses: number): LogisticModel {
  return {
    numFeatures: cols,
    numClasses,
    weights: Float32Array.from(params.subarray(0, cols * numClasses)),
    biases: Float32Array.from(params.subarray(cols * numClasses)),
  };
}

/**
 * The margins w·x + b of one sparse row for every class.
 * @param model a fitted model
 * @param row a sparse row with the model's features
 * @returns one margin per class
 */
export function linearMargins(model: LogisticModel, row: SparseRow): Float64Array {
  const { numClasses, weights, biases } = model;
  const margins = Float64Array.from(biases);
  for (let k = 0; k < row.indices.length; k++) {
    const base = row.indices[k] * numClasses;
    const value = row.values[k];
    for (let c = 0; c < numClasses; c++) margins[c] += value * weights[base + c];
  }
  return margins;
}
