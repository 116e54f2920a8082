/**
 * Routes over the tracking store: the runs, one run, and a run's per-epoch metric history.
 */
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import type { Run, TrackingStore } from "../tracking.js";
import { ok } from "./envelope.js";
import {
  type RunView,
  routeSchemas,
  runDataSchema,
  runIdParamsSchema,
  runMetricsDataSchema,
  runsDataSchema,
  runsQuerySchema,
} from "./schemas.js";

/**
 * Register `GET /runs`, `GET /runs/:id` and `GET /api/runs/:id/metrics`.
 * @param app the fastify instance
 * @param store the open tracking store
 */
export function registerRunRoutes(app: FastifyInstance, store: TrackingStore): void {
  const tag = "runs";
  type RunIdRequest = { Params: z.infer<typeof runIdParamsSchema> };

  app.get<{ Querystring: z.infer<typeof runsQuerySchema> }>(
    "/runs",
    {
      schema: routeSchemas({
        summary: "Tracked runs, newest first",
        tag,
        querystring: runsQuerySchema,
        data: runsDataSchema,
      }),
    },
    async (request) => {
      const { experiment, limit } = request.query;
      const runs = await store.listRuns({ experimentName: experiment, limit });
      return ok(request, { runs: runs.map(toRunView) });
    },
  );

  app.get<RunIdRequest>(
    "/runs/:id",
    { schema: routeSchemas({ summary: "One run", tag, params: runIdParamsSchema, data: runDataSchema }) },
    async (request) => ok(request, { run: toRunView(await store.getRun(request.params.id)) }),
  );

  app.get<RunIdRequest>(
    "/api/runs/:id/metrics",
    {
      schema: routeSchemas({
        summary: "Per-epoch train loss, validation loss and learning rate of a run",
        tag,
        params: runIdParamsSchema,
        data: runMetricsDataSchema,
      }),
    },
    async (request) => {
      const { id } = request.params;
      const [train_loss, val_loss, lr] = await Promise.all(
        (["train_loss", "val_loss", "lr"] as const).map((key) => store.getMetricHistory(id, key)),
      );
      return ok(request, { run_id: id, history: { train_loss, val_loss, lr } });
    },
  );
}

/** A run as the API shows it: snake_case, ISO times, no server paths. */
function toRunView(run: Run): RunView {
  return {
    run_id: run.id,
    experiment: run.experimentName,
    name: run.name,
    status: run.status,
    start_time: new Date(run.startTime).toISOString(),
    end_time: run.endTime === null ? null : new Date(run.endTime).toISOString(),
    params: run.params,
    tags: run.tags,
    metrics: run.metrics,
  };
}
