/**
 * The standard normal distribution in log space, accurate far into the tails, as the Parzen
 * estimator needs for its truncated (and binned) Gaussian kernels.
 */
import { TagifaiError } from "../errors.js";
import type { Rng } from "../random.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_HALF = Math.log(0.5);
/** Chebyshev coefficients of log(erfc(z) / t) − (−z²), t = 1 / (1 + z/2) (Numerical Recipes' erfcc). */
const ERFC_COEFFICIENTS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
  -0.82215223, 0.17087277,
];

/**
 * log erfc(z) for z ≥ 0, with a relative error below 1.2e-7 in erfc (finite even where erfc underflows).
 * @param z a non-negative number
 */
function logErfcNonNegative(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const poly = ERFC_COEFFICIENTS.reduceRight((acc, c) => c + t * acc, 0);
  return Math.log(t) - z * z + poly;
}

/**
 * log Φ(x), the log of the standard normal cumulative distribution.
 * @param x any number
 * @returns log P(Z ≤ x), finite for every finite x
 */
export function logNormalCdf(x: number): number {
  if (x < 0) return LOG_HALF + logErfcNonNegative(-x / Math.SQRT2);
  return Math.log1p(-0.5 * Math.exp(logErfcNonNegative(x / Math.SQRT2)));
}

/**
 * log φ(z), the log density of the standard normal.
 * @param z any number
 */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/**
 * log (Φ(hi) − Φ(lo)): the log probability that a standard normal falls in [lo, hi], computed
 * without cancellation in either tail.
 * @param lo lower end
 * @param hi upper end (≥ lo)
 * @returns the log mass; −Infinity for an empty interval
 */
export function logNormalMass(lo: number, hi: number): number {
  if (lo >= 0) return logNormalMass(-hi, -lo);
  if (hi <= 0) {
    const logHi = logNormalCdf(hi);
    return logHi + Math.log1p(-Math.exp(logNormalCdf(lo) - logHi));
  }
  return Math.log1p(-(Math.exp(logNormalCdf(lo)) + Math.exp(logNormalCdf(-hi))));
}

/**
 * Draw a standard normal truncated to [lo, hi] by rejection (Box–Muller proposals). Meant for
 * intervals that hold 0 and are at least 1 wide, as every Parzen kernel's is: then more than a
 * third of the proposals are accepted.
 * @param lo lower end (≤ 0)
 * @param hi upper end (≥ 0, hi − lo ≥ 1)
 * @param rng the random source
 * @returns a number in [lo, hi]
 * @throws TagifaiError STUDY_ERROR when the interval does not hold 0 (rejection could then run forever)
 */
export function sampleTruncatedNormal(lo: number, hi: number, rng: Rng): number {
  if (!(lo <= 0 && 0 <= hi))
    throw new TagifaiError("STUDY_ERROR", `Truncation interval [${lo}, ${hi}] does not hold 0`);
  for (;;) {
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    if (lo <= z && z <= hi) return z;
  }
}

/**
 * log Σ exp(xᵢ), stable for large or very negative terms.
 * @param xs the terms
 * @returns the log of the sum of their exponentials; −Infinity when all are −Infinity
 */
export function logSumExp(xs: readonly number[]): number {
  const max = Math.max(...xs);
  if (max === Number.NEGATIVE_INFINITY) return max;
  return max + Math.log(xs.reduce((sum, x) => sum + Math.exp(x - max), 0));
}
