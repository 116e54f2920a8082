#!/usr/bin/env node
/**
 * The `tagifai` command line: a thin commander front end over the operations in
 * `tagifai/operations`. Results go to stdout (JSON or tables), logs to stderr. This file owns the
 * process: SIGINT / SIGTERM abort the running operation through an AbortSignal (a second one exits
 * at once), and the exit code is 130 / 143 after a signal.
 */
import { SingleBar } from "cli-progress";
import { Command, Option } from "commander";
import { cancellable, Interrupted } from "./cli/interrupt.js";
import { DEFAULT_PARAMS_FP, logger } from "./config/config.js";
import { formatBehavioralReport } from "./tagifai/behavioral.js";
import { type Device, setDevice } from "./tagifai/device.js";
import { TagifaiError } from "./tagifai/errors.js";
import { formatValidationReport } from "./tagifai/expectations.js";
import { withStore } from "./tagifai/lifecycle.js";
import * as main from "./tagifai/operations.js";
import { formatTable, type Run } from "./tagifai/tracking.js";

interface GlobalOptions {
  device: Device;
  trackingUri?: string;
}

const program = new Command("tagifai")
  .description("Predict the tags of a machine-learning project from its title and description.")
  .addOption(new Option("--device <backend>", "compute backend").choices(["wasm", "cpu"]).default("wasm"))
  .option(
    "--tracking-uri <uri>",
    "tracking store: sqlite:PATH or postgresql://… (default: TAGIFAI_TRACKING_URI, else stores/tracking.db)",
  )
  .showHelpAfterError()
  .hook("preAction", async (command) => {
    const used = await setDevice(command.opts<GlobalOptions>().device);
    logger.debug(`Using the ${used} backend`);
  });

/** The program-wide options (--device, --tracking-uri), shared by every command. */
function globals(): GlobalOptions {
  return program.opts<GlobalOptions>();
}

/** Print a value as pretty JSON on stdout. */
function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Say that a signal came and what a second one does. */
function warnStopping(signal: string): void {
  logger.warn(`Received ${signal}: stopping (send it again to exit at once)`);
}

/** The options naming a bring-your-own dataset file and its fields. */
interface DatasetFlags {
  dataset?: string;
  textFields: string;
  labelField: string;
  idField?: string;
}

/** Add the bring-your-own dataset options to a command (`--dataset` required when `required`). */
function withDatasetOptions(command: Command, required = false): Command {
  const description = "a CSV, JSON or JSONL dataset file";
  return (
    required
      ? command.requiredOption("--dataset <file>", description)
      : command.option("--dataset <file>", `${description} (default: the reference projects)`)
  )
    .option("--text-fields <fields>", "comma-separated fields joined into the text", "title,description")
    .option(
      "--label-field <field>",
      "field holding the label (a string: multi-class) or labels (a list: multi-label)",
      "tags",
    )
    .option("--id-field <field>", "field holding a unique id (default: the record's position)");
}

/** The dataset the options name, or undefined for the reference projects. */
function datasetSource(flags: DatasetFlags): main.DatasetSource | undefined {
  return flags.dataset === undefined ? undefined : toSource({ ...flags, dataset: flags.dataset });
}

/** The dataset file the options name, with its field mapping. */
function toSource(flags: DatasetFlags & { dataset: string }): main.DatasetSource {
  return {
    file: flags.dataset,
    textFields: flags.textFields.split(",").map((field) => field.trim()),
    labelField: flags.labelField,
    ...(flags.idField === undefined ? {} : { idField: flags.idField }),
  };
}

program
  .command("load-data")
  .description("Copy or download projects.json and tags.json into data/ (checked against their sha256)")
  .option(
    "--data-dir <dir>",
    "copy from this local folder instead of downloading (default: TAGIFAI_DATA_DIR)",
  )
  .action(async (options: { dataDir?: string }) => {
    await main.loadData({ sourceDir: options.dataDir });
  });

program
  .command("compute-features")
  .description("Compute text = title + description for every project into data/features.json")
  .action(async () => {
    await main.computeFeatures();
  });

