/**
 * Versioned schema migrations, applied in order when a store is opened. They run in one write
 * transaction under a lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so several
 * processes opening a fresh store at once apply each migration exactly once.
 */
import { type Kysely, sql } from "kysely";
import { logger } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import {
  type Backend,
  type Connection,
  describeError,
  openConnection,
  type TrackingTarget,
} from "./connection.js";
import type { Database } from "./database.js";

interface Migration {
  version: number;
  description: string;
  up(db: Kysely<Database>, backend: Backend): Promise<void>;
}

const MIGRATIONS_LOCK = "tagifai.tracking.migrations";

/** Every migration, oldest first; append new ones, never edit applied ones. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "experiments, runs, metrics and the model registry",
    up: createInitialTables,
  },
  {
    version: 2,
    description: "hyperparameter studies, their trials and the trials' intermediate values",
    up: createStudyTables,
  },
  {
    version: 3,
    description: "the base params each study started from, and the best params it found",
    up: addStudyParams,
  },
  {
    version: 4,
    description: "run heartbeats and end reasons (a run whose process died reads FAILED, lost)",
    up: addRunHeartbeats,
  },
  {
    version: 5,
    description: "run artifacts stored in the database: a manifest of files and their chunks",
    up: createArtifactTables,
  },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Bring a database up to `SCHEMA_VERSION`, applying the missing migrations in one transaction.
 * @param connection the open database
 * @returns the schema version the database had before
 * @throws TagifaiError SCHEMA_TOO_NEW if the database was written by a newer Tagifai
 */
export async function migrate(connection: Connection): Promise<number> {
  return connection.write(async (trx) => {
    await trx.schema
      .createTable("schema_version")
      .ifNotExists()
      .addColumn("version", "integer", (col) => col.primaryKey())
      .addColumn("applied_at", "bigint", (col) => col.notNull())
      .execute();
    const { stored } = await trx
      .selectFrom("schema_version")
      .select((eb) => eb.fn.max("version").as("stored"))
      .executeTakeFirstOrThrow();
    const storedVersion = stored ?? 0;
    if (storedVersion > SCHEMA_VERSION) {
      throw new TagifaiError(
        "SCHEMA_TOO_NEW",
        `the tracking store has schema version ${storedVersion}, but this Tagifai only knows up to ` +
          `version ${SCHEMA_VERSION}: upgrade Tagifai to use this store`,
      );
    }
    for (const migration of MIGRATIONS.filter((m) => m.version > storedVersion)) {
      await migration.up(trx, connection.backend);
      await trx
        .insertInto("schema_version")
        .values({ version: migration.version, applied_at: Date.now() })
        .execute();
      logger.debug({ version: migration.version }, `tracking schema migrated: ${migration.description}`);
    }
    return storedVersion;
  }, MIGRATIONS_LOCK);
}

