import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDevice } from "../src/tagifai/device.js";
import { TagifaiError } from "../src/tagifai/errors.js";
import {
  type Batch,
  type CnnConfig,
  type CnnModel,
  countParameters,
  initializeCnn,
  loadModel,
  saveModel,
} from "../src/tagifai/families/cnn/model.js";
import { folderReader, folderWriter } from "../src/tagifai/folder-io.js";
import { createRng } from "../src/tagifai/random.js";
import { randomBatch } from "./helpers/batches.js";

const small: CnnConfig = {
  vocabSize: 12,
  numClasses: 4,
  embeddingDim: 6,
  numFilters: 5,
  maxFilterSize: 4,
  hiddenDim: 7,
  dropoutP: 0.3,
};

const values = (tensor: tf.Tensor) => Array.from(tensor.dataSync());

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Logits and the gradient of a fixed random projection of them w.r.t. every variable. */
function logitsAndGrads(model: CnnModel, batch: Batch) {
  return tf.tidy(() => {
    const projection = tf.randomNormal([batch.shape[0], model.config.numClasses], 0, 1, "float32", 7);
    const loss = () =>
      tf.sum(tf.mul(model.logits(batch, { training: true, seed: 11 }), projection)) as tf.Scalar;
    const logits = model.logits(batch, { training: true, seed: 11 });
    const { grads } = tf.variableGrads(loss, model.variables);
    return { logits, grads: model.variables.map((variable) => grads[variable.name]) };
  });
}

function bceLoss(model: CnnModel, batch: Batch, labels: tf.Tensor2D, seed: number): tf.Scalar {
  const logits = model.logits(batch, { training: true, seed });
  const perCell = tf.add(
    tf.sub(tf.relu(logits), tf.mul(logits, labels)),
    tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
  );
  return tf.mean(perCell);
}

let dir: string;