withDatasetOptions(
  program
    .command("train-model")
    .description("Train a model, log the run to the tracking store and print its test metrics"),
)
  .option("--params-fp <file>", "params file", DEFAULT_PARAMS_FP)
  .option("--experiment-name <name>", "experiment to log the run under", "baselines")
  .option("--run-name <name>", "a name for the run")
  .option("--test-run", "train and evaluate without saving a run (a quick end-to-end check)", false)
  .action(
    async (
      options: {
        paramsFp: string;
        experimentName: string;
        runName?: string;
        testRun: boolean;
      } & DatasetFlags,
    ) => {
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: " batches {bar} {value}/{total}", clearOnComplete: true })
        : undefined;
      const result = await cancellable(
        (signal) =>
          main.trainModel({
            ...options,
            dataset: datasetSource(options),
            trackingUri: globals().trackingUri,
            signal,
            onBatch: bar
              ? (done, total) => {
                  if (done === 1) bar.start(total, 0);
                  bar.update(done);
                  if (done === total) bar.stop();
                }
              : undefined,
          }),
        warnStopping,
      ).finally(() => bar?.stop());
      printJson({
        run_id: result.runId ?? null,
        overall: result.performance.overall,
        slices: result.performance.slices,
      });
    },
  );

program
  .command("predict-tags")
  .description("Predict the tags of a text (title + description)")
  .argument("<text>", "the project's title and description")
  .option(
    "--run-id <ref>",
    "run id, models:/NAME@ALIAS, models:/NAME/VERSION or best:EXPERIMENT (default: newest finished run)",
  )
  .action(async (text: string, options: { runId?: string }) => {
    printJson(await main.predictTags(text, options.runId, globals()));
  });

program
  .command("params")
  .description("Show a run's params")
  .option("--run-id <ref>", "which run (default: newest finished run)")
  .action(async (options: { runId?: string }) => {
    printJson(await main.getParams(options.runId, globals()));
  });

program
  .command("performance")
  .description(
    "Show a run's test performance: overall, per class, per slice, PR curves and thresholds, worst classes, confident mistakes (and accuracy, macro scores, confusion matrix for multi-class)",
  )
  .option("--run-id <ref>", "which run (default: newest finished run)")
  .option(
    "--section <name>",
    "only this section, e.g. overall, class, pr_curves, worst_classes, confident_mistakes",
  )
  .action(async (options: { runId?: string; section?: string }) => {
    const performance = await main.getPerformance(options.runId, globals());
    if (options.section === undefined) return printJson(performance);
    if (!(options.section in performance))
      throw new TagifaiError(
        "INVALID_INPUT",
        `The performance has no section "${options.section}"; it has ${Object.keys(performance).join(", ")}`,
      );
    printJson(performance[options.section]);
  });

withDatasetOptions(
  program
    .command("validate-data")
    .description(
      "Run the data expectations over a dataset and print a report (exit code 1 when an error expectation fails)",
    ),
)
  .option("--json", "print the report as JSON", false)
  .action(async (options: DatasetFlags & { json: boolean }) => {
    const report = await main.validateData(datasetSource(options));
    if (options.json) printJson(report);
    else process.stdout.write(`${formatValidationReport(report)}\n`);
    if (!report.success) process.exitCode = 1;
  });

program
  .command("test-model")
  .description(
    "Run behavioral tests against a run's model; stores the report in its performance as `behavioral`",
  )
  .option("--run-id <ref>", "which run (default: newest finished run)")
  .option("--suite <file>", "a behavioral suite (JSON); default the built-in suite")
  .option("--json", "print the report as JSON", false)
  .action(async (options: { runId?: string; suite?: string; json: boolean }) => {
    const report = await main.testModel(options.runId, { ...globals(), suiteFp: options.suite });
    if (options.json) printJson(report);
    else process.stdout.write(`${formatBehavioralReport(report)}\n`);
  });

withDatasetOptions(
  program
    .command("evaluate")
    .description("Score a run's model on a labelled dataset file (e.g. a holdout) and print the performance")
    .option("--run-id <ref>", "which run (default: newest finished run)"),
  true,
).action(async (options: DatasetFlags & { dataset: string; runId?: string }) => {
  printJson(await main.evaluateRun(options.runId, toSource(options), globals()));
});

/** A run as one row of the `runs` table: the columns a person scans first. */
function runRow(run: Run): Record<string, unknown> {
  const seconds = run.endTime === null ? "" : Math.round((run.endTime - run.startTime) / 1000);
  return {
    id: run.id,
    experiment: run.experimentName,
    name: run.name,
    status: run.status,
    startTime: run.startTime,
    seconds,
    epochs: run.metrics.epochs ?? "",
    f1: run.metrics.f1 ?? "",
    precision: run.metrics.precision ?? "",
    recall: run.metrics.recall ?? "",
    best_val_loss: run.metrics.best_val_loss ?? "",
  };
}

