/**
 * The PostgreSQL artifact store: a run's files in the tables `artifact_files` (name, size, sha256,
 * number of chunks) and `artifact_chunks` (the bytes, in 1 MiB rows), created by the tracking
 * migrations. A run's files are uploaded in one transaction, so a reader sees all of them or none;
 * a reader downloads them from one snapshot (REPEATABLE READ) into the local cache
 * (`../cache.ts`), checking each file's sha256, and uses the cached copy while it still matches.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Kysely } from "kysely";
import { checkpoint } from "../../abort.js";
import type { ArtifactFile, ArtifactStore } from "../../artifact-store.js";
import { TagifaiError } from "../../errors.js";
import { sha256, writeFileAtomic } from "../../files.js";
import {
  type Connection,
  describeError,
  inTransaction,
  parseTrackingUri,
} from "../../tracking/connection.js";
import type { Database } from "../../tracking/database.js";
import { assertRunId } from "../../tracking/ids.js";
import { openMigrated } from "../../tracking/migrations.js";
import {
  cacheFolder,
  commitToCache,
  evictFromCache,
  folderMismatch,
  newStagingFolder,
  type StoredFile,
} from "../cache.js";
import { assertArtifactName, folderFiles } from "../folder.js";

/** The size of one stored chunk of a file. */
export const CHUNK_BYTES = 1024 * 1024;

/** How a store names itself and the runs it holds. */
export interface PostgresStoreNaming {
  /** For messages, without a password. */
  display: string;
  /** The artifact URI a run saved here records. */
  runUri(runId: string): string;
}

/** Artifacts in the tables of a PostgreSQL database. */
export class PostgresArtifactStore implements ArtifactStore {
  /**
   * @param connection the open, migrated database
   * @param naming the store's display name and run URIs
   * @param owned whether `close` closes the connection (false when it is the tracking store's)
   */
  constructor(
    private readonly connection: Connection,
    private readonly naming: PostgresStoreNaming,
    private readonly owned = false,
  ) {}

  /** Where the store is, for messages. */
  get display(): string {
    return this.naming.display;
  }

  /**
   * The artifact URI a run saved here records.
   * @param runId the run
   */
  runUri(runId: string): string {
    return this.naming.runUri(assertRunId(runId));
  }

