/**
 * Benchmark: the API under load. Trains a run (config/test_params.json, or the params file given) in
 * a temp home the first time and reuses it after, starts the server, fires single-text `POST /predict` requests
 * from autocannon (in a worker thread, so the client does not share the server's event loop; after
 * a 1 s warm-up) and prints req/s, p50/p99 latency, errors and non-2xx answers.
 * Usage: npm run bench:serve [-- CONNECTIONS SECONDS PARAMS_FILE]   (default 100 connections, 10 s,
 * config/test_params.json; config/params.json serves the reference model)
 * Data: `TAGIFAI_DATA_DIR` (default ../shared/datasets); home: `TAGIFAI_HOME` (default a temp folder).
 */
import { resolve } from "node:path";
import autocannon from "autocannon";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { setDevice } from "../src/tagifai/device.js";
import { startServer } from "../src/tagifai/serve/server.js";
import { benchHome, benchRun } from "./trained-run.js";

const connections = Number(process.argv[2] ?? 100);
const duration = Number(process.argv[3] ?? 10);
const paramsFp = resolve(process.argv[4] ?? TEST_PARAMS_FP);

const trackingUri = benchHome("serve");
const device = await setDevice("wasm");
const served = await benchRun("serve", paramsFp, trackingUri);

const server = await startServer({ port: 0, trackingUri, runRef: served });
try {
  const load: autocannon.Options = {
    url: `${server.url}/predict`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      texts: [{ text: "Transfer learning with transformers: using transformers for text classification." }],
    }),
    connections,
    duration: 1,
    workers: 1,
  };
  await autocannon(load); // warm-up (JIT, connections), not measured
  const result = await autocannon({ ...load, duration });
  console.log(
    JSON.stringify(
      {
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
      },
      null,
      2,
    ),
  );
} finally {
  await server.close();
}
