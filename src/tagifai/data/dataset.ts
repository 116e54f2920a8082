/**
 * Bring your own dataset: records from a CSV, JSON or JSONL file, mapped to `{id, text, labels}` by
 * naming the text fields and the label field. A label field holding one string per record makes a
 * multi-class task; one holding a list of strings makes a multi-label task.
 *
 * CSV cells are text, so a CSV label column is read as lists when any of its cells is a list: a JSON
 * array (`["nlp","pytorch"]`) or labels separated by `|` (`nlp|pytorch`). Then every cell of that
 * column is a list (a plain `nlp` is `["nlp"]`) and the task is multi-label; otherwise it is
 * multi-class.
 */
import { extname } from "node:path";
import { z } from "zod";
import { logger } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import { parseJsonText, readFileBytes } from "../files.js";
import { describeType } from "../schema.js";
import { readCsvText } from "./record-stream.js";

/** Schema of the column mapping of a dataset. */
export const datasetOptionsSchema = z.object({
  /** Fields joined with a space into the text the model reads, e.g. `["title", "description"]`. */
  textFields: z.array(z.string().min(1)).min(1),
  /** Field holding each record's label (a string) or labels (a list of strings). */
  labelField: z.string().min(1),
  /** Field holding a unique id (an integer or a non-empty string); default: the record's index. */
  idField: z.string().min(1).optional(),
});

/** How a dataset's columns map to text, labels and id. */
export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;

/** Schema of one loaded record. */
export const datasetRecordSchema = z.object({
  id: z.union([z.number().int(), z.string().min(1)]),
  text: z.string().min(1),
  labels: z.array(z.string().min(1)).min(1),
});

/** One loaded record: its id, its text and its labels (exactly one for a multi-class task). */
export type DatasetRecord = z.infer<typeof datasetRecordSchema>;

/** Kind of task a dataset's labels make. */
export type Task = "multi-label" | "multi-class";

/** A loaded dataset. */
export interface Dataset {
  task: Task;
  records: DatasetRecord[];
}

/** File formats a dataset may come in, by extension. */
export type DatasetFormat = "csv" | "json" | "jsonl";

/** The records of a dataset file, unvalidated, and where each came from. */
export interface RawDataset {
  source: string;
  format: DatasetFormat;
  records: unknown[];
  /** Line of the file each record starts on (CSV and JSONL only). */
  lines?: number[];
  /** Lines holding bytes that are not UTF-8 (read as U+FFFD, "�"), in order; empty for a clean file. */
  nonUtf8Lines: number[];
}

const FORMATS: Record<string, DatasetFormat> = { ".csv": "csv", ".json": "json", ".jsonl": "jsonl" };

/** Most invalid records listed in one error. */
const MAX_LISTED = 10;

/**
 * Read a dataset file's records without validating them (so a corrupted file can be reported on
 * record by record). CSV: the first row is the header; each further row becomes an object of its
 * cells (a row with fewer cells than the header lacks the last fields). JSON: an array of records.
 * JSONL: one record per non-blank line. A leading BOM is ignored in every format; bytes that are not
 * UTF-8 are read as U+FFFD and logged as a warning naming their lines (see `nonUtf8Lines`).
 * @param filePath a `.csv`, `.json` or `.jsonl` file
 * @param options `labelField`: a CSV column whose cells may hold lists (see the module comment)
 * @returns the records, the format and, for CSV and JSONL, each record's line
 * @throws TagifaiError DATA_NOT_FOUND (unreadable file), INVALID_INPUT (unknown extension),
 *   INVALID_DATA (malformed CSV or JSON, JSON that is not an array, a CSV row with too many cells)
 */
