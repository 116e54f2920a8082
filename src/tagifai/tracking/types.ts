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

/** What `createRun` needs. */
export interface CreateRunOptions {
  /** Created if it does not exist yet. */
  experimentName: string;
  /** Defaults to the first 8 characters of the run id. */
  runName?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** Folder under which the run's artifact folder (named by its id) lives. */
  artifactRoot: string;
}

/** Filters and order for `listRuns`. */
export interface ListRunsOptions {
  experimentName?: string;
  status?: RunStatus;
  /** Order by a metric's latest value (descending unless `ascending`); runs without it come last. */
  orderBy?: { metric: string; ascending?: boolean };
  limit?: number;
}
