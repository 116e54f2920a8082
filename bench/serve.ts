/**
 * Benchmark: the API under load, on 1 worker process and on one per core (`serve --workers N`).
 * For each params file (default the reference CNN, config/params_cnn.json, and the linear model,
 * config/params.json) the run is trained once in the bench home and reused after; a cluster serves
 * it and autocannon (in a worker thread of this process, the client on the same machine, after a
 * 1 s warm-up) fires single-text `POST /predict` requests; prints req/s, p50/p99 latency, errors
 * and non-2xx answers, one JSON line per model and worker count.
 * Usage: npm run bench:serve [-- CONNECTIONS SECONDS PARAMS_FILE…]   (default 100 connections, 10 s)
 * Data: `TAGIFAI_DATA_DIR` (default ../shared/datasets); home: `TAGIFAI_HOME` (see trained-run.ts).
 */
import { availableParallelism } from "node:os";
import { basename, join, resolve } from "node:path";
import autocannon from "autocannon";
import { CONFIG_DIR } from "../src/config/config.js";
import { setDevice } from "../src/tagifai/device.js";
import { startCluster } from "../src/tagifai/serve/cluster.js";
import { benchHome, benchRun } from "./trained-run.js";

const connections = Number(process.argv[2] ?? 100);
const duration = Number(process.argv[3] ?? 10);
const paramsFiles = process.argv.slice(4).map((file) => resolve(file));
if (paramsFiles.length === 0)
  paramsFiles.push(join(CONFIG_DIR, "params_cnn.json"), join(CONFIG_DIR, "params.json"));
const workerCounts = [...new Set([1, availableParallelism()])];

const trackingUri = benchHome();
const device = await setDevice("wasm");

for (const paramsFp of paramsFiles) {
  const served = await benchRun(paramsFp, trackingUri);
  for (const workers of workerCounts) {
    const cluster = await startCluster({ port: 0, trackingUri, runRef: served, device, workers });
    try {
      const load: autocannon.Options = {
        url: `${cluster.url}/predict`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          texts: [
            { text: "Transfer learning with transformers: using transformers for text classification." },
          ],
        }),
        connections,
        duration: 1,
        workers: 1,
      };
      await autocannon(load); // warm-up (JIT, connections), not measured
      const result = await autocannon({ ...load, duration });
      console.log(
        JSON.stringify({
          params: basename(paramsFp),
          workers,
          device,
          run_id: served,
          connections,
          seconds: duration,
          requests: result.requests.total,
          requests_per_s: result.requests.average,
          latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
          errors: result.errors,
          timeouts: result.timeouts,
          non_2xx: result.non2xx,
        }),
      );
    } finally {
      await cluster.close();
    }
  }
}
