/**
 * The local artifact store: a run's artifacts are the folder `<root>/<runId>`, written under a
 * temporary name in `<root>` and renamed into place when complete, so a half-written run never
 * looks complete. Only this machine (or one sharing the folder) can read them.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { checkpoint } from "../../abort.js";
import type { ArtifactFile, ArtifactStore } from "../../artifact-store.js";
import { TagifaiError } from "../../errors.js";
import { writeFileAtomic } from "../../files.js";
import { assertRunId } from "../../tracking/ids.js";
import { partialFolderFor, removePartialFolders, removeRunArtifacts } from "../../tracking/run-folders.js";
import { assertArtifactName, folderFiles } from "../folder.js";

/**
 * Write a folder atomically: `write` fills a temporary folder next to it, which is renamed into
 * place once complete (the temporary folder is named after the last segment of `dir`, see
 * `partialFolderFor`). An existing folder is refused rather than overwritten.
 * @param dir the folder to create
 * @param write fills the temporary folder
 * @param signal checked once every file is written, before the folder is renamed into place: an
 *   abort leaves no folder (complete or partial) behind
 * @throws TagifaiError INVALID_ARTIFACTS if `dir` exists; the signal's reason once it is aborted
 */
export async function saveFolder(
  dir: string,
  write: (dir: string) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const exists = () => {
    if (existsSync(dir)) throw new TagifaiError("INVALID_ARTIFACTS", `Artifact folder ${dir} already exists`);
  };
  exists();
  mkdirSync(dirname(dir), { recursive: true });
  const partial = partialFolderFor(dir);
  mkdirSync(partial);
  try {
    await write(partial);
    await checkpoint(signal);
    exists();
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Artifacts in folders named by run id under one root folder. */
export class LocalArtifactStore implements ArtifactStore {
  /** @param root the folder holding one folder per run (absolute) */
  constructor(readonly root: string) {}

  /** The root folder. */
  get display(): string {
    return this.root;
  }

  /**
   * The run's folder.
   * @param runId the run
   */
  runUri(runId: string): string {
    return join(this.root, assertRunId(runId));
  }

  /**
   * Write the run's folder atomically; an existing folder is refused rather than overwritten.
   * @param runId the run
   * @param write fills the temporary folder
   * @param signal checked once every file is written, before the folder is renamed into place
   */
  async save(runId: string, write: (dir: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
    await saveFolder(this.runUri(runId), write, signal);
  }

  /**
   * The run's folder, if it exists.
   * @param runId the run
   */
  async fetch(runId: string): Promise<string | undefined> {
    const dir = this.runUri(runId);
    return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? dir : undefined;
  }

  /**
   * The files under the run's folder (none without a folder).
   * @param runId the run
   */
  async list(runId: string): Promise<ArtifactFile[]> {
    const dir = await this.fetch(runId);
    return dir === undefined ? [] : folderFiles(dir);
  }

  /**
   * Replace a file of the run's folder atomically.
   * @param runId the run
   * @param name the file's name
   * @param content the new content
   */
  async replace(runId: string, name: string, content: string): Promise<void> {
    const dir = await this.fetch(runId);
    if (dir === undefined)
      throw new TagifaiError("INVALID_ARTIFACTS", `No artifacts at ${this.runUri(runId)}`);
    writeFileAtomic(join(dir, assertArtifactName(name)), content);
  }

  /**
   * Remove the run's folder (and any partial folder it left).
   * @param runId the run
   */
  async delete(runId: string): Promise<boolean> {
    const partials = removePartialFolders(runId, this.runUri(runId));
    return removeRunArtifacts(runId, this.runUri(runId)) || partials.length > 0;
  }

  /** Nothing to release. */
  async close(): Promise<void> {}
}
