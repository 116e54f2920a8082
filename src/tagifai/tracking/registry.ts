/**
 * The model registry: numbered versions of a named model, each pointing at the FINISHED run that
 * produced it, and movable aliases (`production`, `staging`…) naming one version each.
 */
import type { Kysely } from "kysely";
import { TagifaiError } from "../errors.js";
import type { Connection } from "./connection.js";
import type { Database } from "./database.js";
import { assertPositiveInteger, assertRegistryName, assertRunId } from "./ids.js";
import type { ModelVersion } from "./records.js";
import { findRunRow } from "./runs.js";

const MODEL_URI = /^models:\/([^/@]*)(?:@([^/@]*)|\/([^/@]*))?$/;

/** Serializes registry writes on one model name (PostgreSQL; SQLite serializes all writes). */
const modelLock = (name: string) => `tagifai.tracking.model:${name}`;

/**
 * Register a FINISHED run as the next version (1, 2, 3…) of a model, creating the model if needed.
 * @param connection the open database
 * @param runId the run that produced the model
 * @param name the model name
 * @returns the model name and its new version number
 * @throws TagifaiError INVALID_RUN_ID, RUN_NOT_FOUND, INVALID_INPUT (bad name, run not FINISHED)
 */
export async function registerModel(
  connection: Connection,
  runId: string,
  name: string,
): Promise<{ name: string; version: number }> {
  assertRunId(runId);
  assertRegistryName(name, "model name");
  return connection.write(async (trx) => {
    const run = await findRunRow(trx, runId);
    if (run.status !== "FINISHED") {
      throw new TagifaiError(
        "INVALID_INPUT",
        `run ${runId} is ${run.status}: only FINISHED runs can be registered as models`,
      );
    }
    const now = Date.now();
    await trx
      .insertInto("registered_models")
      .values({ name, created_at: now })
      .onConflict((conflict) => conflict.column("name").doNothing())
      .execute();
    const { latest } = await trx
      .selectFrom("model_versions")
      .select((eb) => eb.fn.max("version").as("latest"))
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    const version = (latest ?? 0) + 1;
    await trx
      .insertInto("model_versions")
      .values({ name, version, run_id: runId, created_at: now })
      .execute();
    return { name, version };
  }, modelLock(name));
}

/**
 * Point an alias of a model at one of its versions (moving it if it pointed elsewhere).
 * @param connection the open database
 * @param name the model name
 * @param version an existing version of that model
 * @param alias the alias
 * @throws TagifaiError INVALID_INPUT (bad name, alias or version), MODEL_NOT_FOUND (no such version)
 */
export async function setAlias(
  connection: Connection,
  name: string,
  version: number,
  alias: string,
): Promise<void> {
  assertRegistryName(name, "model name");
  assertRegistryName(alias, "alias");
  assertPositiveInteger(version, "model version");
  await connection.write(async (trx) => {
    await findRunIdOfVersion(trx, name, version);
    await trx
      .insertInto("model_aliases")
      .values({ name, alias, version })
      .onConflict((conflict) => conflict.columns(["name", "alias"]).doUpdateSet({ version }))
      .execute();
  }, modelLock(name));
}

/**
 * Remove an alias of a model.
 * @param connection the open database
 * @param name the model name
 * @param alias the alias
 * @throws TagifaiError INVALID_INPUT (bad name or alias), MODEL_NOT_FOUND (no such alias)
 */
export async function deleteAlias(connection: Connection, name: string, alias: string): Promise<void> {
  assertRegistryName(name, "model name");
  assertRegistryName(alias, "alias");
  const result = await connection.db
    .deleteFrom("model_aliases")
    .where("name", "=", name)
    .where("alias", "=", alias)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) {
    throw new TagifaiError("MODEL_NOT_FOUND", `model "${name}" has no alias "${alias}"`);
  }
}

/**
 * Every registered model's name, sorted.
 * @param db the database
 * @returns the names
 */
export async function listModelNames(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom("registered_models").select("name").orderBy("name").execute();
  return rows.map((row) => row.name);
}

