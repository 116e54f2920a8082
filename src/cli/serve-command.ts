/**
 * The serve command: parses the host, port and run to serve and starts the API server
 * (tagifai/serve/server). `--model` is one more spelling of `--run`. A port in use or an address
 * that cannot be bound is reported by name, without a stack trace. SIGHUP reloads the model;
 * SIGTERM / SIGINT shut the server down gracefully (exit code 0).
 */
import type { Command } from "commander";
import { Option } from "commander";
import { logger } from "../config/config.js";
import { TagifaiError } from "../tagifai/errors.js";
import type { RunningServer } from "../tagifai/serve/server.js";
import { port, runReference, wholeNumber } from "./arguments.js";
import { useModelDevice } from "./globals.js";
import { type RunFlags, runOf, withRunOption } from "./run-option.js";

/** The serve options as commander parses them. */
interface ServeFlags extends RunFlags {
  host: string;
  port: number;
  model?: string;
  requestTimeout?: number;
  shutdownTimeout?: number;
  reloadTokenFile?: string;
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
    .action(async (options: ServeFlags, command: Command) => {
      const globals = await useModelDevice(command);
      const { startServer } = await import("../tagifai/serve/server.js");
      const server = await startServer({
        host: options.host,
        port: options.port,
        runRef: options.model ?? runOf(options),
        timeouts: {
          ...(options.requestTimeout === undefined ? {} : { requestMs: options.requestTimeout }),
          ...(options.shutdownTimeout === undefined ? {} : { shutdownMs: options.shutdownTimeout }),
        },
        reloadTokenFile: options.reloadTokenFile,
        ...globals,
      }).catch((error: unknown) => {
        throw listenError(error, options.host, options.port) ?? error;
      });
      handleServerSignals(server);
    });
}

/** SIGHUP reloads the server's model; the first SIGTERM / SIGINT closes it (the process then ends). */
function handleServerSignals(server: RunningServer): void {
  const onHangup = () => {
    server.reload().then(
      ({ runId }) => logger.info(`SIGHUP: serving run ${runId}`),
      (error: unknown) =>
        logger.error(`SIGHUP: reload failed, still serving the old model: ${String(error)}`),
    );
  };
  const onStop = (signal: NodeJS.Signals) => {
    process.off("SIGHUP", onHangup);
    process.off("SIGTERM", onStop);
    process.off("SIGINT", onStop);
    logger.info(`${signal}: closing the server`);
    server.close().catch((error: unknown) => logger.error(`Closing failed: ${String(error)}`));
  };
  process.on("SIGHUP", onHangup);
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
}

/** A clear error for an address the server cannot listen on, or undefined for any other error. */
function listenError(error: unknown, host: string, portNumber: number): TagifaiError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${portNumber}`;
  if (code === "EADDRINUSE")
    return new TagifaiError(
      "INVALID_INPUT",
      `port ${portNumber} is already in use (${where}): choose another with --port`,
    );
  if (code === "EACCES")
    return new TagifaiError("INVALID_INPUT", `no permission to listen on ${where}: use a port above 1023`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new TagifaiError(
      "INVALID_INPUT",
      `cannot listen on ${where}: no such local address (--host "${host}")`,
    );
  return undefined;
}
