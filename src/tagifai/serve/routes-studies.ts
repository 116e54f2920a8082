/**
 * Routes over the hyperparameter studies of the tracking store: the studies with their trial
 * counts and best trial, and one study's trials.
 */
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { bestTrial } from "../optimize/study.js";
import { trialStateSchema } from "../tracking/records.js";
import type { Study, TrackingStore, Trial } from "../tracking.js";
import {
  routeSchemas,
  type StudyView,
  studiesDataSchema,
  studyNameParamsSchema,
  studyTrialsDataSchema,
  type TrialView,
} from "./contract.js";
import { ok } from "./envelope.js";

/**
 * Register `GET /api/studies` and `GET /api/studies/:name/trials`.
 * @param app the fastify instance
 * @param store the open tracking store
 */
export function registerStudyRoutes(app: FastifyInstance, store: TrackingStore): void {
  const tag = "studies";

  app.get(
    "/api/studies",
    {
      schema: routeSchemas({
        summary: "Hyperparameter studies by name, with trial counts by state and the best trial",
        tag,
        data: studiesDataSchema,
      }),
    },
    async (request) => {
      const studies = await store.listStudies();
      const views = await Promise.all(
        studies.map(async (study) => toStudyView(study, await store.listTrials(study.id))),
      );
      return ok(request, { studies: views });
    },
  );

  app.get<{ Params: z.infer<typeof studyNameParamsSchema> }>(
    "/api/studies/:name/trials",
    {
      schema: routeSchemas({
        summary: "A study and its trials (number, state, params, value, run id), oldest first",
        tag,
        params: studyNameParamsSchema,
        data: studyTrialsDataSchema,
      }),
    },
    async (request) => {
      const study = await store.getStudy(request.params.name);
      const trials = await store.listTrials(study.id);
      return ok(request, { study: toStudyView(study, trials), trials: trials.map(toTrialView) });
    },
  );
}

/** A study as the API shows it, summarizing its trials. */
function toStudyView(study: Study, trials: readonly Trial[]): StudyView {
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
    created_at: new Date(study.createdAt).toISOString(),
    trial_counts: counts,
    best_trial: best === undefined ? null : toTrialView(best),
  };
}

/** A trial as the API shows it: its reported values by step (NaN as null), no attributes or times. */
function toTrialView(trial: Trial): TrialView {
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
