/**
 * Samplers propose the parameters of the next trial from the trials so far: plain random search,
 * and TPE (Tree-structured Parzen Estimator, Bergstra et al. 2011) as in Optuna's `TPESampler`
 * with independent sampling per parameter.
 */
import { TagifaiError } from "../errors.js";
import type { Rng } from "../random.js";
import { numericAxis } from "./axis.js";
import { defaultWeights, fitParzenEstimator, type ParzenOptions } from "./parzen.js";
import { containsValue, type Distribution, type ParamValue, type SearchSpace } from "./space.js";

/** Life cycle of a trial. */
export type TrialState = "RUNNING" | "COMPLETE" | "PRUNED" | "FAILED";

/** Whether smaller or larger values are better. */
export type Direction = "minimize" | "maximize";

/** What is known about one trial of a study. */
export interface FrozenTrial {
  /** Position of the trial in its study (0, 1, …): also its age order. */
  number: number;
  state: TrialState;
  params: Record<string, ParamValue>;
  /** The objective value, set when the trial is COMPLETE. */
  value?: number;
  /** Step → value reported while the trial ran (e.g. validation loss per epoch). */
  intermediate: Record<number, number>;
}

/** Proposes parameters for a new trial. */
export interface Sampler {
  /**
   * @param space the parameters to propose and their distributions
   * @param trials every trial of the study so far (any state)
   * @param direction the study's direction (of `FrozenTrial.value`)
   * @param rng the random source; the proposal is a function of it and the other arguments
   * @returns a value for every parameter of `space`
   */
  sample(
    space: SearchSpace,
    trials: readonly FrozenTrial[],
    direction: Direction,
    rng: Rng,
  ): Record<string, ParamValue>;
}

/**
 * Draw one value uniformly: uniform in internal coordinates, so log-scaled parameters are uniform in
 * log space and integers are uniform over their grid (each grid point owns an equal-width cell).
 * @param dist the distribution
 * @param rng the random source
 */
function sampleUniform(dist: Distribution, rng: Rng): ParamValue {
  if (dist.type === "categorical") return dist.choices[Math.floor(rng() * dist.choices.length)];
  const axis = numericAxis(dist);
  return axis.fromInternal(axis.low + rng() * (axis.high - axis.low));
}

/**
 * Random search: every parameter drawn independently and uniformly (in log space for log-scaled
 * ones, over the grid for integers), ignoring past trials.
 * @returns the sampler
 */
export function randomSampler(): Sampler {
  return {
    sample: (space, _trials, _direction, rng) =>
      Object.fromEntries(Object.entries(space).map(([name, dist]) => [name, sampleUniform(dist, rng)])),
  };
}

/** Settings of the TPE sampler (Optuna's names and defaults). */
export interface TpeOptions {
  /** Sample randomly until this many trials are COMPLETE (Optuna also counts PRUNED ones). Default 10. */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per parameter; the best ratio l/g wins. Default 24. */
  nEiCandidates?: number;
  /** Size of the "good" group given the number of COMPLETE + PRUNED trials. Default min(⌈0.1·n⌉, 25). */
  gamma?: (n: number) => number;
  /** Weight of the prior kernel. Default 1. */
  priorWeight?: number;
  /** Let the range ends widen the outermost kernels' bandwidths. Default false. */
  considerEndpoints?: boolean;
  /** Observation weights, oldest first. Default Optuna's `default_weights`. */
  weights?: (n: number) => number[];
}

