/**
 * The study loop (Optuna's `study.optimize`) as run by one worker: claim the next trial from the
 * tracking store, run the objective on its sampled params, record how it ended; repeat until the
 * study has its N COMPLETE + PRUNED trials. Any number of workers (processes, machines) can run the
 * loop on one study at once; the store's claim transaction hands out each trial number once.
 *
 * A running trial heartbeats; a trial whose worker died (no heartbeat for `staleAfterMs`) is marked
 * FAILED by the next claim, and another trial replaces it. When the remaining trials are all running
 * elsewhere, a worker waits for them rather than exiting, so that a worker dying near the end still
 * gets its trial replaced. Aborting the caller's AbortSignal marks the current trial FAILED (its
 * run KILLED) and stops the worker; the process's signals are its entry point's business.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { logger } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import { createRng } from "../random.js";
import { describeError } from "../tracking/connection.js";
import type { Study, TrackingStore, Trial, TrialOutcome, TrialState } from "../tracking.js";
import type { Pruner } from "./pruners.js";
import type { Direction, Sampler } from "./samplers.js";
import type { ParamValue, SearchSpace } from "./space.js";

/** Thrown by `TrialContext.report` when the pruner stops the trial; the trial ends PRUNED. */
export class TrialPruned extends TagifaiError {
  constructor(
    readonly trialNumber: number,
    readonly step: number,
  ) {
    super("STUDY_ERROR", `trial ${trialNumber} pruned at step ${step}`);
  }
}

/** What the objective gets for one trial. */
export interface TrialContext {
  number: number;
  /** The sampled value of every parameter of the search space. */
  params: Record<string, ParamValue>;
  /**
   * Report an intermediate value (e.g. the validation loss of an epoch) and let the pruner judge it.
   * @throws TrialPruned when the trial should stop; TagifaiError STUDY_ERROR when the trial was
   *   marked FAILED meanwhile (its heartbeats were missed)
   */
  report(step: number, value: number): Promise<void>;
  /** Link the trial to its tracking run: the run gets a `state` tag when the trial ends, and ends KILLED if the worker is interrupted. */
  attachRun(runId: string): Promise<void>;
  /** Record an attribute, stored with the trial when it ends (e.g. the tuned threshold). */
  setAttr(name: string, value: ParamValue): void;
  /** The worker's signal: the objective stops when it is aborted (the trial then ends FAILED). */
  signal?: AbortSignal;
}

/** Trains and evaluates one trial; resolves to its value (which the study's direction judges). */
export type Objective = (trial: TrialContext) => Promise<number>;

/** How one trial ended, as `runStudy` tells its `onTrialEnd` callback. */
export interface TrialEvent {
  number: number;
  state: Exclude<TrialState, "RUNNING">;
  value?: number;
  /** COMPLETE + PRUNED trials of the study so far (by every worker). */
  finished: number;
  nTrials: number;
  /** The best COMPLETE trial so far. */
  best?: Trial;
}

/** What `runStudy` needs. */
export interface StudyOptions {
  store: TrackingStore;
  studyName: string;
  space: SearchSpace;
  /** Whether the objective's value is to be minimized or maximized. */
  direction: Direction;
  /** Target number of COMPLETE + PRUNED trials of the study (not of this worker). */
  nTrials: number;
  sampler: Sampler;
  pruner: Pruner;
  /** Whether smaller or larger reported (intermediate) values are better. Default: `direction`. */
  reportDirection?: Direction;
  /** Seed of a new study; trial n's sampler draws from `createRng(seed + n)`. */
  seed: number;
  objective: Objective;
  /** How often a running trial heartbeats. Default 5 s, or a quarter of `staleAfterMs` if shorter. */
  heartbeatIntervalMs?: number;
  /** A RUNNING trial without a heartbeat for this long is marked FAILED and replaced. Default 60 s. */
  staleAfterMs?: number;
  /** How often to look again while the remaining trials run elsewhere. Default 1 s. */
  pollIntervalMs?: number;
  /** Stop this worker (throwing) after this many FAILED trials in a row. Default 3. */
  maxConsecutiveFailures?: number;
  /** Called after each trial this worker runs (for a progress display). */
  onTrialEnd?: (event: TrialEvent) => void;
  /** Stops the worker: the current trial ends FAILED, its run KILLED, and `runStudy` rethrows the abort. */
  signal?: AbortSignal;
}

