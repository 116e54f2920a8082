/**
 * Runs: creating one, merging params and tags into it, ending it, and reading runs back (the
 * row-to-`Run` mapping, filtered and ordered lists, and the "latest value of each metric" query —
 * highest step, then latest timestamp — that runs carry and metric ordering relies on). Functions
 * take the database or a transaction and already validated arguments (the store checks them).
 */
import { resolve } from "node:path";
import type { Kysely, Selectable } from "kysely";
import type { ZodType } from "zod";
import { TagifaiError } from "../errors.js";
import type { Connection } from "./connection.js";
import type { Database, RunTable } from "./database.js";
import { findOrCreateExperiment } from "./experiments.js";
import { newId } from "./ids.js";
import {
  type EndStatus,
  type ListRunsOptions,
  paramsSchema,
  type Run,
  type RunStatus,
  tagsSchema,
} from "./records.js";

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
    endReason: row.end_reason,
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

/**
 * Insert a RUNNING run, creating its experiment if needed.
 * @param connection the open database
 * @param run validated experiment name, run name, params, tags and artifact root (see `CreateRunOptions`)
 * @returns the new run's id; its artifact folder is `<artifactRoot>/<id>` (not created here), or
 *   its artifact URI is `artifactRoot(id)`
 */
export async function insertRun(
  connection: Connection,
  run: {
    experimentName: string;
    runName?: string;
    params: Record<string, unknown>;
    tags: Record<string, string>;
    artifactRoot: string | ((runId: string) => string);
  },
): Promise<string> {
  const id = newId();
  await connection.write(async (trx) => {
    const experiment = await findOrCreateExperiment(trx, run.experimentName);
    const now = Date.now();
    await trx
      .insertInto("runs")
      .values({
        id,
        experiment_id: experiment.id,
        name: run.runName ?? id.slice(0, 8),
        status: "RUNNING",
        start_time: now,
        end_time: null,
        artifact_uri:
          typeof run.artifactRoot === "string" ? resolve(run.artifactRoot, id) : run.artifactRoot(id),
        params: JSON.stringify(run.params),
        tags: JSON.stringify(run.tags),
        heartbeat_at: now,
        end_reason: null,
      })
      .execute();
  });
  return id;
}

/** What each JSON column of a run holds. */
const JSON_COLUMN_SCHEMAS = { params: paramsSchema, tags: tagsSchema };

/**
 * Merge values over those of a run's params or tags, serialized per run so concurrent merges all land.
 * @param connection the open database
 * @param runId an already validated run id
 * @param column "params" or "tags"
 * @param values validated values by name
 * @throws TagifaiError RUN_NOT_FOUND, TRACKING_ERROR if the stored column is corrupt
 */
export async function mergeIntoRunColumn(
  connection: Connection,
  runId: string,
  column: "params" | "tags",
  values: Record<string, unknown>,
): Promise<void> {
  await connection.write(async (trx) => {
    const row = await findRunRow(trx, runId);
    const current = parseStoredJson(row[column], JSON_COLUMN_SCHEMAS[column], runId);
    await trx
      .updateTable("runs")
      .set({ [column]: JSON.stringify({ ...current, ...values }) })
      .where("id", "=", runId)
      .execute();
  }, `tagifai.tracking.run:${runId}`);
}

/**
 * Set a run's final status and end time.
 * @param db the database
 * @param runId an already validated run id
 * @param status a validated end status
 * @param options `ifRunning`: change the run only while it is still RUNNING (one conditional
 *   update, so that two enders — e.g. a finishing run and a kill — cannot both win)
 * @returns whether the run was changed (always true without `ifRunning`)
 * @throws TagifaiError RUN_NOT_FOUND
 */
export async function endRun(
  db: Kysely<Database>,
  runId: string,
  status: EndStatus,
  options: { ifRunning?: boolean } = {},
): Promise<boolean> {
  const result = await db
    .updateTable("runs")
    .set({ status, end_time: Date.now() })
    .where("id", "=", runId)
    .$if(options.ifRunning === true, (query) => query.where("status", "=", "RUNNING"))
    .executeTakeFirst();
  if (result.numUpdatedRows > 0n) return true;
  await findRunRow(db, runId); // throws RUN_NOT_FOUND; else the run had already ended
  return false;
}

