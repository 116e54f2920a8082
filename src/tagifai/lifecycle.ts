/**
 * The run lifecycle, shared by the CLI's operations (`operations.ts`), the optimizer and the API
 * server: open the tracking store for a piece of work, resolve a run reference, train inside a run
 * and end it with the status that tells the truth.
 *
 * A run is FINISHED only once its artifacts are complete, and never after an abort it could see.
 * `trainInRun` checks its AbortSignal at every checkpoint — each epoch, after the fit, before the
 * artifacts are committed to the run's artifact store (`artifact-store.ts`), after they are, and right
 * before the FINISHED update — and that update only applies to a run still RUNNING (one conditional
 * update). An aborted run ends KILLED and its artifacts, complete or partial, are removed. A signal
 * that arrives after the FINISHED update has committed finds the work done: the run stays FINISHED.
 * While it trains, the run heartbeats (`run-heartbeat.ts`), so that a run whose process was killed
 * reads FAILED (lost).
 */
import { logger } from "../config/config.js";
import { checkpoint } from "./abort.js";
import { type ArtifactStore, fetchRunArtifacts, openRunArtifactStore } from "./artifact-store.js";
import { TagifaiError } from "./errors.js";
import type { Performance } from "./eval.js";
import type { Params } from "./params.js";
import { startRunHeartbeat } from "./run-heartbeat.js";
import type { ModelIdentity } from "./serve/contract.js";
import { type EndStatus, openStore, type Run, type TrackingStore } from "./tracking.js";
import type { EpochMetrics, TrainHooks, TrainingDataset, TrainResult } from "./train.js";

/** Options shared by everything that touches the tracking store. */
export interface StoreOptions {
  /** `sqlite:PATH` or `postgresql://…`; default `TAGIFAI_TRACKING_URI`, else `stores/tracking.db`. */
  trackingUri?: string;
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

/** The forms a run reference takes, for messages. */
export const RUN_REFERENCE_FORMS =
  "a run id (or a unique prefix of at least 6 characters), models:/NAME@ALIAS, NAME@ALIAS, models:/NAME/VERSION or best:EXPERIMENT";

/**
 * The metric that chooses between runs (`best:EXPERIMENT`, `best-run`, a study's trials): the
 * validation F1 at the tuned thresholds. The test F1 (`f1`) is reported, never used to choose.
 */
export const SELECTION_METRIC = "val_f1";

/** The shortest run id prefix accepted. */
export const MIN_RUN_ID_PREFIX = 6;

/** What a run reference names, before it is looked up. */
export type RunReference =
  | { kind: "id"; id: string }
  | { kind: "prefix"; prefix: string }
  | { kind: "model"; uri: string }
  | { kind: "best"; experiment: string };

/**
 * Read the form of a run reference (without looking anything up): a 32-hex run id, a hex prefix of
 * at least 6 characters, `models:/NAME@ALIAS`, `models:/NAME/VERSION`, `models:/NAME` (latest
 * version), `NAME@ALIAS`, or `best:EXPERIMENT` (the finished run with the highest validation f1).
 * @param runRef what the user typed
 * @returns what it names
 * @throws TagifaiError INVALID_RUN_ID echoing the reference and listing the accepted forms
 */
export function parseRunReference(runRef: string): RunReference {
  const ref = runRef.trim();
  if (/^[0-9a-f]{32}$/.test(ref)) return { kind: "id", id: ref };
  if (new RegExp(`^[0-9a-f]{${MIN_RUN_ID_PREFIX},31}$`).test(ref)) return { kind: "prefix", prefix: ref };
  if (ref.startsWith("models:/")) return { kind: "model", uri: ref };
  if (ref.startsWith("best:") && ref.length > "best:".length)
    return { kind: "best", experiment: ref.slice("best:".length) };
  if (/^[^/@:\s]+@[^/@:\s]+$/.test(ref)) return { kind: "model", uri: `models:/${ref}` };
  const why = /^[0-9a-f]{1,5}$/.test(ref)
    ? ` (a run id prefix needs at least ${MIN_RUN_ID_PREFIX} characters)`
    : "";
  throw new TagifaiError(
    "INVALID_RUN_ID",
    `invalid run reference ${JSON.stringify(runRef)}${why}: expected ${RUN_REFERENCE_FORMS}`,
  );
}

/** The registered model whose `production` version is the default model. */
export const DEFAULT_MODEL_NAME = "tagifai";
/** The alias of the default model's version. */
export const DEFAULT_MODEL_ALIAS = "production";

/**
 * The default model, the one rule every command, the API and the dashboard use: the version
 * registered as `tagifai@production` if there is one, else the newest FINISHED run that did not
 * train a study trial.
 * @param store the tracking store
 * @returns the run
 * @throws TagifaiError RUN_NOT_FOUND if there is neither
 */
export async function resolveDefaultRun(store: TrackingStore): Promise<Run> {
  try {
    return await store.getRun(
      await store.resolveModelUri(`models:/${DEFAULT_MODEL_NAME}@${DEFAULT_MODEL_ALIAS}`),
    );
  } catch (error) {
    if (!(error instanceof TagifaiError && error.code === "MODEL_NOT_FOUND")) throw error;
  }
  const [run] = await store.listRuns({ status: "FINISHED", excludeTrials: true, limit: 1 });
  if (run === undefined) {
    throw new TagifaiError(
      "RUN_NOT_FOUND",
      `no model to use: no ${DEFAULT_MODEL_NAME}@${DEFAULT_MODEL_ALIAS} and no FINISHED run outside a study (train one, or name a run)`,
    );
  }
  return run;
}

/**
 * Which model a run is: its registered versions (name, version, aliases), its run id and name, and
 * its validation F1 (`val_f1`) and test F1 (`f1`) — the facts `describeModel` logs and `GET /` shows.
 * @param store the tracking store
 * @param run the model's run
 * @returns the facts, registered versions by name then version, aliases sorted
 */
export async function modelIdentity(store: TrackingStore, run: Run): Promise<ModelIdentity> {
  const registered = [];
  for (const name of (await store.listModels()).sort()) {
    for (const version of await store.listModelVersions(name)) {
      if (version.runId !== run.id) continue;
      registered.push({ name, version: version.version, aliases: [...version.aliases].sort() });
    }
  }
  return {
    run_id: run.id,
    run_name: run.name,
    registered: registered.sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version),
    val_f1: run.metrics[SELECTION_METRIC] ?? null,
    test_f1: run.metrics.f1 ?? null,
  };
}

