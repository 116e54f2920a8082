import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXCLUDED_TAGS } from "../src/config/config.js";
import { loadPerformanceFromDir } from "../src/tagifai/artifacts.js";
import {
  type BehavioralSuite,
  type BehavioralTestInput,
  BUILTIN_SUITE,
  behavioralSuiteSchema,
  formatBehavioralReport,
  loadSuite,
  type PredictFn,
  runBehavioralTests,
  swapVerb,
  typo,
} from "../src/tagifai/behavioral.js";
import { computeFeatures, loadProjects, loadTags, prepare } from "../src/tagifai/data.js";
import { DATASET_DIR, tempDir, thrownBy } from "./helpers/data.js";

/** A deterministic stand-in model: a tag for each keyword found in the text. */
const RULES: [RegExp, string][] = [
  [/transformer/i, "transformers"],
  [/pytorch/i, "pytorch"],
  [/tensorflow/i, "tensorflow"],
  [/image|vision|detection/i, "computer-vision"],
  [/text|language|sentiment/i, "natural-language-processing"],
];
const keywordPredict: PredictFn = (texts) =>
  texts.map((text) => RULES.filter(([pattern]) => pattern.test(text)).map(([, tag]) => tag));

function run(...tests: BehavioralTestInput[]) {
  return runBehavioralTests(behavioralSuiteSchema.parse({ tests }), keywordPredict);
}

describe("runBehavioralTests", () => {
  it("MFT: passes when expected tags are predicted and absent ones are not", () => {
    const report = run(
      {
        type: "mft",
        text: "Transformers for text",
        expected: ["transformers", "natural-language-processing"],
      },
      { type: "mft", text: "Transformers for images", expected: ["pytorch"], absent: ["computer-vision"] },
    );
    expect(report.results.map((r) => r.passed)).toEqual([true, false]);
    expect(report.results[1]).toEqual({
      name: "Transformers for images",
      type: "mft",
      passed: false,
      details: "predicted [transformers, computer-vision]; missing [pytorch]; unexpected [computer-vision]",
    });
  });

  it("INV: passes when perturbed texts keep the tag set, fails when one changes it", () => {
    const report = run(
      {
        type: "inv",
        name: "place",
        text: "Object detection in Paris",
        perturbed: ["Object detection in Tokyo"],
      },
      { type: "inv", name: "typo on keyword", text: "Transformers rock", perturbations: ["typo"] },
      { type: "inv", name: "verb", text: "We use PyTorch", perturbations: ["verb-swap"] },
    );
    expect(report.results.map((r) => r.passed)).toEqual([true, false, true]);
    expect(report.results[1].details).toBe('predicted [transformers]; typo "Transofrmers rock" → []');
  });

  it("INV: fails when a perturbation does not apply to the text", () => {
    const [result] = run({ type: "inv", text: "Images of cats", perturbations: ["verb-swap"] }).results;
    expect(result).toMatchObject({
      passed: false,
      details: "predicted [computer-vision]; verb-swap does not apply to this text",
    });
  });

  it("DIR: checks gained and lost tags, or any change", () => {
    const report = run(
      {
        type: "dir",
        name: "framework",
        text: "A TensorFlow implementation of X",
        perturbed: "A PyTorch implementation of X",
        gained: ["pytorch"],
        lost: ["tensorflow"],
      },
      {
        type: "dir",
        name: "already there",
        text: "PyTorch images",
        perturbed: "PyTorch text",
        gained: ["pytorch"],
      },
      { type: "dir", name: "no change", text: "PyTorch X", perturbed: "PyTorch Y" },
      { type: "dir", name: "any change", text: "PyTorch X", perturbed: "TensorFlow X" },
    );
    expect(report.results.map((r) => r.passed)).toEqual([true, false, false, true]);
    expect(report.results[0].details).toBe("[tensorflow] → [pytorch]");
    expect(report.results[1].details).toBe(
      "[pytorch, computer-vision] → [pytorch, natural-language-processing]; not gained [pytorch]",
    );
    expect(report.results[2].details).toBe("[pytorch] → [pytorch]; the tags did not change");
  });

  it("reports the pass rate and predicts each distinct text once, in one call", () => {
    const calls: string[][] = [];
    const suite = behavioralSuiteSchema.parse({
      name: "mine",
      tests: [
        { type: "mft", text: "PyTorch", expected: ["pytorch"] },
        { type: "mft", text: "PyTorch", expected: ["tensorflow"] },
        { type: "dir", text: "PyTorch", perturbed: "TensorFlow", gained: ["tensorflow"] },
        { type: "inv", text: "PyTorch", perturbed: ["pytorch"] },
      ],
    });
    const report = runBehavioralTests(suite, (texts) => {
      calls.push(texts);
      return keywordPredict(texts);
    });
    expect(calls).toEqual([["PyTorch", "TensorFlow", "pytorch"]]);
    expect(report).toMatchObject({ suite: "mine", total: 4, passed: 3, pass_rate: 0.75 });
  });

  it("refuses a prediction function that returns the wrong number of results", () => {
    const suite = behavioralSuiteSchema.parse({ tests: [{ type: "mft", text: "x", expected: ["y"] }] });
    expect(thrownBy(() => runBehavioralTests(suite, () => []))).toMatchObject({
      code: "INVALID_INPUT",
      message: "The prediction function returned 0 tag lists for 1 texts",
    });
  });
});

