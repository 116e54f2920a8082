/**
 * The local cache of artifacts fetched from a shared store: `<home>/stores/cache/<runId>`, one
 * folder per run holding exactly its files. A cached folder is used only while every file matches
 * the size and sha256 the store records (checked again on each use), so a changed file in the store
 * or a tampered copy is fetched anew. A folder is filled under a temporary name in the cache and
 * renamed into place once complete, so an interrupted fetch never leaves a folder that looks whole,
 * and two processes filling the same run's folder both end with a verified one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import { sha256 } from "../files.js";
import { assertRunId } from "../tracking/ids.js";
import { PARTIAL_PREFIX, partialFolderFor } from "../tracking/run-folders.js";
import { folderFiles } from "./folder.js";

/** A file as the store records it. */
export interface StoredFile {
  name: string;
  bytes: number;
  /** SHA-256 (hex) of its content. */
  sha256: string;
}

/**
 * The cache folder of a run (it may not exist).
 * @param runId the run (validated)
 */
export function cacheFolder(runId: string): string {
  return join(cacheDir(), assertRunId(runId));
}

/**
 * A new empty folder in the cache, to fill and then `commitToCache`. While a run is being saved it is
 * named after the run (`.partial-<run id>-<pid>-<time>`), else after this process
 * (`.partial-<pid>-<time>`), so `tagifai gc` removes it only once the run has ended or the process
 * is gone.
 * @param savingRunId the run being saved, if any
 * @returns the folder
 */
export function newStagingFolder(savingRunId?: string): string {
  const dir =
    savingRunId === undefined
      ? join(cacheDir(), `${PARTIAL_PREFIX}${process.pid}-${process.hrtime.bigint()}`)
      : partialFolderFor(cacheFolder(savingRunId));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * What differs between a folder and the files a store records, if anything.
 * @param dir the folder
 * @param files the files it should hold
 * @returns the first difference, or undefined when the folder holds exactly these files
 */
export function folderMismatch(dir: string, files: readonly StoredFile[]): string | undefined {
  if (!existsSync(dir)) return `${dir} does not exist`;
  const present = folderFiles(dir);
  const names = (list: readonly { name: string }[]) =>
    list
      .map((file) => file.name)
      .sort()
      .join(", ");
  if (names(present) !== names(files)) return `${dir} holds ${names(present)} instead of ${names(files)}`;
  for (const file of files) {
    const actual = sha256(readFileSync(join(dir, file.name)));
    if (actual !== file.sha256) return `${file.name} has sha256 ${actual}, expected ${file.sha256}`;
  }
  return undefined;
}

/**
 * Make a complete staged folder the run's cache folder (a stale one is replaced; one another process
 * has just put in place is kept if it verifies).
 * @param runId the run
 * @param staged a folder from `newStagingFolder` holding the run's files
 * @param files the files the store records for the run
 * @returns the run's cache folder
 * @throws TagifaiError CHECKSUM_MISMATCH if the folder in place does not hold these files
 */
export function commitToCache(runId: string, staged: string, files: readonly StoredFile[]): string {
  const target = cacheFolder(runId);
  if (existsSync(target) && folderMismatch(target, files) !== undefined) {
    const aside = `${staged}.stale`;
    try {
      renameSync(target, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    rmSync(aside, { recursive: true, force: true });
  }
  try {
    renameSync(staged, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    rmSync(staged, { recursive: true, force: true });
  }
  const mismatch = folderMismatch(target, files);
  if (mismatch !== undefined) {
    throw new TagifaiError(
      "CHECKSUM_MISMATCH",
      `The cached artifacts of run ${runId} are wrong: ${mismatch}`,
    );
  }
  return target;
}

/**
 * Drop a run's cache folder, if there is one.
 * @param runId the run
 */
export function evictFromCache(runId: string): void {
  rmSync(cacheFolder(runId), { recursive: true, force: true });
}