/**
 * Optuna's default gamma: the best 10% of the trials, at most 25.
 * @param n number of COMPLETE + PRUNED trials
 * @returns how many trials form the "good" group
 */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * TPE. Once `nStartupTrials` trials are COMPLETE (before that it samples like {@link randomSampler}):
 * 1. the COMPLETE trials are ranked by value (best first for `direction`) and the best
 *    `gamma(n)` of them form the "below" group, n counting COMPLETE and PRUNED trials as in Optuna;
 *    the remaining COMPLETE trials and every PRUNED trial form the "above" group. PRUNED trials are
 *    not ranked by their intermediate values (which may track another metric than the objective,
 *    e.g. validation loss while the study maximizes F1); they simply count as not good, which is
 *    where Optuna puts them too whenever there are enough COMPLETE trials. FAILED and RUNNING
 *    trials are ignored.
 * 2. per parameter, Parzen estimators l(x) and g(x) are fitted to the two groups' values (see
 *    `parzen.ts`), `nEiCandidates` values are drawn from l(x), and the one maximizing
 *    log l(x) − log g(x) (the expected-improvement criterion) is proposed.
 * Trials whose value for a parameter does not belong to its distribution are left out for it.
 * @param options see {@link TpeOptions}
 * @returns the sampler
 * @throws TagifaiError STUDY_ERROR on an invalid option
 */
export function tpeSampler(options: TpeOptions = {}): Sampler {
  const nStartupTrials = options.nStartupTrials ?? 10;
  const nEiCandidates = options.nEiCandidates ?? 24;
  const gamma = options.gamma ?? defaultGamma;
  const parzen: ParzenOptions = {
    priorWeight: options.priorWeight ?? 1,
    considerEndpoints: options.considerEndpoints ?? false,
    weights: options.weights ?? defaultWeights,
  };
  requireOption(Number.isInteger(nStartupTrials) && nStartupTrials >= 0, "nStartupTrials", nStartupTrials);
  requireOption(Number.isInteger(nEiCandidates) && nEiCandidates >= 1, "nEiCandidates", nEiCandidates);
  requireOption(
    Number.isFinite(parzen.priorWeight) && parzen.priorWeight > 0,
    "priorWeight",
    parzen.priorWeight,
  );
  const random = randomSampler();

  return {
    sample(space, trials, direction, rng) {
      const complete = trials.filter((t) => t.state === "COMPLETE" && Number.isFinite(t.value));
      if (complete.length < nStartupTrials) return random.sample(space, trials, direction, rng);
      const pruned = trials.filter((t) => t.state === "PRUNED");
      const nBelow = gamma(complete.length + pruned.length);
      requireOption(Number.isInteger(nBelow) && nBelow >= 0, "gamma(n)", nBelow);
      const sign = direction === "minimize" ? 1 : -1;
      const ranked = [...complete].sort((a, b) => sign * (a.value! - b.value!) || a.number - b.number);
      const below = byNumber(ranked.slice(0, nBelow));
      const above = byNumber([...ranked.slice(nBelow), ...pruned]);

      return Object.fromEntries(
        Object.entries(space).map(([name, dist]) => {
          const l = fitParzenEstimator(dist, observedValues(below, name, dist), parzen);
          const g = fitParzenEstimator(dist, observedValues(above, name, dist), parzen);
          const candidates = Array.from({ length: nEiCandidates }, () => l.sample(rng));
          const scores = candidates.map((x) => l.logPdf(x) - g.logPdf(x));
          return [name, candidates[scores.indexOf(Math.max(...scores))]];
        }),
      );
    },
  };
}

/**
 * Throw unless an option is valid.
 * @param ok whether it is
 * @param name the option
 * @param value its value, for the message
 */
function requireOption(ok: boolean, name: string, value: unknown): void {
  if (!ok) throw new TagifaiError("STUDY_ERROR", `Invalid TPE option ${name}: ${String(value)}`);
}

/**
 * Sort trials oldest first.
 * @param trials the trials (not modified)
 */
function byNumber(trials: readonly FrozenTrial[]): FrozenTrial[] {
  return [...trials].sort((a, b) => a.number - b.number);
}

/**
 * The values a parameter took in some trials, skipping trials where it is missing or invalid.
 * @param trials the trials, oldest first
 * @param name the parameter
 * @param dist its distribution
 */
function observedValues(trials: readonly FrozenTrial[], name: string, dist: Distribution): ParamValue[] {
  return trials.map((t) => t.params[name]).filter((v) => v !== undefined && containsValue(dist, v));
}
