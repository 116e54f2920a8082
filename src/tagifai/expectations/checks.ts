/**
 * The expectations of the data suite, each a small function over the raw records (or the split
 * texts) that returns its result. Records are unvalidated, so a corrupted file is reported on, not
 * crashed on: a record that is not an object, or lacks a field, is reported once by the columns
 * expectation and skipped by the expectations that need that field.
 */
import { z } from "zod";
import { datasetOptionsSchema, isId, isRecord } from "../data/dataset.js";
import { describeType } from "../schema.js";
import { type ExpectationResult, expectationResult } from "./results.js";

/** Schema of what the suite expects of a dataset: its columns and bounds. */
export const validationSpecSchema = datasetOptionsSchema.extend({
  /** Text field that must not be blank (default: the first text field). */
  titleField: z.string().min(1).optional(),
  /** Other required string fields, e.g. `created_on`. */
  extraFields: z.array(z.string().min(1)).default([]),
  /** The known label set; labels outside it are reported as a warning. */
  knownLabels: z.array(z.string()).optional(),
  /** Bounds of the text length (the text fields joined by a space, trimmed), in characters. */
  textLength: z
    .object({ min: z.number().int().nonnegative(), max: z.number().int().positive() })
    .refine(({ min, max }) => min <= max, "min must not exceed max")
    .default({ min: 1, max: 10_000 }),
});

/** What the suite expects of a dataset (defaults filled in). */
export type ValidationSpec = z.infer<typeof validationSpecSchema>;

/** What every record expectation reads. */
export interface SuiteContext {
  records: readonly unknown[];
  spec: ValidationSpec;
  /** Names a record in messages, e.g. `record 5 (id 3)` or `line 7 (id 3)`. */
  describe: (index: number) => string;
}

type Meta = Pick<ExpectationResult, "expectation" | "description" | "severity">;

/** Label kinds: one string per record (multi-class) or a list (multi-label). */
type LabelKind = "a string" | "a list";

/**
 * Every record is an object holding every required column (id, text fields, label, extra fields).
 * @param ctx the records, the spec and how to name a record
 * @returns one failure per record that is not an object or lacks columns
 */
export function expectColumnsToExist(ctx: SuiteContext): ExpectationResult {
  const columns = requiredColumns(ctx.spec);
  const failures = ctx.records.flatMap((record, index) => {
    if (!isRecord(record)) return [`${ctx.describe(index)}: expected an object, got ${describeType(record)}`];
    const missing = columns.filter((column) => !(column in record));
    return missing.length > 0 ? [`${ctx.describe(index)}: missing ${quoteAll(missing)}`] : [];
  });
  return expectationResult(
    {
      expectation: `expect_records_to_have_columns(${columns.join(", ")})`,
      description: "every record is an object with these fields",
      severity: "error",
    },
    ctx.records.length,
    failures,
  );
}

/**
 * Each present column holds the right type: the id an integer or non-empty string, text and extra
 * fields strings, the label a string or a list of strings.
 * @param ctx the records, the spec and how to name a record
 * @returns one result per column
 */
export function expectColumnTypes(ctx: SuiteContext): ExpectationResult[] {
  const { idField, textFields, labelField, extraFields } = ctx.spec;
  const columns: { field: string; expected: string; isValid: (value: unknown) => boolean }[] = [
    ...(idField ? [{ field: idField, expected: "an integer or a non-empty string", isValid: isId }] : []),
    ...[...textFields, ...extraFields].map((field) => ({ field, expected: "a string", isValid: isString })),
    {
      field: labelField,
      expected: "a string or a list of strings",
      isValid: (value: unknown) => labelKind(value) !== undefined,
    },
  ];
  return columns.map(({ field, expected, isValid }) =>
    eachRecord(
      {
        expectation: `expect_column_values_to_be_of_type(${field})`,
        description: `"${field}" is ${expected}`,
        severity: "error",
      },
      ctx,
      (record) => {
        if (!(field in record) || isValid(record[field])) return undefined;
        return `"${field}" is ${describeValue(record[field])}`;
      },
    ),
  );
}

/**
 * No two records share an id (only when the spec names an id field).
 * @param ctx the records, the spec and how to name a record
 * @param idField the id column
 * @returns one failure per record repeating an earlier record's id
 */
