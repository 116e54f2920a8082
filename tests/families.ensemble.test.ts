/**
 * The ensemble family's specifics: the weighted blend of any number of members, weights chosen on the
 * validation split and saved with the model, and how its params section refuses members it cannot
 * train.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { loadArtifactsFromDir, saveArtifacts } from "../src/tagifai/artifacts.js";
import { loadDataset } from "../src/tagifai/data.js";
import { blendProbabilities } from "../src/tagifai/families/ensemble/blend.js";
import { ENSEMBLE_FILE } from "../src/tagifai/families/ensemble/loader.js";
import { chooseWeights, simplexGrid } from "../src/tagifai/families/ensemble/weights.js";
import { thresholdTuningSchema } from "../src/tagifai/families/thresholds.js";
import { FAMILIES } from "../src/tagifai/families.js";
import { loadParams, parseParams } from "../src/tagifai/params.js";
import { train } from "../src/tagifai/train.js";
import { BYO_CNN_OVERRIDES, BYO_DIR, BYO_TRAIN_OVERRIDES } from "./helpers/byo.js";
import { withCnn } from "./helpers/params.js";

describe("blendProbabilities", () => {
  it("averages members by weight, the weights divided by their sum", () => {
    const [two] = blendProbabilities([
      { probabilities: [[0.2, 1]], weight: 0.25 },
      { probabilities: [[0.6, 0]], weight: 0.75 },
    ]);
    expect(two[0]).toBeCloseTo(0.5, 12);
    expect(two[1]).toBeCloseTo(0.25, 12);
    const [three] = blendProbabilities([
      { probabilities: [[0.3]], weight: 2 },
      { probabilities: [[0.6]], weight: 1 },
      { probabilities: [[0.9]], weight: 1 },
    ]);
    expect(three[0]).toBeCloseTo(0.525, 12);
  });

  it("refuses mismatched shapes and weights that cannot be normalized", () => {
    expect(() =>
      blendProbabilities([
        { probabilities: [[0.2]], weight: 1 },
        { probabilities: [[0.6, 0]], weight: 1 },
      ]),
    ).toThrow(/Row 0/);
    expect(() =>
      blendProbabilities([
        { probabilities: [[0.2]], weight: 0 },
        { probabilities: [[0.6]], weight: 0 },
      ]),
    ).toThrow(/weights/);
    expect(() => blendProbabilities([])).toThrow(/zero members/);
  });
});

describe("ensemble weights chosen on validation", () => {
  it("tries every blend on a grid of tenths over the simplex", () => {
    expect(simplexGrid(1)).toEqual([[1]]);
    const two = simplexGrid(2);
    expect(two).toHaveLength(11);
    expect(two[0]).toEqual([1, 0]);
    expect(two.at(-1)).toEqual([0, 1]);
    const three = simplexGrid(3);
    expect(three).toHaveLength(66);
    for (const weights of three) expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("gives all the weight to a member that is right on validation over one that is wrong", () => {
    const valY = [
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 1],
    ];
    const right = valY.map((row) => row.map((v) => (v ? 0.9 : 0.1)));
    const wrong = valY.map((row) => row.map((v) => (v ? 0.1 : 0.9)));
    const { weights, candidates } = chooseWeights(
      [0.5, 0.5],
      [wrong, right],
      valY,
      "multi-label",
      thresholdTuningSchema.parse({}),
    );
    expect(candidates[0].weights).toEqual([0.5, 0.5]);
    expect(weights[1]).toBeGreaterThan(weights[0]);
    expect(candidates.find((c) => c.weights === weights)?.valF1).toBe(1);
  });

  it("keeps the given weights when no blend scores better on validation", () => {
    const valY = [[1], [0]];
    const same = [[0.8], [0.2]];
    const { weights } = chooseWeights(
      [3, 1],
      [same, same],
      valY,
      "multi-class",
      thresholdTuningSchema.parse({}),
    );
    expect(weights).toEqual([0.75, 0.25]);
  });

  it("saves the chosen weights with the model, and refuses a weights file that does not fit", async () => {
    const dataset = loadDataset(join(BYO_DIR, "train.csv"), {
      textFields: ["title", "description"],
      labelField: "tag",
    });
    const params = parseParams({
      ...withCnn(loadParams(TEST_PARAMS_FP), { ...BYO_CNN_OVERRIDES, num_epochs: 2 }),
      ...BYO_TRAIN_OVERRIDES,
      model: "ensemble",
    });
    const result = await train(params, dataset);
    const dir = join(mkdtempSync(join(tmpdir(), "tagifai-ensemble-")), "run");
    await saveArtifacts(dir, result.artifacts, result.performance);
    result.artifacts.model.dispose();
    const file = join(dir, ENSEMBLE_FILE);
    const { weights } = JSON.parse(readFileSync(file, "utf8")) as { weights: number[] };
    expect(weights).toHaveLength(2);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (const bad of [{ weights: [1] }, { weights: [-1, 2] }, { weights: [0, 0] }]) {
      writeFileSync(file, JSON.stringify(bad));
      await expect(loadArtifactsFromDir(dir)).rejects.toMatchObject({ code: "INVALID_ARTIFACTS" });
    }
  }, 60_000);
});

describe("ensemble params", () => {
  const schema = FAMILIES.ensemble.configSchema;

  it("defaults to the CNN and the linear model, weights chosen on validation from half each", () => {
    expect(schema.parse({}).members).toEqual([
      { model: "cnn", weight: 0.5 },
      { model: "linear", weight: 0.5 },
    ]);
    expect(schema.parse({}).weights).toBe("validation");
  });

  it("takes any registered family except itself, each once, with weights not all 0", () => {
    expect(schema.safeParse({ members: [{ model: "linear", weight: 1 }] }).success).toBe(true);
    const messages = (members: unknown) => {
      const result = schema.safeParse({ members });
      return result.success ? [] : result.error.issues.map((issue) => issue.message);
    };
    expect(messages([{ model: "svm", weight: 1 }])[0]).toMatch(/unknown model family "svm".*cnn, linear$/);
    expect(messages([{ model: "ensemble", weight: 1 }])[0]).toMatch(/cannot be its own member/);
    expect(
      messages([
        { model: "cnn", weight: 1 },
        { model: "cnn", weight: 1 },
      ])[0],
    ).toMatch(/already a member/);
    expect(messages([{ model: "cnn", weight: 0 }])[0]).toMatch(/not all be 0/);
    expect(FAMILIES.ensemble.uses?.(schema.parse({}))).toEqual(["cnn", "linear"]);
  });
});
