/**
 * Experiment lookups shared by the store's methods, usable on the database or inside a transaction.
 */
import type { Kysely } from "kysely";
import { TagifaiError } from "../errors.js";
import type { Database } from "./database.js";
import { newId } from "./ids.js";
import type { Experiment } from "./records.js";

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
