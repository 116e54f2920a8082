/**
 * Behavioral testing of a trained model (CheckList, Ribeiro et al. 2020): minimum functionality
 * (a clear text gets its obvious tag), invariance (a typo or a swapped verb changes nothing) and
 * directional expectations (changing the framework named moves the framework tag). Runs a suite
 * against any prediction function and reports the pass rate.
 */

import { PERTURBATIONS } from "./behavioral/perturbations.js";
import {
  type BehavioralReport,
  type BehavioralResult,
  type BehavioralSuite,
  type BehavioralTest,
  behavioralSuiteSchema,
} from "./behavioral/suite.js";
import { TagifaiError } from "./errors.js";
import { readJsonFile } from "./files.js";
import { parseWith } from "./schema.js";

export { BUILTIN_SUITE } from "./behavioral/builtin.js";
export { PERTURBATIONS, swapVerb, typo, VERB_SWAPS } from "./behavioral/perturbations.js";
export * from "./behavioral/suite.js";

/** Predicts each text's tags (e.g. a trained run's `predict`, keeping `predicted_tags`). */
export type PredictFn = (texts: string[]) => string[][];

/**
 * Run a behavioral suite. Every text of every test is predicted in one call (each distinct text
 * once). An invariance test whose built-in perturbation does not apply to its text (no word to
 * misspell, no listed verb) fails, saying so.
 * @param suite the tests
 * @param predictFn predicts the tags of each text, one list per text, in order
 * @returns the pass rate (passed / total), the counts and each test's outcome with details
 * @throws TagifaiError INVALID_INPUT when `predictFn` returns a different number of tag lists than texts
 */
export function runBehavioralTests(suite: BehavioralSuite, predictFn: PredictFn): BehavioralReport {
  const cases = suite.tests.map((test) => ({ test, variants: test.type === "inv" ? invVariants(test) : [] }));
  const texts = [...new Set(cases.flatMap(({ test, variants }) => textsOf(test, variants)))];
  const predictions = predictFn(texts);
  if (predictions.length !== texts.length)
    throw new TagifaiError(
      "INVALID_INPUT",
      `The prediction function returned ${predictions.length} tag lists for ${texts.length} texts`,
    );
  const tagsByText = new Map(texts.map((text, i) => [text, new Set(predictions[i])]));
  const predicted = (text: string): Set<string> => tagsByText.get(text)!;
  const results = cases.map(({ test, variants }): BehavioralResult => {
    const { passed, details } = check(test, variants, predicted);
    return { name: test.name ?? test.text, type: test.type, passed, details };
  });
  const passed = results.filter((result) => result.passed).length;
  return {
    ...(suite.name === undefined ? {} : { suite: suite.name }),
    pass_rate: passed / results.length,
    total: results.length,
    passed,
    results,
  };
}

/**
 * Read and validate a suite file (JSON: `{"name"?, "tests": [{"type": "mft" | "inv" | "dir", ...}]}`).
 * @param fp the file
 * @returns the suite, defaults filled in
 * @throws TagifaiError INVALID_INPUT when the file cannot be read, is not JSON, or does not match the
 *   schema (naming the field, e.g. `tests[2].expected: expected array, got string "x"`)
 */
export function loadSuite(fp: string): BehavioralSuite {
  return parseWith(behavioralSuiteSchema, readJsonFile(fp, "INVALID_INPUT"), {
    code: "INVALID_INPUT",
    what: `behavioral suite ${fp}`,
  });
}

/**
 * Render a report: a summary line with the pass rate and the counts per test type, then one line
 * per test (✓ / ✗, type, name, details).
 * @param report the report
 * @returns the text (lines joined by "\n", no trailing newline)
 */
