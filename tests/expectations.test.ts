import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTags } from "../src/tagifai/data.js";
import {
  assertValidData,
  type ExpectationResult,
  expectNoDuplicateTextsAcrossSplits,
  formatValidationReport,
  PROJECTS_SPEC,
  type ValidationReport,
  validateDataset,
  validateDatasetFile,
} from "../src/tagifai/expectations.js";
import { DATASET_DIR, tempDir, thrownBy } from "./helpers/data.js";

const BYO_DIR = join(import.meta.dirname, "fixtures", "byo");
const projectsFp = join(DATASET_DIR, "projects.json");
const spec = { ...PROJECTS_SPEC, knownLabels: loadTags(DATASET_DIR).map((tag) => tag.tag) };

/** The result of the expectation whose name starts with `prefix`. */
function result(report: ValidationReport, prefix: string): ExpectationResult {
  const found = report.results.find((r) => r.expectation.startsWith(prefix));
  if (!found) throw new Error(`no expectation ${prefix}`);
  return found;
}

const failedNames = (report: ValidationReport) =>
  report.results.filter((r) => !r.success && r.severity === "error").map((r) => r.expectation);

describe("validateDatasetFile on the reference dataset", () => {
  it("meets every blocking expectation; unknown tags are only warnings", () => {
    const report = validateDatasetFile(projectsFp, spec);
    expect(report.success).toBe(true);
    expect(failedNames(report)).toEqual([]);
    const unknown = result(report, "expect_column_values_to_be_in_set(tags)");
    expect(unknown).toMatchObject({ severity: "warn", success: false });
    expect(unknown.details.examples[0]).toBe('"code" in 1357 records (first: record 0 (id 1))');
    expect(result(report, "expect_column_values_to_have_a_known_label").details.failed).toBe(136);
    expect(() => assertValidData(report)).not.toThrow();
  });
});

describe("validateDatasetFile on a corrupted copy", () => {
  let report: ValidationReport;
  beforeAll(() => {
    const projects = JSON.parse(readFileSync(projectsFp, "utf8"));
    delete projects[3].tags; // missing field
    projects[10].id = projects[9].id; // duplicate id
    projects[20].title = ""; // empty text
    projects[20].description = "  ";
    const fp = join(tempDir(), "projects.json");
    writeFileSync(fp, JSON.stringify(projects));
    report = validateDatasetFile(fp, spec);
  });

  it("fails, naming each broken expectation and record", () => {
    expect(report.success).toBe(false);
    expect(failedNames(report)).toEqual([
      "expect_records_to_have_columns(id, title, description, tags, created_on)",
      "expect_column_values_to_be_unique(id)",
      "expect_column_values_to_not_be_empty(title)",
      "expect_text_length_to_be_between(1, 10000)",
    ]);
    expect(result(report, "expect_records_to_have_columns").details).toEqual({
      checked: 2032,
      failed: 1,
      examples: ['record 3 (id 4): missing "tags"'],
    });
    expect(result(report, "expect_column_values_to_be_unique").details.examples).toEqual([
      'record 10 (id 10): same "id" as record 9 (id 10)',
    ]);
    expect(result(report, "expect_text_length").details.examples).toEqual([
      "record 20 (id 21): the text is empty",
    ]);
  });

  it("renders a readable report and stops training with the failures listed", () => {
    const text = formatValidationReport(report);
    expect(text.split("\n")[0]).toMatch(/: FAILED — \d+ of \d+ expectations met, 4 errors, 2 warnings$/);
    expect(text).toContain("✓ expect_column_values_to_be_of_type(title)");
    expect(text).toContain(
      '✗ expect_column_values_to_be_unique(id): no two records share an "id" (1 of 2032 fail)\n' +
        '    record 10 (id 10): same "id" as record 9 (id 10)',
    );
    expect(text).toContain("⚠ expect_column_values_to_be_in_set(tags) [warn]");
    const error = thrownBy(() => assertValidData(report));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toContain('record 3 (id 4): missing "tags"');
    expect(error.message).not.toContain("✓");
  });
});

describe("validateDataset", () => {
  const byo = { textFields: ["title", "description"], labelField: "tag" };

  it("passes the BYO CSV fixture, naming records by line", () => {
    const report = validateDatasetFile(join(BYO_DIR, "train.csv"), byo);
    expect(report.success).toBe(true);
    expect(report.results.every((r) => r.success)).toBe(true);
    const broken = validateDatasetFile(writeCsv("title,description,tag\nok,fine,a\n,,b\n"), byo);
    expect(result(broken, "expect_text_length").details.examples).toEqual(["line 3: the text is empty"]);
  });

  it("reports records that are not objects and wrong types without crashing", () => {
    const report = validateDataset([{ title: 5, description: "d", tag: ["x"] }, null, "x"], byo);
    expect(result(report, "expect_records_to_have_columns").details.examples).toEqual([
      "record 1: expected an object, got null",
      "record 2: expected an object, got string",
    ]);
    expect(result(report, "expect_column_values_to_be_of_type(title)").details.examples).toEqual([
      'record 0: "title" is a number (5)',
    ]);
  });

  it("checks text length bounds, labels present and one label kind", () => {
    const records = [
      { title: "abc", description: "", tag: "x" },
      { title: "abcdefgh", description: "ij", tag: "x" },
      { title: "abc", description: "", tag: ["y"] },
      { title: "abc", description: "", tag: [] },
    ];
    const report = validateDataset(records, { ...byo, textLength: { min: 2, max: 10 } });
    expect(result(report, "expect_text_length_to_be_between(2, 10)").details.examples).toEqual([
      "record 1: the text has 11 characters",
    ]);
    expect(result(report, "expect_column_values_to_have_labels").details.examples).toEqual([
      'record 3: "tag" holds no label',
    ]);
    expect(result(report, "expect_column_values_to_have_one_label_kind").details.examples).toEqual([
      'record 2: "tag" is a list, but record 0 holds a string',
      'record 3: "tag" is a list, but record 0 holds a string',
    ]);
  });

  it("keeps at most 10 examples but counts every failure", () => {
    const records = Array.from({ length: 25 }, () => ({ title: " ", description: "d", tag: "x" }));
    const { details } = result(validateDataset(records, byo), "expect_column_values_to_not_be_empty");
    expect(details).toMatchObject({ checked: 25, failed: 25 });
    expect(details.examples).toHaveLength(10);
  });

  it("refuses an invalid spec", () => {
    expect(thrownBy(() => validateDataset([], { ...byo, textFields: [] }))).toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/^Invalid validation spec: textFields: /),
    });
  });
});

describe("expectNoDuplicateTextsAcrossSplits", () => {
  it("flags a text in two splits (ignoring case and spacing), not repeats within a split", () => {
    const ok = expectNoDuplicateTextsAcrossSplits({ train: ["a b", "a b"], test: ["c"] });
    expect(ok.success).toBe(true);
    const bad = expectNoDuplicateTextsAcrossSplits({
      train: ["Deep  Nets", "x"],
      val: ["y"],
      test: ["deep nets "],
    });
    expect(bad).toMatchObject({ success: false, severity: "error" });
    expect(bad.details).toEqual({ checked: 3, failed: 1, examples: ['"deep nets" is in train and test'] });
  });
});

function writeCsv(content: string): string {
  const fp = join(tempDir(), "data.csv");
  writeFileSync(fp, content);
  return fp;
}