  /**
   * Write the files into a staging folder of the local cache, upload them in one transaction, then
   * keep the folder as the run's cached copy.
   * @param runId the run
   * @param write fills the staging folder
   * @param signal checked before the upload, between chunks and before the commit
   */
  async save(runId: string, write: (dir: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const staged = newStagingFolder(assertRunId(runId));
    let stored: StoredFile[];
    try {
      await write(staged);
      await checkpoint(signal);
      stored = await this.guard(
        () =>
          this.connection.write(async (trx) => {
            if ((await this.manifest(trx, runId)).length > 0) {
              throw new TagifaiError(
                "INVALID_ARTIFACTS",
                `Run ${runId} already has artifacts in ${this.display}`,
              );
            }
            const files: StoredFile[] = [];
            for (const { name } of folderFiles(staged)) {
              files.push(await insertFile(trx, runId, name, readFileSync(join(staged, name)), signal));
            }
            await checkpoint(signal);
            return files;
          }, `tagifai.artifacts.${runId}`),
        signal,
      );
    } catch (error) {
      rmSync(staged, { recursive: true, force: true });
      throw error;
    }
    try {
      commitToCache(runId, staged, stored);
    } catch {
      // The artifacts are committed; the cached copy is only a shortcut, fetched again when needed.
      rmSync(staged, { recursive: true, force: true });
    }
  }

  /**
   * The run's cached folder, downloaded (and verified) unless the cache already holds the files the
   * store records.
   * @param runId the run
   */
  async fetch(runId: string): Promise<string | undefined> {
    const recorded = await this.guard(() => this.manifest(this.connection.db, runId));
    if (recorded.length === 0) return undefined;
    if (folderMismatch(cacheFolder(runId), recorded) === undefined) return cacheFolder(runId);
    const staged = newStagingFolder();
    try {
      const files = await this.guard(() => this.snapshot((db) => this.download(db, runId, staged)));
      if (files.length === 0) {
        rmSync(staged, { recursive: true, force: true });
        return undefined;
      }
      return commitToCache(runId, staged, files);
    } catch (error) {
      rmSync(staged, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * The files the store records for the run.
   * @param runId the run
   */
  async list(runId: string): Promise<ArtifactFile[]> {
    const files = await this.guard(() => this.manifest(this.connection.db, runId));
    return files.map(({ name, bytes }) => ({ name, bytes }));
  }

  /**
   * Replace one file of the run in one transaction (and in the run's cached copy, if any).
   * @param runId the run
   * @param name the file's name
   * @param content the new content
   */
  async replace(runId: string, name: string, content: string): Promise<void> {
    assertArtifactName(name);
    await this.guard(() =>
      this.connection.write(async (trx) => {
        if ((await this.manifest(trx, runId)).length === 0) {
          throw new TagifaiError("INVALID_ARTIFACTS", `Run ${runId} has no artifacts in ${this.display}`);
        }
        await trx.deleteFrom("artifact_files").where("run_id", "=", runId).where("name", "=", name).execute();
        await insertFile(trx, runId, name, Buffer.from(content));
      }, `tagifai.artifacts.${runId}`),
    );
    const cached = join(cacheFolder(runId), name);
    mkdirSync(dirname(cached), { recursive: true });
    writeFileAtomic(cached, content);
  }

  /**
   * Delete the run's files (their chunks go with them) and its cached copy.
   * @param runId the run
   */
  async delete(runId: string): Promise<boolean> {
    assertRunId(runId);
    const result = await this.guard(() =>
      this.connection.db.deleteFrom("artifact_files").where("run_id", "=", runId).executeTakeFirst(),
    );
    evictFromCache(runId);
    return Number(result.numDeletedRows) > 0;
  }

  /** Close the database connection if this store opened it. */
  async close(): Promise<void> {
    if (this.owned) await this.connection.db.destroy();
  }

  private async manifest(db: Kysely<Database>, runId: string): Promise<StoredFile[]> {
    return db
      .selectFrom("artifact_files")
      .select(["name", "bytes", "sha256"])
      .where("run_id", "=", assertRunId(runId))
      .orderBy("name")
      .execute();
  }

  /** Download every file of the run into `dir`, chunk by chunk, checking sizes and sha256s. */
  private async download(db: Kysely<Database>, runId: string, dir: string): Promise<StoredFile[]> {
    const files = await db
      .selectFrom("artifact_files")
      .select(["name", "bytes", "sha256", "chunks"])
      .where("run_id", "=", runId)
      .orderBy("name")
      .execute();
    for (const file of files) {
      const path = join(dir, assertArtifactName(file.name));
      mkdirSync(dirname(path), { recursive: true });
      const hash = createHash("sha256");
      let bytes = 0;
      writeFileSync(path, "");
      for (let seq = 0; seq < file.chunks; seq++) {
        const chunk = await db
          .selectFrom("artifact_chunks")
          .select("data")
          .where("run_id", "=", runId)
          .where("name", "=", file.name)
          .where("seq", "=", seq)
          .executeTakeFirst();
        if (chunk === undefined) {
          throw new TagifaiError(
            "CHECKSUM_MISMATCH",
            `Artifact file ${file.name} of run ${runId} is incomplete in ${this.display}: chunk ${seq} of ${file.chunks} is missing`,
          );
        }
        hash.update(chunk.data);
        bytes += chunk.data.length;
        writeFileSync(path, chunk.data, { flag: "a" });
      }
      const actual = hash.digest("hex");
      if (actual !== file.sha256 || bytes !== file.bytes) {
        throw new TagifaiError(
          "CHECKSUM_MISMATCH",
          `Artifact file ${file.name} of run ${runId} is corrupt in ${this.display}: ` +
            `read ${bytes} bytes with sha256 ${actual}, stored ${file.bytes} bytes with sha256 ${file.sha256}`,
        );
      }
    }
    return files;
  }

  /** Run `work` in one read-only REPEATABLE READ transaction: one consistent view of the tables. */
  private async snapshot<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return inTransaction(
      this.connection.db,
      "begin transaction isolation level repeatable read read only",
      work,
    );
  }

  /** Run a database operation, reporting a failure of the database itself as ARTIFACT_STORE_ERROR. */
  private async guard<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof TagifaiError || signal?.aborted) throw error;
      throw new TagifaiError(
        "ARTIFACT_STORE_ERROR",
        `The artifact store ${this.display} failed: ${describeError(error)}`,
        { cause: error },
      );
    }
  }
}

/**
 * Open a PostgreSQL database as an artifact store of its own (not the tracking database), creating
 * its tables if needed.
 * @param uri `postgresql://…` (with its password, if it needs one)
 * @returns the store, which closes its connection on `close`
 * @throws TagifaiError ARTIFACT_STORE_ERROR if the URI is malformed or the database unreachable,
 *   SCHEMA_TOO_NEW
 */
export async function openPostgresArtifactStore(uri: string): Promise<PostgresArtifactStore> {
  let target: ReturnType<typeof parseTrackingUri>;
  try {
    target = parseTrackingUri(uri);
  } catch {
    throw new TagifaiError(
      "ARTIFACT_STORE_ERROR",
      "malformed PostgreSQL artifact URI (expected postgresql://…)",
    );
  }
  const connection = await openMigrated(
    target,
    (problem, cause) =>
      new TagifaiError(
        "ARTIFACT_STORE_ERROR",
        `cannot reach the artifact store ${target.display}: ${problem}`,
        {
          cause,
        },
      ),
  );
  const recorded = new URL(uri);
  recorded.password = "";
  recorded.hash = "";
  return new PostgresArtifactStore(
    connection,
    { display: target.display, runUri: (runId) => `${recorded.toString()}#${runId}` },
    true,
  );
}

/** Insert a file's manifest row and its chunks; returns what was recorded. */
async function insertFile(
  trx: Kysely<Database>,
  runId: string,
  name: string,
  content: Buffer,
  signal?: AbortSignal,
): Promise<StoredFile> {
  const file = { name, bytes: content.length, sha256: sha256(content) };
  const chunks = Math.ceil(content.length / CHUNK_BYTES);
  await trx
    .insertInto("artifact_files")
    .values({ run_id: runId, ...file, chunks, created_at: Date.now() })
    .execute();
  for (let seq = 0; seq < chunks; seq++) {
    await checkpoint(signal);
    const data = content.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES);
    await trx.insertInto("artifact_chunks").values({ run_id: runId, name, seq, data }).execute();
  }
  return file;
}
