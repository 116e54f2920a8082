/**
 * Routes over the tracking store: the runs, one run, and a run's per-epoch metric history.
 */

import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { type ArtifactFile, withRunArtifacts } from "../artifact-store.js";
import { ARTIFACT_FILES, loadPerformanceFromDir } from "../artifacts.js";
import { TagifaiError } from "../errors.js";
import { EPOCH_METRIC_KEYS } from "../lifecycle.js";
import type { Run, TrackingStore } from "../tracking.js";
import { runView } from "../views.js";
import {
  EPOCH_METRICS,
  routeSchemas,
  runArtifactParamsSchema,
  runArtifactsDataSchema,
  runDataSchema,
  runIdParamsSchema,
  runMetricsDataSchema,
  runPerformanceDataSchema,
  runsDataSchema,
  runsQuerySchema,
} from "./contract.js";
import { ok } from "./envelope.js";
import { routeSchema } from "./zod-fastify.js";

/**
 * Register `GET /api/runs`, `GET /api/runs/:id`, `GET /api/runs/:id/metrics`,
 * `GET /api/runs/:id/performance`, `GET /api/runs/:id/artifacts` and its files' downloads, and the
 * 308 redirects from the runs' former paths `/runs` and `/runs/:id` (hidden from the OpenAPI document).
 * @param app the fastify instance
 * @param store the open tracking store
 */
export function registerRunRoutes(app: FastifyInstance, store: TrackingStore): void {
  const tag = "runs";
  type RunIdRequest = { Params: z.infer<typeof runIdParamsSchema> };

  app.get<{ Querystring: z.infer<typeof runsQuerySchema> }>(
    "/api/runs",
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
      return ok(request, { runs: runs.map(runView) });
    },
  );

  app.get<RunIdRequest>(
    "/api/runs/:id",
    { schema: routeSchemas({ summary: "One run", tag, params: runIdParamsSchema, data: runDataSchema }) },
    async (request) => ok(request, { run: runView(await store.getRun(request.params.id)) }),
  );

  // The runs were served at `/runs` before every store route moved under `/api`: a 308 keeps old
  // clients and scripts working (the method and query are kept), without listing the old paths.
  for (const formerPath of ["/runs", "/runs/:id"])
    app.get(formerPath, { schema: { hide: true } }, (request, reply) =>
      reply.redirect(`/api${request.url}`, 308),
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
      const histories = await Promise.all(
        EPOCH_METRICS.map((name) => store.getMetricHistory(id, EPOCH_METRIC_KEYS[name])),
      );
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
      const dir = await withRunArtifacts(store, run, (artifacts) => artifacts.fetch(run.id));
      const saved = dir !== undefined && existsSync(join(dir, ARTIFACT_FILES.performance));
      return ok(request, { run_id: run.id, performance: saved ? loadPerformanceFromDir(dir) : null });
    },
  );

  app.get<RunIdRequest>(
    "/api/runs/:id/artifacts",
    {
      schema: routeSchemas({
        summary: "The files of a run's artifact folder, with their sizes (none if it saved no artifacts)",
        tag,
        params: runIdParamsSchema,
        data: runArtifactsDataSchema,
      }),
    },
    async (request) => {
      const run = await store.getRun(request.params.id);
      return ok(request, { run_id: run.id, artifacts: await artifactFiles(store, run) });
    },
  );

  app.get<{ Params: z.infer<typeof runArtifactParamsSchema> }>(
    "/api/runs/:id/artifacts/:name",
    {
      schema: {
        summary: "Download one file of a run's artifact folder",
        tags: [tag],
        params: routeSchema(runArtifactParamsSchema),
        response: {
          200: { description: "The file's bytes, as an attachment", type: "string", format: "binary" },
        },
      },
    },
    async (request, reply) => {
      const { id, name } = request.params;
      const run = await store.getRun(id);
      const file = (await artifactFiles(store, run)).find((artifact) => artifact.name === name);
      const dir =
        file === undefined
          ? undefined
          : await withRunArtifacts(store, run, (artifacts) => artifacts.fetch(run.id));
      if (file === undefined || dir === undefined)
        throw new TagifaiError("RUN_NOT_FOUND", `run ${id} has no artifact "${name}"`);
      return reply
        .type("application/octet-stream")
        .header(
          "content-disposition",
          `attachment; filename="${run.id.slice(0, 8)}-${name.replaceAll("/", "-")}"`,
        )
        .header("content-length", file.bytes)
        .send(createReadStream(join(dir, name)));
    },
  );
}

/** The files of a run's artifact folder, by name (an ensemble's members' as `cnn/…`); none without artifacts. */
async function artifactFiles(store: TrackingStore, run: Run): Promise<ArtifactFile[]> {
  const files = await withRunArtifacts(store, run, (artifacts) => artifacts.list(run.id));
  return files.sort((a, b) => a.name.localeCompare(b.name));
}