/**
 * List the versions of a model, oldest first, each with its aliases.
 * @param db the database
 * @param name the model name
 * @returns the versions (none if all were deleted with their runs)
 * @throws TagifaiError INVALID_INPUT (bad name), MODEL_NOT_FOUND (no such model)
 */
export async function listModelVersions(db: Kysely<Database>, name: string): Promise<ModelVersion[]> {
  assertRegistryName(name, "model name");
  const model = await db
    .selectFrom("registered_models")
    .select("name")
    .where("name", "=", name)
    .executeTakeFirst();
  if (model === undefined) throw new TagifaiError("MODEL_NOT_FOUND", `model "${name}" is not registered`);
  const versions = await db
    .selectFrom("model_versions")
    .selectAll()
    .where("name", "=", name)
    .orderBy("version")
    .execute();
  const aliases = await db
    .selectFrom("model_aliases")
    .select(["alias", "version"])
    .where("name", "=", name)
    .orderBy("alias")
    .execute();
  return versions.map((row) => ({
    name: row.name,
    version: row.version,
    runId: row.run_id,
    createdAt: row.created_at,
    aliases: aliases.filter((a) => a.version === row.version).map((a) => a.alias),
  }));
}

/**
 * Resolve a model reference to the id of the run that produced it.
 * @param db the database
 * @param uri `models:/name@alias`, `models:/name/3`, `models:/name` (latest version), or a run id
 * @returns the run id
 * @throws TagifaiError INVALID_INPUT (malformed URI or name), INVALID_RUN_ID, RUN_NOT_FOUND,
 *   MODEL_NOT_FOUND (unknown model, version or alias)
 */
export async function resolveModelUri(db: Kysely<Database>, uri: string): Promise<string> {
  if (!uri.startsWith("models:/")) {
    return (await findRunRow(db, assertRunId(uri))).id;
  }
  const match = MODEL_URI.exec(uri);
  if (match === null) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `malformed model URI "${uri}": use models:/<name>@<alias>, models:/<name>/<version> or models:/<name>`,
    );
  }
  const [, name, alias, versionText] = match;
  assertRegistryName(name, "model name");
  if (alias !== undefined) {
    return findRunIdOfVersion(
      db,
      name,
      await findAliasedVersion(db, name, assertRegistryName(alias, "alias")),
    );
  }
  if (versionText !== undefined) {
    if (!/^[1-9]\d*$/.test(versionText)) {
      throw new TagifaiError(
        "INVALID_INPUT",
        `invalid model version "${versionText}" in "${uri}": expected a whole number ≥ 1`,
      );
    }
    return findRunIdOfVersion(db, name, Number(versionText));
  }
  return findRunIdOfVersion(db, name, await findLatestVersion(db, name));
}

async function findRunIdOfVersion(db: Kysely<Database>, name: string, version: number): Promise<string> {
  const row = await db
    .selectFrom("model_versions")
    .select("run_id")
    .where("name", "=", name)
    .where("version", "=", version)
    .executeTakeFirst();
  if (row === undefined)
    throw new TagifaiError("MODEL_NOT_FOUND", `model "${name}" has no version ${version}`);
  return row.run_id;
}

async function findAliasedVersion(db: Kysely<Database>, name: string, alias: string): Promise<number> {
  const row = await db
    .selectFrom("model_aliases")
    .select("version")
    .where("name", "=", name)
    .where("alias", "=", alias)
    .executeTakeFirst();
  if (row === undefined) throw new TagifaiError("MODEL_NOT_FOUND", `model "${name}" has no alias "${alias}"`);
  return row.version;
}

async function findLatestVersion(db: Kysely<Database>, name: string): Promise<number> {
  const { latest } = await db
    .selectFrom("model_versions")
    .select((eb) => eb.fn.max("version").as("latest"))
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  if (latest === null) throw new TagifaiError("MODEL_NOT_FOUND", `model "${name}" has no versions`);
  return latest;
}