/**
 * List runs, newest first, or by a metric's latest value (runs without that metric last).
 * @param db the database
 * @param filter validated experiment id, status, metric order, row limit and offset (for paging), and
 *   whether to leave out the runs of study trials
 * @returns the runs
 */
export async function listRuns(
  db: Kysely<Database>,
  filter: {
    experimentId?: string;
    status?: RunStatus;
    orderBy?: ListRunsOptions["orderBy"];
    limit?: number;
    offset?: number;
    excludeTrials?: boolean;
  },
): Promise<Run[]> {
  const { experimentId, status, orderBy, limit, offset } = filter;
  const rows = await selectRuns(db)
    .$if(filter.excludeTrials === true, (query) =>
      query.where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom("trials").select("trials.id").whereRef("trials.run_id", "=", "runs.id")),
        ),
      ),
    )
    .$if(experimentId !== undefined, (query) => query.where("runs.experiment_id", "=", experimentId!))
    .$if(status !== undefined, (query) => query.where("runs.status", "=", status!))
    .$if(orderBy !== undefined, (query) =>
      query
        .leftJoin(
          latestMetricsQuery(db).where("key", "=", orderBy!.metric).as("ordering"),
          "ordering.run_id",
          "runs.id",
        )
        .orderBy("ordering.value", (order) => (orderBy!.ascending ? order.asc() : order.desc()).nullsLast()),
    )
    .orderBy("runs.start_time", "desc")
    .orderBy("runs.id")
    .$if(limit !== undefined || offset !== undefined, (query) =>
      query.limit(limit ?? Number.MAX_SAFE_INTEGER).offset(offset ?? 0),
    )
    .execute();
  return toRuns(db, rows);
}

/** The reason recorded for a RUNNING run whose heartbeat stopped. */
export const LOST = "lost";

/**
 * Record that the process training a RUNNING run is alive.
 * @param db the database
 * @param runId an already validated run id
 * @returns false if the run is no longer RUNNING (e.g. marked lost after missed heartbeats)
 * @throws TagifaiError RUN_NOT_FOUND
 */
export async function heartbeatRun(db: Kysely<Database>, runId: string): Promise<boolean> {
  const result = await db
    .updateTable("runs")
    .set({ heartbeat_at: Date.now() })
    .where("id", "=", runId)
    .where("status", "=", "RUNNING")
    .executeTakeFirst();
  if (result.numUpdatedRows > 0n) return true;
  await findRunRow(db, runId);
  return false;
}

/**
 * Mark FAILED (reason "lost") every RUNNING run whose last heartbeat — or start, for a run from
 * before heartbeats — is older than `timeoutMs`: its process died without ending it. A cheap read
 * first, and an update only when there is something to mark; the update repeats the condition, so
 * a heartbeat that lands in between keeps its run RUNNING.
 * @param db the database
 * @param timeoutMs the heartbeat timeout
 * @returns the ids of the runs just marked
 */
export async function expireLostRuns(db: Kysely<Database>, timeoutMs: number): Promise<string[]> {
  const now = Date.now();
  const cutoff = now - timeoutMs;
  const candidates = await db
    .selectFrom("runs")
    .select("id")
    .where("status", "=", "RUNNING")
    .where((eb) => eb(eb.fn.coalesce("heartbeat_at", "start_time"), "<", cutoff))
    .execute();
  if (candidates.length === 0) return [];
  const marked = await db
    .updateTable("runs")
    .set({ status: "FAILED", end_time: now, end_reason: LOST })
    .where(
      "id",
      "in",
      candidates.map((row) => row.id),
    )
    .where("status", "=", "RUNNING")
    .where((eb) => eb(eb.fn.coalesce("heartbeat_at", "start_time"), "<", cutoff))
    .returning("id")
    .execute();
  return marked.map((row) => row.id);
}