async function createInitialTables(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable("experiments")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("name", "text", (col) => col.notNull().unique())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addColumn("deleted_at", "bigint")
    .execute();
  await db.schema
    .createTable("runs")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("experiment_id", "text", (col) => col.notNull().references("experiments.id"))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("status", "text", (col) =>
      col.notNull().check(sql`status in ('RUNNING', 'FINISHED', 'FAILED', 'KILLED')`),
    )
    .addColumn("start_time", "bigint", (col) => col.notNull())
    .addColumn("end_time", "bigint")
    .addColumn("artifact_uri", "text", (col) => col.notNull())
    .addColumn("params", "text", (col) => col.notNull())
    .addColumn("tags", "text", (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex("runs_by_experiment")
    .on("runs")
    .columns(["experiment_id", "start_time"])
    .execute();
  await db.schema
    .createTable("metrics")
    .addColumn("run_id", "text", (col) => col.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("key", "text", (col) => col.notNull())
    .addColumn("value", "double precision", (col) => col.notNull())
    .addColumn("step", "integer", (col) => col.notNull())
    .addColumn("timestamp", "bigint", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("metrics_by_run").on("metrics").columns(["run_id", "key", "step"]).execute();
  await db.schema
    .createTable("registered_models")
    .addColumn("name", "text", (col) => col.primaryKey())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .execute();
  await db.schema
    .createTable("model_versions")
    .addColumn("name", "text", (col) =>
      col.notNull().references("registered_models.name").onDelete("cascade"),
    )
    .addColumn("version", "integer", (col) => col.notNull())
    .addColumn("run_id", "text", (col) => col.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
    .execute();
  await db.schema.createIndex("model_versions_by_run").on("model_versions").column("run_id").execute();
  await db.schema
    .createTable("model_aliases")
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("alias", "text", (col) => col.notNull())
    .addColumn("version", "integer", (col) => col.notNull())
    .addPrimaryKeyConstraint("model_aliases_pk", ["name", "alias"])
    .addForeignKeyConstraint(
      "model_aliases_version_fk",
      ["name", "version"],
      "model_versions",
      ["name", "version"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
}

async function createStudyTables(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable("studies")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("name", "text", (col) => col.notNull().unique())
    .addColumn("direction", "text", (col) => col.notNull().check(sql`direction in ('minimize', 'maximize')`))
    .addColumn("search_space", "text", (col) => col.notNull())
    .addColumn("seed", "bigint", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .execute();
  await db.schema
    .createTable("trials")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("study_id", "text", (col) => col.notNull().references("studies.id").onDelete("cascade"))
    .addColumn("number", "integer", (col) => col.notNull())
    .addColumn("state", "text", (col) =>
      col.notNull().check(sql`state in ('RUNNING', 'COMPLETE', 'PRUNED', 'FAILED')`),
    )
    .addColumn("params", "text", (col) => col.notNull())
    .addColumn("value", "double precision")
    .addColumn("attrs", "text", (col) => col.notNull())
    .addColumn("run_id", "text", (col) => col.references("runs.id").onDelete("set null"))
    .addColumn("heartbeat_at", "bigint", (col) => col.notNull())
    .addColumn("started_at", "bigint", (col) => col.notNull())
    .addColumn("finished_at", "bigint")
    .addUniqueConstraint("trials_study_number", ["study_id", "number"])
    .execute();
  await db.schema.createIndex("trials_by_run").on("trials").column("run_id").execute();
  await db.schema
    .createTable("trial_values")
    .addColumn("trial_id", "text", (col) => col.notNull().references("trials.id").onDelete("cascade"))
    .addColumn("step", "integer", (col) => col.notNull())
    .addColumn("value", "double precision")
    .addPrimaryKeyConstraint("trial_values_pk", ["trial_id", "step"])
    .execute();
}

/** Nullable: studies made before version 3 have none until they are resumed. */
async function addStudyParams(db: Kysely<Database>): Promise<void> {
  for (const column of ["base_params", "base_params_sha256", "base_params_source", "best_params"]) {
    await db.schema.alterTable("studies").addColumn(column, "text").execute();
  }
}

async function addRunHeartbeats(db: Kysely<Database>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable("runs").addColumn("heartbeat_at", "bigint").execute();
  await db.schema.alterTable("runs").addColumn("end_reason", "text").execute();
  await db.schema.createIndex("runs_by_status").on("runs").column("status").execute();
}

/**
 * The PostgreSQL artifact store's tables (`artifact-store/postgres`): one row per file of a run with
 * its size, sha256 and number of chunks, and the file's bytes in chunks. No foreign key to `runs`:
 * an artifact store may be another database than the runs' tracking store. Created on SQLite too, so
 * both dialects share one migration numbering.
 */
async function createArtifactTables(db: Kysely<Database>, backend: Backend): Promise<void> {
  await db.schema
    .createTable("artifact_files")
    .addColumn("run_id", "text", (col) => col.notNull())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("bytes", "bigint", (col) => col.notNull())
    .addColumn("sha256", "text", (col) => col.notNull())
    .addColumn("chunks", "integer", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("artifact_files_pk", ["run_id", "name"])
    .execute();
  await db.schema
    .createTable("artifact_chunks")
    .addColumn("run_id", "text", (col) => col.notNull())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("data", backend === "postgres" ? "bytea" : "blob", (col) => col.notNull())
    .addPrimaryKeyConstraint("artifact_chunks_pk", ["run_id", "name", "seq"])
    .addForeignKeyConstraint(
      "artifact_chunks_file_fk",
      ["run_id", "name"],
      "artifact_files",
      ["run_id", "name"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
}

/**
 * Open a database and bring its schema up to date (see `migrate`), closing it again if that fails.
 * @param target the database
 * @param failure the error to throw for a failure that is not already a TagifaiError, given what
 *   went wrong in one line
 * @returns the open, migrated connection
 * @throws TagifaiError SCHEMA_TOO_NEW, or `failure(…)`
 */
export async function openMigrated(
  target: TrackingTarget,
  failure: (problem: string, cause: unknown) => TagifaiError,
): Promise<Connection> {
  const connection = openConnection(target);
  try {
    await migrate(connection);
    return connection;
  } catch (error) {
    await connection.db.destroy();
    if (error instanceof TagifaiError) throw error;
    throw failure(describeError(error), error);
  }
}
