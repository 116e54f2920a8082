/**
 * The one JSON shape of tracking objects — runs, experiments, model versions, studies and trials —
 * shared by the CLI's `--json` output and the REST API (whose zod contract in `serve/schemas.ts`
 * describes the same shapes): snake_case keys, ISO-8601 times, no server paths.
 */
import { bestTrial } from "./optimize/study.js";
import type { RunView, StudyView, TrialView } from "./serve/contract.js";
import { trialStateSchema } from "./tracking/records.js";
import type { ExperimentSummary, ModelVersion, Run, Study, Trial } from "./tracking.js";

export type { RunView, StudyView, TrialView } from "./serve/contract.js";

/** An experiment as the CLI and API show it. */
export type ExperimentView = {
  name: string;
  experiment_id: string;
  run_count: number;
  created_at: string;
};

/** A registered model version as the CLI and API show it. */
export type ModelVersionView = {
  name: string;
  version: number;
  run_id: string;
  aliases: string[];
  created_at: string;
};

/** An epoch-milliseconds time as ISO-8601. */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A run: id, experiment, name, status, start and end times, end reason ("lost"), params, tags and
 * latest metrics.
 * @param run the run
 */
export function runView(run: Run): RunView {
  return {
    run_id: run.id,
    experiment: run.experimentName,
    name: run.name,
    status: run.status,
    start_time: iso(run.startTime),
    end_time: run.endTime === null ? null : iso(run.endTime),
    end_reason: run.endReason,
    params: run.params,
    tags: run.tags,
    metrics: run.metrics,
  };
}

/**
 * An experiment with its run count.
 * @param experiment the experiment
 */
export function experimentView(experiment: ExperimentSummary): ExperimentView {
  return {
    name: experiment.name,
    experiment_id: experiment.id,
    run_count: experiment.runCount,
    created_at: iso(experiment.createdAt),
  };
}

/**
 * A registered model version with its aliases.
 * @param version the version
 */
export function modelVersionView(version: ModelVersion): ModelVersionView {
  return {
    name: version.name,
    version: version.version,
    run_id: version.runId,
    aliases: version.aliases,
    created_at: iso(version.createdAt),
  };
}

/**
 * A trial: number, state, params, value (COMPLETE trials only), run, and its reported values by
 * step (NaN as null).
 * @param trial the trial
 */
export function trialView(trial: Trial): TrialView {
  return {
    number: trial.number,
    state: trial.state,
    params: trial.params,
    value: trial.value ?? null,
    run_id: trial.runId,
    intermediate: Object.entries(trial.intermediate)
      .map(([step, value]) => ({ step: Number(step), value: Number.isNaN(value) ? null : value }))
      .sort((a, b) => a.step - b.step),
  };
}

/**
 * A study with what its value and reported values are, how many of its trials are in each state,
 * and its best COMPLETE trial.
 * @param study the study
 * @param trials its trials
 */
export function studyView(study: Study, trials: readonly Trial[]): StudyView {
  const counts = Object.fromEntries(trialStateSchema.options.map((state) => [state, 0])) as Record<
    Trial["state"],
    number
  >;
  for (const trial of trials) counts[trial.state] += 1;
  const best = bestTrial(trials, study.direction);
  const named = (attr: string) => {
    const value = trials.map((trial) => trial.attrs[attr]).find((v) => typeof v === "string");
    return typeof value === "string" ? value : null;
  };
  return {
    name: study.name,
    direction: study.direction,
    objective: named("objective"),
    reported: named("reported"),
    created_at: iso(study.createdAt),
    trial_counts: counts,
    best_trial: best === undefined ? null : trialView(best),
    base_params: study.base,
    best_params: study.bestParams,
  };
}
