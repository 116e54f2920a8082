/**
 * The records the tracking store hands out (experiments, runs, model versions) and the zod schemas
 * for the values a caller passes in (statuses, params, tags).
 */
import { z } from "zod";

/** Schema of a run's lifecycle status. */
export const runStatusSchema = z.enum(["RUNNING", "FINISHED", "FAILED", "KILLED"]);

/** Where a run is in its life: RUNNING until it ends as FINISHED, FAILED or KILLED. */
export type RunStatus = z.infer<typeof runStatusSchema>;

/** Schema of the status a run can end with. */
export const endStatusSchema = runStatusSchema.exclude(["RUNNING"]);

/** The status a run ends with. */
export type EndStatus = z.infer<typeof endStatusSchema>;

/** Schema of a run's parameters: any JSON values, by name. */
export const paramsSchema = z.record(z.string(), z.unknown());

/** Schema of a run's tags: short strings, by name. */
export const tagsSchema = z.record(z.string(), z.string());

/** A named group of runs. Times are epoch milliseconds. */
export interface Experiment {
  id: string;
  name: string;
  createdAt: number;
}

/** An experiment with how many runs it holds. */
export interface ExperimentSummary extends Experiment {
  runCount: number;
}

/** One training run: what went in (params, tags), what came out (metrics), where its files are. */
export interface Run {
  /** 32 lowercase hex characters. */
  id: string;
  experimentId: string;
  experimentName: string;
  name: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  /**
   * Why the run ended, when its status alone does not say: "lost" for a run whose process stopped
   * heartbeating (killed, crashed, powered off) and that readers therefore marked FAILED.
   */
  endReason: string | null;
  /** Absolute path of the run's artifact folder (its last segment is the run id). */
  artifactUri: string;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  /** Latest value of each metric (highest step, then latest timestamp). */
  metrics: Record<string, number>;
}

/** One logged value of a metric. */
export interface MetricPoint {
  step: number;
  value: number;
  timestamp: number;
}

/** One registered version of a model, with the aliases that point at it. */
export interface ModelVersion {
  name: string;
  version: number;
  runId: string;
  createdAt: number;
  aliases: string[];
}

/**
 * The artifact URI prefix of runs whose artifacts are in the tracking database itself
 * (`tracking-db:<run id>`, see `artifact-store.ts`).
 */
export const TRACKING_DB_SCHEME = "tracking-db:";

/** What `createRun` needs. */
export interface CreateRunOptions {
  /** Created if it does not exist yet. */
  experimentName: string;
  /** Defaults to the first 8 characters of the run id. */
  runName?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  /**
   * Where the run's artifacts go: a folder, under which the run's artifact folder (named by its id)
   * lives, or a function giving the run's artifact URI from its id (see `artifact-store.ts`).
   */
  artifactRoot: string | ((runId: string) => string);
}

/** Filters and order for `listRuns`. */
export interface ListRunsOptions {
  experimentName?: string;
  status?: RunStatus;
  /** Order by a metric's latest value (descending unless `ascending`); runs without it come last. */
  orderBy?: { metric: string; ascending?: boolean };
  limit?: number;
  /** How many runs (in this order) to skip first, for paging. */
  offset?: number;
  /** Leave out the runs that trained a study's trials. */
  excludeTrials?: boolean;
}

/** Schema of a study's direction: whether smaller or larger objective values are better. */
export const studyDirectionSchema = z.enum(["minimize", "maximize"]);

/** Whether a study minimizes or maximizes its objective. */
export type StudyDirection = z.infer<typeof studyDirectionSchema>;

/** Schema of a trial's life-cycle state. */
export const trialStateSchema = z.enum(["RUNNING", "COMPLETE", "PRUNED", "FAILED"]);

/** RUNNING until the trial ends COMPLETE (with a value), PRUNED (stopped early) or FAILED. */
export type TrialState = z.infer<typeof trialStateSchema>;

/** Schema of a trial's parameters and attributes: numbers, strings or booleans, by name. */
export const trialValuesSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

/** A study: a named search for the best parameters, stored so that it can resume. */
export interface Study {
  id: string;
  name: string;
  direction: StudyDirection;
  /** The search space the study was created with (JSON). */
  searchSpace: Record<string, unknown>;
  seed: number;
  createdAt: number;
  /** The params every trial started from (null for a study made before they were recorded). */
  base: StudyBase | null;
  /** The base params with the best trial's (null until recorded). */
  bestParams: Record<string, unknown> | null;
}

/** The params a study's trials start from, and where they came from. */
export interface StudyBase {
  params: Record<string, unknown>;
  /** Where they came from (e.g. the params file's path), for messages. */
  source: string;
  /** SHA-256 (hex) of the params' canonical JSON (keys sorted): what tells two base params apart. */
  sha256: string;
}

/** What creating (or joining) a study needs; it must agree with the study if it exists. */
export interface StudyDefinition {
  name: string;
  direction: StudyDirection;
  searchSpace: Record<string, unknown>;
  /** Used only when the study is created; an existing study keeps its seed. */
  seed: number;
  /**
   * The params every trial starts from. Joining a study that has other base params is refused; one
   * without any (made before they were recorded) adopts these.
   */
  base?: Omit<StudyBase, "sha256">;
}

/** One trial of a study. Times are epoch milliseconds. */
export interface Trial {
  id: string;
  /** 0, 1, 2… within the study, in the order trials were started. */
  number: number;
  state: TrialState;
  params: Record<string, number | string | boolean>;
  /** The objective value, set when the trial is COMPLETE. */
  value?: number;
  /** Step → value reported while the trial ran (NaN where a NaN was reported). */
  intermediate: Record<number, number>;
  /** Extra results recorded when the trial ended (e.g. the tuned threshold). */
  attrs: Record<string, number | string | boolean>;
  runId: string | null;
  startedAt: number;
  heartbeatAt: number;
  finishedAt: number | null;
}

/** The outcome of asking for the next trial of a study. */
export type TrialClaim =
  /** A new RUNNING trial, now owned by the caller. */
  | { status: "claimed"; trial: Trial }
  /** The target is reached counting trials still RUNNING elsewhere: ask again later. */
  | { status: "wait" }
  /** The study has its target number of COMPLETE + PRUNED trials. */
  | { status: "done" };

/** What `claimTrial` needs. */
export interface ClaimTrialOptions {
  /** Target number of COMPLETE + PRUNED trials. */
  nTrials: number;
  /** A RUNNING trial whose last heartbeat is older than this many milliseconds is marked FAILED. */
  staleAfterMs: number;
  /**
   * Propose the new trial's parameters, inside the claiming transaction.
   * @param trials every trial of the study so far (any state), oldest first
   * @param number the new trial's number
   */
  propose(trials: readonly Trial[], number: number): Record<string, number | string | boolean>;
}