describe("perturbations", () => {
  it("typo swaps two adjacent letters in the middle of the longest word", () => {
    expect(typo("Transformers have revolutionized machine learning.")).toBe(
      "Transformers have revoluitonized machine learning.",
    );
    expect(typo("aaaa bb")).toBeUndefined();
  });

  it("swapVerb replaces the first listed verb, keeping a capital", () => {
    expect(swapVerb("We use CNNs and use GPUs")).toBe("We utilize CNNs and use GPUs");
    expect(swapVerb("Improves accuracy")).toBe("Enhances accuracy");
    expect(swapVerb("A user study")).toBeUndefined();
  });
});

describe("BUILTIN_SUITE", () => {
  it("has MFT, INV and DIR tests, all on tags the reference protocol learns", () => {
    const types = BUILTIN_SUITE.tests.map((test) => test.type);
    expect(new Set(types)).toEqual(new Set(["mft", "inv", "dir"]));
    expect(types.length).toBeGreaterThanOrEqual(10);
    const { tagCounts } = prepare(computeFeatures(loadProjects(DATASET_DIR)), {
      include: loadTags(DATASET_DIR).map((tag) => tag.tag),
      exclude: EXCLUDED_TAGS,
      minTagFreq: 30,
    });
    expect(tagCounts.size).toBe(35);
    const tags = BUILTIN_SUITE.tests.flatMap((test) =>
      test.type === "mft"
        ? [...test.expected, ...test.absent]
        : test.type === "dir"
          ? [...test.gained, ...test.lost]
          : [],
    );
    expect(tags.filter((tag) => !tagCounts.has(tag))).toEqual([]);
  });

  it("applies every built-in perturbation it uses", () => {
    const report = runBehavioralTests(BUILTIN_SUITE, (texts) => texts.map(() => []));
    const inv = report.results.filter((result) => result.type === "inv");
    expect(inv.length).toBeGreaterThan(0);
    expect(inv.every((result) => result.passed)).toBe(true);
  });

  it("formats a report with the pass rate, counts per type and one line per test", () => {
    const text = formatBehavioralReport(runBehavioralTests(BUILTIN_SUITE, keywordPredict));
    const lines = text.split("\n");
    expect(lines[0]).toMatch(
      /^Behavioral tests \(built-in\): \d+ of 16 passed \(\d+\.\d%\) — MFT \d+\/8, INV \d+\/4, DIR \d+\/4$/,
    );
    expect(lines).toHaveLength(17);
    expect(lines[1]).toBe("✓ [mft] transformers: predicted [transformers]");
  });
});

describe("loadSuite", () => {
  const writeSuite = (content: string): string => {
    const fp = join(tempDir(), "suite.json");
    writeFileSync(fp, content);
    return fp;
  };

  it("reads a suite file, filling in defaults", () => {
    const fp = writeSuite(
      JSON.stringify({
        tests: [
          { type: "mft", text: "PyTorch", expected: ["pytorch"] },
          { type: "inv", text: "x", perturbations: ["typo"] },
        ],
      }),
    );
    const suite: BehavioralSuite = loadSuite(fp);
    expect(suite.tests[0]).toEqual({ type: "mft", text: "PyTorch", expected: ["pytorch"], absent: [] });
    expect(suite.tests[1]).toEqual({ type: "inv", text: "x", perturbed: [], perturbations: ["typo"] });
  });

  it("names the file and the problem", () => {
    expect(thrownBy(() => loadSuite(join(tempDir(), "none.json")))).toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/none\.json: not found/),
    });
    expect(thrownBy(() => loadSuite(writeSuite("{"))).message).toMatch(/suite\.json is not valid JSON/);
    const invalid = (suite: unknown) => thrownBy(() => loadSuite(writeSuite(JSON.stringify(suite)))).message;
    expect(invalid({ tests: [] })).toMatch(/: tests: must hold at least one test, got array of 0/);
    expect(invalid({ tests: [{ type: "mft", text: "x", expected: "y" }] })).toMatch(
      /tests\[0\]\.expected: expected array, got string "y"/,
    );
    expect(invalid({ tests: [{ type: "mft", text: "x" }] })).toMatch(
      /tests\[0\]\.expected: needs at least one tag in expected or absent/,
    );
    expect(invalid({ tests: [{ type: "inv", text: "x", perturbations: ["shout"] }] })).toMatch(
      /tests\[0\]\.perturbations\[0\]: /,
    );
    expect(invalid({ tests: [{ type: "dir", text: "x", perturbed: "y", gain: ["z"] }] })).toMatch(
      /tests\[0\]\.gain: unknown key; did you mean gained\?/,
    );
    expect(invalid({ tests: [{ type: "xyz", text: "x" }] })).toMatch(/tests\[0\]\.type: /);
  });
});

describe("a stored behavioral report", () => {
  it("written before pass_rate was snake_case (passRate) still loads, as pass_rate", () => {
    const dir = tempDir();
    const overall = { precision: 1, recall: 1, f1: 1, num_samples: 1 };
    const behavioral = { suite: "old", total: 2, passed: 1, results: [] };
    writeFileSync(
      join(dir, "performance.json"),
      JSON.stringify({ overall, class: {}, slices: {}, behavioral: { ...behavioral, passRate: 0.5 } }),
    );
    expect(loadPerformanceFromDir(dir).behavioral).toEqual({ ...behavioral, pass_rate: 0.5 });
  });
});
