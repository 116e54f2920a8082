/**
 * The options that name a bring-your-own dataset file and how its fields map to text, labels and id
 * (shared by train-model, validate-data, evaluate and optimize); `predict` takes the text and id
 * field options alone.
 */
import type { Command } from "commander";
import type { InputFields } from "../tagifai/data/dataset.js";
import type { DatasetSource } from "../tagifai/training-data.js";

/** The dataset options as commander parses them. */
export interface DatasetFlags extends InputFieldFlags {
  dataset?: string;
  labelField: string;
}

/**
 * Add the dataset options to a command.
 * @param command the command
 * @param required whether `--dataset` is required (else: default the reference projects)
 * @returns the command
 */
export function withDatasetOptions(command: Command, required = false): Command {
  const description = "a CSV, JSON or JSONL dataset file";
  return withInputFieldOptions(
    (required
      ? command.requiredOption("--dataset <file>", description)
      : command.option("--dataset <file>", `${description} (default: the reference projects)`)
    ).option(
      "--label-field <field>",
      "field holding the label (a string: multi-class) or labels (a list: multi-label)",
      "tags",
    ),
  );
}

/** The options naming a record's text fields and id field, as commander parses them. */
export interface InputFieldFlags {
  textFields: string;
  idField?: string;
}

/**
 * Add the options naming the fields a model reads (`--text-fields`, `--id-field`) to a command.
 * @param command the command
 * @returns the command
 */
export function withInputFieldOptions(command: Command): Command {
  return command
    .option("--text-fields <fields>", "comma-separated fields joined into the text", "title,description")
    .option("--id-field <field>", "field holding a unique id (default: the record's position)");
}

/**
 * The text fields and id field the options name.
 * @param flags the parsed options
 */
export function inputFields(flags: InputFieldFlags): InputFields {
  return {
    textFields: flags.textFields.split(",").map((field) => field.trim()),
    ...(flags.idField === undefined ? {} : { idField: flags.idField }),
  };
}

/**
 * The dataset the options name.
 * @param flags the parsed options
 * @returns the file and its field mapping, or undefined for the reference projects
 */
export function datasetSource(flags: DatasetFlags): DatasetSource | undefined {
  if (flags.dataset === undefined) return undefined;
  return { file: flags.dataset, labelField: flags.labelField, ...inputFields(flags) };
}
