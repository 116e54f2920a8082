/**
 * Data validation in the spirit of Great Expectations: an expectation suite run over a dataset's raw
 * records (required columns, column types, unique ids, non-blank title, text length bounds, labels
 * present and of one kind, labels known) and over the splits (no text in two splits).
 *
 * Severities: every expectation is `error` (a failure blocks training) except the two about the known
 * label set, which are `warn`. The original pipeline keeps only known tags, and in the reference
 * `projects.json` most tag occurrences are outside `tags.json` and some projects have no known tag at
 * all; training drops those, so they are worth reporting but not worth stopping for.
 */
import type { z } from "zod";
import { isRecord, type RawDataset, readRawDataset, recordLocation } from "./data/dataset.js";
import {
  expectAKnownLabel,
  expectColumnsToExist,
  expectColumnTypes,
  expectConsistentLabelKind,
  expectKnownLabels,
  expectLabelsPresent,
  expectNonEmptyTitle,
  expectTextLength,
  expectUniqueIds,
  type SuiteContext,
  type ValidationSpec,
  validationSpecSchema,
} from "./expectations/checks.js";
import {
  type ExpectationResult,
  MAX_EXAMPLES,
  toValidationReport,
  type ValidationReport,
} from "./expectations/results.js";
import { parseWith } from "./schema.js";

export {
  expectNoDuplicateTextsAcrossSplits,
  type ValidationSpec,
  validationSpecSchema,
} from "./expectations/checks.js";
export {
  assertValidData,
  type ExpectationResult,
  expectationResultSchema,
  formatValidationReport,
  MAX_EXAMPLES,
  type Severity,
  toValidationReport,
  type ValidationReport,
  validationReportSchema,
} from "./expectations/results.js";

/** A validation spec as given: `extraFields` and `textLength` may be left to their defaults. */
export type ValidationSpecInput = z.input<typeof validationSpecSchema>;

/** The columns of the reference `projects.json` (add `knownLabels` from `tags.json`). */
export const PROJECTS_SPEC: ValidationSpecInput = {
  idField: "id",
  textFields: ["title", "description"],
  labelField: "tags",
  extraFields: ["created_on"],
};

/**
 * Run the expectation suite over a dataset's raw records.
 * @param records the records as read from the file (any values: a corrupted record is reported)
 * @param specInput the columns (id, text, label, extra), the known labels and the text length bounds
 *   (default 1..10,000 characters)
 * @param options `source`: what is validated, named in the report; `locate`: names a record's place
 *   (default `record <index>`); the id is added when the spec has an id field
 * @returns the report: one result per expectation, successful when no `error` expectation fails
 * @throws TagifaiError INVALID_INPUT for an invalid spec
 */
export function validateDataset(
  records: readonly unknown[],
  specInput: ValidationSpecInput,
  options: { source?: string; locate?: (index: number) => string } = {},
): ValidationReport {
  const spec = parseSpec(specInput);
  const locate = options.locate ?? ((index: number) => `record ${index}`);
  const ctx: SuiteContext = {
    records,
    spec,
    describe: (index) => locate(index) + idSuffix(records[index], spec),
  };
  const known = spec.knownLabels && new Set(spec.knownLabels);
  const results = [
    expectColumnsToExist(ctx),
    ...expectColumnTypes(ctx),
    ...(spec.idField ? [expectUniqueIds(ctx, spec.idField)] : []),
    expectNonEmptyTitle(ctx),
    expectTextLength(ctx),
    expectLabelsPresent(ctx),
    expectConsistentLabelKind(ctx),
    ...(known ? [expectKnownLabels(ctx, known), expectAKnownLabel(ctx, known)] : []),
  ];
  return toValidationReport(results, options.source);
}

/**
 * Read a dataset file (CSV, JSON or JSONL) and run the expectation suite over its records; records
 * are named by line (CSV, JSONL) or index (JSON).
 * @param filePath the file
 * @param spec as for `validateDataset`
 * @returns the report, with the file as its source
 * @throws TagifaiError when the file cannot be read or parsed at all (see `readRawDataset`)
 */
export function validateDatasetFile(filePath: string, spec: ValidationSpecInput): ValidationReport {
  return validateRawDataset(readRawDataset(filePath, spec), spec);
}

/**
 * Run the expectation suite over a dataset file already read (see `validateDatasetFile`, which reads
 * it first): a caller that also loads the file reads it once.
 * @param raw the file as `readRawDataset` read it
 * @param spec as for `validateDataset`
 * @returns the report, with the file as its source
 */
export function validateRawDataset(raw: RawDataset, spec: ValidationSpecInput): ValidationReport {
  const filePath = raw.source;
  const report = validateDataset(raw.records, spec, {
    source: filePath,
    locate: (index) => recordLocation(raw, index),
  });
  if (raw.nonUtf8Lines.length === 0) return report;
  const encoding: ExpectationResult = {
    expectation: "expect_file_to_be_utf8",
    description: "the file is UTF-8 text",
    severity: "warn",
    success: false,
    details: {
      checked: 1,
      failed: raw.nonUtf8Lines.length,
      examples: raw.nonUtf8Lines
        .slice(0, MAX_EXAMPLES)
        .map((line) => `line ${line}: bytes that are not UTF-8`),
    },
  };
  return toValidationReport([...report.results, encoding], filePath);
}

function parseSpec(specInput: ValidationSpecInput): ValidationSpec {
  return parseWith(validationSpecSchema, specInput, { code: "INVALID_INPUT", what: "validation spec" });
}

/** ` (id 3)` for a record with a printable id, else nothing. */
function idSuffix(record: unknown, spec: ValidationSpec): string {
  if (!spec.idField || !isRecord(record)) return "";
  const id = record[spec.idField];
  return typeof id === "number" || typeof id === "string" ? ` (${spec.idField} ${JSON.stringify(id)})` : "";
}
