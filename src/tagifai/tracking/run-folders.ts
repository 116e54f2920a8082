/**
 * A run's folders on disk: its artifact folder `<root>/<run id>`, and the partial folders
 * `<root>/.partial-<run id>-<pid>-<time>` its artifacts are written into before being renamed into
 * place. Removing them is careful: only a folder whose name is the run's (validated) id, or a
 * partial folder named after it, is ever deleted, so a corrupt or hostile `artifact_uri` cannot
 * reach elsewhere.
 */
import { lstatSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { logger } from "../../config/config.js";
import { assertRunId } from "./ids.js";

/**
 * Delete a run's artifact folder, if it is there and really is that run's folder.
 * @param runId the run's id (validated)
 * @param artifactUri the folder recorded for the run
 * @returns whether a folder was removed
 * @throws TagifaiError INVALID_RUN_ID for a malformed id
 */
export function removeRunArtifacts(runId: string, artifactUri: string): boolean {
  assertRunId(runId);
  const folder = resolve(artifactUri);
  const stats = lstatSync(folder, { throwIfNoEntry: false });
  if (stats === undefined) return false;
  if (basename(folder) !== runId || !stats.isDirectory()) {
    logger.warn(
      { runId, artifactUri },
      "not removing artifacts: the path is not a folder named by the run id",
    );
    return false;
  }
  rmSync(folder, { recursive: true, force: true });
  return true;
}

/** How every partial artifact folder's name starts. */
export const PARTIAL_PREFIX = ".partial-";

/**
 * The folder a run's artifacts are written into before it is renamed to `artifactUri`: beside it,
 * named after the run (so that the run's deletion and `tagifai gc` can find it), this process and
 * the time.
 * @param artifactUri the run's artifact folder, whose last segment is its run id
 * @returns the partial folder's path
 */
export function partialFolderFor(artifactUri: string): string {
  const folder = resolve(artifactUri);
  return join(dirname(folder), `${PARTIAL_PREFIX}${basename(folder)}-${process.pid}-${Date.now()}`);
}

/**
 * Delete the partial folders a run left beside its artifact folder (e.g. after a kill -9).
 * @param runId the run's id (validated)
 * @param artifactUri the folder recorded for the run
 * @returns the folders removed
 * @throws TagifaiError INVALID_RUN_ID for a malformed id
 */
export function removePartialFolders(runId: string, artifactUri: string): string[] {
  assertRunId(runId);
  const root = dirname(resolve(artifactUri));
  const prefix = `${PARTIAL_PREFIX}${runId}-`;
  if (lstatSync(root, { throwIfNoEntry: false })?.isDirectory() !== true) return [];
  const names = readdirSync(root, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() && entry.name.startsWith(prefix) ? [entry.name] : [],
  );
  return names.map((name) => {
    rmSync(join(root, name), { recursive: true, force: true });
    return join(root, name);
  });
}
