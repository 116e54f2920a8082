import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { computeFeatures, loadProjects, loadTags } from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import { loadParams, parseParams } from "../src/tagifai/params.js";
import { createPlateauScheduler, referenceDataset, train } from "../src/tagifai/train.js";
import { withCnn } from "./helpers/params.js";

const DATASET_DIR = resolve(process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");

describe("createPlateauScheduler", () => {
  it("cuts the learning rate only after more than `patience` epochs without improvement", () => {
    const scheduler = createPlateauScheduler({ lr: 1e-3, factor: 0.05, patience: 2 });
    expect(scheduler.step(1.0)).toBe(1e-3);
    expect(scheduler.step(0.9)).toBe(1e-3);
    expect(scheduler.step(0.95)).toBe(1e-3);
    expect(scheduler.step(0.9)).toBe(1e-3);
    expect(scheduler.step(0.91)).toBeCloseTo(5e-5, 12);
    expect(scheduler.step(0.91)).toBeCloseTo(5e-5, 12);
  });

  it("treats a relative improvement under 1e-4 as no improvement", () => {
    const scheduler = createPlateauScheduler({ lr: 1, factor: 0.5, patience: 0 });
    scheduler.step(1);
    expect(scheduler.step(0.99999)).toBe(0.5);
  });
});

describe("train", () => {
  const dataset = referenceDataset(computeFeatures(loadProjects(DATASET_DIR)), loadTags(DATASET_DIR));
  const quick = withCnn(loadParams(TEST_PARAMS_FP), { num_epochs: 3, patience: 3 });

  it("trains, tunes the threshold and evaluates on the test split, deterministically", async () => {
    await setDevice("wasm");
    const first = await train(quick, dataset);
    const second = await train(quick, dataset);
    for (const result of [first, second]) result.artifacts.model.dispose();

    expect(first.history).toHaveLength(3);
    expect(first.history[2].train_loss).toBeLessThan(first.history[0].train_loss);
    expect(first.params.threshold).toBeGreaterThan(0);
    expect(first.params.threshold).toBeLessThan(1);
    expect(first.params.num_samples).toBeGreaterThan(100);
    expect(first.performance.overall.num_samples).toBeGreaterThan(10);
    expect(Object.keys(first.performance.class)).toEqual(first.artifacts.labelEncoder.classes);
    expect(second.history).toEqual(first.history);
    expect(second.performance).toEqual(first.performance);
  });

  it("stops early when the val loss stops improving and keeps the best epoch", async () => {
    const epochs: number[] = [];
    const result = await train(withCnn(quick, { num_epochs: 50, patience: 1, lr: 0.05 }), dataset, {
      onEpoch: ({ epoch }) => {
        epochs.push(epoch);
      },
    });
    result.artifacts.model.dispose();
    expect(epochs.length).toBeLessThan(50);
    expect(result.bestValLoss).toBe(Math.min(...result.history.map((m) => m.val_loss)));
  });

  it("scores validation with a refitted linear model's held-out probabilities", async () => {
    const linear = parseParams({ ...quick, model: "linear" }, "linear params");
    const plain = await train(linear, dataset);
    const refit = await train(parseParams({ ...linear, linear: { refit: true } }, "refit params"), dataset);
    for (const result of [plain, refit]) result.artifacts.model.dispose();
    // The refitted model has seen the validation rows; its validation scores are those of the model
    // chosen there before the refit, not of the refitted one.
    expect(refit.validation).toEqual(plain.validation);
    expect(refit.performance).not.toEqual(plain.performance);
  });

  it("refuses a configuration that leaves too few projects", async () => {
    await expect(train({ ...quick, min_tag_freq: 100_000 }, dataset)).rejects.toThrow(/too few to train/);
  });
});
