/**
 * The program of one batch-prediction worker thread (see `threadPredictor`): sets up its compute
 * device, loads the run's model once, says it is ready, then answers each batch of texts with its
 * predictions already written as output lines (so the main thread only reads, batches and writes).
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadArtifactsFromDir } from "../artifacts.js";
import { setDevice } from "../device.js";
import { predict } from "../predict.js";
import type { Artifacts } from "../train.js";
import { formatPredictions } from "./format.js";
import type { WorkerReply, WorkerSetup, WorkerTask } from "./predictors.js";

const setup = workerData as WorkerSetup;
const port = parentPort!;
const failure = (error: unknown): WorkerReply => ({
  type: "failed",
  code: (error as { code?: string }).code,
  message: error instanceof Error ? error.message : String(error),
});

let artifacts: Artifacts | undefined;
try {
  await setDevice(setup.device);
  artifacts = await loadArtifactsFromDir(setup.artifactDir);
  port.postMessage({ type: "ready" } satisfies WorkerReply);
} catch (error) {
  port.postMessage(failure(error));
}
const loaded = artifacts;
if (loaded)
  port.on("message", ({ ids, texts }: WorkerTask) => {
    try {
      const text = formatPredictions(ids, predict(texts, loaded), setup.layout);
      port.postMessage({ type: "done", text } satisfies WorkerReply);
    } catch (error) {
      port.postMessage(failure(error));
    }
  });