beforeAll(async () => {
  await setDevice("wasm");
  dir = mkdtempSync(join(tmpdir(), "tagifai-models-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("initializeCnn", () => {
  it("runs on the wasm backend", () => {
    expect(tf.getBackend()).toBe("wasm");
  });

  it("gives logits [B, C], probabilities in (0, 1), and the expected parameter count", () => {
    const model = initializeCnn(small, 1);
    const batch = randomBatch(3, 10, small.vocabSize, 1);
    const logits = tf.tidy(() => model.logits(batch, { training: false }));
    expect(logits.shape).toEqual([3, 4]);
    const proba = model.predictProba(batch);
    expect(proba).toHaveLength(3);
    for (const row of proba) for (const p of row) expect(p > 0 && p < 1).toBe(true);
    const { vocabSize: V, embeddingDim: D, numFilters: F, hiddenDim: H, numClasses: C } = small;
    const conv = [1, 2, 3, 4].reduce((total, f) => total + f * D * F + F, 0);
    expect(countParameters(model)).toBe(V * D + conv + (4 * F * H + H) + (H * C + C));
    logits.dispose();
    model.dispose();
  });

  it("is deterministic per seed, with a zero pad row and PyTorch's init bounds", () => {
    const a = initializeCnn(small, 5);
    const b = initializeCnn(small, 5);
    const c = initializeCnn(small, 6);
    const wa = a.getWeights();
    const wb = b.getWeights();
    const wc = c.getWeights();
    expect(Object.keys(wa)).toEqual([
      "embeddings",
      ...[1, 2, 3, 4].flatMap((f) => [`conv${f}.kernel`, `conv${f}.bias`]),
      "fc1.kernel",
      "fc1.bias",
      "fc2.kernel",
      "fc2.bias",
    ]);
    for (const name of Object.keys(wa)) expect(values(wa[name])).toEqual(values(wb[name]));
    expect(values(wa["fc1.kernel"])).not.toEqual(values(wc["fc1.kernel"]));
    expect(values(wa.embeddings).slice(0, small.embeddingDim)).toEqual(new Array(small.embeddingDim).fill(0));
    const bound = 1 / Math.sqrt(3 * small.embeddingDim);
    const conv3 = values(wa["conv3.kernel"]);
    expect(Math.max(...conv3.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...conv3.map(Math.abs))).toBeGreaterThan(bound * 0.8);
    tf.dispose([wa, wb, wc]);
    for (const model of [a, b, c]) model.dispose();
  });

  it("refuses an invalid config and ids outside the vocabulary", () => {
    expect(() => initializeCnn({ ...small, numFilters: 0 }, 1)).toThrow(TagifaiError);
    const model = initializeCnn(small, 1);
    const bad: Batch = { data: Int32Array.from([1, 12]), shape: [1, 2] };
    expect(() => model.predictProba(bad)).toThrow(/Token id 12 at \[0, 1\]/);
    expect(() => model.predictProba({ data: new Int32Array(3), shape: [1, 2] })).toThrow(TagifaiError);
    model.dispose();
  });
});

describe("lookup and dense paths", () => {
  it.each([
    [{ ...small }, 4, 9],
    [{ ...small, maxFilterSize: 5, numFilters: 3, embeddingDim: 4 }, 3, 6],
    [{ ...small, maxFilterSize: 6, vocabSize: 5, numClasses: 2 }, 5, 13],
  ])("agree on logits and every gradient within 1e-4 (%#)", (config, batchSize, seqLen) => {
    const lookup = initializeCnn({ ...config, convPath: "lookup" }, 3);
    const dense = initializeCnn({ ...config, convPath: "dense" }, 3);
    const batch = randomBatch(batchSize, seqLen, config.vocabSize, seqLen);
    const a = logitsAndGrads(lookup, batch);
    const b = logitsAndGrads(dense, batch);
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-4);
    a.grads.forEach((grad, i) => {
      expect(grad.shape).toEqual(lookup.variables[i].shape);
      expect(maxAbsDiff(grad, b.grads[i])).toBeLessThan(1e-4);
    });
    const embeddingGrad = values(a.grads[0]);
    expect(embeddingGrad.slice(0, config.embeddingDim).every((g) => g === 0)).toBe(true);
    expect(embeddingGrad.some((g) => g !== 0)).toBe(true);
    tf.dispose([a, b]);
    lookup.dispose();
    dense.dispose();
  });

  it("predictProba agrees with sigmoid(logits) on both paths", () => {
    for (const convPath of ["lookup", "dense"] as const) {
      const model = initializeCnn({ ...small, convPath }, 4);
      const batch = randomBatch(4, 11, small.vocabSize, 2);
      const expected = tf.tidy(() => tf.sigmoid(model.logits(batch, { training: false })).arraySync());
      const proba = model.predictProba(batch);
      for (const [b, row] of proba.entries())
        for (const [c, p] of row.entries()) expect(p).toBeCloseTo(expected[b][c], 5);
      model.dispose();
    }
  });
});

describe("training", () => {
  it("keeps the pad row at zero through an Adam step, and predictProba sees the new weights", () => {
    const model = initializeCnn(small, 2);
    const batch = randomBatch(4, 12, small.vocabSize, 3);
    const labels = tf.tensor2d([1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1], [4, 4]);
    const before = model.predictProba(batch);
    const optimizer = tf.train.adam(0.05);
    optimizer.minimize(() => bceLoss(model, batch, labels, 1), false, model.variables);
    model.weightsChanged();
    const embeddings = values(model.variables[0]);
    expect(embeddings.slice(0, small.embeddingDim)).toEqual(new Array(small.embeddingDim).fill(0));
    expect(model.predictProba(batch)).not.toEqual(before);
    optimizer.dispose();
    labels.dispose();
    model.dispose();
  });

  it("overfits 8 fixed sequences: the loss drops clearly within a few dozen steps", () => {
    const config: CnnConfig = { ...small, numFilters: 8, hiddenDim: 16, dropoutP: 0.1 };
    const model = initializeCnn(config, 9);
    const batch = randomBatch(8, 16, config.vocabSize, 5);
    const rng = createRng(1);
    const labels = tf.tensor2d(
      Array.from({ length: 32 }, () => (rng() < 0.4 ? 1 : 0)),
      [8, 4],
    );
    const optimizer = tf.train.adam(0.01);
    const evalLoss = () => tf.tidy(() => bceLoss(model, batch, labels, 0).dataSync()[0]);
    const initial = evalLoss();
    let tensorsAfterFirstStep = 0;
    for (let step = 0; step < 40; step++) {
      optimizer.minimize(() => bceLoss(model, batch, labels, step), false, model.variables);
      model.weightsChanged();
      model.predictProba(batch);
      if (step === 0) tensorsAfterFirstStep = tf.memory().numTensors;
    }
    expect(evalLoss()).toBeLessThan(initial * 0.3);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    optimizer.dispose();
    labels.dispose();
    model.dispose();
  });
});

describe("saveModel / loadModel", () => {
  it("round-trips: the loaded model predicts identically", async () => {
    const model = initializeCnn(small, 8);
    const batch = randomBatch(5, 14, small.vocabSize, 6);
    const target = join(dir, "round-trip");
    await saveModel(model, folderWriter(target));
    const loaded = await loadModel(folderReader(target));
    expect(loaded.config).toEqual(model.config);
    expect(loaded.predictProba(batch)).toEqual(model.predictProba(batch));
    model.dispose();
    loaded.dispose();
  });

  it("names the missing or corrupt file", async () => {
    const model = initializeCnn(small, 8);
    const target = join(dir, "corrupt");
    await saveModel(model, folderWriter(target));
    model.dispose();
    writeFileSync(join(target, "model.weights.bin"), new Uint8Array(10));
    await expect(loadModel(folderReader(target))).rejects.toThrow(/model\.weights\.bin has 10 bytes/);
    writeFileSync(join(target, "model.json"), "{not json");
    await expect(loadModel(folderReader(target))).rejects.toMatchObject({
      code: "INVALID_ARTIFACTS",
      message: expect.stringContaining("model.json"),
    });
    await expect(loadModel(folderReader(join(dir, "nowhere")))).rejects.toMatchObject({
      code: "INVALID_ARTIFACTS",
    });
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    "refuses a weights file of the right size holding %s, naming the file",
    async (bad) => {
      const model = initializeCnn(small, 8);
      const target = join(dir, `non-finite-${bad}`);
      await saveModel(model, folderWriter(target));
      model.dispose();
      const file = join(target, "model.weights.bin");
      const bytes = readFileSync(file);
      bytes.writeFloatLE(bad, 4 * 17);
      writeFileSync(file, bytes);
      await expect(loadModel(folderReader(target))).rejects.toMatchObject({
        code: "INVALID_ARTIFACTS",
        message: expect.stringMatching(new RegExp(`${file}.*not a finite number`)),
      });
    },
  );
});
