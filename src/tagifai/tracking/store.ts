/**
 * The tracking store: experiments, runs with their params, tags and metric history, and the model
 * registry, in SQLite (default) or PostgreSQL behind one Kysely code path.
 */
import { dirname, isAbsolute } from "node:path";
import type { Kysely } from "kysely";
import { TagifaiError } from "../errors.js";
import { parseWith } from "../schema.js";
import { type Connection, defaultTrackingUri, parseTrackingUri, type TrackingTarget } from "./connection.js";
import type { Database } from "./database.js";
import { deleteExperiment, findExperiment, findOrCreateExperiment, listExperiments } from "./experiments.js";
import { collectGarbage, collectStoredArtifacts, type GarbageEntry } from "./garbage.js";
import { assertExperimentName, assertPositiveInteger, assertRunId } from "./ids.js";
import { assertMetrics, getMetricHistory, listMetricKeys, logMetrics } from "./metrics.js";
import { openMigrated } from "./migrations.js";
import {
  type ClaimTrialOptions,
  type CreateRunOptions,
  type EndStatus,
  type Experiment,
  type ExperimentSummary,
  endStatusSchema,
  type ListRunsOptions,
  type MetricPoint,
  type ModelVersion,
  paramsSchema,
  type Run,
  type RunStatus,
  runStatusSchema,
  type Study,
  type StudyDefinition,
  type Trial,
  type TrialClaim,
  tagsSchema,
} from "./records.js";
import * as registry from "./registry.js";
import {
  endRun,
  expireLostRuns,
  findRunRow,
  heartbeatRun,
  insertRun,
  listRuns,
  mergeIntoRunColumn,
  toRuns,
} from "./runs.js";
import * as studies from "./studies.js";

/** A RUNNING run without a heartbeat for this many seconds reads FAILED (lost), unless configured. */
export const DEFAULT_RUN_HEARTBEAT_TIMEOUT_S = 120;

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /**
   * A RUNNING run whose last heartbeat is older than this many seconds is marked FAILED (reason
   * "lost") by this store's readers. Default `TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S`, else 120. Runs
   * beat from a worker thread (see `run-heartbeat.ts`), so synchronous training steps do not count.
   */
  runHeartbeatTimeoutS?: number;
}

/**
 * Open the tracking store, creating and migrating its database as needed.
 * @param uri tracking URI; defaults to `TAGIFAI_TRACKING_URI`, then `sqlite:<home>/stores/tracking.db`
 * @param options the run heartbeat timeout
 * @returns the open store; `close()` it when done
 * @throws TagifaiError TRACKING_ERROR (bad URI, unreachable database), SCHEMA_TOO_NEW, INVALID_INPUT
 *   (a bad heartbeat timeout)
 */
export async function openStore(uri?: string, options: OpenStoreOptions = {}): Promise<TrackingStore> {
  const timeoutMs = runHeartbeatTimeoutMs(options.runHeartbeatTimeoutS);
  const target = parseTrackingUri(uri ?? process.env.TAGIFAI_TRACKING_URI ?? defaultTrackingUri());
  const connection = await openMigrated(
    target,
    (problem, cause) =>
      new TagifaiError("TRACKING_ERROR", `cannot open the tracking store ${target.display}: ${problem}`, {
        cause,
      }),
  );
  return new TrackingStore(target.display, connection, timeoutMs, target);
}

/** The heartbeat timeout in ms: the option, else `TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S`, else the default. */
function runHeartbeatTimeoutMs(seconds: number | undefined): number {
  const fromEnv = process.env.TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S;
  const [value, what] =
    seconds !== undefined
      ? [seconds, `run heartbeat timeout ${String(seconds)}`]
      : fromEnv !== undefined && fromEnv.trim() !== ""
        ? [Number(fromEnv), `TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S "${fromEnv}"`]
        : [DEFAULT_RUN_HEARTBEAT_TIMEOUT_S, ""];
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TagifaiError("INVALID_INPUT", `invalid ${what}: expected a number of seconds > 0`);
  }
  return Math.round(value * 1000);
}

/** An open tracking store (see `openStore`). Every method validates its arguments before any query. */
export class TrackingStore {
  /**
   * Use `openStore` instead: it parses the URI and migrates the database.
   * @param uri the store's URI as shown to people (password masked)
   * @param connection the open, migrated database
   * @param runHeartbeatTimeoutMs a RUNNING run without a heartbeat for this long reads FAILED (lost)
   * @param target where the database is, to open another connection to it (see `reopenTarget`);
   *   without it, the store cannot be reopened
   */
  constructor(
    readonly uri: string,
    private readonly connection: Connection,
    readonly runHeartbeatTimeoutMs: number = DEFAULT_RUN_HEARTBEAT_TIMEOUT_S * 1000,
    target?: TrackingTarget,
  ) {
    this.#target = target;
  }

