/**
 * The operations a user runs — load data, compute features, validate data, train, evaluate, test,
 * predict, inspect runs — as plain async functions. The CLI (src/cli.ts) is a thin wrapper over
 * these; so are the API and the optimizer.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PARAMS_FP, dataDir, logger, modelDir } from "../config/config.js";
import {
  loadArtifactsFromDir,
  loadParamsFromDir,
  loadPerformanceFromDir,
  saveArtifacts,
  savePerformanceToDir,
} from "./artifacts.js";
import { type BehavioralReport, BUILTIN_SUITE, loadSuite, runBehavioralTests } from "./behavioral.js";
import * as data from "./data.js";
import { TagifaiError } from "./errors.js";
import type { Performance } from "./eval.js";
import { saveJson } from "./files.js";
import { loadParams, type Params } from "./params.js";
import { type Prediction, predict } from "./predict.js";
import { onTerminationSignal } from "./signals.js";
import { type EndStatus, openStore, type Run, type TrackingStore } from "./tracking.js";
import {
  type Artifacts,
  evaluateModel,
  knownLabelRows,
  referenceDataset,
  type TrainHooks,
  type TrainingDataset,
  type TrainResult,
  train,
} from "./train.js";
import { assertValidData, PROJECTS_SPEC, type ValidationReport, validateDatasetFile } from "./validate.js";

/** Options shared by every operation that touches the tracking store. */
export interface StoreOptions {
  /** `sqlite:PATH` or `postgresql://…`; default `TAGIFAI_TRACKING_URI`, else `stores/tracking.db`. */
  trackingUri?: string;
}

/**
 * Put `projects.json` and `tags.json` into `data/`: copied from a local folder (`sourceDir` or
 * `TAGIFAI_DATA_DIR`) or downloaded from the pinned public location and checked against its sha256.
 * @param options.sourceDir a local folder holding both files
 * @returns where the files came from
 */
export async function loadData(options: { sourceDir?: string } = {}): Promise<{ source: string }> {
  const result = await data.loadData(dataDir(), options);
  logger.info(`Loaded data from ${result.source} into ${dataDir()}`);
  return result;
}

/**
 * Compute the features (`text = title + " " + description`) and save them to `data/features.json`.
 * Loads the data first if `data/` doesn't have it yet.
 * @returns the features
 */
export async function computeFeatures(): Promise<data.Feature[]> {
  await ensureData();
  const features = data.computeFeatures(data.loadProjects(dataDir()));
  saveJson(join(dataDir(), "features.json"), features);
  logger.info(`Saved ${features.length} features to ${join(dataDir(), "features.json")}`);
  return features;
}

/** A bring-your-own dataset file (CSV, JSON or JSONL) and how its fields map to text, labels and id. */
export interface DatasetSource extends data.DatasetOptions {
  file: string;
}

/** Options of `trainModel`. */
export interface TrainModelOptions extends StoreOptions {
  paramsFp?: string;
  /** Train on this dataset instead of the reference projects. */
  dataset?: DatasetSource;
  experimentName?: string;
  runName?: string;
  /** Train and evaluate without saving a run or artifacts: a quick end-to-end check. */
  testRun?: boolean;
  onBatch?: TrainHooks["onBatch"];
}

/** What `trainModel` returns. */
export interface TrainModelResult {
  /** The tracked run's id (absent for a test run). */
  runId?: string;
  params: Params;
  performance: Performance;
}

/**
 * Train a model with the given params on the features, log the run (params, per-epoch metrics, final
 * metrics, artifacts) to the tracking store, and return its performance. A failure marks the run
 * FAILED and Ctrl-C / SIGTERM mark it KILLED; a run is FINISHED only once its artifacts are complete.
 * @param options params file, experiment and run names, test-run flag, tracking URI
 * @returns the run id, the tuned params and the test performance
 */
