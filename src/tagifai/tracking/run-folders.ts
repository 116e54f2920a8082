/**
 * Removing a run's artifact folder from disk — carefully: only a folder whose name is the run's
 * (validated) id is ever deleted, so a corrupt or hostile `artifact_uri` cannot reach elsewhere.
 */
import { lstatSync, rmSync } from "node:fs";
import { basename, resolve } from "node:path";
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
