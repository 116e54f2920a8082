/**
 * Multinomial (softmax) logistic regression on sparse rows, for multi-class tasks: scikit-learn's
 * `LogisticRegression(penalty="l2", C, class_weight, multi_class="multinomial", solver="lbfgs")`
 * objective exactly — one weight vector and intercept per class (K of them, not K − 1), the
 * class-weighted cross-entropy of the softmax, an L2 penalty on the weights but not on the
 * intercepts, and `class_weight="balanced"` giving a sample of class k the weight n / (K · n_k).
 * Minimized by L-BFGS (10 corrections, backtracking Armijo line search) on the objective divided by
 * the sum of the sample weights, until every entry of the gradient of scikit-learn 1.2's own
 * objective (not divided: its lbfgs `gtol`) is at most `tolerance`; the objective is strictly convex,
 * so the minimizer (and so the predictions) agree with scikit-learn's up to its own tolerance.
 * Deterministic.
 */
import { TagifaiError } from "../../errors.js";
import { type LogisticModel, type LogisticOptions, linearMargins, toLinearModel } from "./logistic.js";
import { multiplyDense, multiplyDenseTransposed, type SparseMatrix, type SparseRow } from "./sparse.js";

const MEMORY = 10;
const ARMIJO = 1e-4;
const MAX_HALVINGS = 40;

/** How the training went: L-BFGS iterations run, and whether the tolerance was met. */
export interface SoftmaxFitReport {
  iterations: number;
  converged: boolean;
}

/** The normalized problem: rows, class of each row, sample weights / their sum, L2 strength. */
interface SoftmaxProblem {
  X: SparseMatrix;
  numClasses: number;
  classes: Int32Array;
  weights: Float64Array;
  l2: number;
  /** The sum of the sample weights: scikit-learn's objective is this times the normalized one. */
  scale: number;
}

/**
 * Sample weights of a multi-class problem.
 * @param classes the class index of each sample
 * @param numClasses the number of classes
 * @param classWeight "balanced": n / (K · count of the sample's class); "none": 1
 * @returns one weight per sample
 */
export function multiClassSampleWeights(
  classes: ArrayLike<number>,
  numClasses: number,
  classWeight: LogisticOptions["classWeight"],
): Float64Array {
  const weights = new Float64Array(classes.length).fill(1);
  if (classWeight === "none") return weights;
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < classes.length; i++) counts[classes[i]]++;
  for (let i = 0; i < classes.length; i++) weights[i] = classes.length / (numClasses * counts[classes[i]]);
  return weights;
}

/**
 * Fit a multinomial logistic regression.
 * @param X the rows
 * @param Y their labels, `rows × classes` one-hot
 * @param options the training options (validated; `maxIterations` counts L-BFGS iterations here
 *   and is raised to at least 1000, scikit-learn's benchmarks' setting)
 * @returns the model (weights feature-major, rounded to 32-bit floats as saved) and a report
 * @throws TagifaiError INVALID_INPUT when the shapes disagree, a row is not one-hot, or a class has
 *   no row
 */
export function fitSoftmax(
  X: SparseMatrix,
  Y: readonly (readonly number[])[],
  options: LogisticOptions,
): { model: LogisticModel; report: SoftmaxFitReport } {
  const problem = softmaxProblem(X, Y, options);
  const K = problem.numClasses;
  const size = (X.cols + 1) * K;
  let params = new Float64Array(size);
  let gradient = new Float64Array(size);
  let value = objective(problem, params, gradient);
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  const report: SoftmaxFitReport = { iterations: 0, converged: false };
  const maxIterations = Math.max(options.maxIterations, 1000);
  const nextGradient = new Float64Array(size);
  const converged = (g: Float64Array) => maxAbs(g) * problem.scale <= options.tolerance;
  while (report.iterations < maxIterations) {
    if (converged(gradient)) {
      report.converged = true;
      break;
    }
    const direction = lbfgsDirection(gradient, steps, changes);
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      steps.length = 0;
      changes.length = 0;
      for (let k = 0; k < size; k++) direction[k] = -gradient[k];
      slope = -dot(gradient, gradient);
    }
    let size0 = steps.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const trial = new Float64Array(size);
    let trialValue = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let halving = 0; halving <= MAX_HALVINGS; halving++, size0 /= 2) {
      for (let k = 0; k < size; k++) trial[k] = params[k] + size0 * direction[k];
      trialValue = objective(problem, trial, nextGradient);
      if (trialValue <= value + ARMIJO * size0 * slope) {
        accepted = true;
        break;
      }
    }
    report.iterations++;
    if (!accepted) break;
    const step = new Float64Array(size);
    const change = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      step[k] = trial[k] - params[k];
      change[k] = nextGradient[k] - gradient[k];
    }
    if (dot(step, change) > 1e-12) {
      steps.push(step);
      changes.push(change);
      if (steps.length > MEMORY) {
        steps.shift();
        changes.shift();
      }
    }
    params = trial;
    gradient = Float64Array.from(nextGradient);
    value = trialValue;
  }
  if (!report.converged) report.converged = converged(gradient);
  return {
    model: toLinearModel(params, X.cols, K),
    report,
  };
}