/**
 * One line naming a model (see `modelIdentity`): its registered name, version and aliases (if
 * registered), its run id, and its validation and test F1, e.g.
 * `model: tagifai v3 (production) · run 59b31a57… · val f1 0.741 · test f1 0.732`.
 * @param model the model's facts
 * @returns the line
 */
export function describeModel(model: ModelIdentity): string {
  const registered = model.registered.map(
    (v) => `${v.name} v${v.version}${v.aliases.length > 0 ? ` (${v.aliases.join(", ")})` : ""}`,
  );
  const f1 = (value: number | null) => (value === null ? "n/a" : value.toFixed(3));
  return [
    `model: ${[...registered, `run ${model.run_id.slice(0, 8)}…`].join(" · ")}`,
    `val f1 ${f1(model.val_f1)}`,
    `test f1 ${f1(model.test_f1)}`,
  ].join(" · ");
}

/**
 * Resolve a run reference (see `parseRunReference`), or nothing (the default model, see
 * `resolveDefaultRun`).
 * @param store the tracking store
 * @param runRef the reference
 * @returns the run
 * @throws TagifaiError INVALID_RUN_ID (bad form, or a prefix several runs share — naming them),
 *   RUN_NOT_FOUND, MODEL_NOT_FOUND, EXPERIMENT_NOT_FOUND, INVALID_INPUT
 */
export async function resolveRun(store: TrackingStore, runRef?: string): Promise<Run> {
  if (runRef === undefined) return resolveDefaultRun(store);
  const ref = parseRunReference(runRef);
  switch (ref.kind) {
    case "id":
      return store.getRun(ref.id);
    case "model":
      return store.getRun(await store.resolveModelUri(ref.uri));
    case "best":
      return store.bestRun(ref.experiment, SELECTION_METRIC, "max");
    case "prefix": {
      const matches = (await store.listRuns()).filter((run) => run.id.startsWith(ref.prefix));
      if (matches.length === 1) return matches[0];
      if (matches.length === 0)
        throw new TagifaiError("RUN_NOT_FOUND", `no run id starts with "${ref.prefix}"`);
      throw new TagifaiError(
        "INVALID_RUN_ID",
        `run id prefix "${ref.prefix}" is ambiguous: ${matches.map((run) => run.id).join(", ")}`,
      );
    }
  }
}

/**
 * Resolve the run of a model to use in the store the options name (see `resolveRun`), say on
 * stderr (the log) which model it is (see `describeModel`), and fetch its artifacts into a local
 * folder (see `fetchRunArtifacts`).
 * @param runRef the reference; default the default model (see `resolveDefaultRun`)
 * @param options the tracking URI
 * @param use what the model is for, in the message about a run without one (e.g. "to export")
 * @returns the run and the folder holding its artifacts
 */
export async function findRunArtifacts(
  runRef: string | undefined,
  options: StoreOptions = {},
  use?: string,
): Promise<{ run: Run; dir: string }> {
  return withStore(options, async (store) => {
    const run = await resolveRun(store, runRef);
    logger.info(describeModel(await modelIdentity(store, run)));
    return { run, dir: await fetchRunArtifacts(store, run, use) };
  });
}

