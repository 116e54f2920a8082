/**
 * The univariate Parzen estimator of TPE (Bergstra et al. 2011), following Optuna's `_ParzenEstimator`
 * with its default heuristics (`consider_prior`, `consider_magic_clip` on):
 *
 * - Numeric parameters (in internal coordinates: log for log-scaled ones, integer ranges widened by
 *   half a step): one Gaussian kernel per observation, centred on it, plus a prior kernel centred on
 *   the middle of the range with the whole range as its bandwidth. Each observation's bandwidth is
 *   Optuna's neighbour rule: the larger of the distances to its left and right neighbours among the
 *   observations, the prior centre and the range ends; unless `considerEndpoints`, the outermost
 *   points use their inner neighbour only. Bandwidths are then clipped to
 *   [range / min(100, n + 2), range] (the "magic clip"). Kernels are truncated to the range; an
 *   integer's density is the kernel mass of the cell around it.
 * - Categorical parameters: one kernel per observation putting mass 1 on the observed choice plus
 *   `priorWeight / (n + 1)` on every choice (renormalized), plus a uniform prior kernel.
 * - Kernel weights: `weights(n)` for the observations in trial order, then `priorWeight` for the
 *   prior, normalized to sum to 1. With no observation the estimator is the prior alone.
 */
import { TagifaiError } from "../errors.js";
import type { Rng } from "../random.js";
import { numericAxis } from "./axis.js";
import { logNormalMass, logNormalPdf, logSumExp, sampleTruncatedNormal } from "./normal.js";
import type {
  CategoricalDistribution,
  Distribution,
  FloatDistribution,
  IntDistribution,
  ParamValue,
} from "./space.js";

/** A density over one parameter's values that can be sampled. */
export interface ParzenEstimator {
  /** Draw one value of the parameter. */
  sample(rng: Rng): ParamValue;
  /**
   * The log density of a value: per unit of internal coordinate for real parameters (so per unit of
   * log x for log-scaled ones), a log probability for integers and choices.
   */
  logPdf(value: ParamValue): number;
}

/** How a Parzen estimator is built. */
export interface ParzenOptions {
  /** Weight of the prior kernel relative to the observations' (> 0). */
  priorWeight: number;
  /** Let the range ends widen the bandwidth of the outermost observations. */
  considerEndpoints: boolean;
  /** Weights of n observations in trial order (oldest first): n finite, non-negative numbers. */
  weights: (n: number) => number[];
}

/**
 * Optuna's default observation weights: all 1 up to 25 observations; beyond that the 25 newest
 * keep weight 1 and the older ones ramp linearly from 1/n up to 1.
 * @param n number of observations
 * @returns n weights, oldest first
 */
export function defaultWeights(n: number): number[] {
  const rampLength = Math.max(0, n - 25);
  const ramp = Array.from({ length: rampLength }, (_, i) =>
    rampLength === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (rampLength - 1),
  );
  return [...ramp, ...Array<number>(Math.min(n, 25)).fill(1)];
}

/**
 * Fit a Parzen estimator to the values one parameter took in some trials.
 * @param dist the parameter's distribution
 * @param observations the values, oldest first (each must belong to `dist`)
 * @param options prior weight, endpoint handling and observation weights
 * @returns the estimator
 * @throws TagifaiError STUDY_ERROR when `options.weights` returns unusable weights
 */
export function fitParzenEstimator(
  dist: Distribution,
  observations: readonly ParamValue[],
  options: ParzenOptions,
): ParzenEstimator {
  const kernelWeights = mixtureWeights(observations.length, options);
  return dist.type === "categorical"
    ? categoricalEstimator(dist, observations, kernelWeights, options.priorWeight)
    : numericEstimator(dist, observations as readonly number[], kernelWeights, options.considerEndpoints);
}

/**
 * Normalized kernel weights: the observations' weights followed by the prior's.
 * @param n number of observations
 * @param options where the weights come from
 */
function mixtureWeights(n: number, options: ParzenOptions): number[] {
  if (n === 0) return [1];
  const observed = options.weights(n);
  if (
    observed.length !== n ||
    observed.some((w) => !Number.isFinite(w) || w < 0) ||
    observed.every((w) => w === 0)
  ) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `The weights function must return ${n} finite, non-negative, not all zero numbers for n = ${n}; got [${observed.join(", ")}]`,
    );
  }
  const all = [...observed, options.priorWeight];
  const total = all.reduce((sum, w) => sum + w, 0);
  return all.map((w) => w / total);
}

/**
 * Estimator of a numeric parameter: a mixture of truncated Gaussians in internal coordinates.
 * @param dist the int or float distribution
 * @param observations observed values
 * @param kernelWeights normalized weights, one per observation then the prior's
 * @param considerEndpoints see {@link ParzenOptions}
 */
