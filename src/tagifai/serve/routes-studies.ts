/**
 * Routes over the hyperparameter studies of the tracking store: the studies with their trial
 * counts and best trial, and one study's trials.
 */
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import type { TrackingStore } from "../tracking.js";
import { studyView, trialView } from "../views.js";
import { routeSchemas, studiesDataSchema, studyNameParamsSchema, studyTrialsDataSchema } from "./contract.js";
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
        studies.map(async (study) => studyView(study, await store.listTrials(study.id))),
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
      return ok(request, { study: studyView(study, trials), trials: trials.map(trialView) });
    },
  );
}
