/**
 * The commands that train or use a model: train-model, predict-tags, params, performance,
 * test-model and evaluate. Each parses its options, sets up the compute device and calls one
 * operation (`tagifai/operations`).
 */
import { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { DEFAULT_PARAMS_FP } from "../config/config.js";
import { TagifaiError } from "../tagifai/errors.js";
import { ARTIFACT_URI_HELP, artifactUri, fraction } from "./arguments.js";
import { type DatasetFlags, datasetSource, withDatasetOptions } from "./dataset-options.js";
import { globalOptions, useModelDevice } from "./globals.js";
import { cancellable } from "./interrupt.js";
import { JSON_ONLY, printJson, printText } from "./output.js";
import { type RunFlags, runOf, withRunOption } from "./run-option.js";

/** The operations, loaded when a command runs (they load the model code). */
const operations = () => import("../tagifai/operations.js");

/**
 * Register the model commands.
 * @param program the program
 * @param onSignal told of the first SIGINT / SIGTERM while a cancellable command runs
 */
export function registerModelCommands(program: Command, onSignal: (signal: string) => void): void {
  withDatasetOptions(
    program
      .command("train-model")
      .description("Train a model, log the run to the tracking store and print its test metrics"),
  )
    .option("--params-fp <file>", "params file", DEFAULT_PARAMS_FP)
    .option("--experiment <name>", "experiment to log the run under", "baselines")
    .option("--run-name <name>", "a name for the run")
    .option("--test-run", "train and evaluate without saving a run (a quick end-to-end check)", false)
    .option("--artifact-uri <uri>", ARTIFACT_URI_HELP, artifactUri)
    .option("--json", JSON_ONLY)
    .action(
      async (
        options: {
          paramsFp: string;
          experiment: string;
          runName?: string;
          testRun: boolean;
          artifactUri?: string;
        } & DatasetFlags,
        command: Command,
      ) => {
        const globals = await useModelDevice(command);
        const { trainModel } = await operations();
        const bar = process.stderr.isTTY
          ? new SingleBar({ format: " batches {bar} {value}/{total}", clearOnComplete: true })
          : undefined;
        const result = await cancellable(
          (signal) =>
            trainModel({
              paramsFp: options.paramsFp,
              experimentName: options.experiment,
              runName: options.runName,
              testRun: options.testRun,
              artifactUri: options.artifactUri,
              dataset: datasetSource(options),
              trackingUri: globals.trackingUri,
              signal,
              onBatch: bar
                ? (done, total) => {
                    if (done === 1) bar.start(total, 0);
                    bar.update(done);
                    if (done === total) bar.stop();
                  }
                : undefined,
            }),
          onSignal,
        ).finally(() => bar?.stop());
        printJson({
          run_id: result.runId ?? null,
          overall: result.performance.overall,
          slices: result.performance.slices,
        });
      },
    );

  withRunOption(
    program
      .command("predict-tags")
      .description("Predict the tags of a text (title + description)")
      .argument("<text>", "the project's title and description"),
  )
    .option("--json", JSON_ONLY)
    .action(async (text: string, options: RunFlags, command: Command) => {
      const globals = await useModelDevice(command);
      printJson(await (await operations()).predictTags(text, runOf(options), globals));
    });

  withRunOption(program.command("params").description("Show a run's params"))
    .option("--json", JSON_ONLY)
    .action(async (options: RunFlags, command: Command) => {
      printJson(await (await operations()).getParams(runOf(options), globalOptions(command)));
    });

  withRunOption(
    program
      .command("performance")
      .description(
        "Show a run's test performance: overall, per class, per slice, PR curves and thresholds, worst classes, confident mistakes (and accuracy, macro scores, confusion matrix for multi-class)",
      ),
  )
    .option(
      "--section <name>",
      "only this section, e.g. overall, class, pr_curves, worst_classes, confident_mistakes",
    )
    .option("--json", JSON_ONLY)
    .action(async (options: RunFlags & { section?: string }, command: Command) => {
      const performance = await (await operations()).getPerformance(runOf(options), globalOptions(command));
      if (options.section === undefined) return printJson(performance);
      if (!(options.section in performance))
        throw new TagifaiError(
          "INVALID_INPUT",
          `The performance has no section "${options.section}"; it has ${Object.keys(performance).join(", ")}`,
        );
      printJson(performance[options.section]);
    });

  withRunOption(
    program
      .command("test-model")
      .description(
        "Run behavioral tests against a run's model; stores the report in its performance as `behavioral`",
      ),
  )
    .option("--suite <file>", "a behavioral suite (JSON); default the built-in suite")
    .option(
      "--min-pass-rate <rate>",
      "exit 1 when the share of tests passed is below this (0 to 1; default 1: every test must pass)",
      fraction("--min-pass-rate"),
      1,
    )
    .option("--json", "print the report as JSON", false)
    .action(
      async (
        options: RunFlags & { suite?: string; minPassRate: number; json: boolean },
        command: Command,
      ) => {
        const globals = await useModelDevice(command);
        const report = await (await operations()).testModel(runOf(options), {
          ...globals,
          suiteFp: options.suite,
        });
        if (options.json) printJson(report);
        else printText((await import("../tagifai/behavioral.js")).formatBehavioralReport(report));
        if (report.pass_rate < options.minPassRate)
          throw new TagifaiError(
            "TESTS_FAILED",
            `${report.passed} of ${report.total} behavioral tests passed: pass rate ${Number(report.pass_rate.toFixed(4))} is below --min-pass-rate ${options.minPassRate}`,
          );
      },
    );

  withRunOption(
    program
      .command("export")
      .description(
        "Export a run's model for any ONNX Runtime: model.onnx, its tokenizer or vectorizer, label encoder and serving.json",
      ),
  )
    .addOption(new Option("--format <format>", "export format").choices(["onnx"]).default("onnx"))
    .requiredOption("--output <dir>", "destination folder (refused if it exists, unless --force)")
    .option("--force", "replace the destination folder if it exists", false)
    .option("--json", JSON_ONLY)
    .action(async (options: RunFlags & { output: string; force: boolean }, command: Command) => {
      const globals = await useModelDevice(command);
      const { runId, dir, kind, task, files } = await (await operations()).exportModel(runOf(options), {
        ...globals,
        output: options.output,
        force: options.force,
      });
      printJson({ run_id: runId, format: "onnx", dir, kind, task, files });
    });

  withRunOption(
    withDatasetOptions(
      program
        .command("evaluate")
        .description(
          "Score a run's model on a labelled dataset file (e.g. a holdout) and print the performance",
        ),
      true,
    ),
  )
    .option("--json", JSON_ONLY)
    .action(async (options: DatasetFlags & RunFlags, command: Command) => {
      const globals = await useModelDevice(command);
      const source = datasetSource(options)!;
      printJson(await (await operations()).evaluateRun(runOf(options), source, globals));
    });
}