export async function trainModel(options: TrainModelOptions = {}): Promise<TrainModelResult> {
  const params = loadParams(options.paramsFp ?? DEFAULT_PARAMS_FP);
  const { dataset } = await loadTrainingData(options.dataset);
  if (options.testRun) {
    const result = await train(params, dataset, { onBatch: options.onBatch });
    result.artifacts.model.dispose();
    return { params: result.params, performance: result.performance };
  }
  return withStore(options, async (store) => {
    const run = await store.createRun({
      experimentName: options.experimentName ?? "baselines",
      runName: options.runName,
      params,
      artifactRoot: modelDir(),
    });
    logger.info(`Run ID: ${run.id}`);
    const stopOnSignal = markKilledOnSignal(store, run.id);
    try {
      const result = await trainInRun(store, run, {
        params,
        dataset,
        hooks: { onBatch: options.onBatch },
      });
      return { runId: run.id, ...result };
    } finally {
      stopOnSignal();
    }
  });
}

/** The input of training: a validated dataset. */
export interface TrainingData {
  dataset: TrainingDataset;
}

/**
 * Validate and load the data to train on: a bring-your-own dataset file, or by default the reference
 * projects (loaded into data/ first if needed, features computed and saved).
 * @param source a dataset file and its field mapping; default the reference projects
 * @returns what `train` takes besides the params
 * @throws TagifaiError INVALID_DATA listing the failing data expectations (see `validateData`)
 */
export async function loadTrainingData(source?: DatasetSource): Promise<TrainingData> {
  assertValidData(await validateData(source));
  if (source) return { dataset: { ...data.loadDataset(source.file, source), source: source.file } };
  const features = await computeFeatures();
  return { dataset: referenceDataset(features, data.loadTags(dataDir())) };
}

/**
 * Run the data expectations over a dataset file: a bring-your-own file with its field mapping, or by
 * default the reference `projects.json` (loaded into data/ first if needed; its tags are checked
 * against tags.json as warnings).
 * @param source a dataset file and its field mapping; default the reference projects
 * @returns the report (see `formatValidationReport`); `success` is false when an error expectation fails
 * @throws TagifaiError when the file cannot be read or parsed at all
 */
export async function validateData(source?: DatasetSource): Promise<ValidationReport> {
  if (source) return validateDatasetFile(source.file, source);
  await ensureData();
  const knownLabels = data.loadTags(dataDir()).map((tag) => tag.tag);
  return validateDatasetFile(join(dataDir(), data.DATASET_FILES.projects.fileName), {
    ...PROJECTS_SPEC,
    knownLabels,
  });
}

/** What `trainInRun` needs. */
export interface TrainInRunOptions extends TrainingData {
  params: Params;
  /** `onEpoch` is called after the epoch's metrics are logged; throwing from it stops training. */
  hooks?: TrainHooks;
  /** The status the run ends with if training fails with `error`. Default FAILED. */
  failedStatus?: (error: unknown) => EndStatus;
}

/**
 * Train in a started run: log each epoch's metrics, then save the artifacts into the run's folder,
 * log the tuned params and the final metrics, and end the run FINISHED. If anything throws, the run
 * ends with `failedStatus(error)` (default FAILED) and the error is rethrown.
 * @param store the tracking store
 * @param run the RUNNING run to train in
 * @param options params, dataset, hooks
 * @returns the tuned params and the test performance
 */
export async function trainInRun(
  store: TrackingStore,
  run: Run,
  options: TrainInRunOptions,
): Promise<{ params: Params; performance: Performance }> {
  const { hooks = {} } = options;
  try {
    const result = await train(options.params, options.dataset, {
      ...hooks,
      onEpoch: async (metrics) => {
        const { epoch, ...values } = metrics;
        await store.logMetrics(run.id, values, epoch);
        await hooks.onEpoch?.(metrics);
      },
    });
    try {
      await saveArtifacts(run.artifactUri, result.artifacts, result.performance);
    } finally {
      result.artifacts.model.dispose();
    }
    await store.logParams(run.id, result.params);
    await store.logMetrics(run.id, finalMetrics(result));
    await store.endRun(run.id, "FINISHED");
    return { params: result.params, performance: result.performance };
  } catch (error) {
    await store.endRun(run.id, options.failedStatus?.(error) ?? "FAILED");
    throw error;
  }
}

/**
 * Load a run's artifacts, ready for `predict`.
 * @param runRef a run id, `models:/name@alias`, `models:/name/3`, `best:EXPERIMENT`; default the newest finished run
 * @returns the artifacts and the resolved run id
 */
