/**
 * The optimize stage (the original's `main.optimize`): a study tunes the model's hyperparameters.
 * TPE (or random search) proposes each trial's params, a median pruner stops trials whose validation
 * loss lags, the trial with the best validation F1 wins (the test split is only reported), each trial
 * is a tracked run. The best trial's params and threshold are stored with the study in the tracking
 * store, and written to a file only when the caller names one (`writeParamsFp`): the base params
 * file is never modified. A study remembers its base params (content and SHA-256) and refuses to be
 * resumed from others. Studies live in the tracking store, so they resume, and several workers —
 * processes here (`workers`), or the same command on other machines sharing a PostgreSQL store —
 * can work on one study at once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DEFAULT_PARAMS_FP, logger } from "../config/config.js";
import { artifactRootFor } from "./artifact-store.js";
import type { Device } from "./device.js";
import { TagifaiError } from "./errors.js";
import { saveJson } from "./files.js";
import { type StoreOptions, trainInRun, withStore } from "./lifecycle.js";
import { medianPruner } from "./optimize/pruners.js";
import { randomSampler, tpeSampler } from "./optimize/samplers.js";
import { DEFAULT_SEARCH_SPACE, loadSearchSpace, type SearchSpace } from "./optimize/space.js";
import { bestTrial, type Objective, runStudy, type TrialEvent, TrialPruned } from "./optimize/study.js";
import { getParam, loadParams, type Params, paramPath, parseParams, setParams } from "./params.js";
import { formatTable, type Study, type TrackingStore, type Trial } from "./tracking.js";
import { assertTrainable } from "./train.js";
import { type DatasetSource, loadTrainingData, type TrainingData } from "./training-data.js";
import { workerEntry } from "./worker-thread.js";

export { DEFAULT_SEARCH_SPACE, loadSearchSpace, type SearchSpace } from "./optimize/space.js";
export type { TrialEvent } from "./optimize/study.js";

/** The samplers `optimize` can use. */
export const SAMPLERS = { tpe: tpeSampler, random: randomSampler } as const;

/** Options of `optimize`. */
export interface OptimizeOptions extends StoreOptions {
  /** The base params: every trial starts from them (never modified). */
  paramsFp?: string;
  /** Also write the best params to this file (atomically); by default they are only stored with the study. */
  writeParamsFp?: string;
  /** Default "optimization". Also the experiment its runs are logged under. */
  studyName?: string;
  /** Target number of COMPLETE + PRUNED trials of the study. Default 100. */
  numTrials?: number;
  /** Tune on this dataset file instead of the reference projects. */
  dataset?: DatasetSource;
  /** A search-space JSON file. Default `DEFAULT_SEARCH_SPACE`. */
  searchSpaceFp?: string;
  /** Default "tpe". */
  sampler?: keyof typeof SAMPLERS;
  /**
   * Worker processes on this machine, this one included (default 1). The others start from the
   * worker entry (src/optimize-worker.ts) as single workers of the same study that write no file.
   */
  workers?: number;
  /** The compute backend of the other worker processes (default wasm; this process's is the caller's). */
  device?: Device;
  /** A RUNNING trial without a heartbeat for this many seconds is marked FAILED. Default 60. */
  heartbeatTimeoutS?: number;
  /**
   * Where the trials' artifacts go: a folder or `postgresql://…` (default as for `trainModel`); the
   * other worker processes use the same.
   */
  artifactUri?: string;
  /** Called after each trial this process runs. */
  onTrialEnd?: (event: TrialEvent) => void;
  /** Stops the study: the current trial ends FAILED (its run KILLED) and the workers are stopped. */
  signal?: AbortSignal;
}

/** What `optimize` returns. */
export interface OptimizeResult {
  studyName: string;
  /** The study, as stored. */
  study: Study;
  /** Every trial of the study, oldest first. */
  trials: Trial[];
  /** The best COMPLETE trial (highest validation F1). */
  best: Trial;
  /** The base params with the best trial's params and threshold (stored with the study). */
  bestParams: Params;
  /** The base params file. */
  paramsFp: string;
  /** The file `bestParams` was written to, if one was asked for. */
  writtenTo?: string;
}

