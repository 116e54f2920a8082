/**
 * Benchmark: train a configuration (default the original's reference CNN, config/params_cnn.json;
 * config/params.json for the default model, config/params_linear.json and
 * config/params_ensemble.json for the other families) on the reference data (no tracking, nothing
 * saved) and print the model family, seconds per epoch, epochs run, total seconds and test weighted
 * precision/recall/F1.
 * Data: `TAGIFAI_DATA_DIR` (default ../shared/datasets). Usage: npm run bench:train [-- params.json]
 */
import { join, resolve } from "node:path";
import { CONFIG_DIR } from "../src/config/config.js";
import { computeFeatures, loadProjects, loadTags } from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import { loadParams } from "../src/tagifai/params.js";
import { referenceDataset, train } from "../src/tagifai/train.js";

const dataDir = resolve(process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");
const params = loadParams(process.argv[2] ?? join(CONFIG_DIR, "params_cnn.json"));
const device = await setDevice((process.env.TAGIFAI_DEVICE as "wasm" | "cpu" | undefined) ?? "wasm");
const dataset = referenceDataset(computeFeatures(loadProjects(dataDir)), loadTags(dataDir));

const epochSeconds: number[] = [];
let epochStart = performance.now();
const start = performance.now();
const result = await train(params, dataset, {
  onEpoch: () => {
    epochSeconds.push((performance.now() - epochStart) / 1000);
    epochStart = performance.now();
  },
});
const totalSeconds = (performance.now() - start) / 1000;
const mean = epochSeconds.length === 0 ? 0 : epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
const { precision, recall, f1 } = result.performance.overall;
console.log(
  JSON.stringify(
    {
      model: params.model ?? "cnn",
      device,
      threads: process.env.TAGIFAI_THREADS ?? "auto",
      num_samples: result.params.num_samples,
      epochs: epochSeconds.length,
      seconds_per_epoch: Number(mean.toFixed(3)),
      total_seconds: Number(totalSeconds.toFixed(1)),
      best_val_loss: result.bestValLoss === undefined ? null : Number(result.bestValLoss.toFixed(6)),
      threshold: Number(result.params.threshold.toFixed(4)),
      test: { precision: round(precision), recall: round(recall), f1: round(f1) },
    },
    null,
    2,
  ),
);

function round(x: number): number {
  return Number(x.toFixed(4));
}
