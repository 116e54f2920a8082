/**
 * The options that name a bring-your-own dataset file and how its fields map to text, labels and id
 * (shared by train-model, validate-data, evaluate and optimize).
 */
import type { Command } from "commander";
import type { DatasetSource } from "../tagifai/training-data.js";

/** The dataset options as commander parses them. */
export interface DatasetFlags {
  dataset?: string;
  textFields: string;
  labelField: string;
  idField?: string;
}

/**
 * Add the dataset options to a command.
 * @param command the command
 * @param required whether `--dataset` is required (else: default the reference projects)
 * @returns the command
 */
export function withDatasetOptions(command: Command, required = false): Command {
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

/**
 * The dataset the options name.
 * @param flags the parsed options
 * @returns the file and its field mapping, or undefined for the reference projects
 */
export function datasetSource(flags: DatasetFlags): DatasetSource | undefined {
  if (flags.dataset === undefined) return undefined;
  return {
    file: flags.dataset,
    textFields: flags.textFields.split(",").map((field) => field.trim()),
    labelField: flags.labelField,
    ...(flags.idField === undefined ? {} : { idField: flags.idField }),
  };
}
