#!/usr/bin/env node
/**
 * Entry point of a `tagifai serve --workers N` worker process, forked by the cluster's primary
 * (tagifai/serve/cluster.ts) with the server's options as JSON (first argument): sets up the
 * compute device and runs the worker. Like src/cli.ts it owns its process: a failure to set up is
 * logged and ends it with exit code 1; otherwise it ends once the primary closed its server.
 */
import { logger } from "./config/config.js";
import { setDevice } from "./tagifai/device.js";
import { type ClusterWorkerOptions, runClusterWorker } from "./tagifai/serve/cluster.js";

const { device, ...options } = JSON.parse(process.argv[2] ?? "{}") as ClusterWorkerOptions;
try {
  await setDevice(device);
  await runClusterWorker(options);
} catch (error) {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