export function expectUniqueIds(ctx: SuiteContext, idField: string): ExpectationResult {
  const firstIndexByKey = new Map<string, number>();
  return eachRecord(
    {
      expectation: `expect_column_values_to_be_unique(${idField})`,
      description: `no two records share an "${idField}"`,
      severity: "error",
    },
    ctx,
    (record, index) => {
      if (!isId(record[idField])) return undefined;
      const key = `${typeof record[idField]}:${record[idField]}`;
      const firstIndex = firstIndexByKey.get(key);
      if (firstIndex === undefined) firstIndexByKey.set(key, index);
      return firstIndex === undefined ? undefined : `same "${idField}" as ${ctx.describe(firstIndex)}`;
    },
  );
}

/**
 * The title (the spec's `titleField`, default the first text field) is not blank.
 * @param ctx the records, the spec and how to name a record
 * @returns one failure per record with a blank title string
 */
export function expectNonEmptyTitle(ctx: SuiteContext): ExpectationResult {
  const field = ctx.spec.titleField ?? ctx.spec.textFields[0];
  return eachRecord(
    {
      expectation: `expect_column_values_to_not_be_empty(${field})`,
      description: `"${field}" is not blank`,
      severity: "error",
    },
    ctx,
    (record) => (isString(record[field]) && record[field].trim() === "" ? `"${field}" is blank` : undefined),
  );
}

/**
 * The text (text fields joined by a space, trimmed) has between `textLength.min` and
 * `textLength.max` characters.
 * @param ctx the records, the spec and how to name a record
 * @returns one failure per record whose text is too short or too long
 */
export function expectTextLength(ctx: SuiteContext): ExpectationResult {
  const { textFields, textLength } = ctx.spec;
  return eachRecord(
    {
      expectation: `expect_text_length_to_be_between(${textLength.min}, ${textLength.max})`,
      description: `the text (${textFields.join(" + ")}) has ${textLength.min} to ${textLength.max} characters`,
      severity: "error",
    },
    ctx,
    (record) => {
      const values = textFields.map((field) => record[field]);
      if (!values.every(isString)) return undefined;
      const length = values.join(" ").trim().length;
      if (length >= textLength.min && length <= textLength.max) return undefined;
      return length === 0 ? "the text is empty" : `the text has ${length} characters`;
    },
  );
}

/**
 * Each record has a label: a non-blank string, or a non-empty list of non-blank strings.
 * @param ctx the records, the spec and how to name a record
 * @returns one failure per record without a label
 */
export function expectLabelsPresent(ctx: SuiteContext): ExpectationResult {
  const field = ctx.spec.labelField;
  return eachRecord(
    {
      expectation: `expect_column_values_to_have_labels(${field})`,
      description: `"${field}" holds at least one non-blank label`,
      severity: "error",
    },
    ctx,
    (record) => {
      const labels = labelsOf(record[field]);
      if (labels === undefined) return undefined;
      if (labels.length === 0) return `"${field}" holds no label`;
      return labels.some((label) => label.trim() === "") ? `"${field}" holds a blank label` : undefined;
    },
  );
}

/**
 * All labels are of one kind: every record holds one string (multi-class) or every record a list
 * (multi-label); the first record with a label sets the kind.
 * @param ctx the records, the spec and how to name a record
 * @returns one failure per record of the other kind
 */
export function expectConsistentLabelKind(ctx: SuiteContext): ExpectationResult {
  const field = ctx.spec.labelField;
  let first: { kind: LabelKind; index: number } | undefined;
  return eachRecord(
    {
      expectation: `expect_column_values_to_have_one_label_kind(${field})`,
      description: `"${field}" is a string in every record or a list in every record`,
      severity: "error",
    },
    ctx,
    (record, index) => {
      const kind = labelKind(record[field]);
      if (kind === undefined) return undefined;
      first ??= { kind, index };
      return kind === first.kind
        ? undefined
        : `"${field}" is ${kind}, but ${ctx.describe(first.index)} holds ${first.kind}`;
    },
  );
}

/**
 * Every label is in the known set (a warning: the reference data has many tags outside tags.json,
 * which training simply drops).
 * @param ctx the records, the spec and how to name a record
 * @param known the known labels
 * @returns one failure per distinct unknown label, most frequent first, with its record count and
 *   first record; `checked` counts distinct labels
 */