export function readRawDataset(filePath: string, options: { labelField?: string } = {}): RawDataset {
  const format = FORMATS[extname(filePath).toLowerCase()];
  if (!format)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Cannot read ${filePath}: unknown dataset format, expected a .csv, .json or .jsonl file`,
    );
  const { text, nonUtf8Lines } = decodeUtf8(readFileBytes(filePath, "DATA_NOT_FOUND"));
  if (nonUtf8Lines.length > 0) logger.warn(nonUtf8Warning(filePath, nonUtf8Lines));
  if (format === "csv") return { ...readCsvRecords(text, filePath, options.labelField), nonUtf8Lines };
  if (format === "jsonl") return { ...readJsonlRecords(text, filePath), nonUtf8Lines };
  const records = parseJsonText(text.replace(/^\uFEFF/, ""), filePath, "INVALID_DATA");
  if (!Array.isArray(records))
    throw new TagifaiError(
      "INVALID_DATA",
      `${filePath}: expected an array of records, got ${describeType(records)}`,
    );
  return { source: filePath, format, records, nonUtf8Lines };
}

/**
 * A file's bytes as UTF-8 text, and the lines holding bytes that are not UTF-8 (each replaced by
 * U+FFFD, as `Buffer.toString` does, but reported rather than silently).
 */
function decodeUtf8(bytes: Buffer): { text: string; nonUtf8Lines: number[] } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), nonUtf8Lines: [] };
  } catch {
    const text = bytes.toString("utf8");
    const nonUtf8Lines = text
      .split(/\r\n|\r|\n/)
      .flatMap((line, i) => (line.includes("\uFFFD") ? [i + 1] : []));
    return { text, nonUtf8Lines };
  }
}

/**
 * The warning for a file holding bytes that are not UTF-8.
 * @param source the file
 * @param lines the lines holding them (the first 10 are named)
 */
export function nonUtf8Warning(source: string, lines: readonly number[]): string {
  const named = lines.slice(0, MAX_LISTED).join(", ") + (lines.length > MAX_LISTED ? ", …" : "");
  return `${source}: ${lines.length} line${lines.length === 1 ? "" : "s"} (${named}) hold bytes that are not UTF-8, read as "\uFFFD": save the file as UTF-8`;
}

/**
 * Refuse to train on a dataset whose records all carry the same single label: a classifier needs
 * at least two classes (one class would "train" and score a meaningless F1 of 1.0).
 * @param dataset the loaded dataset
 * @param source where it came from, named in the error
 * @throws TagifaiError INVALID_DATA naming the one class
 */
export function assertTwoClasses(dataset: Dataset, source: string): void {
  const classes = new Set(dataset.records.flatMap((record) => record.labels));
  if (classes.size >= 2) return;
  const only = classes.size === 0 ? "no label" : `only the label ${JSON.stringify([...classes][0])}`;
  throw new TagifaiError("INVALID_DATA", `${source} has ${only}: a classifier needs at least two classes`);
}

/**
 * Where a record is in its file, for messages.
 * @param raw the dataset read by `readRawDataset`
 * @param index the record's index
 * @returns e.g. `line 5` (CSV, JSONL) or `record 3` (JSON)
 */
export function recordLocation(raw: RawDataset, index: number): string {
  return raw.lines ? `line ${raw.lines[index]}` : `record ${index}`;
}

/**
 * Load a dataset file as `{id, text, labels}` records: `text` is the text fields joined by a space,
 * `labels` the label field (a string → `[label]`, multi-class; a list → multi-label, duplicates
 * removed). Labels are trimmed. Every invalid record is reported at once.
 * @param filePath a `.csv`, `.json` or `.jsonl` file
 * @param options the text fields, the label field and the optional id field
 * @returns the task and the records, in file order
 * @throws TagifaiError INVALID_DATA listing (up to 10) invalid records with the file, line or record,
 *   field and problem: a missing field, a wrong type, an empty text, a missing or empty label, mixed
 *   string and list labels, a duplicate id; or for a file without records. Otherwise as `readRawDataset`.
 */
export function loadDataset(filePath: string, options: DatasetOptions): Dataset {
  return datasetFromRaw(readRawDataset(filePath, options), options);
}

/**
 * The records of a dataset file already read (see `loadDataset`, which reads it first): a caller that
 * also validates the file reads it once.
 * @param raw the file as `readRawDataset` read it
 * @param options the text fields, the label field and the optional id field
 * @returns the task and the records, in file order
 * @throws TagifaiError INVALID_DATA as `loadDataset`
 */
export function datasetFromRaw(raw: RawDataset, options: DatasetOptions): Dataset {
  const filePath = raw.source;
  if (raw.records.length === 0) throw new TagifaiError("INVALID_DATA", `${filePath} holds no records`);
  const intern = interner();
  const parsed = raw.records.map((value, index) => parseRecord(value, index, options, intern));
  const valid = parsed.filter((record) => typeof record !== "string");
  const task = valid[0]?.task;
  const firstIndexById = new Map<string | number, number>();
  const problems = parsed.flatMap((record, index) => {
    const found = typeof record === "string" ? [record] : [];
    if (typeof record !== "string") {
      const firstIndex = firstIndexById.get(record.id);
      if (firstIndex === undefined) firstIndexById.set(record.id, index);
      else
        found.push(`duplicate id ${JSON.stringify(record.id)} (first at ${recordLocation(raw, firstIndex)})`);
      if (record.task !== task)
        found.push(
          `field "${options.labelField}" holds ${record.task === "multi-class" ? "a string" : "a list"} but earlier records hold ${task === "multi-class" ? "strings" : "lists"} (mixed string/list labels)`,
        );
    }
    return found.length > 0 ? [`${recordLocation(raw, index)}: ${found.join("; ")}`] : [];
  });
  if (problems.length > 0 || task === undefined) throw invalidRecordsError(filePath, problems);
  return { task, records: valid.map(({ id, text, labels }) => ({ id, text, labels })) };
}

/** One record parsed, or a description of what is wrong with it. */
function parseRecord(
  value: unknown,
  index: number,
  options: DatasetOptions,
  intern: Interner,
): (DatasetRecord & { task: Task }) | string {
  if (!isRecord(value)) return `expected an object, got ${describeType(value)}`;
  const input = recordInput(value, index, options);
  const labels = parseLabels(value, options.labelField, intern);
  const problems = [input, labels].filter((part) => typeof part === "string");
  if (typeof input === "string" || typeof labels === "string") return problems.join("; ");
  return { ...input, ...labels };
}

/** The fields that make a record's input (a `DatasetOptions` without its label field). */
export interface InputFields {
  /** Fields joined with a space into the text the model reads. */
  textFields: string[];
  /** Field holding a unique id (an integer or a non-empty string); default: the record's index. */
  idField?: string;
}

/**
 * A record's id and text (its text fields joined by a space), without its labels: what a model
 * predicts from.
 * @param value the record as read from the file
 * @param index its position in the file (0-based): the id when there is no id field
 * @param fields the text fields and the optional id field
 * @returns the id and the text, or what is wrong with the record (a missing field, a wrong type, an
 *   empty text)
 */
export function recordInput(
  value: unknown,
  index: number,
  fields: InputFields,
): { id: string | number; text: string } | string {
  if (!isRecord(value)) return `expected an object, got ${describeType(value)}`;
  const problems: string[] = [];
  const texts = fields.textFields.map((field) => {
    const problem = fieldProblem(value, field, (v) => typeof v === "string", "a string");
    if (problem) problems.push(problem);
    return typeof value[field] === "string" ? value[field] : "";
  });
  // Concatenated, not joined: the result refers to the cells (slices of the file's text) instead of
  // copying every text once more while the file's records are still held.
  const text = texts.reduce((joined, part) => `${joined} ${part}`);
  if (problems.length === 0 && !texts.some((part) => NOT_BLANK.test(part)))
    problems.push(`empty text (${fields.textFields.map((field) => `"${field}"`).join(", ")} all blank)`);
  const id = fields.idField ? value[fields.idField] : index;
  if (fields.idField) {
    const problem = fieldProblem(value, fields.idField, isId, "an integer or a non-empty string");
    if (problem) problems.push(problem);
  }
  if (problems.length > 0 || !isId(id)) return problems.join("; ");
  return { id, text };
}

/** A record's labels and the task they make, or what is wrong with them. */
function parseLabels(
  record: Record<string, unknown>,
  field: string,
  intern: Interner,
): { labels: string[]; task: Task } | string {
  const value = record[field];
  if (!(field in record)) return `field "${field}" is missing`;
  if (typeof value === "string")
    return value.trim() === ""
      ? `field "${field}" is empty (no label)`
      : { labels: [intern(value.trim())], task: "multi-class" };
  if (!Array.isArray(value))
    return `field "${field}" expected a string or a list of strings, got ${describeType(value)}`;
  const bad = value.findIndex((label) => typeof label !== "string" || label.trim() === "");
  if (bad >= 0)
    return typeof value[bad] === "string"
      ? `field "${field}[${bad}]" is an empty label`
      : `field "${field}[${bad}]" expected a string, got ${describeType(value[bad])}`;
  if (value.length === 0) return `field "${field}" is an empty list (no label)`;
  // Duplicates dropped without a Set per record (a record has a handful of labels).
  const labels = value.map((label: string) => intern(label.trim()));
  return { labels: labels.filter((label, i) => labels.indexOf(label) === i), task: "multi-label" };
}

function fieldProblem(
  record: Record<string, unknown>,
  field: string,
  isValid: (value: unknown) => boolean,
  expected: string,
): string | undefined {
  if (!(field in record)) return `field "${field}" is missing`;
  if (!isValid(record[field]))
    return `field "${field}" expected ${expected}, got ${describeType(record[field])}`;
  return undefined;
}

/**
 * Whether a value can be a record id: an integer or a non-empty string.
 * @param value any value
 */
export function isId(value: unknown): value is string | number {
  return (
    (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && value !== "")
  );
}

/**
 * Whether a value is a plain record (an object, not an array or null).
 * @param value any value
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function invalidRecordsError(filePath: string, problems: readonly string[]): TagifaiError {
  const more = problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : "";
  const listed = problems
    .slice(0, MAX_LISTED)
    .map((problem) => `\n  ${problem}`)
    .join("");
  return new TagifaiError(
    "INVALID_DATA",
    `${filePath}: ${problems.length} invalid record${problems.length === 1 ? "" : "s"}:${listed}${more}`,
  );
}

function readCsvRecords(text: string, source: string, labelField?: string): Omit<RawDataset, "nonUtf8Lines"> {
  const { records, lines } = readCsvText(text, source);
  if (labelField !== undefined && records.some((record) => isListCell(record[labelField]))) {
    const intern = interner();
    records.forEach((record, r) => {
      const cell = record[labelField];
      if (typeof cell === "string")
        record[labelField] = parseListCell(cell, `${source} line ${lines[r]}`, labelField, intern);
    });
  }
  return { source, format: "csv", records, lines };
}

/** Something other than whitespace (tested on each text field: trimming the joined text would copy it). */
const NOT_BLANK = /\S/;

/** Returns one shared copy of each distinct string it is given. */
type Interner = (value: string) => string;

/**
 * A new interner: a dataset has few distinct labels but one copy of each per record otherwise (a
 * 200,000-row file held ~70 MB of label strings).
 */
function interner(): Interner {
  const seen = new Map<string, string>();
  return (value) => {
    const shared = seen.get(value);
    if (shared !== undefined) return shared;
    seen.set(value, value);
    return value;
  };
}

/** Whether a CSV cell holds a list: a JSON array or `|`-separated labels. */
function isListCell(cell: unknown): cell is string {
  return typeof cell === "string" && (cell.trim().startsWith("[") || cell.includes("|"));
}

/** A CSV cell as a list: a JSON array, or the `|`-separated non-blank pieces. */
function parseListCell(cell: string, where: string, field: string, intern: Interner): unknown {
  if (!cell.trim().startsWith("["))
    return cell
      .split("|")
      .map((label) => intern(label.trim()))
      .filter((label) => label !== "");
  return parseJsonText(cell, `${where} field "${field}"`, "INVALID_DATA");
}

function readJsonlRecords(text: string, source: string): Omit<RawDataset, "nonUtf8Lines"> {
  const records: unknown[] = [];
  const lines: number[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((content, i) => {
      if (content.trim() === "") return;
      records.push(parseJsonText(content, `${source} line ${i + 1}`, "INVALID_DATA"));
      lines.push(i + 1);
    });
  return { source, format: "jsonl", records, lines };
}
