/**
 * Routes over the dataset in `data/`, for the dashboard: whether there is one and its size, a sample of projects, the tags with
 * how many projects carry each, the distribution of text lengths, and the data expectations report
 * (the suite `tagifai validate-data` runs; failing records named by index and id).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { dataDir } from "../../config/config.js";
import { textLengths } from "../data/text-lengths.js";
import { DATASET_FILES, loadProjects, loadTags } from "../data.js";
import { PROJECTS_SPEC, validateDatasetFile } from "../expectations.js";
import {
  datasetDataSchema,
  expectationsDataSchema,
  projectsDataSchema,
  projectsQuerySchema,
  routeSchemas,
  tagsDataSchema,
  textLengthsDataSchema,
} from "./contract.js";
import { ok } from "./envelope.js";

/**
 * Register `GET /api/data`, `GET /api/data/projects`, `GET /api/data/tags`, `GET /api/data/text-lengths` and
 * `GET /api/data/expectations`.
 * @param app the fastify instance
 */
export function registerDataRoutes(app: FastifyInstance): void {
  const tag = "data";

  // A 200 either way, so that a client (the dashboard) learns there is no dataset yet without a 404.
  app.get(
    "/api/data",
    {
      schema: routeSchemas({
        summary: "Whether the server has a dataset, and how many projects and tags; null before load-data",
        tag,
        data: datasetDataSchema,
      }),
    },
    async (request) => {
      const files = [DATASET_FILES.projects, DATASET_FILES.tags].map((file) =>
        join(dataDir(), file.fileName),
      );
      if (!files.every((file) => existsSync(file))) return ok(request, { dataset: null });
      const dataset = { projects: loadProjects(dataDir()).length, tags: loadTags(dataDir()).length };
      return ok(request, { dataset });
    },
  );

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

  app.get(
    "/api/data/text-lengths",
    {
      schema: routeSchemas({
        summary: 'Distribution of the projects\' text lengths (title + " " + description), in characters',
        tag,
        data: textLengthsDataSchema,
      }),
    },
    async (request) => {
      const texts = loadProjects(dataDir()).map((p) => `${p.title} ${p.description}`);
      return ok(request, { unit: "characters" as const, ...textLengths(texts) });
    },
  );

  app.get(
    "/api/data/expectations",
    {
      schema: routeSchemas({
        summary:
          "The data expectations over projects.json (tags checked against tags.json), with failing records",
        tag,
        data: expectationsDataSchema,
      }),
    },
    async (request) => {
      const file = DATASET_FILES.projects.fileName;
      const knownLabels = loadTags(dataDir()).map((t) => t.tag);
      const report = validateDatasetFile(join(dataDir(), file), { ...PROJECTS_SPEC, knownLabels });
      // Name the file, not the server's path to it.
      return ok(request, { report: { ...report, source: file } });
    },
  );
}