  /** Kept in a private field: not shown by `util.inspect` nor serialized (it may hold a password). */
  readonly #target: TrackingTarget | undefined;

  /**
   * Where this store's database is, with the real connection string (a PostgreSQL password
   * included), for opening another connection to it with `openConnection` — e.g. from a worker
   * thread. Never log nor show its `location`: show `uri` (password masked) instead.
   * @returns the target, or undefined if this store was not opened from one (it cannot be reopened)
   */
  reopenTarget(): TrackingTarget | undefined {
    return this.#target;
  }

  private get db(): Kysely<Database> {
    return this.connection.db;
  }

  /**
   * The open database, for the PostgreSQL artifact store, whose tables the tracking migrations
   * create in the same database (see `artifact-store/postgres`).
   */
  get database(): Connection {
    return this.connection;
  }

  /** Close the database (SQLite file or PostgreSQL pool). */
  async close(): Promise<void> {
    await this.db.destroy();
  }

  /**
   * Get an experiment by name, creating it if needed (safe when several processes race to create
   * it: they all get the same row). A deleted experiment of that name is brought back, empty.
   * @param name the experiment name
   * @returns the experiment
   */
  async getOrCreateExperiment(name: string): Promise<Experiment> {
    return findOrCreateExperiment(this.db, assertExperimentName(name));
  }

  /**
   * Get an experiment by name.
   * @param name the experiment name
   * @returns the experiment
   * @throws TagifaiError EXPERIMENT_NOT_FOUND
   */
  async getExperiment(name: string): Promise<Experiment> {
    return findExperiment(this.db, assertExperimentName(name));
  }

  /** @returns every experiment, by name, with its number of runs */
  async listExperiments(): Promise<ExperimentSummary[]> {
    return listExperiments(this.db);
  }

  /**
   * Delete an experiment with its runs, their metrics and the runs' artifact folders on disk;
   * refused while one of its runs is a registered model version, unless `force` (which deletes
   * those versions and their aliases too).
   * @param name the experiment name
   * @param options `force`: delete even the registered model versions made from its runs
   * @returns the ids of the deleted runs
   * @throws TagifaiError EXPERIMENT_NOT_FOUND, MODEL_REGISTERED (naming the versions)
   */
  async deleteExperiment(name: string, options: { force?: boolean } = {}): Promise<{ runIds: string[] }> {
    return deleteExperiment(this.connection, assertExperimentName(name), options);
  }

  /**
   * Start a run (status RUNNING) in an experiment, creating the experiment if needed.
   * @param options experiment, optional name, params and tags, and the artifact root (a folder, or
   *   a function giving the run's artifact URI from its id)
   * @returns the new run; its artifact folder is `<artifactRoot>/<id>` (not created here)
   */
  async createRun(options: CreateRunOptions): Promise<Run> {
    const params = parseWith(paramsSchema, options.params ?? {}, {
      code: "INVALID_INPUT",
      what: "run params",
    });
    const tags = parseWith(tagsSchema, options.tags ?? {}, { code: "INVALID_INPUT", what: "run tags" });
    if (
      (typeof options.artifactRoot !== "string" && typeof options.artifactRoot !== "function") ||
      options.artifactRoot === ""
    ) {
      throw new TagifaiError("INVALID_INPUT", "createRun needs an artifactRoot folder or function");
    }
    const experimentName = assertExperimentName(options.experimentName);
    const id = await insertRun(this.connection, {
      experimentName,
      runName: options.runName,
      params,
      tags,
      artifactRoot: options.artifactRoot,
    });
    return this.getRun(id);
  }

  /**
   * Add parameters to a run (merged over the ones it has).
   * @param runId the run
   * @param params JSON-serializable values by name
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND, INVALID_INPUT
   */
  async logParams(runId: string, params: Record<string, unknown>): Promise<void> {
    assertRunId(runId);
    await mergeIntoRunColumn(
      this.connection,
      runId,
      "params",
      parseWith(paramsSchema, params, { code: "INVALID_INPUT", what: "params" }),
    );
  }