program
  .command("experiments")
  .description("List the experiments with their run counts")
  .option("--json", "print JSON instead of a table", false)
  .action(async (options: { json: boolean }) => {
    const experiments = await withStore(globals(), (store) => store.listExperiments());
    if (options.json) printJson(experiments);
    else
      process.stdout.write(
        `${formatTable(
          experiments.map((experiment) => ({ ...experiment })),
          ["name", "runCount", "createdAt", "id"],
        )}\n`,
      );
  });

program
  .command("runs")
  .description("List runs, newest first or ordered by a metric")
  .option("--experiment <name>", "only this experiment's runs")
  .option("--order-by <metric>", "order by this metric, best (highest) first; prefix with - for lowest first")
  .option("--limit <n>", "at most this many runs", (value) => Number.parseInt(value, 10))
  .option("--json", "print JSON instead of a table", false)
  .action(async (options: { experiment?: string; orderBy?: string; limit?: number; json: boolean }) => {
    const orderBy = options.orderBy
      ? { metric: options.orderBy.replace(/^-/, ""), ascending: options.orderBy.startsWith("-") }
      : undefined;
    const runs = await withStore(globals(), (store) =>
      store.listRuns({ experimentName: options.experiment, orderBy, limit: options.limit }),
    );
    if (options.json) printJson(runs);
    else process.stdout.write(`${formatTable(runs.map(runRow))}\n`);
  });

program
  .command("diff")
  .description("Compare two runs' params and metrics side by side")
  .requiredOption("--run-a <ref>", "first run")
  .requiredOption("--run-b <ref>", "second run")
  .option("--json", "print JSON instead of tables", false)
  .action(async (options: { runA: string; runB: string; json: boolean }) => {
    const diff = await main.diffRuns(options.runA, options.runB, globals());
    if (options.json) return printJson(diff);
    const table = (rows: main.DiffRow[]) =>
      formatTable(
        rows.map(({ key, a, b }) => ({
          key,
          [diff.a.slice(0, 8)]: a ?? "",
          [diff.b.slice(0, 8)]: b ?? "",
          same: a === b ? "" : "≠",
        })),
      );
    process.stdout.write(`Params\n${table(diff.params)}\n\nMetrics\n${table(diff.metrics)}\n`);
  });

program
  .command("best-run")
  .description("Show the finished run of an experiment with the best value of a metric")
  .requiredOption("--experiment <name>", "the experiment")
  .option("--metric <name>", "the metric", "f1")
  .option("--mode <mode>", "max or min", "max")
  .action(async (options: { experiment: string; metric: string; mode: "max" | "min" }) => {
    printJson(
      await withStore(globals(), (store) => store.bestRun(options.experiment, options.metric, options.mode)),
    );
  });

program
  .command("delete-experiment")
  .description("Delete an experiment, its runs and their artifacts")
  .argument("<name>", "the experiment")
  .action(async (name: string) => {
    printJson(await main.deleteExperiment(name, globals()));
  });

program
  .command("register")
  .description("Register a run's model under a name as a new version")
  .requiredOption("--run-id <ref>", "the run")
  .requiredOption("--name <name>", "the registered model's name")
  .action(async (options: { runId: string; name: string }) => {
    printJson(await main.registerModel(options.runId, options.name, globals()));
  });

program
  .command("alias")
  .description("Point an alias (e.g. production, staging) at a version of a registered model")
  .requiredOption("--name <name>", "the registered model's name")
  .requiredOption("--version <n>", "the version", (value) => Number.parseInt(value, 10))
  .requiredOption("--alias <alias>", "the alias")
  .action(async (options: { name: string; version: number; alias: string }) => {
    await withStore(globals(), (store) => store.setAlias(options.name, options.version, options.alias));
    printJson(await withStore(globals(), (store) => store.listModelVersions(options.name)));
  });