const DEFAULT_STUDY_NAME = "optimization";
const DEFAULT_NUM_TRIALS = 100;
const DEFAULT_HEARTBEAT_TIMEOUT_S = 60;

/**
 * Tune the hyperparameters: run (or resume, or join) the study until it has `numTrials` COMPLETE +
 * PRUNED trials, each training a model from the base params with the trial's sampled params
 * (validation F1 is maximized; validation loss per epoch feeds the median pruner; the test split
 * is scored and reported, never used to choose), then store the base params with the best trial's
 * params and tuned threshold with the study, and write them to `writeParamsFp` if given.
 * @param options params file, output file, study name and size, search space, sampler, workers, store
 * @returns the study's trials, the best one and the params it gives
 * @throws TagifaiError INVALID_PARAMS (params or search space), STUDY_ERROR (bad options, a study
 *   with another direction, search space or base params — refused before any trial, nothing written;
 *   no COMPLETE trial, repeated failures), TRACKING_ERROR
 */
export async function optimize(options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const paramsFp = options.paramsFp ?? DEFAULT_PARAMS_FP;
  const studyName = options.studyName ?? DEFAULT_STUDY_NAME;
  const nTrials = requireCount(options.numTrials ?? DEFAULT_NUM_TRIALS, "number of trials");
  const workers = requireCount(options.workers ?? 1, "number of workers");
  const heartbeatTimeoutS = options.heartbeatTimeoutS ?? DEFAULT_HEARTBEAT_TIMEOUT_S;
  if (!(Number.isFinite(heartbeatTimeoutS) && heartbeatTimeoutS >= 1)) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `invalid heartbeat timeout ${heartbeatTimeoutS} s: need at least 1 s`,
    );
  }
  const sampler = SAMPLERS[options.sampler ?? "tpe"];
  if (sampler === undefined) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `unknown sampler "${options.sampler}": use ${Object.keys(SAMPLERS).join(" or ")}`,
    );
  }
  const base = loadParams(paramsFp);
  const space = options.searchSpaceFp ? loadSearchSpace(options.searchSpaceFp) : DEFAULT_SEARCH_SPACE;
  checkTunable(space);
  const trainingData = await loadTrainingData(options.dataset);
  assertTrainable(base, trainingData.dataset);

  return withStore(options, async (store) => {
    const artifactRoot = await artifactRootFor(store, options.artifactUri);
    // Refuse a conflicting study before any worker starts or any trial is claimed.
    await store.getOrCreateStudy({
      name: studyName,
      direction: "maximize",
      searchSpace: space,
      seed: base.seed,
      base: { params: base, source: paramsFp },
    });
    const others = startWorkers(workers - 1, workerOptions(options));
    const stopOthers = () => others.stop();
    options.signal?.addEventListener("abort", stopOthers, { once: true });
    const { study } = await runStudy({
      store,
      studyName,
      space,
      direction: "maximize",
      nTrials,
      sampler: sampler(),
      pruner: medianPruner(),
      reportDirection: "minimize",
      seed: base.seed,
      objective: tagifaiObjective(store, studyName, base, trainingData, artifactRoot),
      staleAfterMs: Math.round(heartbeatTimeoutS * 1000),
      onTrialEnd: options.onTrialEnd,
      signal: options.signal,
    }).catch(async (error: unknown) => {
      others.stop();
      await others.done;
      throw error;
    });
    await others.done;
    options.signal?.removeEventListener("abort", stopOthers);
    const trials = await store.listTrials(study.id);
    const best = bestTrial(trials, "maximize");
    if (best === undefined)
      throw new TagifaiError("STUDY_ERROR", `study "${studyName}" has no COMPLETE trial`);
    const bestParams = withBestTrial(base, best);
    await store.setStudyBestParams(study.id, bestParams);
    const writtenTo = options.writeParamsFp;
    if (writtenTo !== undefined) {
      saveJson(writtenTo, bestParams);
      logger.info(`Wrote the params of trial ${best.number} to ${writtenTo}`);
    }
    return {
      studyName,
      study: await store.getStudy(studyName),
      trials,
      best,
      bestParams,
      paramsFp,
      ...(writtenTo === undefined ? {} : { writtenTo }),
    };
  });
}

