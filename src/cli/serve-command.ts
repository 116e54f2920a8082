/**
 * The serve command: parses the host, port, run to serve and number of workers, and starts the API
 * server on that many worker processes sharing the port (tagifai/serve/cluster). `--model` is one
 * more spelling of `--run`. A port in use or an address that cannot be bound is reported by name,
 * without a stack trace. SIGHUP rolls a reload through the workers; SIGTERM / SIGINT shut them down
 * gracefully (exit code 0); workers dying in a loop at start end it with exit code 1.
 */

import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { Option } from "commander";
import { logger } from "../config/config.js";
import type { RunningCluster } from "../tagifai/serve/cluster.js";
import { port, runReference, wholeNumber } from "./arguments.js";
import { globalOptions } from "./globals.js";
import { type RunFlags, runOf, withRunOption } from "./run-option.js";

/** The serve options as commander parses them. */
interface ServeFlags extends RunFlags {
  host: string;
  port: number;
  model?: string;
  requestTimeout?: number;
  shutdownTimeout?: number;
  reloadTokenFile?: string;
  workers?: number;
}

/**
 * Register the serve command.
 * @param program the program
 */
export function registerServeCommand(program: Command): void {
  withRunOption(
    program
      .command("serve")
      .description(
        "Serve the REST API (docs at /docs) and the web dashboard (/dashboard) for one run's model",
      )
      .option("--host <host>", "interface to listen on", "127.0.0.1")
      .option("--port <port>", "port to listen on (0: any free port)", port, 8000),
    "the run to serve",
    "the default model (tagifai@production, else the newest finished run outside studies), re-resolved on reload",
  )
    .addOption(new Option("--model <ref>", "same as --run, e.g. tagifai@production").argParser(runReference))
    .option(
      "--request-timeout <ms>",
      "most time to receive a whole request (default 30000)",
      wholeNumber("--request-timeout"),
    )
    .option(
      "--reload-token-file <file>",
      "file holding the token POST /reload requires (default: TAGIFAI_RELOAD_TOKEN; neither: POST /reload is off)",
    )
    .option(
      "--shutdown-timeout <ms>",
      "most time to wait for in-flight requests on shutdown (default 10000)",
      wholeNumber("--shutdown-timeout"),
    )
    .option(
      "--workers <n>",
      "worker processes sharing the port, each holding the model (default: one per core)",
      wholeNumber("--workers"),
    )
    .action(async (options: ServeFlags, command: Command) => {
      const { startCluster } = await import("../tagifai/serve/cluster.js");
      const starting = startCluster({
        host: options.host,
        port: options.port,
        runRef: options.model ?? runOf(options),
        timeouts: {
          ...(options.requestTimeout === undefined ? {} : { requestMs: options.requestTimeout }),
          ...(options.shutdownTimeout === undefined ? {} : { shutdownMs: options.shutdownTimeout }),
        },
        reloadTokenFile: options.reloadTokenFile,
        workers: options.workers ?? availableParallelism(),
        ...globalOptions(command),
      });
      // Handled from the start: a signal while the workers start acts once they are up.
      const stopHandling = handleServerSignals(starting);
      try {
        // Resolves once closed (exit 0); rejects when the workers die in a loop (exit 1).
        await (await starting).done;
      } finally {
        stopHandling();
      }
    });
}

/**
 * SIGHUP rolls a reload through the workers; the first SIGTERM / SIGINT closes them gracefully (the
 * process then ends).
 * @returns a function that stops handling the signals
 */
function handleServerSignals(starting: Promise<RunningCluster>): () => void {
  const onHangup = () => {
    starting
      .then((cluster) => cluster.reload())
      .then(
        ({ runId }) => logger.info(`SIGHUP: serving run ${runId}`),
        (error: unknown) =>
          logger.error(`SIGHUP: reload failed, still serving the old model: ${String(error)}`),
      );
  };
  const stop = () => {
    process.off("SIGHUP", onHangup);
    process.off("SIGTERM", onStop);
    process.off("SIGINT", onStop);
  };
  const onStop = (signal: NodeJS.Signals) => {
    stop();
    logger.info(`${signal}: closing the server`);
    starting
      .then((cluster) => cluster.close())
      .catch((error: unknown) => logger.error(`Closing failed: ${String(error)}`));
  };
  process.on("SIGHUP", onHangup);
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  return stop;
}