export function expectKnownLabels(ctx: SuiteContext, known: ReadonlySet<string>): ExpectationResult {
  const field = ctx.spec.labelField;
  const seen = new Map<string, { count: number; first: number }>();
  ctx.records.forEach((record, index) => {
    if (!isRecord(record)) return;
    for (const label of new Set(labelsOf(record[field]))) {
      const entry = seen.get(label);
      if (entry) entry.count++;
      else seen.set(label, { count: 1, first: index });
    }
  });
  const failures = [...seen]
    .filter(([label]) => !known.has(label))
    .sort((a, b) => b[1].count - a[1].count)
    .map(
      ([label, { count, first }]) =>
        `"${label}" in ${count} record${count === 1 ? "" : "s"} (first: ${ctx.describe(first)})`,
    );
  return expectationResult(
    {
      expectation: `expect_column_values_to_be_in_set(${field})`,
      description: `every distinct label is one of the ${known.size} known labels`,
      severity: "warn",
    },
    seen.size,
    failures,
  );
}

/**
 * Each record has at least one known label (a warning: training drops records without one).
 * @param ctx the records, the spec and how to name a record
 * @param known the known labels
 * @returns one failure per record whose labels are all unknown
 */
export function expectAKnownLabel(ctx: SuiteContext, known: ReadonlySet<string>): ExpectationResult {
  const field = ctx.spec.labelField;
  return eachRecord(
    {
      expectation: `expect_column_values_to_have_a_known_label(${field})`,
      description: "at least one label is known (records without one are dropped for training)",
      severity: "warn",
    },
    ctx,
    (record) => {
      const labels = labelsOf(record[field]);
      if (labels === undefined || labels.length === 0 || labels.some((label) => known.has(label)))
        return undefined;
      return `no known label among ${quoteAll(labels)}`;
    },
  );
}

/**
 * No text appears in more than one split (compared trimmed, lowercased, with runs of whitespace as
 * one space), so no test sample was seen in training.
 * @param splits each split's texts by name, e.g. `{train, val, test}`
 * @returns one failure per text shared by splits, naming the splits
 */
export function expectNoDuplicateTextsAcrossSplits(
  splits: Readonly<Record<string, readonly string[]>>,
): ExpectationResult {
  const splitsOfText = new Map<string, Set<string>>();
  for (const [name, texts] of Object.entries(splits))
    for (const text of texts) {
      const key = text.trim().toLowerCase().replace(/\s+/g, " ");
      const names = splitsOfText.get(key) ?? new Set();
      splitsOfText.set(key, names.add(name));
    }
  const failures = [...splitsOfText]
    .filter(([, names]) => names.size > 1)
    .map(([text, names]) => `${JSON.stringify(truncate(text, 60))} is in ${[...names].join(" and ")}`);
  return expectationResult(
    {
      expectation: `expect_no_duplicate_texts_across_splits(${Object.keys(splits).join(", ")})`,
      description: "no text is in more than one split",
      severity: "error",
    },
    splitsOfText.size,
    failures,
  );
}

/** Run a check on every record that is an object; `checked` counts those records. */
function eachRecord(
  meta: Meta,
  ctx: SuiteContext,
  check: (record: Record<string, unknown>, index: number) => string | undefined,
): ExpectationResult {
  let checked = 0;
  const failures: string[] = [];
  ctx.records.forEach((record, index) => {
    if (!isRecord(record)) return;
    checked++;
    const problem = check(record, index);
    if (problem !== undefined) failures.push(`${ctx.describe(index)}: ${problem}`);
  });
  return expectationResult(meta, checked, failures);
}

/** The columns every record must hold, each once, in the spec's order. */
function requiredColumns(spec: ValidationSpec): string[] {
  const { idField, textFields, labelField, extraFields } = spec;
  return [...new Set([...(idField ? [idField] : []), ...textFields, labelField, ...extraFields])];
}

function labelKind(value: unknown): LabelKind | undefined {
  if (isString(value)) return "a string";
  return Array.isArray(value) && value.every(isString) ? "a list" : undefined;
}

/** A well-typed label value as a list (a string is one label); undefined for any other value. */
function labelsOf(value: unknown): string[] | undefined {
  const kind = labelKind(value);
  if (kind === undefined) return undefined;
  return kind === "a string" ? [value as string] : (value as string[]);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function describeValue(value: unknown): string {
  const type = describeType(value);
  if (type === "array" || type === "object") return `an ${type}`;
  return type === "null" ? "null" : `a ${type} (${truncate(JSON.stringify(value), 40)})`;
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(", ");
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
