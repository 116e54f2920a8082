/**
 * Experiments: finding (or creating) one by name, listing them with their run counts, and deleting
 * one with everything made from it. Functions take the database or a transaction and already
 * validated arguments (the store checks them).
 */
import type { Kysely } from "kysely";
import { TagifaiError } from "../errors.js";
import type { Connection } from "./connection.js";
import type { Database } from "./database.js";
import { newId } from "./ids.js";
import type { Experiment, ExperimentSummary } from "./records.js";
import { removePartialFolders, removeRunArtifacts } from "./run-folders.js";

/**
 * Fetch an experiment that has not been deleted.
 * @param db the database or a transaction
 * @param name an already validated experiment name
 * @returns the experiment
 * @throws TagifaiError EXPERIMENT_NOT_FOUND
 */
export async function findExperiment(db: Kysely<Database>, name: string): Promise<Experiment> {
  const row = await db
    .selectFrom("experiments")
    .select(["id", "name", "created_at"])
    .where("name", "=", name)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (row === undefined) throw new TagifaiError("EXPERIMENT_NOT_FOUND", `experiment "${name}" not found`);
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

/**
 * Fetch an experiment, creating it (or bringing a deleted one back, empty) if needed. One upsert
 * statement, so processes racing to create the same name all end up with the same row.
 * @param db the database or a transaction
 * @param name an already validated experiment name
 * @returns the experiment
 */
export async function findOrCreateExperiment(db: Kysely<Database>, name: string): Promise<Experiment> {
  const now = Date.now();
  await db
    .insertInto("experiments")
    .values({ id: newId(), name, created_at: now, deleted_at: null })
    .onConflict((conflict) =>
      conflict
        .column("name")
        .doUpdateSet({ created_at: now, deleted_at: null })
        .where("experiments.deleted_at", "is not", null),
    )
    .execute();
  return findExperiment(db, name);
}

/**
 * Every experiment that has not been deleted, by name, with its number of runs.
 * @param db the database
 * @returns the experiments
 */
export async function listExperiments(db: Kysely<Database>): Promise<ExperimentSummary[]> {
  const rows = await db
    .selectFrom("experiments")
    .leftJoin("runs", "runs.experiment_id", "experiments.id")
    .select((eb) => [
      "experiments.id",
      "experiments.name",
      "experiments.created_at",
      eb.fn.count<number>("runs.id").as("run_count"),
    ])
    .where("experiments.deleted_at", "is", null)
    .groupBy(["experiments.id", "experiments.name", "experiments.created_at"])
    .orderBy("experiments.name")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    runCount: row.run_count,
  }));
}

/**
 * Delete an experiment with its runs, their metrics, the model versions (and aliases) made from
 * them and the artifacts kept in this database, then the runs' artifact folders on disk and the
 * partial folders a killed run left. While a run of the experiment is a registered model version the
 * experiment is kept, unless `force`: deleting it would silently unregister them.
 * @param connection the open database
 * @param name an already validated experiment name
 * @param options `force`: delete the model versions made from its runs too
 * @returns the ids of the deleted runs
 * @throws TagifaiError EXPERIMENT_NOT_FOUND; MODEL_REGISTERED naming the versions (without `force`)
 */
export async function deleteExperiment(
  connection: Connection,
  name: string,
  options: { force?: boolean } = {},
): Promise<{ runIds: string[] }> {
  const runs = await connection.write(async (trx) => {
    const experiment = await findExperiment(trx, name);
    const runs = await trx
      .selectFrom("runs")
      .select(["id", "artifact_uri"])
      .where("experiment_id", "=", experiment.id)
      .execute();
    if (options.force !== true) await assertNoRegisteredVersions(trx, experiment.id, name);
    // Metrics, model versions and their aliases go with the runs (ON DELETE CASCADE); artifacts kept
    // in this database (their chunks cascade from their files) go in the same transaction.
    if (runs.length > 0) {
      const runIds = runs.map((run) => run.id);
      await trx.deleteFrom("artifact_files").where("run_id", "in", runIds).execute();
    }
    await trx.deleteFrom("runs").where("experiment_id", "=", experiment.id).execute();
    await trx
      .updateTable("experiments")
      .set({ deleted_at: Date.now() })
      .where("id", "=", experiment.id)
      .execute();
    return runs;
  });
  for (const run of runs) {
    removeRunArtifacts(run.id, run.artifact_uri);
    removePartialFolders(run.id, run.artifact_uri);
  }
  return { runIds: runs.map((run) => run.id) };
}

/** Refuse, naming them, when model versions were registered from the experiment's runs. */
async function assertNoRegisteredVersions(
  db: Kysely<Database>,
  experimentId: string,
  name: string,
): Promise<void> {
  const versions = await db
    .selectFrom("model_versions")
    .innerJoin("runs", "runs.id", "model_versions.run_id")
    .select(["model_versions.name", "model_versions.version", "model_versions.run_id"])
    .where("runs.experiment_id", "=", experimentId)
    .orderBy("model_versions.name")
    .orderBy("model_versions.version")
    .execute();
  if (versions.length === 0) return;
  const named = versions.map((v) => `${v.name} version ${v.version} (run ${v.run_id})`).join(", ");
  throw new TagifaiError(
    "MODEL_REGISTERED",
    `experiment "${name}" has runs registered as model versions: ${named}; ` +
      "deleting it would unregister them (use --force to delete them too)",
  );
}
