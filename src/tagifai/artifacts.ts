/**
 * A run's artifacts on disk: params, performance, label encoder and the model's files (see
 * `families.ts`) in one folder. An artifact store (`artifact-store.ts`) commits the folder as a
 * whole and hands readers a local folder, so a half-written run never looks complete.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { saveFolder } from "./artifact-store/local/local-artifacts.js";
import { TagifaiError } from "./errors.js";
import { type Performance, performanceSchema } from "./eval.js";
import { FAMILY_REGISTRY } from "./families.js";
import { readArtifactJson } from "./files.js";
import { folderReader, folderWriter } from "./folder-io.js";
import { type Params, parseParams } from "./params.js";
import { pausePoint } from "./pausepoint.js";
import { ARTIFACT_FILES, readArtifacts } from "./read-artifacts.js";
import { parseWith } from "./schema.js";
import type { Artifacts } from "./train.js";

export { ARTIFACT_FILES } from "./read-artifacts.js";

/**
 * Write a run's artifacts into `dir` atomically (the folder appears only once every file is written).
 * An existing folder at `dir` is refused rather than overwritten.
 * @param dir the run's artifact folder (e.g. `stores/model/<runId>`)
 * @param artifacts the trained artifacts
 * @param performance the run's test performance
 * @param signal checked once every file is written, before the folder is renamed into place: an
 *   abort leaves no folder (complete or partial) behind
 * @throws the signal's reason once it is aborted
 */
export async function saveArtifacts(
  dir: string,
  artifacts: Artifacts,
  performance: Performance,
  signal?: AbortSignal,
): Promise<void> {
  await saveFolder(dir, (partial) => writeArtifactFiles(partial, artifacts, performance), signal);
}

/**
 * Write a run's artifact files into a folder (an artifact store's staging folder, see `ArtifactStore.save`).
 * @param dir the folder, existing and empty
 * @param artifacts the trained artifacts
 * @param performance the run's test performance
 */
export async function writeArtifactFiles(
  dir: string,
  artifacts: Artifacts,
  performance: Performance,
): Promise<void> {
  const writer = folderWriter(dir);
  writer.json(ARTIFACT_FILES.params, artifacts.params);
  writer.json(ARTIFACT_FILES.performance, performance);
  artifacts.labelEncoder.save(writer, ARTIFACT_FILES.labelEncoder);
  pausePoint("artifacts");
  await artifacts.model.save(writer);
}

/**
 * Load the artifacts a run saved, ready to predict.
 * @param dir the run's artifact folder
 * @returns params, label encoder and model
 * @throws TagifaiError INVALID_ARTIFACTS naming the missing or corrupt file, or when the label
 *   encoder does not match the model (task, number of thresholds)
 */
export async function loadArtifactsFromDir(dir: string): Promise<Artifacts> {
  if (!existsSync(dir)) throw new TagifaiError("INVALID_ARTIFACTS", `No artifacts at ${dir}`);
  return readArtifacts(folderReader(dir), loadParamsFromDir(dir), FAMILY_REGISTRY);
}

/**
 * Read the params a run trained with (as tuned by training: threshold, num_samples).
 * @param dir the run's artifact folder
 * @returns the validated params
 * @throws TagifaiError INVALID_ARTIFACTS when params.json is missing or corrupt, INVALID_PARAMS when invalid
 */
export function loadParamsFromDir(dir: string): Params {
  const filePath = join(dir, ARTIFACT_FILES.params);
  return parseParams(readArtifactJson(filePath), filePath);
}

/**
 * Read a run's saved test performance.
 * @param dir the run's artifact folder
 * @returns the performance report ({overall, class, slices} and the evaluation depth)
 */
export function loadPerformanceFromDir(dir: string): Performance {
  const filePath = join(dir, ARTIFACT_FILES.performance);
  return parseWith(performanceSchema, renameLegacyKeys(readArtifactJson(filePath)), {
    code: "INVALID_ARTIFACTS",
    what: `performance report ${filePath}`,
  });
}

/** Reports written before the behavioral pass rate became snake_case held it as `passRate`. */
function renameLegacyKeys(stored: unknown): unknown {
  const behavioral = (stored as { behavioral?: Record<string, unknown> } | null)?.behavioral;
  if (typeof behavioral !== "object" || behavioral === null || !("passRate" in behavioral)) return stored;
  const { passRate, ...rest } = behavioral;
  return { ...(stored as object), behavioral: { pass_rate: passRate, ...rest } };
}