function numericEstimator(
  dist: IntDistribution | FloatDistribution,
  observations: readonly number[],
  kernelWeights: readonly number[],
  considerEndpoints: boolean,
): ParzenEstimator {
  const axis = numericAxis(dist);
  const range = axis.high - axis.low;
  const observedMus = observations.map(axis.toInternal);
  const minSigma = range / Math.min(100, observedMus.length + 2);
  const sigmas = [
    ...neighbourBandwidths(observedMus, axis.low, axis.high, considerEndpoints).map((s) =>
      Math.min(range, Math.max(minSigma, s)),
    ),
    range,
  ];
  const kernels = [...observedMus, (axis.low + axis.high) / 2].map((mu, k) => {
    const sigma = sigmas[k];
    const lo = (axis.low - mu) / sigma;
    const hi = (axis.high - mu) / sigma;
    return { mu, sigma, lo, hi, logWeight: Math.log(kernelWeights[k]) - logNormalMass(lo, hi) };
  });
  return {
    sample(rng) {
      const { mu, sigma, lo, hi } = kernels[pickIndex(kernelWeights, rng)];
      return axis.fromInternal(mu + sigma * sampleTruncatedNormal(lo, hi, rng));
    },
    logPdf(value) {
      const x = axis.toInternal(value as number);
      const cell = axis.cell(value as number);
      return logSumExp(
        kernels.map(
          ({ mu, sigma, logWeight }) =>
            logWeight +
            (cell
              ? logNormalMass((cell[0] - mu) / sigma, (cell[1] - mu) / sigma)
              : logNormalPdf((x - mu) / sigma) - Math.log(sigma)),
        ),
      );
    },
  };
}

/**
 * Optuna's neighbour rule for kernel bandwidths (before clipping); the prior centre counts as a
 * neighbour.
 * @param mus kernel centres of the observations
 * @param low lower end of the range
 * @param high upper end of the range
 * @param considerEndpoints whether the outermost points may use their distance to a range end
 * @returns one bandwidth per centre, in the order of `mus`
 */
export function neighbourBandwidths(
  mus: readonly number[],
  low: number,
  high: number,
  considerEndpoints: boolean,
): number[] {
  if (mus.length === 0) return [];
  const points = [...mus, (low + high) / 2];
  const order = points.map((_, i) => i).sort((i, j) => points[i] - points[j]);
  const line = [low, ...order.map((i) => points[i]), high];
  const sorted = order.map((_, k) => Math.max(line[k + 1] - line[k], line[k + 2] - line[k + 1]));
  if (!considerEndpoints) {
    sorted[0] = line[2] - line[1];
    sorted[sorted.length - 1] = line[line.length - 2] - line[line.length - 3];
  }
  const bandwidths = Array<number>(points.length);
  order.forEach((i, k) => {
    bandwidths[i] = sorted[k];
  });
  return bandwidths.slice(0, mus.length);
}

/**
 * Estimator of a categorical parameter: a mixture of smoothed one-hot kernels, i.e. a weighted
 * count of the observed choices plus a uniform prior.
 * @param dist the categorical distribution
 * @param observations observed choices
 * @param kernelWeights normalized weights, one per observation then the prior's
 * @param priorWeight mass spread over every choice inside each observation's kernel
 */
function categoricalEstimator(
  dist: CategoricalDistribution,
  observations: readonly ParamValue[],
  kernelWeights: readonly number[],
  priorWeight: number,
): ParzenEstimator {
  const nChoices = dist.choices.length;
  const smoothing = priorWeight / kernelWeights.length;
  const rowTotal = nChoices * smoothing + 1;
  const probabilities = Array<number>(nChoices).fill(kernelWeights[kernelWeights.length - 1] / nChoices);
  observations.forEach((value, k) => {
    const observed = dist.choices.indexOf(value);
    dist.choices.forEach((_, c) => {
      probabilities[c] += (kernelWeights[k] * (smoothing + (c === observed ? 1 : 0))) / rowTotal;
    });
  });
  return {
    sample: (rng) => dist.choices[pickIndex(probabilities, rng)],
    logPdf: (value) => Math.log(probabilities[dist.choices.indexOf(value)] ?? 0),
  };
}

/**
 * Draw an index with the given probabilities.
 * @param probabilities non-negative numbers summing to 1
 * @param rng the random source
 * @returns an index into `probabilities`
 */
function pickIndex(probabilities: readonly number[], rng: Rng): number {
  let u = rng();
  for (let i = 0; i < probabilities.length - 1; i++) {
    u -= probabilities[i];
    if (u < 0) return i;
  }
  return probabilities.length - 1;
}