/** The state of a study when a worker leaves it. */
export interface StudyResult {
  study: Study;
  /** Every trial, oldest first. */
  trials: Trial[];
  /** The best COMPLETE trial, if any. */
  best?: Trial;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
const DEFAULT_STALE_AFTER_MS = 60_000;
const DEFAULT_POLL_INTERVAL_MS = 1_000;
const DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;

/** The trial this worker is running, and its tracking run once attached. */
interface ActiveTrial {
  trial: Trial;
  runId?: string;
}

/**
 * Work on a study until it has `nTrials` COMPLETE + PRUNED trials, creating the study if needed
 * (an existing one must have the same direction and search space; it keeps its seed).
 * @param options the store, study definition, sampler, pruner, objective and timings
 * @returns the study, all its trials and the best one
 * @throws TagifaiError STUDY_ERROR on bad options, a conflicting study, or too many failures in a row;
 *   the signal's reason once it is aborted
 */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  const { store, nTrials, direction } = options;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const heartbeatIntervalMs =
    options.heartbeatIntervalMs ?? Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, staleAfterMs / 4);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxFailures = options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
  checkTimings(heartbeatIntervalMs, staleAfterMs, pollIntervalMs, maxFailures);
  const study = await store.getOrCreateStudy({
    name: options.studyName,
    direction,
    searchSpace: options.space,
    seed: options.seed,
  });
  const { signal } = options;
  let failuresInARow = 0;
  let waiting = false;
  for (;;) {
    signal?.throwIfAborted();
    const claim = await store.claimTrial(study.id, {
      nTrials,
      staleAfterMs,
      propose: (trials, number) =>
        options.sampler.sample(options.space, trials, direction, createRng(study.seed + number)),
    });
    for (const number of claim.expired) {
      logger.warn(`Trial ${number} had no heartbeat for ${staleAfterMs / 1000} s: marked FAILED`);
    }
    if (claim.status === "done") break;
    if (claim.status === "wait") {
      if (!waiting) logger.info("Waiting for the trials other workers are running");
      waiting = true;
      await sleep(pollIntervalMs, undefined, { signal });
      continue;
    }
    waiting = false;
    const trial = claim.trial;
    logger.info(`Trial ${trial.number} started with ${JSON.stringify(trial.params)}`);
    const outcome = await runTrial(options, study, { trial }, heartbeatIntervalMs, staleAfterMs);
    signal?.throwIfAborted();
    await reportProgress(options, study, trial.number, outcome);
    if (outcome.state === "FAILED") failuresInARow += 1;
    else failuresInARow = 0;
    if (failuresInARow >= maxFailures) {
      throw new TagifaiError(
        "STUDY_ERROR",
        `${failuresInARow} trials in a row failed in this worker of study "${study.name}"; the last: ${describeError(outcome.error)}`,
        { cause: outcome.error },
      );
    }
  }
  const trials = await store.listTrials(study.id);
  return { study, trials, best: bestTrial(trials, direction) };
}

/**
 * The best COMPLETE trial (the lowest number among equals).
 * @param trials any trials
 * @param direction which values are better
 * @returns the trial, or undefined if none is COMPLETE
 */
export function bestTrial(trials: readonly Trial[], direction: Direction): Trial | undefined {
  const sign = direction === "minimize" ? 1 : -1;
  return trials
    .filter((t) => t.state === "COMPLETE" && t.value !== undefined)
    .reduce<Trial | undefined>(
      (best, t) => (best === undefined || sign * (t.value! - best.value!) < 0 ? t : best),
      undefined,
    );
}

/**
 * Run the objective on a claimed trial, heartbeating meanwhile, and record how it ended.
 * @returns the state recorded (FAILED if the trial had been expired meanwhile), the value, and the
 *   objective's error if it failed
 */
