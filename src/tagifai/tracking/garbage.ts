/**
 * Garbage in the artifact roots (`tagifai gc`): what a process that died mid-run, or a store edited
 * by hand, leaves on disk. In each root folder:
 * - a partial folder `.partial-<run id>-<pid>-<time>` is garbage unless its run is RUNNING (with a
 *   live heartbeat: lost runs are marked first); one with the older name `.partial-<pid>-<time>`
 *   is garbage unless that process is alive on this machine;
 * - a folder named like a run id that holds a run's `params.json` is garbage when no such run
 *   exists (deleted, or its experiment deleted).
 * Nothing else is touched. The store is read after the folders are listed, and a run's row always
 * exists before its folders do, so a run that starts meanwhile is never mistaken for garbage.
 * In the database, the artifacts (`artifact_files`) of runs that do not exist are garbage too.
 */
import { existsSync, lstatSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Kysely } from "kysely";
import type { Database } from "./database.js";
import { type RunStatus, TRACKING_DB_SCHEME } from "./records.js";
import { PARTIAL_PREFIX } from "./run-folders.js";
import { selectRuns } from "./runs.js";

/** One folder `collectGarbage` removed (or, in a dry run, would remove). */
export interface GarbageEntry {
  path: string;
  /** A half-written artifact folder, or the artifact folder of a run that does not exist. */
  kind: "partial" | "artifacts";
  /** The run the folder was named after (null for a partial folder of the older naming). */
  runId: string | null;
  /** Why it is garbage, e.g. "its run is FAILED", "no such run". */
  reason: string;
}

/** The file every run's artifact folder holds (`ARTIFACT_FILES.params` in artifacts.ts). */
const ARTIFACT_MARKER = "params.json";
const RUN_FOLDER = /^[0-9a-f]{32}$/;
const PARTIAL = new RegExp(
  `^${PARTIAL_PREFIX.replace(".", "\\.")}(?:([0-9a-f]{32})-(\\d+)-(\\d+)|(\\d+)-(\\d+))$`,
);

/**
 * Find (and unless `dryRun`, remove) the garbage in some artifact roots. Call it after marking lost
 * runs, so that their partial folders count as garbage.
 * @param db the database
 * @param roots the folders holding run artifact folders (missing ones are skipped)
 * @param options `dryRun`: list only
 * @returns the folders removed (or to remove), by path
 */
export async function collectGarbage(
  db: Kysely<Database>,
  roots: readonly string[],
  options: { dryRun?: boolean } = {},
): Promise<GarbageEntry[]> {
  const folders = [...new Set(roots.map((root) => resolve(root)))].flatMap(listFolders);
  const named = folders.flatMap((folder) => (folder.runId === null ? [] : [folder.runId]));
  const statuses = await runStatuses(db, [...new Set(named)]);
  const garbage = folders.flatMap((folder): GarbageEntry[] => {
    const reason = whyGarbage(folder, statuses);
    return reason === undefined
      ? []
      : [{ path: folder.path, kind: folder.kind, runId: folder.runId, reason }];
  });
  if (options.dryRun !== true)
    for (const entry of garbage) rmSync(entry.path, { recursive: true, force: true });
  return garbage.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Find (and unless `dryRun`, delete) the artifacts the database holds for runs that do not exist
 * (their run deleted by a Tagifai without the artifact store, or by hand).
 * @param db the database
 * @param options `dryRun`: list only
 * @returns one entry per run, its path `tracking-db:<run id>`
 */
export async function collectStoredArtifacts(
  db: Kysely<Database>,
  options: { dryRun?: boolean } = {},
): Promise<GarbageEntry[]> {
  const orphans = await db
    .selectFrom("artifact_files")
    .select("run_id")
    .distinct()
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("runs").select("runs.id").whereRef("runs.id", "=", "artifact_files.run_id"))),
    )
    .orderBy("run_id")
    .execute();
  const runIds = orphans.map((row) => row.run_id);
  if (options.dryRun !== true && runIds.length > 0) {
    await db.deleteFrom("artifact_files").where("run_id", "in", runIds).execute();
  }
  return runIds.map((runId) => ({
    path: `${TRACKING_DB_SCHEME}${runId}`,
    kind: "artifacts",
    runId,
    reason: "no such run",
  }));
}

/** A folder that may be garbage. */
interface Candidate {
  path: string;
  kind: GarbageEntry["kind"];
  runId: string | null;
  /** The process that wrote a partial folder of the older naming. */
  pid?: number;
}

function listFolders(root: string): Candidate[] {
  if (lstatSync(root, { throwIfNoEntry: false })?.isDirectory() !== true) return [];
  return readdirSync(root, { withFileTypes: true }).flatMap((entry): Candidate[] => {
    if (!entry.isDirectory()) return [];
    const path = join(root, entry.name);
    if (RUN_FOLDER.test(entry.name))
      return existsSync(join(path, ARTIFACT_MARKER)) ? [{ path, kind: "artifacts", runId: entry.name }] : [];
    const partial = PARTIAL.exec(entry.name);
    if (partial === null) return [];
    if (partial[1] !== undefined) return [{ path, kind: "partial", runId: partial[1] }];
    return [{ path, kind: "partial", runId: null, pid: Number(partial[4]) }];
  });
}

async function runStatuses(db: Kysely<Database>, runIds: string[]): Promise<Map<string, RunStatus>> {
  if (runIds.length === 0) return new Map();
  const rows = await selectRuns(db).where("runs.id", "in", runIds).execute();
  return new Map(rows.map((row) => [row.id, row.status]));
}

function whyGarbage(folder: Candidate, statuses: Map<string, RunStatus>): string | undefined {
  if (folder.runId === null) return processIsAlive(folder.pid!) ? undefined : `process ${folder.pid} is gone`;
  const status = statuses.get(folder.runId);
  if (status === undefined) return "no such run";
  if (folder.kind === "partial" && status !== "RUNNING") return `its run is ${status}`;
  return undefined;
}

/** Whether a process of this machine is alive (EPERM: it is, but belongs to someone else). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
