/**
 * Routes over the dataset in `data/`, for the dashboard: a sample of projects and the tags with
 * how many projects carry each.
 */
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { dataDir } from "../../config/config.js";
import { loadProjects, loadTags } from "../data.js";
import { projectsDataSchema, projectsQuerySchema, routeSchemas, tagsDataSchema } from "./contract.js";
import { ok } from "./envelope.js";

/**
 * Register `GET /api/data/projects` and `GET /api/data/tags`.
 * @param app the fastify instance
 */
export function registerDataRoutes(app: FastifyInstance): void {
  const tag = "data";

  app.get<{ Querystring: z.infer<typeof projectsQuerySchema> }>(
    "/api/data/projects",
    {
      schema: routeSchemas({
        summary: "The newest projects of the dataset",
        tag,
        querystring: projectsQuerySchema,
        data: projectsDataSchema,
      }),
    },
    async (request) => {
      const projects = loadProjects(dataDir());
      const newest = [...projects].sort((a, b) => b.created_on.localeCompare(a.created_on));
      return ok(request, { total: projects.length, projects: newest.slice(0, request.query.limit) });
    },
  );

  app.get(
    "/api/data/tags",
    {
      schema: routeSchemas({
        summary: "Every tag with its aliases, parents and number of projects, most used first",
        tag,
        data: tagsDataSchema,
      }),
    },
    async (request) => {
      const counts = new Map<string, number>();
      for (const project of loadProjects(dataDir())) {
        for (const name of project.tags) counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      const tags = loadTags(dataDir())
        .map((t) => ({ ...t, count: counts.get(t.tag) ?? 0 }))
        .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
      return ok(request, { tags });
    },
  );
}
