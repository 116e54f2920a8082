/**
 * Benchmark: batch prediction (`tagifai predict`) in texts per second, for the reference CNN
 * (config/params_cnn.json) and the linear model (config/params.json), each run trained once in the
 * bench home and reused. A JSONL input of N texts (the reference projects' title + description,
 * cycled) is predicted into a temp JSONL file with 0 worker threads (in process), 1 and 2; the
 * in-process per-text cost of `predict` alone (batches of 256, no reading or writing) is printed
 * for comparison.
 * Usage: npm run bench:predict [-- TEXTS PARAMS_FILE…]   (default 20000 texts, both models)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { CONFIG_DIR } from "../src/config/config.js";
import { loadArtifactsFromDir } from "../src/tagifai/artifacts.js";
import { batchPredict } from "../src/tagifai/batch-predict.js";
import { loadProjects } from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import { findRunArtifacts } from "../src/tagifai/lifecycle.js";
import { predict } from "../src/tagifai/predict.js";
import { benchHome, benchRun } from "./trained-run.js";

const count = Number(process.argv[2] ?? 20_000);
const paramsFiles = process.argv.slice(3).map((file) => resolve(file));
if (paramsFiles.length === 0)
  paramsFiles.push(join(CONFIG_DIR, "params_cnn.json"), join(CONFIG_DIR, "params.json"));
const THREADS = [0, 1, 2];
const BATCH = 256;

const trackingUri = benchHome();
await setDevice("wasm");
const projects = loadProjects(process.env.TAGIFAI_DATA_DIR!);
const texts = Array.from({ length: count }, (_, i) => {
  const project = projects[i % projects.length];
  return `${project.title} ${project.description}`;
});
const dir = mkdtempSync(join(tmpdir(), "tagifai-bench-predict-"));
const input = join(dir, "input.jsonl");
writeFileSync(input, texts.map((text, i) => `${JSON.stringify({ id: i, text })}\n`).join(""));

try {
  for (const paramsFp of paramsFiles) {
    const runId = await benchRun(paramsFp, trackingUri);
    const row: Record<string, unknown> = { params: basename(paramsFp), run_id: runId, texts: count };
    const artifacts = await loadArtifactsFromDir((await findRunArtifacts(runId, { trackingUri })).dir);
    predict(texts.slice(0, BATCH), artifacts); // warm-up
    const sample = Math.min(count, 4096);
    const start = performance.now();
    for (let i = 0; i < sample; i += BATCH) predict(texts.slice(i, Math.min(sample, i + BATCH)), artifacts);
    row.in_process_ms_per_text = Number(((performance.now() - start) / sample).toFixed(4));
    artifacts.model.dispose();
    for (const threads of THREADS) {
      const began = performance.now();
      await batchPredict({
        input,
        output: join(dir, "output.jsonl"),
        force: true,
        fields: { textFields: ["text"], idField: "id" },
        runRef: runId,
        trackingUri,
        threads,
      });
      row[`texts_per_s_threads_${threads}`] = Math.round(count / ((performance.now() - began) / 1000));
    }
    console.log(JSON.stringify(row));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