/**
 * The end-of-study report: the trials sorted by value (best first; pruned and failed ones after,
 * by number), the best value, and the best params.
 * @param result what `optimize` returned
 * @returns the report text, ending with a newline
 */
export function formatStudyReport(result: OptimizeResult): string {
  const byValue = [...result.trials].sort(
    (a, b) =>
      (b.value ?? Number.NEGATIVE_INFINITY) - (a.value ?? Number.NEGATIVE_INFINITY) || a.number - b.number,
  );
  const paramNames = [...new Set(result.trials.flatMap((t) => Object.keys(t.params)))];
  const rows = byValue.map((t) => ({
    trial: t.number,
    state: t.state,
    val_f1: t.value,
    test_f1: t.attrs.test_f1,
    ...Object.fromEntries(paramNames.map((name) => [name, formatParam(t.params[name])])),
    threshold: t.attrs.threshold,
    run: t.runId?.slice(0, 8),
  }));
  const tuned = Object.fromEntries(
    [...paramNames, "threshold"].map((name) => [name, getParam(result.bestParams, name)]),
  );
  const where =
    result.writtenTo === undefined
      ? `stored with study "${result.studyName}" (write them to a file with --write-params FILE)`
      : `stored with study "${result.studyName}" and written to ${result.writtenTo}`;
  return (
    `Study "${result.studyName}": ${result.trials.length} trials\n${formatTable(rows)}\n\n` +
    `Best value (validation f1): ${result.best.value} (trial ${result.best.number})\n` +
    `Test f1 of that trial (reported, not used to choose): ${result.best.attrs.test_f1 ?? "not recorded"}\n` +
    `Best params, ${where}:\n${JSON.stringify(tuned, null, 2)}\n`
  );
}

/**
 * The objective of a Tagifai trial: the base params with the trial's, trained in a tracking run
 * (experiment = study, tags study/trial) that logs every epoch; each epoch's validation loss goes
 * to the pruner. A COMPLETE trial's run is FINISHED with its artifacts, a pruned one's is KILLED
 * (and, as every trial's run, tagged with the trial's `state`). The value is the validation F1 at
 * the thresholds tuned on validation; the tuned threshold and the test F1 (reported, never used to
 * choose) are kept as the trial's `threshold` and `test_f1` attributes.
 */
function tagifaiObjective(
  store: TrackingStore,
  studyName: string,
  base: Params,
  trainingData: TrainingData,
  artifactRoot: (runId: string) => string,
): Objective {
  return async (trial) => {
    // What the value and the reported values are, for the dashboard's axes.
    trial.setAttr("objective", "validation F1");
    trial.setAttr("reported", "validation loss");
    const params = parseParams(setParams(base, trial.params), `params of trial ${trial.number}`);
    const run = await store.createRun({
      experimentName: studyName,
      runName: `trial-${trial.number}`,
      params,
      tags: { study: studyName, trial: String(trial.number) },
      artifactRoot,
    });
    await trial.attachRun(run.id);
    const result = await trainInRun(store, run, {
      ...trainingData,
      params,
      hooks: { onEpoch: ({ epoch, val_loss }) => trial.report(epoch, val_loss) },
      failedStatus: (error) => (error instanceof TrialPruned ? "KILLED" : "FAILED"),
      signal: trial.signal,
    });
    trial.setAttr("threshold", result.params.threshold);
    trial.setAttr("test_f1", result.performance.overall.f1);
    if (result.validation === undefined) {
      throw new TagifaiError(
        "STUDY_ERROR",
        `trial ${trial.number} has no validation split to be judged on: use more data or a smaller train_size`,
      );
    }
    return result.validation.f1;
  };
}