export async function loadArtifacts(
  runRef?: string,
  options: StoreOptions = {},
): Promise<Artifacts & { runId: string }> {
  const run = await withStore(options, (store) => resolveRun(store, runRef));
  return { ...(await loadArtifactsFromDir(run.artifactUri)), runId: run.id };
}

/**
 * Predict the tags of one text with a stored run's model.
 * @param text title + " " + description
 * @param runRef which run (see `loadArtifacts`)
 * @returns the prediction
 */
export async function predictTags(
  text: string,
  runRef?: string,
  options: StoreOptions = {},
): Promise<Prediction> {
  const artifacts = await loadArtifacts(runRef, options);
  try {
    return predict([text], artifacts)[0];
  } finally {
    artifacts.model.dispose();
  }
}

/**
 * A run's params (as tuned by training: threshold, num_samples).
 * @param runRef which run (see `loadArtifacts`)
 */
export async function getParams(runRef?: string, options: StoreOptions = {}): Promise<Params> {
  const run = await withStore(options, (store) => resolveRun(store, runRef));
  return loadParamsFromDir(run.artifactUri);
}

/**
 * A run's test performance ({overall, class, slices}).
 * @param runRef which run (see `loadArtifacts`)
 */
export async function getPerformance(runRef?: string, options: StoreOptions = {}): Promise<Performance> {
  const run = await withStore(options, (store) => resolveRun(store, runRef));
  return loadPerformanceFromDir(run.artifactUri);
}

/**
 * Score a stored run's model on a labelled dataset file (e.g. a holdout set), with the same report
 * as its test performance. Records whose labels the model does not know lose them (a record left
 * without a known label is skipped, with a warning).
 * @param runRef which run (see `loadArtifacts`)
 * @param source the dataset file and its field mapping (validated first)
 * @returns the performance on the dataset
 * @throws TagifaiError INVALID_DATA when the data fails validation, its task differs from the model's,
 *   or no record has a known label
 */
export async function evaluateRun(
  runRef: string | undefined,
  source: DatasetSource,
  options: StoreOptions = {},
): Promise<Performance> {
  const { dataset } = await loadTrainingData(source);
  const artifacts = await loadArtifacts(runRef, options);
  try {
    const { params, labelEncoder, model } = artifacts;
    if (dataset.task !== model.task)
      throw new TagifaiError(
        "INVALID_DATA",
        `${source.file} is a ${dataset.task} dataset but run ${artifacts.runId} trained a ${model.task} model`,
      );
    const rows = knownLabelRows(dataset.records, labelEncoder, params);
    if (rows.y.length === 0)
      throw new TagifaiError("INVALID_DATA", `No record of ${source.file} has a label the model knows`);
    if (rows.skipped > 0) logger.warn(`Skipped ${rows.skipped} record(s) without a label the model knows`);
    return evaluateModel(model, labelEncoder, rows);
  } finally {
    artifacts.model.dispose();
  }
}

/**
 * Run behavioral tests against a stored run's model and store the report in the run's performance
 * (as `behavioral`, written atomically) and its pass rate as the run's metric `behavioral_pass_rate`.
 * @param runRef which run (see `loadArtifacts`)
 * @param options `suiteFp`: a suite file (JSON); default the built-in suite
 * @returns the report
 * @throws TagifaiError INVALID_INPUT for an invalid suite file
 */
export async function testModel(
  runRef: string | undefined,
  options: StoreOptions & { suiteFp?: string } = {},
): Promise<BehavioralReport> {
  const suite = options.suiteFp ? loadSuite(options.suiteFp) : BUILTIN_SUITE;
  return withStore(options, async (store) => {
    const run = await resolveRun(store, runRef);
    const artifacts = await loadArtifactsFromDir(run.artifactUri);
    let report: BehavioralReport;
    try {
      report = runBehavioralTests(suite, (texts) => predict(texts, artifacts).map((p) => p.predicted_tags));
    } finally {
      artifacts.model.dispose();
    }
    savePerformanceToDir(run.artifactUri, { ...loadPerformanceFromDir(run.artifactUri), behavioral: report });
    await store.logMetrics(run.id, { behavioral_pass_rate: report.passRate });
    return report;
  });
}

/** One row of a side-by-side comparison of two runs. */
export interface DiffRow {
  key: string;
  a: unknown;
  b: unknown;
}