async function runTrial(
  options: StudyOptions,
  study: Study,
  active: ActiveTrial,
  heartbeatIntervalMs: number,
  staleAfterMs: number,
): Promise<TrialOutcome & { error?: unknown }> {
  const { store, pruner } = options;
  const { trial } = active;
  const attrs: Record<string, ParamValue> = {};
  const lost = () =>
    new TagifaiError(
      "STUDY_ERROR",
      `trial ${trial.number} was marked FAILED by another worker (no heartbeat for ${staleAfterMs / 1000} s)`,
    );
  // Quiet once the trial has ended (a heartbeat in flight then finds it no longer RUNNING).
  let quiet = false;
  const heartbeat = setInterval(() => {
    store.heartbeatTrial(trial.id).then(
      (alive) => {
        if (!alive && !quiet) logger.warn(lost().message);
        quiet ||= !alive;
      },
      (error: unknown) => logger.warn(`Trial ${trial.number}: heartbeat failed: ${describeError(error)}`),
    );
  }, heartbeatIntervalMs).unref();

  let outcome: TrialOutcome & { error?: unknown };
  try {
    const value = await options.objective({
      number: trial.number,
      params: trial.params,
      signal: options.signal,
      async report(step, value) {
        options.signal?.throwIfAborted();
        if (!(await store.reportTrialValue(trial.id, step, value))) throw lost();
        const trials = await store.listTrials(study.id);
        const current = trials.find((t) => t.id === trial.id)!;
        if (pruner.shouldPrune(current, step, trials, options.reportDirection ?? options.direction)) {
          throw new TrialPruned(trial.number, step);
        }
      },
      async attachRun(runId) {
        await store.attachRunToTrial(trial.id, runId);
        active.runId = runId;
      },
      setAttr(name, value) {
        attrs[name] = value;
      },
    });
    if (!Number.isFinite(value)) {
      throw new TagifaiError("STUDY_ERROR", `the objective of trial ${trial.number} returned ${value}`);
    }
    outcome = { state: "COMPLETE", value, attrs };
  } catch (error) {
    if (options.signal?.aborted) {
      logger.warn(`Trial ${trial.number} interrupted: marked FAILED`);
      outcome = { state: "FAILED", attrs, error };
    } else if (error instanceof TrialPruned) outcome = { state: "PRUNED", attrs };
    else {
      logger.warn(`Trial ${trial.number} failed: ${describeError(error)}`);
      outcome = { state: "FAILED", attrs, error };
    }
  } finally {
    clearInterval(heartbeat);
    quiet = true;
  }
  if (!(await store.finishTrial(trial.id, outcome)) && outcome.state !== "FAILED") {
    logger.warn(`${lost().message}: its ${outcome.state} result is discarded`);
    outcome = { state: "FAILED", attrs, error: lost() };
  }
  if (active.runId !== undefined) {
    if (options.signal?.aborted) await store.endRun(active.runId, "KILLED", { ifRunning: true });
    await store.setTags(active.runId, { state: outcome.state });
  }
  return outcome;
}

/** Log one line about a trial that ended and tell `onTrialEnd`. */
async function reportProgress(
  options: StudyOptions,
  study: Study,
  number: number,
  outcome: TrialOutcome,
): Promise<void> {
  const trials = await options.store.listTrials(study.id);
  const finished = trials.filter((t) => t.state === "COMPLETE" || t.state === "PRUNED").length;
  const best = bestTrial(trials, options.direction);
  const value = outcome.state === "COMPLETE" ? `, value ${formatValue(outcome.value!)}` : "";
  const bestText = best === undefined ? "none yet" : `${formatValue(best.value!)} (trial ${best.number})`;
  logger.info(
    `Trial ${number} ${outcome.state}${value} | ${finished}/${options.nTrials} trials done | best ${bestText}`,
  );
  options.onTrialEnd?.({
    number,
    state: outcome.state,
    value: outcome.value,
    finished,
    nTrials: options.nTrials,
    best,
  });
}

/** Refuse timings that would expire healthy trials or never look again. */
function checkTimings(heartbeatMs: number, staleAfterMs: number, pollMs: number, maxFailures: number): void {
  const positive = (value: number) => Number.isFinite(value) && value > 0;
  if (!positive(heartbeatMs) || !positive(pollMs) || !(staleAfterMs > heartbeatMs)) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `invalid study timings: heartbeat every ${heartbeatMs} ms, expiry after ${staleAfterMs} ms, poll every ${pollMs} ms ` +
        "(all must be positive, and the expiry longer than the heartbeat interval)",
    );
  }
  if (!Number.isInteger(maxFailures) || maxFailures < 1) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `invalid maxConsecutiveFailures ${maxFailures}: need a whole number ≥ 1`,
    );
  }
}

/** A value with 5 significant decimals. */
function formatValue(value: number): string {
  return value.toFixed(5);
}
