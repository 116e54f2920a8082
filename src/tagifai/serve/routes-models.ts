/**
 * Routes over the model registry of the tracking store, for the dashboard's Models page: every
 * registered model with its versions, aliases and runs' metrics; point an alias at a version
 * (promote) or remove it (demote). The two mutating routes sit behind the same guard as
 * `POST /reload` (token, same origin, JSON).
 */
import type { FastifyInstance, onRequestAsyncHookHandler } from "fastify";
import type { z } from "zod";
import { TagifaiError } from "../errors.js";
import type { TrackingStore } from "../tracking.js";
import {
  modelAliasParamsSchema,
  modelDataSchema,
  modelNameParamsSchema,
  modelsDataSchema,
  type RegisteredModelView,
  routeSchemas,
  setAliasBodySchema,
} from "./contract.js";
import { ok } from "./envelope.js";

/**
 * Register `GET /api/models`, `POST /api/models/:name/aliases` and
 * `DELETE /api/models/:name/aliases/:alias`.
 * @param app the fastify instance
 * @param store the open tracking store
 * @param guard the `onRequest` hook that admits a caller to the mutating routes
 */
export function registerModelRegistryRoutes(
  app: FastifyInstance,
  store: TrackingStore,
  guard: onRequestAsyncHookHandler,
): void {
  const tag = "models";

  app.get(
    "/api/models",
    {
      schema: routeSchemas({
        summary: "Registered models with their versions, aliases, runs and the runs' metrics",
        tag,
        data: modelsDataSchema,
      }),
    },
    async (request) => {
      const names = await store.listModels();
      return ok(request, { models: await Promise.all(names.map((name) => modelView(store, name))) });
    },
  );

  app.post<{ Params: z.infer<typeof modelNameParamsSchema>; Body: z.infer<typeof setAliasBodySchema> }>(
    "/api/models/:name/aliases",
    {
      onRequest: guard,
      schema: routeSchemas({
        summary: "Point an alias (e.g. production) at a version of a model, moving it if it existed",
        tag,
        params: modelNameParamsSchema,
        body: setAliasBodySchema,
        data: modelDataSchema,
      }),
    },
    async (request) => {
      const { name } = request.params;
      await store.setAlias(name, request.body.version, request.body.alias);
      return ok(request, { model: await modelView(store, name) });
    },
  );

  app.delete<{ Params: z.infer<typeof modelAliasParamsSchema> }>(
    "/api/models/:name/aliases/:alias",
    {
      onRequest: guard,
      schema: routeSchemas({
        summary: "Remove an alias of a model",
        tag,
        params: modelAliasParamsSchema,
        data: modelDataSchema,
      }),
    },
    async (request) => {
      const { name, alias } = request.params;
      await store.deleteAlias(name, alias);
      return ok(request, { model: await modelView(store, name) });
    },
  );
}

/** A model with its versions, each with its run's name, status and metrics (null if the run is gone). */
async function modelView(store: TrackingStore, name: string): Promise<RegisteredModelView> {
  const versions = await store.listModelVersions(name);
  return {
    name,
    versions: await Promise.all(
      versions.map(async (version) => {
        const run = await store.getRun(version.runId).catch((error: unknown) => {
          if (error instanceof TagifaiError && error.code === "RUN_NOT_FOUND") return null;
          throw error;
        });
        return {
          version: version.version,
          aliases: version.aliases,
          created_at: new Date(version.createdAt).toISOString(),
          run_id: version.runId,
          run_name: run?.name ?? null,
          run_status: run?.status ?? null,
          metrics: run?.metrics ?? {},
        };
      }),
    ),
  };
}
