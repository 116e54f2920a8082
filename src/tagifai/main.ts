/**
 * The operations a user runs — load data, compute features, train, predict, inspect runs — as plain
 * async functions. The CLI (src/cli.ts) is a thin wrapper over these; so are the API and the optimizer.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PARAMS_FP, dataDir, logger, modelDir } from "../config/config.js";
import { loadArtifactsFromDir, loadPerformanceFromDir, saveArtifacts } from "./artifacts.js";
import * as data from "./data.js";
import type { Performance } from "./eval.js";
import { loadParams, type Params } from "./params.js";
import { type Prediction, predict } from "./predict.js";
import { type EndStatus, openStore, type Run, type TrackingStore } from "./tracking.js";
import { type Artifacts, type TrainHooks, type TrainResult, train } from "./train.js";
import { saveJson } from "./utils.js";

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

/** Options of `trainModel`. */
export interface TrainModelOptions extends StoreOptions {
  paramsFp?: string;
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
  const { features, tags } = await loadTrainingData();
  if (options.testRun) {
    const result = await train(params, features, tags, { onBatch: options.onBatch });
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
        features,
        tags,
        hooks: { onBatch: options.onBatch },
      });
      return { runId: run.id, ...result };
    } finally {
      stopOnSignal();
    }
  });
}

/** The inputs of training: the computed features and the known tags. */
export interface TrainingData {
  features: data.Feature[];
  tags: data.Tag[];
}

/**
 * Compute the features (loading the data first if needed) and read the known tags.
 * @returns what `train` takes besides the params
 */
export async function loadTrainingData(): Promise<TrainingData> {
  const features = await computeFeatures();
  return { features, tags: data.loadTags(dataDir()) };
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
 * @param options params, features, tags, hooks
 * @returns the tuned params and the test performance
 */
export async function trainInRun(
  store: TrackingStore,
  run: Run,
  options: TrainInRunOptions,
): Promise<{ params: Params; performance: Performance }> {
  const { hooks = {} } = options;
  try {
    const result = await train(options.params, options.features, options.tags, {
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
  return loadParams(join(run.artifactUri, "params.json"));
}

/**
 * A run's test performance ({overall, class, slices}).
 * @param runRef which run (see `loadArtifacts`)
 */
export async function getPerformance(runRef?: string, options: StoreOptions = {}): Promise<Performance> {
  const run = await withStore(options, (store) => resolveRun(store, runRef));
  return loadPerformanceFromDir(run.artifactUri);
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

/** The scalar metrics logged at the end of a run: test P/R/F1, best val loss, epochs run, each slice's F1. */
function finalMetrics({ performance, bestValLoss, history }: TrainResult): Record<string, number> {
  const { precision, recall, f1 } = performance.overall;
  const slices = Object.entries(performance.slices).map(([name, m]) => [`slice_${name}_f1`, m.f1] as const);
  return {
    precision,
    recall,
    f1,
    best_val_loss: bestValLoss,
    epochs: history.length,
    ...Object.fromEntries(slices),
  };
}

/**
 * While training, turn Ctrl-C (SIGINT) and SIGTERM into a KILLED run instead of one left RUNNING.
 * @returns a function that removes the handlers
 */
function markKilledOnSignal(store: TrackingStore, runId: string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.warn(`Received ${signal}: marking run ${runId} KILLED`);
    store
      .endRun(runId, "KILLED")
      .catch((error: unknown) => logger.error(`Could not mark run ${runId} KILLED: ${String(error)}`))
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** Load `data/` from its source when it isn't there yet (first use). */
async function ensureData(): Promise<void> {
  const missing = ["projects.json", "tags.json"].some((name) => !existsSync(join(dataDir(), name)));
  if (missing) await loadData();
}
