/**
 * The tracking commands: experiments, runs, diff, best-run, study, delete-experiment, register and alias.
 * Each parses its options and calls the tracking store (through the run lifecycle) or one
 * operation; JSON output uses the serializer shared with the API (`tagifai/views`).
 */
import type { Command } from "commander";
import { SELECTION_METRIC, withStore } from "../tagifai/lifecycle.js";
import type { Run } from "../tagifai/tracking.js";
import { experimentView, modelVersionView, runView, studyView } from "../tagifai/views.js";
import { type MetricOrder, metricOrder, runReference, wholeNumber } from "./arguments.js";
import { globalOptions } from "./globals.js";
import { JSON_ONLY, printJson, printTable, printText } from "./output.js";
import { type RunFlags, runOf, withRunOption } from "./run-option.js";

/** The operations, loaded when a command runs. */
const operations = () => import("../tagifai/operations.js");

/** Help text of `--order-by`, the same in `runs` and `best-run`. */
const ORDER_BY = "order by this metric, highest first; prefix it with - for lowest first (e.g. -val_loss)";

/**
 * Register the tracking commands.
 * @param program the program
 */
export function registerTrackingCommands(program: Command): void {
  program
    .command("experiments")
    .description("List the experiments with their run counts")
    .option("--json", "print JSON instead of a table", false)
    .action(async (options: { json: boolean }, command: Command) => {
      const experiments = (await withStore(globalOptions(command), (store) => store.listExperiments())).map(
        experimentView,
      );
      if (options.json) printJson(experiments);
      else printTable(experiments, ["name", "run_count", "created_at", "experiment_id"]);
    });

  program
    .command("runs")
    .description("List runs, newest first or ordered by a metric")
    .option("--experiment <name>", "only this experiment's runs")
    .option("--order-by <[-]metric>", ORDER_BY, metricOrder)
    .option("--limit <n>", "at most this many runs", wholeNumber("--limit"))
    .option("--json", "print JSON instead of a table", false)
    .action(
      async (
        options: { experiment?: string; orderBy?: MetricOrder; limit?: number; json: boolean },
        command: Command,
      ) => {
        const { runs, metrics } = await withStore(globalOptions(command), async (store) => ({
          runs: await store.listRuns({
            experimentName: options.experiment,
            orderBy: options.orderBy,
            limit: options.limit,
          }),
          metrics: await store.listMetricKeys({ experimentName: options.experiment }),
        }));
        const metric = options.orderBy?.metric;
        if (metric !== undefined && runs.length > 0 && !metrics.includes(metric)) {
          command.error(
            `error: invalid --order-by: no run${options.experiment === undefined ? "" : ` of experiment "${options.experiment}"`} ` +
              `has logged the metric "${metric}"; metrics logged: ${metrics.join(", ") || "none"}`,
            { exitCode: 2 },
          );
        }
        if (options.json) printJson(runs.map(runView));
        else printTable(runs.map(runRow));
      },
    );

  program
    .command("diff")
    .description("Compare two runs' params and metrics side by side")
    .requiredOption("--run-a <ref>", "first run (same forms as --run)", runReference)
    .requiredOption("--run-b <ref>", "second run (same forms as --run)", runReference)
    .option("--json", "print JSON instead of tables", false)
    .action(async (options: { runA: string; runB: string; json: boolean }, command: Command) => {
      const diff = await (await operations()).diffRuns(options.runA, options.runB, globalOptions(command));
      if (options.json) return printJson(diff);
      const table = (rows: typeof diff.params) =>
        rows.map(({ key, a, b }) => ({
          key,
          [diff.a.slice(0, 8)]: a ?? "",
          [diff.b.slice(0, 8)]: b ?? "",
          same: a === b ? "" : "≠",
        }));
      printText("Params");
      printTable(table(diff.params));
      printText("\nMetrics");
      printTable(table(diff.metrics));
    });

  program
    .command("best-run")
    .description(
      `Show the finished run of an experiment with the best value of a metric (default ${SELECTION_METRIC}, the validation F1)`,
    )
    .requiredOption("--experiment <name>", "the experiment")
    .option(
      "--order-by <[-]metric>",
      `${ORDER_BY}; the first run is the best`,
      metricOrder,
      metricOrder(SELECTION_METRIC),
    )
    .option("--json", JSON_ONLY)
    .action(async (options: { experiment: string; orderBy: MetricOrder }, command: Command) => {
      const { metric, ascending } = options.orderBy;
      const run = await withStore(globalOptions(command), (store) =>
        store.bestRun(options.experiment, metric, ascending ? "min" : "max"),
      );
      printJson(runView(run));
    });

  program
    .command("study")
    .description(
      "Show a hyperparameter study: its trial counts, best trial, base params (file and sha256) and best params",
    )
    .requiredOption("--experiment <name>", "the study (the experiment optimize logged it under)")
    .option("--json", JSON_ONLY)
    .action(async (options: { experiment: string }, command: Command) => {
      const view = await withStore(globalOptions(command), async (store) => {
        const study = await store.getStudy(options.experiment);
        return studyView(study, await store.listTrials(study.id));
      });
      printJson(view);
    });

  program
    .command("delete-experiment")
    .description(
      "Delete an experiment, its runs and their artifacts (refused while a run of it is a registered model version)",
    )
    .requiredOption("--experiment <name>", "the experiment")
    .option("--force", "delete it even if its runs are registered model versions (they go too)", false)
    .option("--json", JSON_ONLY)
    .action(async (options: { experiment: string; force: boolean }, command: Command) => {
      const { runIds } = await (await operations()).deleteExperiment(options.experiment, {
        ...globalOptions(command),
        force: options.force,
      });
      printJson({ experiment: options.experiment, run_ids: runIds });
    });

  program
    .command("gc")
    .description(
      "Remove what killed or deleted runs left on disk: partial artifact folders whose run is not running, and artifact folders of runs that no longer exist",
    )
    .option("--dry-run", "list what would be removed, remove nothing", false)
    .option("--json", "print JSON instead of lines", false)
    .action(async (options: { dryRun: boolean; json: boolean }, command: Command) => {
      const { removed } = await (await operations()).collectGarbage({
        ...globalOptions(command),
        dryRun: options.dryRun,
      });
      if (options.json) {
        const entries = removed.map(({ path, kind, runId, reason }) => ({
          path,
          kind,
          run_id: runId,
          reason,
        }));
        return printJson({ dry_run: options.dryRun, removed: entries });
      }
      const verb = options.dryRun ? "would remove" : "removed";
      if (removed.length === 0) return printText("nothing to remove");
      printText(removed.map((entry) => `${verb} ${entry.path} (${entry.kind}: ${entry.reason})`).join("\n"));
    });

  withRunOption(
    program.command("register").description("Register a run's model under a name as a new version"),
    "the run",
    "required",
  )
    .requiredOption("--name <name>", "the registered model's name")
    .option("--json", JSON_ONLY)
    .action(async (options: RunFlags & { name: string }, command: Command) => {
      const run = runOf(options);
      if (run === undefined) command.error("error: required option '--run <ref>' not specified");
      printJson(await (await operations()).registerModel(run!, options.name, globalOptions(command)));
    });

  program
    .command("alias")
    .description("Point an alias (e.g. production, staging) at a version of a registered model")
    .requiredOption("--name <name>", "the registered model's name")
    .requiredOption("--version <n>", "the version", wholeNumber("--version"))
    .requiredOption("--alias <alias>", "the alias")
    .option("--json", JSON_ONLY)
    .action(async (options: { name: string; version: number; alias: string }, command: Command) => {
      const versions = await withStore(globalOptions(command), async (store) => {
        await store.setAlias(options.name, options.version, options.alias);
        return store.listModelVersions(options.name);
      });
      printJson(versions.map(modelVersionView));
    });
}

/**
 * A run as one row of the `runs` table: the columns a person scans first. `val_f1` is the metric
 * `val_f1` (validation split), `test_*` the metrics `f1`, `precision`, `recall` (test split).
 */
function runRow(run: Run): Record<string, unknown> {
  const seconds = run.endTime === null ? "" : Math.round((run.endTime - run.startTime) / 1000);
  return {
    run_id: run.id,
    experiment: run.experimentName,
    name: run.name,
    status: run.endReason === null ? run.status : `${run.status} (${run.endReason})`,
    start_time: run.startTime,
    seconds,
    epochs: run.metrics.epochs ?? "",
    val_f1: run.metrics.val_f1 ?? "",
    test_f1: run.metrics.f1 ?? "",
    test_precision: run.metrics.precision ?? "",
    test_recall: run.metrics.recall ?? "",
    best_val_loss: run.metrics.best_val_loss ?? "",
  };
}
