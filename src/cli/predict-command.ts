/**
 * The predict command: batch prediction of a whole file (or stdin) into a file (or stdout), through
 * `batchPredict` (tagifai/batch-predict). `-` names stdin / stdout. A progress bar goes to stderr
 * when it is a terminal; a summary line (records predicted and skipped) always does.
 */
import { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { logger } from "../config/config.js";
import type { BatchProgress, OnRecordError, OutputFormat } from "../tagifai/batch-predict.js";
import type { DatasetFormat } from "../tagifai/data/dataset.js";
import { wholeNumber } from "./arguments.js";
import { type InputFieldFlags, inputFields, withInputFieldOptions } from "./dataset-options.js";
import { globalOptions, useModelDevice } from "./globals.js";
import { cancellable } from "./interrupt.js";
import { type RunFlags, runOf, withRunOption } from "./run-option.js";

/** The predict options as commander parses them. */
interface PredictFlags extends RunFlags, InputFieldFlags {
  input: string;
  output: string;
  inputFormat?: DatasetFormat;
  outputFormat?: OutputFormat;
  probabilities: boolean;
  onError: OnRecordError;
  threads?: number;
  batchSize?: number;
  force: boolean;
}

/**
 * Register the predict command.
 * @param program the program
 * @param onSignal told of the first SIGINT / SIGTERM while it runs
 */
export function registerPredictCommand(program: Command, onSignal: (signal: string) => void): void {
  withRunOption(
    withInputFieldOptions(
      program
        .command("predict")
        .description(
          "Predict the tags of every record of a CSV, JSON or JSONL file (or stdin) into a JSONL or CSV file (or stdout)",
        )
        .requiredOption("--input <file>", "a .csv, .json or .jsonl file, or - for stdin")
        .requiredOption(
          "--output <file>",
          "a .jsonl or .csv file (refused if it exists, unless --force), or - for stdout",
        ),
    ),
    "the run whose model predicts",
  )
    .addOption(
      new Option(
        "--input-format <format>",
        "format of the input (default: its extension; jsonl for stdin)",
      ).choices(["csv", "json", "jsonl"]),
    )
    .addOption(
      new Option(
        "--output-format <format>",
        "format of the output (default: csv for a .csv file, else jsonl)",
      ).choices(["jsonl", "csv"]),
    )
    .option("--probabilities", "write every tag's probability too", false)
    .addOption(
      new Option(
        "--on-error <policy>",
        "a record that cannot be read or has no text: skip it (logged, counted) or fail",
      )
        .choices(["skip", "fail"])
        .default("fail"),
    )
    .option(
      "--threads <n>",
      "worker threads, each holding the model (default 0: predict in the main thread, the faster on 2 cores)",
      wholeNumber("--threads", 0),
    )
    .option("--batch-size <n>", "texts per model call (default 256)", wholeNumber("--batch-size"))
    .option("--force", "replace the output file if it exists", false)
    .action(async (options: PredictFlags, command: Command) => {
      const globals = options.threads === 0 ? await useModelDevice(command) : globalOptions(command);
      const { batchPredict } = await import("../tagifai/batch-predict.js");
      const progress = progressBar();
      const result = await cancellable(
        (signal) =>
          batchPredict({
            input: options.input === "-" ? process.stdin : options.input,
            inputFormat: options.inputFormat ?? (options.input === "-" ? "jsonl" : undefined),
            output: options.output === "-" ? process.stdout : options.output,
            outputFormat: options.outputFormat,
            force: options.force,
            fields: inputFields(options),
            runRef: runOf(options),
            probabilities: options.probabilities,
            onError: options.onError,
            threads: options.threads,
            batchSize: options.batchSize,
            onProgress: progress?.update,
            signal,
            ...globals,
          }),
        onSignal,
      ).finally(() => progress?.stop());
      const skipped = result.skipped > 0 ? `, skipped ${result.skipped} bad record(s) (logged above)` : "";
      const where = options.output === "-" ? "stdout" : options.output;
      logger.info(`Predicted ${result.predicted} record(s) with run ${result.runId} into ${where}${skipped}`);
    });
}

/** A progress bar on stderr when it is a terminal (by bytes of a file, else by records). */
function progressBar(): { update(progress: BatchProgress): void; stop(): void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new SingleBar({
    format: " predict {bar} {percentage}% | {predicted} records, {skipped} skipped",
    clearOnComplete: true,
    stream: process.stderr,
  });
  let started = false;
  return {
    update: ({ predicted, skipped, bytesRead, totalBytes }) => {
      if (!started) bar.start(totalBytes ?? 0, 0, { predicted, skipped });
      started = true;
      bar.update(totalBytes === undefined ? 0 : bytesRead, { predicted, skipped });
    },
    stop: () => bar.stop(),
  };
}
