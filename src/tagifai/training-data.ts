/**
 * The data training runs on: the reference projects in `data/` (copied or downloaded on first use,
 * features computed) or a bring-your-own dataset file, checked by the data expectations before use.
 * Shared by the operations, the optimizer and anything else that trains.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { dataDir, logger } from "../config/config.js";
import * as data from "./data.js";
import {
  assertValidData,
  PROJECTS_SPEC,
  type ValidationReport,
  validateDatasetFile,
  validateRawDataset,
} from "./expectations.js";
import { saveJson } from "./files.js";
import { referenceDataset, type TrainingDataset } from "./train.js";

/**
 * Put `projects.json` and `tags.json` into `data/`: copied from a local folder (`sourceDir` or
 * `TAGIFAI_DATA_DIR`) or downloaded from the pinned public location, and checked against the
 * pinned sha256 (a modified local copy only with `allowModified`, and then with a warning).
 * @param options.sourceDir a local folder holding both files
 * @param options.allowModified accept a local copy that differs from the pinned dataset
 * @returns where the files came from
 * @throws TagifaiError CHECKSUM_MISMATCH naming the file, its sha256 and the pinned one
 */
export async function loadData(
  options: { sourceDir?: string; allowModified?: boolean } = {},
): Promise<{ source: string }> {
  const result = await data.loadData(dataDir(), options);
  logger.info(`Loaded data from ${result.source} into ${dataDir()}`);
  return result;
}

/**
 * Compute the features (`text = title + " " + description`) and save them to `data/features.json`.
 * Loads the data first if `data/` doesn't have it yet.
 * @returns the features
 */
export async function computeFeatures(): Promise<data.Feature[]> {
  await ensureData();
  const features = data.computeFeatures(data.loadProjects(dataDir()));
  saveJson(join(dataDir(), "features.json"), features);
  logger.info(`Saved ${features.length} features to ${join(dataDir(), "features.json")}`);
  return features;
}

/** A bring-your-own dataset file (CSV, JSON or JSONL) and how its fields map to text, labels and id. */
export interface DatasetSource extends data.DatasetOptions {
  file: string;
}

/** The input of training: a validated dataset. */
export interface TrainingData {
  dataset: TrainingDataset;
}

/**
 * Validate and load the data to train on: a bring-your-own dataset file, or by default the reference
 * projects (loaded into data/ first if needed, features computed and saved).
 * @param source a dataset file and its field mapping; default the reference projects
 * @returns what `train` takes besides the params
 * @throws TagifaiError INVALID_DATA listing the failing data expectations (see `validateData`)
 */
export async function loadTrainingData(source?: DatasetSource): Promise<TrainingData> {
  if (source) {
    // Read once, validated and loaded from the same records: reading it twice doubled the peak memory.
    const raw = data.readRawDataset(source.file, source);
    assertValidData(validateRawDataset(raw, source));
    return { dataset: { ...data.datasetFromRaw(raw, source), source: source.file } };
  }
  assertValidData(await validateData());
  const features = await computeFeatures();
  return { dataset: referenceDataset(features, data.loadTags(dataDir())) };
}

/**
 * Run the data expectations over a dataset file: a bring-your-own file with its field mapping, or by
 * default the reference `projects.json` (loaded into data/ first if needed; its tags are checked
 * against tags.json as warnings).
 * @param source a dataset file and its field mapping; default the reference projects
 * @returns the report (see `formatValidationReport`); `success` is false when an error expectation fails
 * @throws TagifaiError when the file cannot be read or parsed at all
 */
export async function validateData(source?: DatasetSource): Promise<ValidationReport> {
  if (source) return validateDatasetFile(source.file, source);
  await ensureData();
  const knownLabels = data.loadTags(dataDir()).map((tag) => tag.tag);
  return validateDatasetFile(join(dataDir(), data.DATASET_FILES.projects.fileName), {
    ...PROJECTS_SPEC,
    knownLabels,
  });
}

/** Load `data/` from its source when it isn't there yet (first use). */
async function ensureData(): Promise<void> {
  const missing = ["projects.json", "tags.json"].some((name) => !existsSync(join(dataDir(), name)));
  if (missing) await loadData();
}