/**
 * The base params with a trial's params and threshold.
 * @throws TagifaiError STUDY_ERROR if the trial has no threshold; INVALID_PARAMS if the result is invalid
 */
function withBestTrial(base: Params, best: Trial): Params {
  const threshold = best.attrs.threshold;
  if (typeof threshold !== "number") {
    throw new TagifaiError("STUDY_ERROR", `the best trial (${best.number}) has no threshold recorded`);
  }
  return parseParams(setParams(base, { ...best.params, threshold }), `params of trial ${best.number}`);
}

/**
 * Refuse a search space naming a parameter that is not one of the params file: a dotted path into
 * the nested params (`cnn.lr`), a top-level key, or a flat name of the original (`lr` is `cnn.lr`).
 */
function checkTunable(space: SearchSpace): void {
  const unknown = Object.keys(space).filter((name) => paramPath(name) === undefined);
  if (unknown.length > 0) {
    throw new TagifaiError(
      "INVALID_PARAMS",
      `the search space tunes ${unknown.map((name) => `"${name}"`).join(", ")}, which ${unknown.length === 1 ? "is not a param" : "are not params"}`,
    );
  }
}

/** What a worker process is told: the study's options, without callbacks, signal or worker count. */
export type WorkerOptions = Omit<OptimizeOptions, "onTrialEnd" | "signal" | "workers" | "writeParamsFp">;

/** The worker entry point, next to this module's folder (`.ts` when run from source). */
const WORKER_ENTRY = fileURLToPath(workerEntry("../optimize-worker", import.meta.url));

/** The options a worker process gets: the serializable ones of `options`. */
function workerOptions(options: OptimizeOptions): WorkerOptions {
  const {
    onTrialEnd: _onTrialEnd,
    signal: _signal,
    workers: _workers,
    writeParamsFp: _writeParamsFp,
    ...rest
  } = options;
  return rest;
}

/** Other workers on this machine: a way to stop them, and their end. */
interface Workers {
  stop(): void;
  /** Resolves once every worker has exited (a failed one is logged, not thrown). */
  done: Promise<void>;
}

/**
 * Start `count` worker processes from the worker entry, each a single worker of the study without
 * `writeParamsFp` (so that only this process writes a file). Their log lines are relayed to stderr prefixed
 * with `[worker k]`.
 * @param count how many (0 for none)
 * @param options the study's options, passed to each worker as JSON
 * @returns how to stop them (SIGTERM: each ends its current trial FAILED) and their end
 */
function startWorkers(count: number, options: WorkerOptions): Workers {
  const args = [...process.execArgv, WORKER_ENTRY, JSON.stringify(options)];
  const children: ChildProcess[] = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    createInterface({ input: child.stderr! }).on("line", (line) =>
      process.stderr.write(`[worker ${i + 2}] ${line}\n`),
    );
    return child;
  });
  const exits = children.map(
    (child, i) =>
      new Promise<void>((resolve) => {
        child.on("error", (error) => {
          logger.error(`Worker ${i + 2} could not start: ${error.message}`);
          resolve();
        });
        child.on("exit", (code, signal) => {
          if (code !== 0) logger.warn(`Worker ${i + 2} exited with ${signal ?? `code ${code}`}`);
          resolve();
        });
      }),
  );
  return {
    stop: () => {
      for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    },
    done: Promise.all(exits).then(() => undefined),
  };
}

/** Show small floats (learning rates) in exponent notation rather than as 0.0000. */
function formatParam(value: number | string | boolean | undefined): unknown {
  return typeof value === "number" && !Number.isInteger(value) && Math.abs(value) < 0.01
    ? value.toExponential(2)
    : value;
}

/** Check a count option (≥ 1) and return it. */
function requireCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TagifaiError("STUDY_ERROR", `invalid ${what} ${String(value)}: need a whole number ≥ 1`);
  }
  return value;
}