withDatasetOptions(
  program
    .command("optimize")
    .description(
      "Tune hyperparameters with a resumable study (TPE + median pruning); write the best params and threshold back",
    ),
)
  .option("--params-fp <file>", "base params file; the best trial is written back to it", DEFAULT_PARAMS_FP)
  .option("--study-name <name>", "the study (and experiment) name; rerun it to resume", "optimization")
  .option("--num-trials <n>", "target number of finished (complete or pruned) trials", Number, 100)
  .option("--search-space <file>", "search space JSON file (default: the original's space)")
  .addOption(
    new Option("--sampler <name>", "how trials are proposed").choices(["tpe", "random"]).default("tpe"),
  )
  .option("--workers <k>", "worker processes on this machine", Number, 1)
  .option(
    "--heartbeat-timeout <seconds>",
    "fail a trial whose worker is silent this long (keep it above an epoch's duration)",
    Number,
    60,
  )
  .option("--dry-run", "run the study but leave the params file unchanged", false)
  .action(
    async (
      options: {
        paramsFp: string;
        studyName: string;
        numTrials: number;
        searchSpace?: string;
        sampler: "tpe" | "random";
        workers: number;
        heartbeatTimeout: number;
        dryRun: boolean;
      } & DatasetFlags,
    ) => {
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: " trials {bar} {value}/{total} | best {best}", clearOnComplete: true })
        : undefined;
      bar?.start(options.numTrials, 0, { best: "-" });
      // Loaded on use: the optimizer and the server pull in modules the other commands don't need.
      const optimize = await import("./tagifai/optimize.js");
      const result = await cancellable(
        (signal) =>
          optimize.optimize({
            ...options,
            signal,
            dataset: datasetSource(options),
            searchSpaceFp: options.searchSpace,
            device: globals().device,
            heartbeatTimeoutS: options.heartbeatTimeout,
            trackingUri: globals().trackingUri,
            onTrialEnd: bar
              ? (event) => bar.update(event.finished, { best: event.best?.value?.toFixed(4) ?? "-" })
              : undefined,
          }),
        warnStopping,
      ).finally(() => bar?.stop());
      process.stdout.write(optimize.formatStudyReport(result));
    },
  );

program
  .command("export")
  .description(
    "Export a run's model for any ONNX Runtime: model.onnx, its tokenizer or vectorizer, label encoder and serving.json",
  )
  .option(
    "--run <ref>",
    "run id, models:/NAME@ALIAS, models:/NAME/VERSION or best:EXPERIMENT (default: newest finished run)",
  )
  .option("--run-id <ref>", "same as --run")
  .addOption(new Option("--format <format>", "export format").choices(["onnx"]).default("onnx"))
  .requiredOption("--output <dir>", "destination folder (refused if it exists, unless --force)")
  .option("--force", "replace the destination folder if it exists", false)
  .action(async (options: { run?: string; runId?: string; output: string; force: boolean }) => {
    const { runId, dir, kind, task, files } = await main.exportModel(options.run ?? options.runId, {
      ...globals(),
      output: options.output,
      force: options.force,
    });
    printJson({ run_id: runId, format: "onnx", dir, kind, task, files });
  });

program
  .command("serve")
  .description("Serve the REST API (docs at /docs) and the web dashboard (/dashboard) for one run's model")
  .option("--host <host>", "interface to listen on", "127.0.0.1")
  .option("--port <port>", "port to listen on", (value) => Number.parseInt(value, 10), 8000)
  .option("--run-id <ref>", "run id, best:EXPERIMENT or models:/NAME@ALIAS (default: newest finished run)")
  .option("--model <name@alias>", "a registered model, e.g. tagifai@production")
  .option("--request-timeout <ms>", "most time to receive a whole request (default 30000)", Number)
  .option(
    "--reload-token-file <file>",
    "file holding the token POST /reload requires (default: TAGIFAI_RELOAD_TOKEN; neither: POST /reload is off)",
  )
  .option(
    "--shutdown-timeout <ms>",
    "most time to wait for in-flight requests on shutdown (default 10000)",
    Number,
  )
  .action(
    async (options: {
      host: string;
      port: number;
      runId?: string;
      model?: string;
      requestTimeout?: number;
      shutdownTimeout?: number;
      reloadTokenFile?: string;
    }) => {
      const runRef = options.model ? `models:/${options.model}` : options.runId;
      const { startServer } = await import("./tagifai/serve/server.js");
      const timeouts = {
        ...(options.requestTimeout === undefined ? {} : { requestMs: options.requestTimeout }),
        ...(options.shutdownTimeout === undefined ? {} : { shutdownMs: options.shutdownTimeout }),
      };
      const { host, port, reloadTokenFile } = options;
      await startServer({ host, port, runRef, timeouts, reloadTokenFile, ...globals() });
    },
  );

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof Interrupted) {
    logger.warn(error.message);
    process.exit(error.exitCode);
  }
  if (error instanceof TagifaiError) {
    logger.error(`${error.message} [${error.code}]`);
  } else {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exitCode = 1;
}
