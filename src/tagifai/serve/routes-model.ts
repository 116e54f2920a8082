/**
 * Routes about the served model: health, prediction, its params and performance, and reload.
 */
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { TagifaiError } from "../errors.js";
import { modelIdentity } from "../lifecycle.js";
import { predict } from "../predict.js";
import type { TrackingStore } from "../tracking.js";
import type { PredictionBatcher } from "./batcher.js";
import {
  type HealthData,
  healthSchema,
  type Limits,
  paramParamsSchema,
  paramsDataSchema,
  performanceDataSchema,
  performanceQuerySchema,
  predictBodySchema,
  predictDataSchema,
  reloadBodySchema,
  reloadDataSchema,
  routeSchemas,
  runIdParamsSchema,
} from "./contract.js";
import { ok } from "./envelope.js";
import type { ModelSlot, ReloadResult } from "./live-model.js";
import { reloadGuard } from "./reload-guard.js";
import type { RunModelCache } from "./run-models.js";

/** What the model routes need. */
export interface ModelRoutesOptions {
  slot: ModelSlot;
  /** Models of other runs, loaded when a request names one (`POST /api/runs/:id/predict`). */
  runModels: RunModelCache;
  /** The tracking store, read for which model the loaded run is (its registry aliases may move). */
  store: TrackingStore;
  batcher: PredictionBatcher;
  limits: Limits;
  /** The token `POST /reload` requires; undefined disables reloading over HTTP. */
  reloadToken: string | undefined;
  /** What `POST /reload` does: reload the slot, or roll a reload through a cluster's workers. */
  reload: () => Promise<ReloadResult>;
}

/**
 * Register `GET /` (health, and which model answers: see `modelIdentity`), `POST /predict`,
 * `POST /api/runs/:id/predict` (a chosen run's model), `GET /params`, `GET /params/:param`,
 * `GET /performance` and `POST /reload` (guarded: see `reloadGuard`).
 * @param app the fastify instance
 * @param options the model slot, the prediction batcher and the request limits
 */
export function registerModelRoutes(
  app: FastifyInstance,
  { slot, runModels, store, batcher, limits, reloadToken, reload }: ModelRoutesOptions,
): void {
  const startedAt = Date.now();
  const tag = "model";

  app.get(
    "/",
    { schema: routeSchemas({ summary: "Health check", tag, data: healthSchema }) },
    async (request) => {
      const model = slot.current;
      const health: HealthData = {
        model_loaded: model !== undefined,
        run_id: model?.runId ?? null,
        loaded_at: model?.loadedAt.toISOString() ?? null,
        uptime_s: (Date.now() - startedAt) / 1000,
        model: model === undefined ? null : await identityOf(store, model.runId),
      };
      return ok(request, health);
    },
  );

  const predictBody = predictBodySchema(limits);
  app.post<{ Body: z.infer<typeof predictBody> }>(
    "/predict",
    {
      schema: routeSchemas({
        summary: "Predict the tags of projects (title + description)",
        tag,
        body: predictBody,
        data: predictDataSchema,
      }),
    },
    async (request) => {
      const { runId, predictions } = await batcher.predict(request.body.texts.map(({ text }) => text));
      return ok(request, { run_id: runId, predictions });
    },
  );

  app.post<{ Body: z.infer<typeof predictBody>; Params: z.infer<typeof runIdParamsSchema> }>(
    "/api/runs/:id/predict",
    {
      schema: routeSchemas({
        summary:
          "Predict with the model of a run you choose (the served run is batched as /predict; another is " +
          "loaded on first use and kept among the most recently used few)",
        tag,
        params: runIdParamsSchema,
        body: predictBody,
        data: predictDataSchema,
      }),
    },
    async (request) => {
      const { id } = request.params;
      const texts = request.body.texts.map(({ text }) => text);
      if (slot.current?.runId === id) {
        const { runId, predictions } = await batcher.predict(texts);
        if (runId === id) return ok(request, { run_id: runId, predictions });
      }
      const predictions = await runModels.use(id, (model) => predict(texts, model.artifacts));
      return ok(request, { run_id: id, predictions });
    },
  );

  app.get(
    "/params",
    { schema: routeSchemas({ summary: "Params of the served run", tag, data: paramsDataSchema }) },
    (request) => slot.use((model) => ok(request, { params: model.artifacts.params })),
  );

  app.get<{ Params: z.infer<typeof paramParamsSchema> }>(
    "/params/:param",
    {
      schema: routeSchemas({
        summary: "One param of the served run",
        tag,
        params: paramParamsSchema,
        data: paramsDataSchema,
      }),
    },
    (request) => {
      const { param } = request.params;
      return slot.use((model) => ok(request, { params: { [param]: model.artifacts.params[param] ?? null } }));
    },
  );

  app.get<{ Querystring: z.infer<typeof performanceQuerySchema> }>(
    "/performance",
    {
      schema: routeSchemas({
        summary: "Test performance of the served run: overall, per class, per slice",
        tag,
        querystring: performanceQuerySchema,
        data: performanceDataSchema,
      }),
    },
    (request) => {
      const { filter } = request.query;
      return slot.use(({ runId, performance }) =>
        ok(request, { run_id: runId, performance: filter === undefined ? performance : performance[filter] }),
      );
    },
  );

  app.post(
    "/reload",
    {
      schema: routeSchemas({
        summary:
          "Load the run again (e.g. a newer one) and swap it in without dropping requests. " +
          "Needs the server's reload token (Authorization: Bearer) and a JSON body, {}",
        tag,
        body: reloadBodySchema,
        data: reloadDataSchema,
      }),
      onRequest: reloadGuard(reloadToken),
    },
    async (request) => {
      const { runId, previousRunId } = await reload();
      return ok(request, { run_id: runId, previous_run_id: previousRunId, changed: runId !== previousRunId });
    },
  );
}

/** Which model the loaded run is, read afresh (aliases move without a reload); null if its run is gone. */
async function identityOf(store: TrackingStore, runId: string): Promise<HealthData["model"]> {
  try {
    return await modelIdentity(store, await store.getRun(runId));
  } catch (error) {
    if (error instanceof TagifaiError && error.code === "RUN_NOT_FOUND") return null;
    throw error;
  }
}
