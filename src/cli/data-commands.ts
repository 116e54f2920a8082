/**
 * The data commands: load-data, compute-features and validate-data. Each parses its options and
 * calls one operation (`tagifai/operations`).
 */
import type { Command } from "commander";
import { TagifaiError } from "../tagifai/errors.js";
import { type DatasetFlags, datasetSource, withDatasetOptions } from "./dataset-options.js";
import { printJson, printText } from "./output.js";

/** The data operations, loaded when a command runs. */
const operations = () => import("../tagifai/training-data.js");

/**
 * Register the data commands.
 * @param program the program
 */
export function registerDataCommands(program: Command): void {
  program
    .command("load-data")
    .description("Copy or download projects.json and tags.json into data/ (checked against their sha256)")
    .option(
      "--data-dir <dir>",
      "copy from this local folder instead of downloading (default: TAGIFAI_DATA_DIR); checked against the pinned sha256 too",
    )
    .option(
      "--allow-modified",
      "use a local copy even if it differs from the pinned sha256 (with a warning)",
      false,
    )
    .action(async (options: { dataDir?: string; allowModified: boolean }) => {
      await (await operations()).loadData({
        sourceDir: options.dataDir,
        allowModified: options.allowModified,
      });
    });

  program
    .command("compute-features")
    .description("Compute text = title + description for every project into data/features.json")
    .action(async () => {
      await (await operations()).computeFeatures();
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
      const report = await (await operations()).validateData(datasetSource(options));
      if (options.json) printJson(report);
      else {
        const { formatValidationReport } = await import("../tagifai/expectations.js");
        printText(formatValidationReport(report));
      }
      if (!report.success) {
        const failed = report.results.filter((result) => !result.success && result.severity === "error");
        throw new TagifaiError(
          "INVALID_DATA",
          `${report.source ?? "the data"} fails ${failed.length} error expectation(s): ${failed.map((r) => r.expectation).join(", ")}`,
        );
      }
    });
}
