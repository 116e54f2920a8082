/**
 * Reading a run's artifacts through an artifact reader: its label encoder and model, checked against
 * each other. No Node import: the server (artifacts.ts, over a folder) and the dashboard (over the
 * API's downloads) share it.
 */
import type { ArtifactReader } from "./artifact-io.js";
import { loadLabelEncoder } from "./data/encoders.js";
import { TagifaiError } from "./errors.js";
import type { LoaderRegistry } from "./family.js";
import type { Params } from "./params.js";
import type { Artifacts } from "./train.js";
import { readTrainedModel } from "./trained-model.js";

/** The file names of a run's artifact folder (besides the model family's own files). */
export const ARTIFACT_FILES = {
  params: "params.json",
  performance: "performance.json",
  labelEncoder: "label_encoder.json",
} as const;

/**
 * Load a run's label encoder and model, ready to predict.
 * @param reader the run's artifact files
 * @param params the run's params (validated)
 * @param families the families the model may be of
 * @returns params, label encoder and model
 * @throws TagifaiError INVALID_ARTIFACTS naming the missing or corrupt file, or when the label
 *   encoder does not match the model (task, number of thresholds)
 */
export async function readArtifacts(
  reader: ArtifactReader,
  params: Params,
  families: LoaderRegistry,
): Promise<Artifacts> {
  const labelEncoder = await loadLabelEncoder(reader, ARTIFACT_FILES.labelEncoder);
  const model = await readTrainedModel(reader, params, families);
  const mismatch =
    labelEncoder.type !== model.task
      ? `${reader.where(ARTIFACT_FILES.labelEncoder)} is a ${labelEncoder.type} encoder but the model is ${model.task}`
      : model.task === "multi-label" && model.thresholds.length !== labelEncoder.classes.length
        ? `the model has ${model.thresholds.length} thresholds for ${labelEncoder.classes.length} classes`
        : undefined;
  if (mismatch !== undefined) {
    model.dispose();
    throw new TagifaiError("INVALID_ARTIFACTS", `Inconsistent artifacts in ${reader.where("")}: ${mismatch}`);
  }
  return { params, labelEncoder, model };
}
