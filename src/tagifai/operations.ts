/**
 * The operations a user runs — load data, compute features, validate data, train, evaluate, test,
 * predict, inspect and compare runs — as plain async functions: what the CLI (src/cli.ts) calls.
 * Runs are created, trained in and ended through the run lifecycle (`lifecycle.ts`), which the
 * optimizer and the API server use directly. Long operations take an AbortSignal.
 */
import { cacheDir, DEFAULT_PARAMS_FP, logger, modelDir } from "../config/config.js";
import { artifactRootFor, fetchRunArtifacts, withRunArtifacts } from "./artifact-store.js";
import {
  ARTIFACT_FILES,
  loadArtifactsFromDir,
  loadParamsFromDir,
  loadPerformanceFromDir,
} from "./artifacts.js";
import { type BehavioralReport, BUILTIN_SUITE, loadSuite, runBehavioralTests } from "./behavioral.js";
import { TagifaiError } from "./errors.js";
import type { Performance } from "./eval.js";
import type { OnnxExportResult } from "./export/onnx.js";
import { jsonText } from "./files.js";
import {
  describeModel,
  findRunArtifacts,
  modelIdentity,
  resolveRun,
  type StoreOptions,
  trainInRun,
  withStore,
} from "./lifecycle.js";
import { loadParams, type Params } from "./params.js";
import { type Prediction, predict } from "./predict.js";
import type { GarbageEntry, Run, TrackingStore } from "./tracking.js";
import {
  type Artifacts,
  assertTrainable,
  evaluateModel,
  knownLabelRows,
  type TrainHooks,
  train,
} from "./train.js";
import { type DatasetSource, loadTrainingData } from "./training-data.js";

export type { StoreOptions } from "./lifecycle.js";
export {
  computeFeatures,
  type DatasetSource,
  loadData,
  loadTrainingData,
  validateData,
} from "./training-data.js";

