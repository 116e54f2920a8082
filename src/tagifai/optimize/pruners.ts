/**
 * Pruners stop unpromising trials early from the values they report while training (Optuna's
 * `MedianPruner` and `NopPruner`).
 *
 * A pruner judges intermediate values, which need not be the study's objective: in Tagifai the
 * trials report their validation loss per epoch (smaller is better) while the study maximizes F1.
 * So a pruner is given the direction of the intermediate values, not the study's. (The Python
 * original let Optuna use the study direction, "maximize", on losses, and so pruned the trials whose
 * loss was *lower* than the median: the better ones.)
 */
import { TagifaiError } from "../errors.js";
import type { Direction, FrozenTrial } from "./samplers.js";

/** Decides whether a running trial should stop. */
export interface Pruner {
  /**
   * @param trial the running trial, with its intermediate values up to `step`
   * @param step the step just reported
   * @param trials every trial of the study (any state)
   * @param direction whether smaller ("minimize") or larger intermediate values are better
   * @returns true to prune the trial now
   */
  shouldPrune(
    trial: FrozenTrial,
    step: number,
    trials: readonly FrozenTrial[],
    direction: Direction,
  ): boolean;
}

/** Settings of the median pruner (Optuna's names; Tagifai's defaults). */
export interface MedianPrunerOptions {
  /** Never prune until this many trials are COMPLETE. Default 5. */
  nStartupTrials?: number;
  /** Never prune at steps below this (steps count from 0). Default 5. */
  nWarmupSteps?: number;
  /** Check every this many steps after the warmup. Default 1. */
  intervalSteps?: number;
}

/**
 * Optuna's `MedianPruner` (its `PercentilePruner` at the 50th percentile, one trial minimum).
 * At `step`, the trial is pruned when its best intermediate value so far (NaNs skipped) is worse
 * than the median of the values that the COMPLETE trials reported at that same step (those that
 * did; NaNs skipped), unless:
 * - fewer than `nStartupTrials` (and at least one) trials are COMPLETE, or `step < nWarmupSteps`;
 * - `step` is not the trial's first report in its interval: checks fall on the first report at or
 *   after each of nWarmupSteps, nWarmupSteps + intervalSteps, …;
 * - no COMPLETE trial reported a (non-NaN) value at `step`.
 * A trial whose reports so far are all NaN is pruned (once the checks above let it be judged).
 * Note that Optuna compares the *best so far*, so a trial reporting NaN after good values is judged
 * by those good values.
 * @param options see {@link MedianPrunerOptions}
 * @returns the pruner
 * @throws TagifaiError STUDY_ERROR on an invalid option
 */
export function medianPruner(options: MedianPrunerOptions = {}): Pruner {
  const nStartupTrials = options.nStartupTrials ?? 5;
  const nWarmupSteps = options.nWarmupSteps ?? 5;
  const intervalSteps = options.intervalSteps ?? 1;
  requireCount("nStartupTrials", nStartupTrials, 0);
  requireCount("nWarmupSteps", nWarmupSteps, 0);
  requireCount("intervalSteps", intervalSteps, 1);

  return {
    shouldPrune(trial, step, trials, direction) {
      const complete = trials.filter((t) => t.state === "COMPLETE" && t.number !== trial.number);
      if (complete.length === 0 || complete.length < nStartupTrials) return false;
      if (step < nWarmupSteps) return false;
      const reportedSteps = Object.keys(trial.intermediate).map(Number);
      if (reportedSteps.length === 0) return false;
      if (!isFirstReportInInterval(step, reportedSteps, nWarmupSteps, intervalSteps)) return false;

      const best = bestValue(Object.values(trial.intermediate), direction);
      if (Number.isNaN(best)) return true;
      const median = nanMedian(
        complete.flatMap((t) => (step in t.intermediate ? [t.intermediate[step]] : [])),
      );
      if (Number.isNaN(median)) return false;
      return direction === "minimize" ? best > median : best < median;
    },
  };
}

/**
 * A pruner that never prunes.
 * @returns the pruner
 */
export function nopPruner(): Pruner {
  return { shouldPrune: () => false };
}

/**
 * Throw unless an option is an integer of at least `min`.
 * @param name the option
 * @param value its value
 * @param min the smallest allowed value
 */
function requireCount(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min))
    throw new TagifaiError(
      "STUDY_ERROR",
      `Invalid median pruner option ${name}: ${value} (need an integer ≥ ${min})`,
    );
}

/**
 * Whether `step` is the trial's first report since the latest pruning checkpoint
 * (nWarmupSteps + k·intervalSteps) at or before it: true when no other report falls between them.
 * @param step the step just reported (≥ nWarmupSteps)
 * @param reportedSteps every step the trial reported
 * @param nWarmupSteps first checkpoint
 * @param intervalSteps distance between checkpoints
 */
function isFirstReportInInterval(
  step: number,
  reportedSteps: readonly number[],
  nWarmupSteps: number,
  intervalSteps: number,
): boolean {
  const checkpoint = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps + nWarmupSteps;
  const previousReport = Math.max(-1, ...reportedSteps.filter((s) => s !== step && s < step));
  return previousReport < checkpoint;
}

/**
 * The best of some values, ignoring NaNs.
 * @param values the values
 * @param direction which end is best
 * @returns the minimum or maximum; NaN when every value is NaN
 */
function bestValue(values: readonly number[], direction: Direction): number {
  const finite = values.filter((v) => !Number.isNaN(v));
  if (finite.length === 0) return Number.NaN;
  return direction === "minimize" ? Math.min(...finite) : Math.max(...finite);
}

/**
 * The median of some values ignoring NaNs (the middle two averaged, as numpy's `nanpercentile`).
 * @param values the values
 * @returns the median; NaN when there is no non-NaN value
 */
function nanMedian(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
}