  /**
   * Add tags to a run (merged over the ones it has).
   * @param runId the run
   * @param tags string values by name
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND, INVALID_INPUT
   */
  async setTags(runId: string, tags: Record<string, string>): Promise<void> {
    assertRunId(runId);
    await mergeIntoRunColumn(
      this.connection,
      runId,
      "tags",
      parseWith(tagsSchema, tags, { code: "INVALID_INPUT", what: "tags" }),
    );
  }

  /**
   * Log metric values at a step, all in one transaction.
   * @param runId the run
   * @param metrics finite numbers by metric name
   * @param step a whole number ≥ 0 (default 0), e.g. the epoch
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND, INVALID_INPUT (non-finite value, bad step)
   */
  async logMetrics(runId: string, metrics: Record<string, number>, step = 0): Promise<void> {
    assertRunId(runId);
    assertMetrics(metrics, step);
    await logMetrics(this.connection, runId, metrics, step);
  }

  /**
   * Every logged value of one metric of a run, by step then time.
   * @param runId the run
   * @param key the metric name
   * @returns the history (empty if the metric was never logged)
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND
   */
  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    return getMetricHistory(this.db, assertRunId(runId), key);
  }

  /**
   * The names of the metrics runs have logged, sorted.
   * @param options `experimentName`: only that experiment's runs
   * @returns the metric names
   * @throws TagifaiError EXPERIMENT_NOT_FOUND
   */
  async listMetricKeys(options: { experimentName?: string } = {}): Promise<string[]> {
    const experimentId =
      options.experimentName === undefined
        ? undefined
        : (await findExperiment(this.db, assertExperimentName(options.experimentName))).id;
    return listMetricKeys(this.db, experimentId);
  }

  /**
   * End a run: set its final status and end time.
   * @param runId the run
   * @param status FINISHED, FAILED or KILLED
   * @param options `ifRunning`: change the run only while it is still RUNNING (one conditional
   *   update, so that two enders — e.g. a finishing run and a kill — cannot both win)
   * @returns whether the run was changed (always true without `ifRunning`)
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND, INVALID_INPUT
   */
  async endRun(runId: string, status: EndStatus, options: { ifRunning?: boolean } = {}): Promise<boolean> {
    assertRunId(runId);
    parseWith(endStatusSchema, status, { code: "INVALID_INPUT", what: "end status" });
    return endRun(this.db, runId, status, options);
  }

  /**
   * Get a run with the latest value of each of its metrics.
   * @param runId the run
   * @returns the run
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND
   */
  async getRun(runId: string): Promise<Run> {
    assertRunId(runId);
    await this.expireLostRuns();
    const row = await findRunRow(this.db, runId);
    const [run] = await toRuns(this.db, [row]);
    return run;
  }

  /**
   * List runs, newest first, or by a metric's latest value (runs without that metric last).
   * @param options experiment and status filters, metric order, row limit and offset (for paging)
   * @returns the runs
   * @throws TagifaiError EXPERIMENT_NOT_FOUND, INVALID_INPUT
   */
  async listRuns(options: ListRunsOptions = {}): Promise<Run[]> {
    const { orderBy, limit, offset } = options;
    const experimentId =
      options.experimentName === undefined
        ? undefined
        : (await findExperiment(this.db, assertExperimentName(options.experimentName))).id;
    const status =
      options.status === undefined
        ? undefined
        : parseWith(runStatusSchema, options.status, { code: "INVALID_INPUT", what: "run status" });
    if (limit !== undefined) assertPositiveInteger(limit, "run limit");
    await this.expireLostRuns();
    return listRuns(this.db, {
      experimentId,
      status,
      orderBy,
      limit,
      offset,
      excludeTrials: options.excludeTrials,
    });
  }

  /**
   * Record that the process training a RUNNING run is alive (`trainInRun` does it periodically). A
   * RUNNING run without a heartbeat for `runHeartbeatTimeoutMs` reads FAILED, reason "lost".
   * @param runId the run
   * @returns false if the run is no longer RUNNING (e.g. it was marked lost meanwhile)
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND
   */
  async heartbeatRun(runId: string): Promise<boolean> {
    return heartbeatRun(this.db, assertRunId(runId));
  }

  /**
   * Mark FAILED, reason "lost", every RUNNING run whose heartbeat is older than
   * `runHeartbeatTimeoutMs` (its process died without ending it). Every run reader does this first.
   * @returns the ids of the runs just marked
   */
  async expireLostRuns(): Promise<string[]> {
    return expireLostRuns(this.db, this.runHeartbeatTimeoutMs);
  }

  /**
   * Remove what dead processes and deleted runs left in artifact roots: partial folders whose run is
   * not RUNNING (lost runs are marked first) and artifact folders of runs that do not exist, and the
   * artifacts this database holds for runs that do not exist (see `tracking/garbage.ts`). Assumes
   * the roots hold this store's runs only.
   * @param options `artifactRoots`: folders to clean besides those of the store's runs;
   *   `dryRun`: list only
   * @returns `removed`: the folders removed (or that would be), by path
   */
  async collectGarbage(
    options: { artifactRoots?: readonly string[]; dryRun?: boolean } = {},
  ): Promise<{ removed: GarbageEntry[] }> {
    await this.expireLostRuns();
    const runRoots = await this.db.selectFrom("runs").select("artifact_uri").distinct().execute();
    // Only artifact URIs that are folders have a root folder (not tracking-db: or postgresql:// ones).
    const folderRoots = runRoots.flatMap((row) =>
      isAbsolute(row.artifact_uri) ? [dirname(row.artifact_uri)] : [],
    );
    const roots = [...(options.artifactRoots ?? []), ...folderRoots];
    const folders = await collectGarbage(this.db, roots, { dryRun: options.dryRun });
    return { removed: [...folders, ...(await collectStoredArtifacts(this.db, { dryRun: options.dryRun }))] };
  }

  /**
   * The most recently started run with a given status.
   * @param options experiment filter; status (default FINISHED)
   * @returns the run
   * @throws TagifaiError RUN_NOT_FOUND if there is none, EXPERIMENT_NOT_FOUND
   */
  async latestRun(options: { experimentName?: string; status?: RunStatus } = {}): Promise<Run> {
    const status = options.status ?? "FINISHED";
    const [run] = await this.listRuns({ experimentName: options.experimentName, status, limit: 1 });
    if (run === undefined) {
      const where = options.experimentName === undefined ? "" : ` in experiment "${options.experimentName}"`;
      throw new TagifaiError("RUN_NOT_FOUND", `no ${status} run${where}`);
    }
    return run;
  }

  /**
   * The FINISHED run of an experiment with the best latest value of a metric.
   * @param experimentName the experiment
   * @param metric the metric name
   * @param mode "max" (default) or "min": which end of the metric is best
   * @returns the run
   * @throws TagifaiError RUN_NOT_FOUND if no FINISHED run logged that metric, EXPERIMENT_NOT_FOUND
   */
  async bestRun(experimentName: string, metric: string, mode: "max" | "min" = "max"): Promise<Run> {
    if (mode !== "max" && mode !== "min") {
      throw new TagifaiError("INVALID_INPUT", `invalid mode "${String(mode)}": expected "max" or "min"`);
    }
    const [run] = await this.listRuns({
      experimentName,
      status: "FINISHED",
      orderBy: { metric, ascending: mode === "min" },
      limit: 1,
    });
    if (run === undefined || !(metric in run.metrics)) {
      throw new TagifaiError(
        "RUN_NOT_FOUND",
        `no FINISHED run in experiment "${experimentName}" has logged the metric "${metric}"`,
      );
    }
    return run;
  }

  /**
   * Register a FINISHED run as the next version of a model.
   * @param runId the run
   * @param name the model name
   * @returns the model name and its new version (1, 2, 3…)
   * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND, INVALID_INPUT
   */
  async registerModel(runId: string, name: string): Promise<{ name: string; version: number }> {
    return registry.registerModel(this.connection, runId, name);
  }

  /**
   * Point an alias at a version of a model (moving it if it existed).
   * @param name the model name
   * @param version the version
   * @param alias the alias
   * @throws TagifaiError INVALID_INPUT, MODEL_NOT_FOUND
   */
  async setAlias(name: string, version: number, alias: string): Promise<void> {
    await registry.setAlias(this.connection, name, version, alias);
  }

  /**
   * Remove an alias of a model.
   * @param name the model name
   * @param alias the alias
   * @throws TagifaiError INVALID_INPUT, MODEL_NOT_FOUND
   */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await registry.deleteAlias(this.connection, name, alias);
  }

  /** @returns every registered model's name, sorted */
  async listModels(): Promise<string[]> {
    return registry.listModelNames(this.db);
  }

  /**
   * The versions of a model, oldest first, with their aliases.
   * @param name the model name
   * @returns the versions
   * @throws TagifaiError INVALID_INPUT, MODEL_NOT_FOUND
   */
  async listModelVersions(name: string): Promise<ModelVersion[]> {
    return registry.listModelVersions(this.db, name);
  }

  /**
   * Resolve `models:/name@alias`, `models:/name/3`, `models:/name` (latest) or a run id to a run id.
   * @param uri the model reference
   * @returns the id of the run that produced the model
   * @throws TagifaiError INVALID_INPUT, INVALID_RUN_ID, RUN_NOT_FOUND, MODEL_NOT_FOUND
   */
  async resolveModelUri(uri: string): Promise<string> {
    return registry.resolveModelUri(this.db, uri);
  }

  /**
   * Get a study by name, creating it if needed (safe when several processes race to create it).
   * @param definition name, direction, search space, base params, and the seed used if it is created
   * @returns the study (an existing one keeps its own seed)
   * @throws TagifaiError INVALID_INPUT, STUDY_ERROR if it exists with another direction, search space
   *   or base params (nothing is written then)
   */
  async getOrCreateStudy(definition: StudyDefinition): Promise<Study> {
    return studies.getOrCreateStudy(this.db, definition);
  }

  /**
   * Get a study by name.
   * @param name the study name
   * @returns the study
   * @throws TagifaiError INVALID_INPUT, STUDY_NOT_FOUND if there is no such study
   */
  async getStudy(name: string): Promise<Study> {
    return studies.findStudy(this.db, name);
  }

  /**
   * Record the best params a study found (the base params with its best trial's).
   * @param studyId the study
   * @param params the params
   * @throws TagifaiError INVALID_INPUT, STUDY_NOT_FOUND
   */
  async setStudyBestParams(studyId: string, params: Record<string, unknown>): Promise<void> {
    await studies.setBestParams(this.db, studyId, params);
  }

  /** @returns every study, by name */
  async listStudies(): Promise<Study[]> {
    return studies.listStudies(this.db);
  }

  /**
   * Take the next trial of a study, atomically across processes: expire the RUNNING trials whose
   * heartbeat is older than `staleAfterMs` (they and their RUNNING runs become FAILED), then
   * either start trial max + 1 with the proposed params, or say "wait" (the RUNNING trials would
   * reach the target) or "done".
   * @param studyId the study
   * @param options target number of COMPLETE + PRUNED trials, heartbeat timeout, proposal function
   * @returns the outcome, and the numbers of the trials just expired
   * @throws TagifaiError INVALID_INPUT
   */
  async claimTrial(studyId: string, options: ClaimTrialOptions): Promise<TrialClaim & { expired: number[] }> {
    return studies.claimTrial(this.connection, studyId, options);
  }

  /**
   * Record that a RUNNING trial's worker is alive.
   * @param trialId the trial
   * @returns false if the trial is no longer RUNNING
   * @throws TagifaiError INVALID_INPUT
   */
  async heartbeatTrial(trialId: string): Promise<boolean> {
    return studies.heartbeatTrial(this.db, trialId);
  }

  /**
   * Record a value a RUNNING trial reports at a step, with a heartbeat (a repeated step is ignored).
   * @param trialId the trial
   * @param step a whole number ≥ 0
   * @param value the value (NaN allowed)
   * @returns false, recording nothing, if the trial is no longer RUNNING
   * @throws TagifaiError INVALID_INPUT
   */
  async reportTrialValue(trialId: string, step: number, value: number): Promise<boolean> {
    return studies.reportTrialValue(this.connection, trialId, step, value);
  }

  /**
   * Link a trial to the tracking run that trains it.
   * @param trialId the trial
   * @param runId the run
   * @throws TagifaiError INVALID_INPUT, INVALID_RUN_ID, STUDY_ERROR
   */
  async attachRunToTrial(trialId: string, runId: string): Promise<void> {
    await studies.attachRun(this.db, trialId, runId);
  }

  /**
   * End a RUNNING trial as COMPLETE (with its value), PRUNED or FAILED.
   * @param trialId the trial
   * @param outcome the final state, value and attributes
   * @returns false, changing nothing, if the trial was no longer RUNNING
   * @throws TagifaiError INVALID_INPUT
   */
  async finishTrial(trialId: string, outcome: studies.TrialOutcome): Promise<boolean> {
    return studies.finishTrial(this.db, trialId, outcome);
  }

  /**
   * Every trial of a study, oldest first, with its intermediate values.
   * @param studyId the study
   * @returns the trials
   * @throws TagifaiError INVALID_INPUT
   */
  async listTrials(studyId: string): Promise<Trial[]> {
    return studies.listTrials(this.db, studyId);
  }
}
