/**
 * Results of data expectations, the report that gathers them, and its readable form.
 */
import { z } from "zod";
import { TagifaiError } from "../errors.js";

/** Failing examples kept per expectation. */
export const MAX_EXAMPLES = 10;

/** `error`: a failure blocks training; `warn`: a failure is reported but training goes on. */
export const severitySchema = z.enum(["error", "warn"]);

/** How much a failed expectation matters. */
export type Severity = z.infer<typeof severitySchema>;

/** Schema of one expectation's result. */
export const expectationResultSchema = z.object({
  /** Name, with its arguments, e.g. `expect_column_values_to_be_unique(id)`. */
  expectation: z.string(),
  /** What is expected, in words. */
  description: z.string(),
  severity: severitySchema,
  success: z.boolean(),
  details: z.object({
    /** How many items (records, labels, texts) were checked. */
    checked: z.number().int().nonnegative(),
    /** How many of them fail. */
    failed: z.number().int().nonnegative(),
    /** The first failures (at most MAX_EXAMPLES), e.g. `record 5 (id 3): title is empty`. */
    examples: z.array(z.string()),
  }),
});

/** One expectation's result: whether it holds, and which items break it. */
export type ExpectationResult = z.infer<typeof expectationResultSchema>;

/** Schema of a validation report. */
export const validationReportSchema = z.object({
  /** What was validated, e.g. a file path. */
  source: z.string().optional(),
  /** True when no expectation of severity `error` fails. */
  success: z.boolean(),
  results: z.array(expectationResultSchema),
});

/** The results of an expectation suite. */
export type ValidationReport = z.infer<typeof validationReportSchema>;

/**
 * Build the result of an expectation from its failures.
 * @param meta the expectation's name, description and severity
 * @param checked how many items were checked
 * @param failures one message per failing item, in order
 * @returns the result: success when there are no failures, with the first MAX_EXAMPLES failures
 */
export function expectationResult(
  meta: Pick<ExpectationResult, "expectation" | "description" | "severity">,
  checked: number,
  failures: readonly string[],
): ExpectationResult {
  return {
    ...meta,
    success: failures.length === 0,
    details: {
      checked,
      failed: failures.length,
      examples: failures.slice(0, MAX_EXAMPLES),
    },
  };
}

/**
 * Gather expectation results into a report.
 * @param results the results (e.g. the dataset's plus the splits')
 * @param source what was validated
 * @returns the report, successful when no `error` expectation fails
 */
export function toValidationReport(results: readonly ExpectationResult[], source?: string): ValidationReport {
  return {
    ...(source === undefined ? {} : { source }),
    success: results.every((result) => result.success || result.severity === "warn"),
    results: [...results],
  };
}

/**
 * Render a report as text: a summary line, then one line per expectation (✓ holds, ✗ fails and
 * blocks, ⚠ fails as a warning), each failure followed by its examples.
 * @param report the report
 * @param options `onlyFailures`: list only the failing expectations
 * @returns the text (lines joined by "\n", no trailing newline)
 */
export function formatValidationReport(
  report: ValidationReport,
  options: { onlyFailures?: boolean } = {},
): string {
  const failed = report.results.filter((result) => !result.success);
  const errors = failed.filter((result) => result.severity === "error").length;
  const lines = [
    `Data validation${report.source ? ` of ${report.source}` : ""}: ${report.success ? "PASSED" : "FAILED"} — ` +
      `${report.results.length - failed.length} of ${report.results.length} expectations met, ` +
      `${plural(errors, "error")}, ${plural(failed.length - errors, "warning")}`,
  ];
  for (const result of options.onlyFailures ? failed : report.results) {
    const { checked, failed: count, examples } = result.details;
    const mark = result.success ? "✓" : result.severity === "error" ? "✗" : "⚠";
    const outcome = result.success ? `${checked} checked` : `${count} of ${checked} fail`;
    const severity = result.severity === "warn" ? " [warn]" : "";
    lines.push(`${mark} ${result.expectation}${severity}: ${result.description} (${outcome})`);
    if (result.success) continue;
    lines.push(...examples.map((example) => `    ${example}`));
    if (count > examples.length) lines.push(`    … and ${count - examples.length} more`);
  }
  return lines.join("\n");
}

/**
 * Stop when a report has a failing `error` expectation (warnings never stop).
 * @param report the report
 * @throws TagifaiError INVALID_DATA listing the failing expectations with their examples
 */
export function assertValidData(report: ValidationReport): void {
  if (!report.success)
    throw new TagifaiError("INVALID_DATA", formatValidationReport(report, { onlyFailures: true }));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
