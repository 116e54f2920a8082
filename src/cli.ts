#!/usr/bin/env node
/**
 * The `tagifai` command line. This entry builds the program from the command wiring modules in
 * `cli/` (which only parse options and call library functions) and owns the process:
 * - results go to stdout (JSON or tables), logs to stderr;
 * - SIGINT / SIGTERM abort a running training or study through an AbortSignal (a second one exits at
 *   once) and the exit code is then 130 / 143 (see cli/interrupt.ts);
 * - exit code 2 for a usage error (unknown command or option, a bad option value, a bad
 *   TAGIFAI_LOG_LEVEL), 1 for a runtime error; errors a user can cause are one line, no stack trace.
 */
import { Command, CommanderError, Option } from "commander";
import { trackingUri } from "./cli/arguments.js";
import { registerDataCommands } from "./cli/data-commands.js";
import { Interrupted } from "./cli/interrupt.js";
import { registerModelCommands } from "./cli/model-commands.js";
import { registerOptimizeCommand } from "./cli/optimize-command.js";
import { registerPredictCommand } from "./cli/predict-command.js";
import { registerServeCommand } from "./cli/serve-command.js";
import { registerTrackingCommands } from "./cli/tracking-commands.js";
import { LOG_LEVEL_PROBLEM, logger, packageVersion } from "./config/config.js";
import { TagifaiError } from "./tagifai/errors.js";
import { assertSupportedNode } from "./tagifai/runtime.js";

/** Exit code of a usage error. */
const USAGE_ERROR = 2;
/** Exit code of a runtime error. */
const RUNTIME_ERROR = 1;

/** Say that a signal came and what a second one does. */
function warnStopping(signal: string): void {
  logger.warn(`Received ${signal}: stopping (send it again to exit at once)`);
}

/** The program: global options and every command. */
function buildProgram(): Command {
  const program = new Command("tagifai")
    .description("Predict the tags of a machine-learning project from its title and description.")
    .version(packageVersion(), "-V, --version", "print the version")
    .addOption(deviceOption().default("wasm"))
    .addOption(trackingUriOption())
    // Program options end at the command name, so a command may have its own --version (alias).
    .enablePositionalOptions()
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerDataCommands(program);
  registerModelCommands(program, warnStopping);
  registerPredictCommand(program, warnStopping);
  registerTrackingCommands(program);
  registerOptimizeCommand(program, warnStopping);
  registerServeCommand(program);
  for (const command of program.commands) {
    // The program options are accepted after the command name too (`tagifai runs --tracking-uri …`).
    command.addOption(deviceOption().hideHelp()).addOption(trackingUriOption().hideHelp()).exitOverride();
  }
  return program;
}

/** `--device`: the compute backend of the commands that use a model. */
function deviceOption(): Option {
  return new Option("--device <backend>", "compute backend of the commands that use a model").choices([
    "wasm",
    "cpu",
  ]);
}

/** `--tracking-uri`: where runs are tracked. */
function trackingUriOption(): Option {
  return new Option(
    "--tracking-uri <uri>",
    "tracking store: sqlite:PATH or postgresql://… (default: TAGIFAI_TRACKING_URI, else stores/tracking.db)",
  ).argParser(trackingUri);
}

/**
 * The exit code for how the command failed, after saying why on stderr (commander has already
 * printed its own usage errors).
 */
function reportFailure(error: unknown): number {
  if (error instanceof Interrupted) {
    logger.warn(error.message);
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    const done = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
    return done ? 0 : USAGE_ERROR;
  }
  if (error instanceof TagifaiError) {
    logger.error(`${error.message} [${error.code}]`);
    return RUNTIME_ERROR;
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return RUNTIME_ERROR;
}

try {
  // Even before --help: under an unsupported Node, the commands that open a store would crash.
  assertSupportedNode();
} catch (error) {
  process.exit(reportFailure(error));
}
if (LOG_LEVEL_PROBLEM !== undefined) {
  process.stderr.write(`error: ${LOG_LEVEL_PROBLEM}\n`);
  process.exit(USAGE_ERROR);
}
try {
  await buildProgram().parseAsync();
} catch (error) {
  process.exit(reportFailure(error));
}
