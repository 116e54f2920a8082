/**
 * The optimize command: parses the study's options and calls `optimize` (tagifai/optimize), with a
 * progress bar on a terminal; the study is the experiment its trials are logged under (`--experiment`).
 */
import { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { DEFAULT_PARAMS_FP } from "../config/config.js";
import { studyView, trialView } from "../tagifai/views.js";
import { ARTIFACT_URI_HELP, artifactUri, positiveNumber, wholeNumber } from "./arguments.js";
import { type DatasetFlags, datasetSource, withDatasetOptions } from "./dataset-options.js";
import { useModelDevice } from "./globals.js";
import { cancellable } from "./interrupt.js";
import { printJson, printText } from "./output.js";

/** The optimize options as commander parses them. */
interface OptimizeFlags extends DatasetFlags {
  paramsFp: string;
  experiment: string;
  numTrials: number;
  searchSpace?: string;
  sampler: "tpe" | "random";
  workers: number;
  heartbeatTimeout: number;
  writeParams?: string;
  artifactUri?: string;
  json: boolean;
}

/**
 * Register the optimize command.
 * @param program the program
 * @param onSignal told of the first SIGINT / SIGTERM while the study runs
 */
export function registerOptimizeCommand(program: Command, onSignal: (signal: string) => void): void {
  withDatasetOptions(
    program
      .command("optimize")
      .description(
        "Tune hyperparameters with a resumable study (TPE + median pruning, chosen on validation F1); the best params are stored with the study",
      ),
  )
    .option(
      "--params-fp <file>",
      "base params file (read only; a study refuses other base params)",
      DEFAULT_PARAMS_FP,
    )
    .option("--write-params <file>", "also write the best params and threshold to this file")
    .option(
      "--experiment <name>",
      "the study, and the experiment its trials are logged under; rerun it to resume",
      "optimization",
    )
    .option(
      "--num-trials <n>",
      "target number of finished (complete or pruned) trials",
      wholeNumber("--num-trials"),
      100,
    )
    .option("--search-space <file>", "search space JSON file (default: the original's space)")
    .addOption(
      new Option("--sampler <name>", "how trials are proposed").choices(["tpe", "random"]).default("tpe"),
    )
    .option("--workers <k>", "worker processes on this machine", wholeNumber("--workers"), 1)
    .option(
      "--heartbeat-timeout <seconds>",
      "fail a trial whose worker is silent this long (keep it above an epoch's duration)",
      positiveNumber("--heartbeat-timeout"),
      60,
    )
    .option("--artifact-uri <uri>", ARTIFACT_URI_HELP, artifactUri)
    .option("--json", "print the study as JSON instead of a report", false)
    .action(async (options: OptimizeFlags, command: Command) => {
      const globals = await useModelDevice(command);
      const optimize = await import("../tagifai/optimize.js");
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: " trials {bar} {value}/{total} | best {best}", clearOnComplete: true })
        : undefined;
      bar?.start(options.numTrials, 0, { best: "-" });
      const result = await cancellable(
        (signal) =>
          optimize.optimize({
            paramsFp: options.paramsFp,
            studyName: options.experiment,
            numTrials: options.numTrials,
            searchSpaceFp: options.searchSpace,
            sampler: options.sampler,
            workers: options.workers,
            heartbeatTimeoutS: options.heartbeatTimeout,
            writeParamsFp: options.writeParams,
            artifactUri: options.artifactUri,
            dataset: datasetSource(options),
            device: globals.device,
            trackingUri: globals.trackingUri,
            signal,
            onTrialEnd: bar
              ? (event) => bar.update(event.finished, { best: event.best?.value?.toFixed(4) ?? "-" })
              : undefined,
          }),
        onSignal,
      ).finally(() => bar?.stop());
      if (!options.json) return printText(optimize.formatStudyReport(result));
      printJson({
        study: studyView(result.study, result.trials),
        trials: result.trials.map(trialView),
        best_params: result.bestParams,
        params_fp: result.paramsFp,
        written_to: result.writtenTo ?? null,
      });
    });
}
