/**
 * Metrics logged by runs: checking values and their step, inserting them, and a metric's history.
 * (The latest value of each metric, which runs carry, is `latestMetricsQuery` in runs.ts.)
 */
import type { Kysely } from "kysely";
import { TagifaiError } from "../errors.js";
import type { Connection } from "./connection.js";
import type { Database } from "./database.js";
import type { MetricPoint } from "./records.js";
import { findRunRow } from "./runs.js";

/**
 * Check metric values and their step before logging them.
 * @param metrics values by metric name
 * @param step the step
 * @throws TagifaiError INVALID_INPUT naming a step that is not a whole number ≥ 0, an empty metric
 *   name, or a value that is not a finite number
 */
export function assertMetrics(metrics: Record<string, number>, step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `invalid metric step ${String(step)}: expected a whole number ≥ 0`,
    );
  }
  for (const [key, value] of Object.entries(metrics)) {
    if (key === "") throw new TagifaiError("INVALID_INPUT", "a metric name is empty");
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TagifaiError(
        "INVALID_INPUT",
        `metric "${key}" is ${String(value)}: expected a finite number`,
      );
    }
  }
}

/**
 * Insert metric values at a step, all in one transaction.
 * @param connection the open database
 * @param runId an already validated run id
 * @param metrics values by metric name, checked with {@link assertMetrics}
 * @param step the step
 * @throws TagifaiError RUN_NOT_FOUND
 */
export async function logMetrics(
  connection: Connection,
  runId: string,
  metrics: Record<string, number>,
  step: number,
): Promise<void> {
  const timestamp = Date.now();
  const rows = Object.entries(metrics).map(([key, value]) => ({
    run_id: runId,
    key,
    value,
    step,
    timestamp,
  }));
  await connection.write(async (trx) => {
    await findRunRow(trx, runId);
    if (rows.length > 0) await trx.insertInto("metrics").values(rows).execute();
  });
}

/**
 * Every logged value of one metric of a run, by step then time.
 * @param db the database
 * @param runId an already validated run id
 * @param key the metric name
 * @returns the history (empty if the metric was never logged)
 * @throws TagifaiError RUN_NOT_FOUND
 */
export async function getMetricHistory(
  db: Kysely<Database>,
  runId: string,
  key: string,
): Promise<MetricPoint[]> {
  await findRunRow(db, runId);
  return db
    .selectFrom("metrics")
    .select(["step", "value", "timestamp"])
    .where("run_id", "=", runId)
    .where("key", "=", key)
    .orderBy("step")
    .orderBy("timestamp")
    .execute();
}

/**
 * The names of the metrics logged by runs (of experiments that are not deleted), sorted.
 * @param db the database
 * @param experimentId only this experiment's runs
 * @returns the metric names
 */
export async function listMetricKeys(db: Kysely<Database>, experimentId?: string): Promise<string[]> {
  const rows = await db
    .selectFrom("metrics")
    .innerJoin("runs", "runs.id", "metrics.run_id")
    .innerJoin("experiments", "experiments.id", "runs.experiment_id")
    .select("metrics.key")
    .distinct()
    .where("experiments.deleted_at", "is", null)
    .$if(experimentId !== undefined, (query) => query.where("runs.experiment_id", "=", experimentId!))
    .orderBy("metrics.key")
    .execute();
  return rows.map((row) => row.key);
}
