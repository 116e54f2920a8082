/**
 * Test helper: a throwaway Tagifai home (data/ and stores/ in a temp folder) with one real run trained
 * on the reference data with the quick test configuration. Trained once per test file and reused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TEST_PARAMS_FP } from "../../src/config/config.js";
import { setDevice } from "../../src/tagifai/device.js";
import { trainModel } from "../../src/tagifai/operations.js";

/** The reference dataset folder for tests (CI sets TAGIFAI_DATA_DIR). */
export const DATASET_DIR = resolve(process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");

/** A temp home with a trained run. */
export interface TrainedHome {
  home: string;
  trackingUri: string;
  runId: string;
}

/**
 * Point TAGIFAI_HOME at a new temp folder and train one run there with config/test_params.json.
 * @param options.paramsFp another params file
 * @returns the home folder, its tracking URI and the run id
 */
export async function trainTestRun(options: { paramsFp?: string } = {}): Promise<TrainedHome> {
  const home = mkdtempSync(join(tmpdir(), "tagifai-home-"));
  process.env.TAGIFAI_HOME = home;
  process.env.TAGIFAI_DATA_DIR = DATASET_DIR;
  const trackingUri = `sqlite:${join(home, "stores", "tracking.db")}`;
  await setDevice("wasm");
  const { runId } = await trainModel({
    paramsFp: options.paramsFp ?? TEST_PARAMS_FP,
    trackingUri,
    experimentName: "tests",
  });
  if (!runId) throw new Error("training returned no run id");
  return { home, trackingUri, runId };
}

/**
 * Train a linear-family run (no epochs) on the reference data with the quick test config, in the
 * home `trainTestRun` set up.
 * @param trackingUri that home's tracking URI
 * @returns the run id
 */
export function trainLinearRun(trackingUri: string): Promise<string> {
  return trainTestParamsRun(trackingUri, { model: "linear" });
}

/**
 * Train a run in a store with config/test_params.json changed by `changes` (top-level keys replaced).
 * @param trackingUri the store
 * @param changes e.g. `{ model: "ensemble", ensemble: {…} }`
 * @returns the run id
 */
export async function trainTestParamsRun(
  trackingUri: string,
  changes: Record<string, unknown>,
): Promise<string> {
  const { runId } = await trainModel({
    paramsFp: writeTestParams(changes),
    trackingUri,
    experimentName: "tests",
  });
  if (!runId) throw new Error("training returned no run id");
  return runId;
}

/**
 * Write config/test_params.json changed by `changes` (top-level keys replaced) to a new temp file.
 * @param changes e.g. `{ model: "linear", stopwords: false }`
 * @returns the file
 */
export function writeTestParams(changes: Record<string, unknown>): string {
  const paramsFp = join(mkdtempSync(join(tmpdir(), "test-params-")), "params.json");
  const base = JSON.parse(readFileSync(TEST_PARAMS_FP, "utf8"));
  writeFileSync(paramsFp, JSON.stringify({ ...base, ...changes }));
  return paramsFp;
}