/**
 * Probabilities of each class: the softmax of the margins.
 * @param model a fitted model
 * @param rows sparse rows with the model's features
 * @returns `rows × classes` probabilities, each row summing to 1
 */
export function predictSoftmax(model: LogisticModel, rows: readonly SparseRow[]): number[][] {
  const { numClasses } = model;
  return rows.map((row) => {
    const margins = linearMargins(model, row);
    const probabilities = new Float64Array(numClasses);
    softmaxInto(margins, 0, numClasses, probabilities);
    return Array.from(probabilities);
  });
}

function softmaxProblem(
  X: SparseMatrix,
  Y: readonly (readonly number[])[],
  options: LogisticOptions,
): SoftmaxProblem {
  if (Y.length !== X.rows)
    throw new TagifaiError("INVALID_INPUT", `X has ${X.rows} rows but Y has ${Y.length}`);
  const numClasses = Y[0]?.length ?? 0;
  const classes = new Int32Array(X.rows);
  const seen = new Array<boolean>(numClasses).fill(false);
  Y.forEach((row, i) => {
    const hot = row.indexOf(1);
    if (hot < 0 || row.some((label, c) => label !== (c === hot ? 1 : 0)))
      throw new TagifaiError("INVALID_INPUT", `Row ${i} of Y is not one-hot: [${row.join(", ")}]`);
    classes[i] = hot;
    seen[hot] = true;
  });
  const missing = seen.indexOf(false);
  if (missing >= 0) throw new TagifaiError("INVALID_INPUT", `Class ${missing} has no training row`);
  const raw = multiClassSampleWeights(classes, numClasses, options.classWeight);
  const total = raw.reduce((a, b) => a + b, 0);
  return {
    X,
    numClasses,
    classes,
    weights: raw.map((w) => w / total),
    l2: 1 / (options.C * total),
    scale: total,
  };
}

/**
 * `Σᵢ sᵢ·(−log softmax(W·xᵢ + b)_{yᵢ}) / Σs + ‖W‖² / (2·C·Σs)`, the same minimizer as
 * scikit-learn's `½‖W‖² + C·Σᵢ sᵢ·(−log softmax)`; writes its gradient.
 */
function objective(problem: SoftmaxProblem, params: Float64Array, gradient: Float64Array): number {
  const { X, numClasses: K, classes, weights, l2 } = problem;
  const margins = multiplyDense(X, params, K, new Float64Array(X.rows * K));
  const biasBase = X.cols * K;
  const probabilities = new Float64Array(K);
  let value = 0;
  for (let i = 0; i < X.rows; i++) {
    const base = i * K;
    for (let c = 0; c < K; c++) margins[base + c] += params[biasBase + c];
    const logNormalizer = softmaxInto(margins, base, K, probabilities);
    value += weights[i] * (logNormalizer - margins[base + classes[i]]);
    // Residuals s·(p − onehot), written over the margins.
    for (let c = 0; c < K; c++)
      margins[base + c] = weights[i] * (probabilities[c] - (c === classes[i] ? 1 : 0));
  }
  multiplyDenseTransposed(X, margins, K, gradient);
  gradient.fill(0, biasBase);
  for (let i = 0; i < X.rows; i++) for (let c = 0; c < K; c++) gradient[biasBase + c] += margins[i * K + c];
  let squared = 0;
  for (let k = 0; k < biasBase; k++) {
    squared += params[k] * params[k];
    gradient[k] += l2 * params[k];
  }
  return value + (l2 * squared) / 2;
}

/** Softmax of `z[base .. base + K)` into `out`; returns log Σ exp(z) (computed stably). */
function softmaxInto(z: Float64Array, base: number, K: number, out: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < K; c++) max = Math.max(max, z[base + c]);
  let total = 0;
  for (let c = 0; c < K; c++) {
    out[c] = Math.exp(z[base + c] - max);
    total += out[c];
  }
  for (let c = 0; c < K; c++) out[c] /= total;
  return max + Math.log(total);
}

/** The L-BFGS two-loop recursion: −H·g with H the inverse-Hessian estimate from the pairs. */
function lbfgsDirection(
  gradient: Float64Array,
  steps: Float64Array[],
  changes: Float64Array[],
): Float64Array {
  const q = Float64Array.from(gradient);
  const alphas = new Float64Array(steps.length);
  const rhos = steps.map((s, j) => 1 / dot(s, changes[j]));
  for (let j = steps.length - 1; j >= 0; j--) {
    alphas[j] = rhos[j] * dot(steps[j], q);
    axpy(-alphas[j], changes[j], q);
  }
  if (steps.length > 0) {
    const last = steps.length - 1;
    const scale = dot(steps[last], changes[last]) / dot(changes[last], changes[last]);
    for (let k = 0; k < q.length; k++) q[k] *= scale;
  }
  for (let j = 0; j < steps.length; j++) {
    const beta = rhos[j] * dot(changes[j], q);
    axpy(alphas[j] - beta, steps[j], q);
  }
  for (let k = 0; k < q.length; k++) q[k] = -q[k];
  return q;
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let k = 0; k < a.length; k++) total += a[k] * b[k];
  return total;
}

function axpy(scale: number, x: Float64Array, y: Float64Array): void {
  for (let k = 0; k < x.length; k++) y[k] += scale * x[k];
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k]));
  return max;
}
