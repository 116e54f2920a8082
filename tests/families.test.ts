/**
 * Model families through the one training pipeline: the linear model and the ensemble train end to
 * end on a subset of the reference data; every kind saves and loads to identical predictions; old
 * artifact folders are refused clearly; multi-class datasets train the CNN and the linear model.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { loadArtifactsFromDir, saveArtifacts } from "../src/tagifai/artifacts.js";
import {
  computeFeatures,
  encodeIndicators,
  loadDataset,
  loadProjects,
  loadTags,
  preprocess,
} from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import type { ModelKind } from "../src/tagifai/families.js";
import { loadParams, type Params } from "../src/tagifai/params.js";
import { predict } from "../src/tagifai/predict.js";
import { evaluateModel, referenceDataset, type TrainResult, train } from "../src/tagifai/train.js";
import { BYO_CNN_OVERRIDES, BYO_DIR, BYO_TRAIN_OVERRIDES } from "./helpers/byo.js";
import { withCnn } from "./helpers/params.js";
import { DATASET_DIR } from "./helpers/trained-run.js";

const dataset = referenceDataset(computeFeatures(loadProjects(DATASET_DIR)), loadTags(DATASET_DIR));
const quick: Params = withCnn(loadParams(TEST_PARAMS_FP), { num_epochs: 2, patience: 2 });
const TEXTS = [
  "Transfer learning with transformers for text classification using BERT",
  "Object detection in images with convolutional networks",
  "Reinforcement learning agents playing Atari games",
];

describe("model families on the reference data", () => {
  const results = new Map<ModelKind, TrainResult>();
  const home = mkdtempSync(join(tmpdir(), "tagifai-families-"));

  beforeAll(async () => {
    await setDevice("wasm");
    for (const model of ["cnn", "linear", "ensemble"] as const)
      results.set(model, await train({ ...quick, model }, dataset));
  }, 120_000);

  afterAll(() => {
    for (const result of results.values()) result.artifacts.model.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it("trains the linear model with val-tuned thresholds, and no epochs", () => {
    const linear = results.get("linear")!;
    expect(linear.artifacts.model.kind).toBe("linear");
    expect(linear.history).toEqual([]);
    expect(linear.bestValLoss).toBeUndefined();
    const classes = linear.artifacts.labelEncoder.classes;
    expect(linear.artifacts.model.thresholds).toHaveLength(classes.length);
    expect(Object.keys(linear.performance.thresholds ?? {})).toEqual(classes);
    expect(linear.performance.overall.f1).toBeGreaterThan(0.3);
  });

  it("trains the ensemble from both members, its F1 near or above the better member's", () => {
    const ensemble = results.get("ensemble")!;
    expect(ensemble.artifacts.model.kind).toBe("ensemble");
    expect(ensemble.history).toEqual(results.get("cnn")!.history);
    const members = ["cnn", "linear"].map((kind) => results.get(kind as ModelKind)!.performance.overall.f1);
    expect(ensemble.performance.overall.f1).toBeGreaterThan(Math.min(...members));
  });

  it("reports the evaluation depth: PR curves of at most 50 points, worst classes, confident mistakes", () => {
    const { performance, artifacts } = results.get("cnn")!;
    const curves = Object.values(performance.pr_curves ?? {});
    expect(curves.length).toBeGreaterThan(0);
    for (const curve of curves) {
      expect(curve.precision.length).toBeLessThanOrEqual(50);
      expect(curve.recall).toHaveLength(curve.precision.length);
      expect(curve.thresholds).toHaveLength(curve.precision.length);
    }
    const f1s = performance.worst_classes!.map((entry) => entry.f1);
    expect(f1s).toHaveLength(Math.min(5, artifacts.labelEncoder.classes.length));
    expect(f1s).toEqual([...f1s].sort((a, b) => a - b));
    expect(Math.min(...Object.values(performance.class).map((m) => m.f1))).toBe(f1s[0]);
    const mistakes = performance.confident_mistakes!;
    expect(mistakes.length).toBeGreaterThan(0);
    expect(mistakes[0].probability).toBeGreaterThanOrEqual(mistakes.at(-1)!.probability);
    for (const mistake of mistakes) expect(mistake.predicted).not.toEqual(mistake.true);
    expect(Object.keys(performance.slices)).toContain("overall");
    expect(new Set(Object.values(performance.thresholds ?? {})).size).toBe(1);
    expect(artifacts.model.thresholds[0]).toBe(artifacts.params.threshold);
  });

  it.each(["cnn", "linear", "ensemble"] as const)(
    "saves and loads a %s model that predicts identically",
    async (kind) => {
      const { artifacts, performance } = results.get(kind)!;
      const dir = join(home, kind);
      await saveArtifacts(dir, artifacts, performance);
      const loaded = await loadArtifactsFromDir(dir);
      try {
        expect(loaded.model.kind).toBe(kind);
        expect(loaded.model.thresholds).toEqual(artifacts.model.thresholds);
        expect(predict(TEXTS, loaded)).toEqual(predict(TEXTS, artifacts));
      } finally {
        loaded.model.dispose();
      }
    },
  );

  it("refuses an artifact folder saved before model families, naming the problem", async () => {
    const dir = join(home, "old");
    await saveArtifacts(dir, results.get("cnn")!.artifacts, results.get("cnn")!.performance);
    rmSync(join(dir, "family.json"));
    await expect(loadArtifactsFromDir(dir)).rejects.toMatchObject({
      code: "INVALID_ARTIFACTS",
      message: expect.stringMatching(/family\.json.*predate model families/),
    });
  });
});

describe("model families on a multi-class dataset", () => {
  const options = { textFields: ["title", "description"], labelField: "tag" };
  const byo = loadDataset(join(BYO_DIR, "train.csv"), options);
  const holdout = loadDataset(join(BYO_DIR, "holdout.csv"), options);
  const params: Params = { ...withCnn(quick, BYO_CNN_OVERRIDES), ...BYO_TRAIN_OVERRIDES };

  it.each(["cnn", "linear"] as const)(
    "trains a %s model that beats chance on the holdout",
    async (model) => {
      await setDevice("wasm");
      expect(byo.task).toBe("multi-class");
      const { artifacts, performance } = await train({ ...params, model }, byo);
      try {
        expect(artifacts.labelEncoder.type).toBe("multi-class");
        expect(performance.confusion_matrix?.labels).toEqual(artifacts.labelEncoder.classes);
        const scored = evaluateModel(artifacts.model, artifacts.labelEncoder, {
          texts: holdout.records.map((r) => preprocess(r.text, { lower: true, stem: false })),
          y: encodeIndicators(
            artifacts.labelEncoder,
            holdout.records.map((r) => r.labels),
          ),
        });
        expect(scored.accuracy).toBeGreaterThanOrEqual(0.7);
        expect(scored.macro?.f1).toBeGreaterThan(0.6);
        const matrix = scored.confusion_matrix!.matrix;
        expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(holdout.records.length);
        const [prediction] = predict(["Deep Q-learning agents for Atari games"], artifacts);
        expect(prediction.predicted_tags).toEqual(["reinforcement-learning"]);
        expect(Object.values(prediction.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      } finally {
        artifacts.model.dispose();
      }
    },
    60_000,
  );
});
