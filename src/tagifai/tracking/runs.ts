/**
 * Reading runs back: the row-to-`Run` mapping, and the "latest value of each metric" query
 * (highest step, then latest timestamp) that both `getRun` and metric ordering rely on.
 */
import type { Kysely, Selectable } from "kysely";
import type { ZodType } from "zod";
import { TagifaiError } from "../errors.js";
import type { Database, RunTable } from "./database.js";
import { paramsSchema, type Run, tagsSchema } from "./records.js";

/** A run row joined with its experiment's name. */
export type RunRow = Selectable<RunTable> & { experiment_name: string };

/**
 * Select runs with their experiment names (of experiments that are not deleted).
 * @param db the database or a transaction
 * @returns a query to filter, order and execute
 */
export function selectRuns(db: Kysely<Database>) {
  return db
    .selectFrom("runs")
    .innerJoin("experiments", "experiments.id", "runs.experiment_id")
    .selectAll("runs")
    .select("experiments.name as experiment_name")
    .where("experiments.deleted_at", "is", null);
}

/**
 * Fetch one run row.
 * @param db the database or a transaction
 * @param runId an already validated run id
 * @returns the row
 * @throws TagifaiError RUN_NOT_FOUND
 */
export async function findRunRow(db: Kysely<Database>, runId: string): Promise<RunRow> {
  const row = await selectRuns(db).where("runs.id", "=", runId).executeTakeFirst();
  if (row === undefined) throw new TagifaiError("RUN_NOT_FOUND", `run ${runId} not found`);
  return row;
}

/**
 * The latest value of every metric of every run, as rows `{run_id, key, value}`; narrow it with
 * `where` on `run_id` or `key`.
 * @param db the database or a transaction
 * @returns a query, also usable as a subquery
 */
export function latestMetricsQuery(db: Kysely<Database>) {
  const ranked = db.selectFrom("metrics").select((eb) => [
    "run_id",
    "key",
    "value",
    eb.fn
      .agg<number>("row_number")
      .over((over) =>
        over.partitionBy(["run_id", "key"]).orderBy("step", "desc").orderBy("timestamp", "desc"),
      )
      .as("recency"),
  ]);
  return db.selectFrom(ranked.as("ranked")).select(["run_id", "key", "value"]).where("recency", "=", 1);
}

/**
 * Turn run rows into `Run`s, with the latest value of each of their metrics.
 * @param db the database or a transaction
 * @param rows run rows from `selectRuns`
 * @returns the runs, in the order of `rows`
 */
export async function toRuns(db: Kysely<Database>, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const metricRows = await latestMetricsQuery(db)
    .where(
      "run_id",
      "in",
      rows.map((row) => row.id),
    )
    .execute();
  const metricsByRun = new Map<string, Record<string, number>>(rows.map((row) => [row.id, {}]));
  for (const { run_id, key, value } of metricRows) metricsByRun.get(run_id)![key] = value;
  return rows.map((row) => ({
    id: row.id,
    experimentId: row.experiment_id,
    experimentName: row.experiment_name,
    name: row.name,
    status: row.status,
    startTime: row.start_time,
    endTime: row.end_time,
    artifactUri: row.artifact_uri,
    params: parseStoredJson(row.params, paramsSchema, row.id),
    tags: parseStoredJson(row.tags, tagsSchema, row.id),
    metrics: metricsByRun.get(row.id)!,
  }));
}

/**
 * Parse a JSON column of a run.
 * @param text the stored text
 * @param schema what it must hold
 * @param runId the run, for the message
 * @returns the parsed value
 * @throws TagifaiError TRACKING_ERROR if the stored text is corrupt
 */
export function parseStoredJson<T>(text: string, schema: ZodType<T>, runId: string): T {
  return parseStoredColumn(text, schema, `run ${runId}`);
}

/**
 * Parse a JSON column of any tracking row (a run, a study, a trial).
 * @param text the stored text
 * @param schema what it must hold
 * @param what whose column it is ("run <id>", "trial 3"), for the message
 * @returns the parsed value
 * @throws TagifaiError TRACKING_ERROR if the stored text is corrupt
 */
export function parseStoredColumn<T>(text: string, schema: ZodType<T>, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new TagifaiError("TRACKING_ERROR", `${what} has corrupt stored JSON: ${text}`);
  return result.data;
}