/** Options of `trainModel`. */
export interface TrainModelOptions extends StoreOptions {
  paramsFp?: string;
  /** Train on this dataset instead of the reference projects. */
  dataset?: DatasetSource;
  experimentName?: string;
  runName?: string;
  /** Train and evaluate without saving a run or artifacts: a quick end-to-end check. */
  testRun?: boolean;
  /**
   * Where the run's artifacts go: a folder or `postgresql://…`; default `TAGIFAI_ARTIFACT_URI`, else
   * the tracking database when it is PostgreSQL, else `<home>/stores/model` (see `artifact-store.ts`).
   */
  artifactUri?: string;
  onBatch?: TrainHooks["onBatch"];
  /** Cancels training: the run then ends KILLED, without artifacts. */
  signal?: AbortSignal;
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
 * FAILED and an abort of `options.signal` KILLED; a run is FINISHED only once its artifacts are
 * complete (see `trainInRun`).
 * @param options params file, dataset, experiment and run names, test-run flag, tracking URI, signal
 * @returns the run id, the tuned params and the test performance
 * @throws the signal's reason once it is aborted
 */
export async function trainModel(options: TrainModelOptions = {}): Promise<TrainModelResult> {
  const params = loadParams(options.paramsFp ?? DEFAULT_PARAMS_FP);
  const { dataset } = await loadTrainingData(options.dataset);
  assertTrainable(params, dataset);
  if (options.testRun) {
    const result = await train(params, dataset, { onBatch: options.onBatch, signal: options.signal });
    result.artifacts.model.dispose();
    return { params: result.params, performance: result.performance };
  }
  return withStore(options, async (store) => {
    const run = await store.createRun({
      experimentName: options.experimentName ?? "baselines",
      runName: options.runName,
      params,
      artifactRoot: await artifactRootFor(store, options.artifactUri),
    });
    logger.info(`Run ID: ${run.id}`);
    const result = await trainInRun(store, run, {
      params,
      dataset,
      hooks: { onBatch: options.onBatch },
      signal: options.signal,
    });
    return { runId: run.id, ...result };
  });
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
  const { run, dir } = await findRunArtifacts(runRef, options);
  return { ...(await loadArtifactsFromDir(dir)), runId: run.id };
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
 * Export a run's model to a folder that any ONNX Runtime can serve (see `export/onnx.ts`).
 * @param runRef which run (see `loadArtifacts`)
 * @param options `output`: the destination folder; `force`: replace it if it exists
 * @returns the run id, the folder and the files written
 * @throws TagifaiError INVALID_INPUT when the run is not FINISHED (it has no model), is an ensemble,
 *   or the destination exists without `force`
 */
export async function exportModel(
  runRef: string | undefined,
  options: StoreOptions & { output: string; force?: boolean },
): Promise<OnnxExportResult & { runId: string }> {
  const { run, dir } = await findRunArtifacts(runRef, options, "to export");
  // Loaded on use: the ONNX protobuf code takes ~0.3 s to load, which other commands need not pay.
  const { exportOnnx } = await import("./export/onnx.js");
  const result = await exportOnnx(dir, options.output, { runId: run.id, force: options.force });
  return { runId: run.id, ...result };
}

/**
 * A run's params (as tuned by training: threshold, num_samples).
 * @param runRef which run (see `loadArtifacts`)
 */
export async function getParams(runRef?: string, options: StoreOptions = {}): Promise<Params> {
  return loadParamsFromDir((await findRunArtifacts(runRef, options)).dir);
}

/**
 * A run's test performance ({overall, class, slices}).
 * @param runRef which run (see `loadArtifacts`)
 */
export async function getPerformance(runRef?: string, options: StoreOptions = {}): Promise<Performance> {
  return loadPerformanceFromDir((await findRunArtifacts(runRef, options)).dir);
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
    logger.info(describeModel(await modelIdentity(store, run)));
    const dir = await fetchRunArtifacts(store, run);
    const artifacts = await loadArtifactsFromDir(dir);
    let report: BehavioralReport;
    try {
      report = runBehavioralTests(suite, (texts) => predict(texts, artifacts).map((p) => p.predicted_tags));
    } finally {
      artifacts.model.dispose();
    }
    const performance = { ...loadPerformanceFromDir(dir), behavioral: report };
    await withRunArtifacts(store, run, (artifactStore) =>
      artifactStore.replace(run.id, ARTIFACT_FILES.performance, jsonText(performance)),
    );
    await store.logMetrics(run.id, { behavioral_pass_rate: report.pass_rate });
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
 * Delete an experiment with its runs, their metrics and their artifacts (in their artifact store,
 * and their local cached copies); refused while a run of it is a registered model version, unless
 * `force`.
 * @param name the experiment
 * @param options `force`: delete the registered model versions made from its runs too
 * @returns the ids of the deleted runs
 * @throws TagifaiError EXPERIMENT_NOT_FOUND, MODEL_REGISTERED (naming the versions)
 */
export async function deleteExperiment(
  name: string,
  options: StoreOptions & { force?: boolean } = {},
): Promise<{ runIds: string[] }> {
  const result = await withStore(options, async (store) => {
    const runs = await store.listRuns({ experimentName: name });
    const deleted = await store.deleteExperiment(name, { force: options.force });
    for (const run of runs.filter((r) => deleted.runIds.includes(r.id)))
      await removeArtifactsLeft(store, run);
    return deleted;
  });
  logger.info(`Deleted experiment ${name} and its ${result.runIds.length} run(s)`);
  return result;
}

/**
 * Remove what the tracking store's delete leaves of a deleted run's artifacts: their local cached
 * copy, and their files in an artifact store other than the tracking database (a failure there is
 * only logged: the run is gone already).
 */
async function removeArtifactsLeft(store: TrackingStore, run: Run): Promise<void> {
  try {
    await withRunArtifacts(store, run, (artifactStore) => artifactStore.delete(run.id));
  } catch (error) {
    logger.warn(`Could not remove the artifacts of run ${run.id} from ${run.artifactUri}: ${String(error)}`);
  }
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
 * Remove what killed runs and deleted runs left on disk: partial artifact folders whose run is not
 * RUNNING (runs whose heartbeat stopped are marked FAILED, lost, first) and artifact folders of
 * runs that no longer exist, in `stores/model/`, in the artifact cache `stores/cache/` and beside
 * every run's folder, and the artifacts of runs that no longer exist in the tracking database (see
 * `TrackingStore.collectGarbage`).
 * @param options the tracking URI; `dryRun`: list what would be removed, remove nothing
 * @returns the folders removed (or that would be), by path
 */
export async function collectGarbage(
  options: StoreOptions & { dryRun?: boolean } = {},
): Promise<{ removed: GarbageEntry[] }> {
  const result = await withStore(options, (store) =>
    store.collectGarbage({ artifactRoots: [modelDir(), cacheDir()], dryRun: options.dryRun }),
  );
  const verb = options.dryRun ? "Would remove" : "Removed";
  logger.info(`${verb} ${result.removed.length} folder(s)`);
  return result;
}
