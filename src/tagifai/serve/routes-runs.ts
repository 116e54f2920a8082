/**
 * Routes over the tracking store: the runs, one run, and a run's per-epoch metric history.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { ARTIFACT_FILES, loadPerformanceFromDir } from "../artifacts.js";
import type { Run, TrackingStore } from "../tracking.js";
import {
  EPOCH_METRICS,
  type RunView,
  routeSchemas,
  runDataSchema,
  runIdParamsSchema,
  runMetricsDataSchema,
  runPerformanceDataSchema,
  runsDataSchema,
  runsQuerySchema,
} from "./contract.js";
import { ok } from "./envelope.js";

/**
 * Register `GET /runs`, `GET /runs/:id`, `GET /api/runs/:id/metrics` and
 * `GET /api/runs/:id/performance`.
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
      const { experiment, status, limit, offset } = request.query;
      const runs = await store.listRuns({ experimentName: experiment, status, limit, offset });
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
        summary: "Per-epoch train loss, validation loss, validation F1 and learning rate of a run",
        tag,
        params: runIdParamsSchema,
        data: runMetricsDataSchema,
      }),
    },
    async (request) => {
      const { id } = request.params;
      const histories = await Promise.all(EPOCH_METRICS.map((key) => store.getMetricHistory(id, key)));
      const [train_loss, val_loss, val_f1, lr] = histories;
      return ok(request, { run_id: id, history: { train_loss, val_loss, val_f1, lr } });
    },
  );

  app.get<RunIdRequest>(
    "/api/runs/:id/performance",
    {
      schema: routeSchemas({
        summary:
          "A run's test performance (overall, per class, slices, PR curves, mistakes); null if it saved none",
        tag,
        params: runIdParamsSchema,
        data: runPerformanceDataSchema,
      }),
    },
    async (request) => {
      const run = await store.getRun(request.params.id);
      const saved = existsSync(join(run.artifactUri, ARTIFACT_FILES.performance));
      return ok(request, {
        run_id: run.id,
        performance: saved ? loadPerformanceFromDir(run.artifactUri) : null,
      });
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