/**
 * Compare two runs: their params and their latest metrics, side by side (keys of either run).
 * @param runRefA first run (see `resolveRun`)
 * @param runRefB second run
 * @returns param rows and metric rows, each sorted by key
 */
export async function diffRuns(
  runRefA: string,
  runRefB: string,
  options: StoreOptions = {},
): Promise<{ a: string; b: string; params: DiffRow[]; metrics: DiffRow[] }> {
  const [a, b] = await withStore(options, (store) =>
    Promise.all([resolveRun(store, runRefA), resolveRun(store, runRefB)]),
  );
  const rows = (x: Record<string, unknown>, y: Record<string, unknown>): DiffRow[] =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].sort().map((key) => ({ key, a: x[key], b: y[key] }));
  return { a: a.id, b: b.id, params: rows(a.params, b.params), metrics: rows(a.metrics, b.metrics) };
}

/**
 * Delete an experiment with its runs, their metrics and their artifact folders.
 * @param name the experiment
 * @returns the ids of the deleted runs
 */
export async function deleteExperiment(
  name: string,
  options: StoreOptions = {},
): Promise<{ runIds: string[] }> {
  const result = await withStore(options, (store) => store.deleteExperiment(name));
  logger.info(`Deleted experiment ${name} and its ${result.runIds.length} run(s)`);
  return result;
}

/**
 * Register a run's model in the registry under `name` as the next version.
 * @param runRef the run (see `resolveRun`)
 * @param name the registered model's name
 * @returns the name and the new version number
 */
export async function registerModel(
  runRef: string,
  name: string,
  options: StoreOptions = {},
): Promise<{ name: string; version: number }> {
  return withStore(options, async (store) => store.registerModel((await resolveRun(store, runRef)).id, name));
}

/**
 * Open the tracking store for the duration of `work`, closing it afterwards.
 * @param options the tracking URI
 * @param work what to do with the store
 * @returns what `work` returns
 */
export async function withStore<T>(
  options: StoreOptions,
  work: (store: TrackingStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(options.trackingUri);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Resolve a run reference: a 32-hex run id, a registry URI (`models:/name@alias`, `models:/name/3`,
 * `models:/name`), `best:EXPERIMENT` (highest test f1 among its finished runs), or nothing (the newest
 * finished run).
 * @returns the run
 */
export async function resolveRun(store: TrackingStore, runRef?: string): Promise<Run> {
  if (runRef === undefined) return store.latestRun();
  if (runRef.startsWith("best:")) return store.bestRun(runRef.slice("best:".length), "f1", "max");
  return store.getRun(await store.resolveModelUri(runRef));
}

/**
 * The scalar metrics logged at the end of a run: test P/R/F1, best val loss (CNN families), epochs
 * run, each slice's F1, and for a multi-class task the accuracy and macro F1.
 */
function finalMetrics({ performance, bestValLoss, history }: TrainResult): Record<string, number> {
  const { precision, recall, f1 } = performance.overall;
  const slices = Object.entries(performance.slices).map(([name, m]) => [`slice_${name}_f1`, m.f1] as const);
  return {
    precision,
    recall,
    f1,
    ...(bestValLoss === undefined ? {} : { best_val_loss: bestValLoss }),
    epochs: history.length,
    ...Object.fromEntries(slices),
    ...(performance.accuracy === undefined ? {} : { accuracy: performance.accuracy }),
    ...(performance.macro === undefined ? {} : { macro_f1: performance.macro.f1 }),
  };
}

/**
 * While training, turn Ctrl-C (SIGINT) and SIGTERM into a KILLED run instead of one left RUNNING.
 * @returns a function that removes the handlers
 */
function markKilledOnSignal(store: TrackingStore, runId: string): () => void {
  return onTerminationSignal(
    (signal) => {
      logger.warn(`Received ${signal}: marking run ${runId} KILLED`);
      return store.endRun(runId, "KILLED");
    },
    (error) => logger.error(`Could not mark run ${runId} KILLED: ${String(error)}`),
  );
}

/** Load `data/` from its source when it isn't there yet (first use). */
async function ensureData(): Promise<void> {
  const missing = ["projects.json", "tags.json"].some((name) => !existsSync(join(dataDir(), name)));
  if (missing) await loadData();
}
