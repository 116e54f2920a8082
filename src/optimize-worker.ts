#!/usr/bin/env node
/**
 * Entry point of an optimizer worker process, started by `optimize` for its extra local workers
 * (`--workers k`): one single worker (writing no file) of the study its options name (JSON, first argument).
 * Like src/cli.ts it owns its process: SIGINT / SIGTERM abort the study (the current trial ends
 * FAILED, its run KILLED) and the exit code is then 130 / 143; another failure is logged, exit 1.
 */
import { cancellable, Interrupted } from "./cli/interrupt.js";
import { logger } from "./config/config.js";
import { setDevice } from "./tagifai/device.js";
import { optimize, type WorkerOptions } from "./tagifai/optimize.js";
import { describeError } from "./tagifai/tracking/connection.js";

const options = JSON.parse(process.argv[2] ?? "{}") as WorkerOptions;
try {
  await setDevice(options.device);
  await cancellable((signal) => optimize({ ...options, workers: 1, signal }));
} catch (error) {
  if (error instanceof Interrupted) process.exit(error.exitCode);
  logger.error(describeError(error));
  process.exit(1);
}