export function formatBehavioralReport(report: BehavioralReport): string {
  const byType = (["mft", "inv", "dir"] as const)
    .map((type) => {
      const ofType = report.results.filter((result) => result.type === type);
      return ofType.length === 0
        ? ""
        : `${type.toUpperCase()} ${ofType.filter((result) => result.passed).length}/${ofType.length}`;
    })
    .filter((part) => part !== "");
  const title = `Behavioral tests${report.suite ? ` (${report.suite})` : ""}`;
  return [
    `${title}: ${report.passed} of ${report.total} passed (${(report.pass_rate * 100).toFixed(1)}%) — ${byType.join(", ")}`,
    ...report.results.map(
      (result) => `${result.passed ? "✓" : "✗"} [${result.type}] ${result.name}: ${result.details}`,
    ),
  ].join("\n");
}

/** A perturbed text of an INV test, or (`text` undefined) a perturbation that made none. */
type Variant = { label: string; text?: string };

type Outcome = { passed: boolean; details: string };
type Predicted = (text: string) => Set<string>;
type TestOf<K extends BehavioralTest["type"]> = Extract<BehavioralTest, { type: K }>;

/** An INV test's perturbed texts: the given ones, then those of its built-in perturbations. */
function invVariants(test: TestOf<"inv">): Variant[] {
  return [
    ...test.perturbed.map((text) => ({ label: "perturbed", text })),
    ...test.perturbations.map((name) => ({ label: name, text: PERTURBATIONS[name](test.text) })),
  ];
}

/** Every text a test needs predicted. */
function textsOf(test: BehavioralTest, variants: readonly Variant[]): string[] {
  return [
    test.text,
    ...(test.type === "dir" ? [test.perturbed] : []),
    ...variants.flatMap((variant) => variant.text ?? []),
  ];
}

function check(test: BehavioralTest, variants: readonly Variant[], predicted: Predicted): Outcome {
  switch (test.type) {
    case "mft":
      return checkMft(test, predicted);
    case "inv":
      return checkInv(test, variants, predicted);
    case "dir":
      return checkDir(test, predicted);
  }
}

/** Every expected tag predicted, no absent tag predicted. */
function checkMft(test: TestOf<"mft">, predicted: Predicted): Outcome {
  const tags = predicted(test.text);
  const missing = test.expected.filter((tag) => !tags.has(tag));
  const unexpected = test.absent.filter((tag) => tags.has(tag));
  return outcome(`predicted ${list(tags)}`, [
    missing.length > 0 && `missing ${list(missing)}`,
    unexpected.length > 0 && `unexpected ${list(unexpected)}`,
  ]);
}

/** Every variant predicted exactly the original's tag set. */
function checkInv(test: TestOf<"inv">, variants: readonly Variant[], predicted: Predicted): Outcome {
  const tags = predicted(test.text);
  const problems = variants.map((variant) => {
    if (variant.text === undefined) return `${variant.label} does not apply to this text`;
    const changed = predicted(variant.text);
    return sameSet(tags, changed)
      ? false
      : `${variant.label} ${JSON.stringify(variant.text)} → ${list(changed)}`;
  });
  return outcome(`predicted ${list(tags)}`, problems);
}

/** Gained tags only after, lost tags only before; with neither, the tag set changes. */
function checkDir(test: TestOf<"dir">, predicted: Predicted): Outcome {
  const before = predicted(test.text);
  const after = predicted(test.perturbed);
  const notGained = test.gained.filter((tag) => before.has(tag) || !after.has(tag));
  const notLost = test.lost.filter((tag) => !before.has(tag) || after.has(tag));
  const mustChange = test.gained.length + test.lost.length === 0;
  return outcome(`${list(before)} → ${list(after)}`, [
    notGained.length > 0 && `not gained ${list(notGained)}`,
    notLost.length > 0 && `not lost ${list(notLost)}`,
    mustChange && sameSet(before, after) && "the tags did not change",
  ]);
}

/** Pass when no problem; details are the summary, then the problems. */
function outcome(summary: string, problems: readonly (string | false)[]): Outcome {
  const failures = problems.filter((problem): problem is string => problem !== false);
  return { passed: failures.length === 0, details: [summary, ...failures].join("; ") };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((tag) => b.has(tag));
}

function list(tags: Iterable<string>): string {
  return `[${[...tags].join(", ")}]`;
}
