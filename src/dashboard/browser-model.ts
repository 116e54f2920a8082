/**
 * In-browser inference: a run's model loaded from the API's artifact downloads (fetch-reader.ts) by
 * the same code the server loads it with (the families' loaders, `readArtifacts`, `predict`), the
 * CNN on tfjs's wasm backend with the project's lookup-table convolution kernel on this thread. The
 * backend's `.wasm` files are bundled with the dashboard, so nothing is fetched from elsewhere. An
 * ensemble loads its members from their sub-folders (the API lists and serves nested files too).
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import wasm from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreadedSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { z } from "zod";
import { type Device, setDevice } from "../tagifai/device.js";
import { cnnLoader } from "../tagifai/families/cnn/loader.js";
import { createEnsembleLoader } from "../tagifai/families/ensemble/loader.js";
import { linearLoader } from "../tagifai/families/linear/loader.js";
import type { FamilyLoader, LoaderRegistry } from "../tagifai/family.js";
import type { Params } from "../tagifai/params.js";
import { type Prediction, predict } from "../tagifai/predict.js";
import { ARTIFACT_FILES, readArtifacts } from "../tagifai/read-artifacts.js";
import { parseWith } from "../tagifai/schema.js";
import type { Artifacts } from "../tagifai/train.js";

import { fetchReader } from "./fetch-reader.js";

const LOADERS: Record<string, FamilyLoader> = { cnn: cnnLoader, linear: linearLoader };

/** The families the browser can load, by kind: the CNN, the linear family and ensembles of them. */
export const BROWSER_FAMILIES: LoaderRegistry = {
  get: (kind) => (Object.hasOwn(LOADERS, kind) ? LOADERS[kind] : undefined),
  kinds: () => Object.keys(LOADERS),
};
LOADERS.ensemble = createEnsembleLoader(BROWSER_FAMILIES);

/**
 * The keys of a run's `params.json` the browser reads itself (the server validated the whole file
 * when the run trained; a family's own section is checked by its schema when the model loads).
 */
const browserParamsSchema = z.looseObject({
  model: z.string().default("cnn"),
  lower: z.boolean(),
  stem: z.boolean(),
  stopwords: z.boolean().default(true),
  clean: z.boolean().default(true),
});

/** A run's model loaded in the browser. */
export interface BrowserModel {
  readonly runId: string;
  /** The family (`family.json`'s kind). */
  readonly kind: string;
  /** The tfjs backend in use (wasm, or cpu if wasm could not start). */
  readonly device: Device;
  /** Milliseconds from asking to a model ready to predict (files downloaded, backend started). */
  readonly loadMs: number;
  /**
   * Predict, exactly as the server's `predict` does.
   * @param texts raw texts
   * @returns the predictions and how long they took, in milliseconds
   */
  predict(texts: readonly string[]): { predictions: Prediction[]; ms: number };
  /** Free the model's tensors. */
  dispose(): void;
}

let device: Promise<Device> | undefined;

/** Start tfjs's wasm backend once, from the dashboard's own copies of its binaries. */
function startDevice(): Promise<Device> {
  device ??= (async () => {
    setWasmPaths({
      "tfjs-backend-wasm.wasm": wasm,
      "tfjs-backend-wasm-simd.wasm": wasmSimd,
      "tfjs-backend-wasm-threaded-simd.wasm": wasmThreadedSimd,
    });
    return setDevice("wasm");
  })();
  return device;
}

/**
 * Whether a family can be loaded in the browser.
 * @param kind a run's `params.model`
 */
export function loadableInBrowser(kind: string): boolean {
  return BROWSER_FAMILIES.get(kind) !== undefined;
}

/**
 * Load a run's model into the browser.
 * @param runId the run
 * @returns the model, ready to predict
 * @throws TagifaiError INVALID_ARTIFACTS for missing or corrupt files or a family the browser cannot
 *   load; INVALID_PARAMS for a bad params file
 */
export async function loadBrowserModel(runId: string): Promise<BrowserModel> {
  const started = performance.now();
  const reader = fetchReader(runId);
  const [used, raw] = await Promise.all([startDevice(), reader.json(ARTIFACT_FILES.params)]);
  const params = parseWith(browserParamsSchema, raw, {
    code: "INVALID_PARAMS",
    what: `params file ${reader.where(ARTIFACT_FILES.params)}`,
  });
  const artifacts: Artifacts = await readArtifacts(reader, params as Params, BROWSER_FAMILIES);
  return {
    runId,
    kind: artifacts.model.kind,
    device: used,
    loadMs: performance.now() - started,
    predict(texts) {
      const start = performance.now();
      const predictions = predict(texts, artifacts);
      return { predictions, ms: performance.now() - start };
    },
    dispose: () => artifacts.model.dispose(),
  };
}