/** What `trainInRun` needs. */
export interface TrainInRunOptions {
  params: Params;
  dataset: TrainingDataset;
  /** `onEpoch` is called after the epoch's metrics are logged; throwing from it stops training. */
  hooks?: TrainHooks;
  /** The status the run ends with if training fails with `error` (not aborted). Default FAILED. */
  failedStatus?: (error: unknown) => EndStatus;
  /** Cancels training: the run then ends KILLED, without artifacts. */
  signal?: AbortSignal;
}

/**
 * Train in a started run: log each epoch's metrics, then commit the artifacts to the run's artifact
 * store (opened first, so an unreachable store fails before training), log the tuned params and the
 * final metrics, and end the run FINISHED. If anything throws, the artifacts are removed and the run
 * ends KILLED when the signal was aborted, else with `failedStatus(error)` (default FAILED); the
 * error is rethrown.
 * @param store the tracking store
 * @param run the RUNNING run to train in
 * @param options params, dataset, hooks, signal
 * @returns the tuned params, the test performance and the validation scores
 * @throws the signal's reason once it is aborted; TRACKING_ERROR if another process ended the run
 */
export async function trainInRun(
  store: TrackingStore,
  run: Run,
  options: TrainInRunOptions,
): Promise<{ params: Params; performance: Performance; validation?: Performance["overall"] }> {
  const { hooks = {}, signal } = options;
  // Loaded on use: resolving runs and opening the store (all most commands need) stay free of tfjs.
  const [{ train }, { writeArtifactFiles }] = await Promise.all([
    import("./train.js"),
    import("./artifacts.js"),
  ]);
  let artifactStore: ArtifactStore | undefined;
  let saved = false;
  const stopHeartbeat = startRunHeartbeat(store, run.id);
  try {
    artifactStore = await openRunArtifactStore(store, run);
    await checkpoint(signal);
    const result = await train(options.params, options.dataset, {
      ...hooks,
      signal,
      onEpoch: async (metrics) => {
        const { epoch, ...values } = metrics;
        const logged = Object.entries(values).map(([name, value]) => [
          EPOCH_METRIC_KEYS[name as EpochMetricName],
          value,
        ]);
        await store.logMetrics(run.id, Object.fromEntries(logged), epoch);
        await hooks.onEpoch?.(metrics);
        await checkpoint(signal);
      },
    });
    try {
      await checkpoint(signal);
      await artifactStore.save(
        run.id,
        (dir) => writeArtifactFiles(dir, result.artifacts, result.performance),
        signal,
      );
      saved = true;
    } finally {
      result.artifacts.model.dispose();
    }
    await checkpoint(signal);
    await store.logParams(run.id, result.params);
    await store.logMetrics(run.id, finalMetrics(result));
    await checkpoint(signal);
    if (!(await store.endRun(run.id, "FINISHED", { ifRunning: true }))) {
      const { status } = await store.getRun(run.id);
      throw new TagifaiError("TRACKING_ERROR", `run ${run.id} was ended ${status} before it could finish`);
    }
    const { params, performance, validation } = result;
    return { params, performance, ...(validation === undefined ? {} : { validation }) };
  } catch (error) {
    if (saved) await artifactStore?.delete(run.id);
    const status = signal?.aborted ? "KILLED" : (options.failedStatus?.(error) ?? "FAILED");
    await store.endRun(run.id, status, { ifRunning: true });
    throw error;
  } finally {
    await stopHeartbeat();
    await artifactStore?.close();
  }
}

/** The name of a value training reports per epoch. */
type EpochMetricName = Exclude<keyof EpochMetrics, "epoch">;

/**
 * The tracking metric each per-epoch value is logged as (step = epoch). The epoch's validation F1
 * is `epoch_val_f1`: `val_f1` is the final model's (a run's metrics show each key's value at its
 * highest step, so the two could not share a name).
 */
export const EPOCH_METRIC_KEYS: Readonly<Record<EpochMetricName, string>> = {
  train_loss: "train_loss",
  val_loss: "val_loss",
  val_f1: "epoch_val_f1",
  lr: "lr",
};

/**
 * The scalar metrics logged at the end of a run (step 0): validation P/R/F1 at the tuned thresholds
 * (`val_precision`, `val_recall`, `val_f1`: what model selection compares), test P/R/F1
 * (`precision`, `recall`, `f1`: reported, never used to choose), best val loss (CNN families),
 * epochs run, each slice's test F1, and for a multi-class task the test accuracy and macro F1.
 */
function finalMetrics({
  performance,
  validation,
  bestValLoss,
  history,
}: TrainResult): Record<string, number> {
  const { precision, recall, f1 } = performance.overall;
  const slices = Object.entries(performance.slices).map(([name, m]) => [`slice_${name}_f1`, m.f1] as const);
  return {
    ...(validation === undefined
      ? {}
      : { val_precision: validation.precision, val_recall: validation.recall, val_f1: validation.f1 }),
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
