/**
 * A run's artifacts on disk: params, performance, label encoder, tokenizer and model weights in one
 * folder. A folder is written under a temporary name and renamed into place when complete, so a
 * half-written run never looks complete.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadLabelEncoder, MultiLabelEncoder, Tokenizer } from "./data.js";
import { TagifaiError } from "./errors.js";
import { type Performance, performanceSchema } from "./eval.js";
import { loadModel, saveModel } from "./models.js";
import { parseParams } from "./params.js";
import type { Artifacts } from "./train.js";
import { loadJson, saveJson } from "./utils.js";

const FILES = {
  params: "params.json",
  performance: "performance.json",
  labelEncoder: "label_encoder.json",
  tokenizer: "tokenizer.json",
} as const;

/**
 * Write a run's artifacts into `dir` atomically (the folder appears only once every file is written).
 * An existing folder at `dir` is refused rather than overwritten.
 * @param dir the run's artifact folder (e.g. `stores/model/<runId>`)
 * @param artifacts the trained artifacts
 * @param performance the run's test performance
 */
export async function saveArtifacts(
  dir: string,
  artifacts: Artifacts,
  performance: Performance,
): Promise<void> {
  if (existsSync(dir)) throw new TagifaiError("INVALID_ARTIFACTS", `Artifact folder ${dir} already exists`);
  const partial = join(dirname(dir), `.partial-${process.pid}-${Date.now()}`);
  mkdirSync(partial, { recursive: true });
  try {
    saveJson(join(partial, FILES.params), artifacts.params);
    saveJson(join(partial, FILES.performance), performance);
    artifacts.labelEncoder.save(join(partial, FILES.labelEncoder));
    artifacts.tokenizer.save(join(partial, FILES.tokenizer));
    await saveModel(artifacts.model, partial);
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Load the artifacts a run saved, ready to predict.
 * @param dir the run's artifact folder
 * @returns params, label encoder, tokenizer and model
 * @throws TagifaiError INVALID_ARTIFACTS naming the missing or corrupt file
 */
export async function loadArtifactsFromDir(dir: string): Promise<Artifacts> {
  if (!existsSync(dir)) throw new TagifaiError("INVALID_ARTIFACTS", `No artifacts at ${dir}`);
  const params = parseParams(readArtifact(dir, FILES.params, loadJson), `${join(dir, FILES.params)}`);
  const labelEncoder = readArtifact(dir, FILES.labelEncoder, loadLabelEncoder);
  if (!(labelEncoder instanceof MultiLabelEncoder)) {
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `${join(dir, FILES.labelEncoder)} is not a multi-label encoder`,
    );
  }
  const tokenizer = readArtifact(dir, FILES.tokenizer, (fp) => Tokenizer.load(fp));
  const model = await loadModel(dir);
  return { params, labelEncoder, tokenizer, model };
}

/**
 * Read a run's saved test performance.
 * @param dir the run's artifact folder
 * @returns the performance report ({overall, class, slices})
 */
export function loadPerformanceFromDir(dir: string): Performance {
  const value = readArtifact(dir, FILES.performance, loadJson);
  const parsed = performanceSchema.safeParse(value);
  if (!parsed.success) {
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `${join(dir, FILES.performance)} is not a performance report`,
    );
  }
  return parsed.data;
}

function readArtifact<T>(dir: string, name: string, read: (filePath: string) => T): T {
  const filePath = join(dir, name);
  if (!existsSync(filePath)) throw new TagifaiError("INVALID_ARTIFACTS", `Missing artifact ${filePath}`);
  try {
    return read(filePath);
  } catch (error) {
    if (error instanceof TagifaiError) throw error;
    throw new TagifaiError("INVALID_ARTIFACTS", `Corrupt artifact ${filePath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
