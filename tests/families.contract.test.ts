/**
 * The model-family contract, run against every registered family (the registry's table is the loop):
 * on a small fixture (tests/fixtures/byo, as a multi-class task and as a multi-label one), a family
 * fits, saves and loads back to the same probabilities; refuses a bad params section naming the
 * path; honours an aborted signal; refuses a saved weights file holding a non-finite number; and
 * estimates the memory a fit needs, refusing (before allocating) what exceeds the budget.
 */
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { loadArtifactsFromDir, saveArtifacts } from "../src/tagifai/artifacts.js";
import { loadDataset, preprocess, type Task } from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import {
  assertFitsMemory,
  estimateFitMemory,
  FAMILIES,
  MODEL_KINDS,
  type ModelKind,
} from "../src/tagifai/families.js";
import { dataShape } from "../src/tagifai/memory.js";
import { loadParams, type Params, paramPath, parseParams } from "../src/tagifai/params.js";
import { type TrainingDataset, type TrainResult, train } from "../src/tagifai/train.js";
import { BYO_CNN_OVERRIDES, BYO_DIR, BYO_TRAIN_OVERRIDES } from "./helpers/byo.js";
import { withCnn } from "./helpers/params.js";

const multiClass = loadDataset(join(BYO_DIR, "train.csv"), {
  textFields: ["title", "description"],
  labelField: "tag",
});

/** The same records as a multi-label task: each keeps its topic and gains "tutorial" or "article". */
const multiLabel: TrainingDataset = {
  task: "multi-label",
  records: multiClass.records.map((record) => ({
    ...record,
    labels: [...record.labels, /tutorial/i.test(record.text) ? "tutorial" : "article"],
  })),
};

const DATASETS: Record<Task, TrainingDataset> = { "multi-class": multiClass, "multi-label": multiLabel };

/** Quick params for the fixture: few epochs for families trained by epochs. */
const base: Params = {
  ...withCnn(loadParams(TEST_PARAMS_FP), { ...BYO_CNN_OVERRIDES, num_epochs: 3 }),
  ...BYO_TRAIN_OVERRIDES,
};

const holdout = loadDataset(join(BYO_DIR, "holdout.csv"), {
  textFields: ["title", "description"],
  labelField: "tag",
}).records.map((r) => preprocess(r.text, { lower: true, stem: false }));

const home = join(tmpdir(), `tagifai-contract-${process.pid}`);

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe.each(MODEL_KINDS)("model family %s", (kind: ModelKind) => {
  const params = parseParams({ ...base, model: kind });

  describe.each(["multi-class", "multi-label"] as const)("on a %s fixture", (task) => {
    let result: TrainResult;
    const dir = join(home, kind, task);

    beforeAll(async () => {
      await setDevice("wasm");
      result = await train(params, DATASETS[task]);
      await saveArtifacts(dir, result.artifacts, result.performance);
    }, 60_000);

    afterAll(() => result?.artifacts.model.dispose());

    it("fits a model of its kind and task that predicts probabilities for every class", () => {
      const { model, labelEncoder } = result.artifacts;
      expect(model.kind).toBe(kind);
      expect(model.task).toBe(task);
      expect(model.thresholds).toHaveLength(task === "multi-label" ? labelEncoder.classes.length : 0);
      const probabilities = model.predictProba(holdout);
      expect(probabilities).toHaveLength(holdout.length);
      for (const row of probabilities) {
        expect(row).toHaveLength(labelEncoder.classes.length);
        for (const p of row) expect(p >= 0 && p <= 1).toBe(true);
      }
      expect(result.params[kind]).toEqual(FAMILIES[kind].configSchema.parse(params[kind] ?? {}));
    });

    it("saves and loads back to the same predictions", async () => {
      const loaded = await loadArtifactsFromDir(dir);
      try {
        expect(loaded.model.kind).toBe(kind);
        expect(loaded.model.thresholds).toEqual(result.artifacts.model.thresholds);
        const before = result.artifacts.model.predictProba(holdout);
        const after = loaded.model.predictProba(holdout);
        after.forEach((row, i) => {
          row.forEach((p, c) => {
            expect(Math.abs(p - before[i][c])).toBeLessThanOrEqual(1e-6);
          });
        });
      } finally {
        loaded.model.dispose();
      }
    });

    it("refuses to load a weights file holding a non-finite number, naming the file", async () => {
      for (const file of weightFiles(dir)) {
        const copy = join(home, `${kind}-${task}-nan`);
        rmSync(copy, { recursive: true, force: true });
        cpSync(dir, copy, { recursive: true });
        const target = join(copy, file);
        const bytes = readFileSync(target);
        bytes.writeFloatLE(Number.NaN, bytes.length - 4);
        writeFileSync(target, bytes);
        await expect(loadArtifactsFromDir(copy)).rejects.toMatchObject({
          code: "INVALID_ARTIFACTS",
          message: expect.stringContaining(target),
        });
      }
      expect(weightFiles(dir).length).toBeGreaterThan(0);
    });
  });

  it("refuses an unknown key or a bad value in its section, naming the path", () => {
    expect(() => parseParams({ ...base, model: kind, [kind]: { no_such_key: 1 } })).toThrow(
      `${kind}.no_such_key: unknown key`,
    );
    expect(FAMILIES[kind].configSchema.safeParse({ no_such_key: 1 }).success).toBe(false);
    expect(FAMILIES[kind].configSchema.safeParse({}).success).toBe(true);
  });

  it("estimates the memory a fit needs from its params and the data, naming the keys of each part", () => {
    const texts = multiClass.records.map((r) => preprocess(r.text, { lower: true, stem: false }));
    const small = dataShape(texts, 4);
    const large = dataShape(Array.from({ length: 100 }, () => texts).flat(), 4);
    const terms = estimateFitMemory(params, small);
    expect(terms.length).toBeGreaterThan(0);
    for (const term of terms) {
      expect(Number.isFinite(term.bytes) && term.bytes > 0, term.what).toBe(true);
      expect(term.keys.length, term.what).toBeGreaterThan(0);
      for (const key of term.keys) expect(paramPath(key), key).toBeDefined();
    }
    const total = (shape: typeof small) => estimateFitMemory(params, shape).reduce((s, t) => s + t.bytes, 0);
    expect(total(large)).toBeGreaterThan(total(small));
    // What the fit really needs on this fixture is far below any budget.
    expect(() => assertFitsMemory(params, small)).not.toThrow();
  });

  it("refuses a fit estimated past the memory budget, naming the keys and the estimate", () => {
    const shape = dataShape(["a text"], 2);
    const tiny = { totalBytes: 1024, tensorBytes: 1024, reason: "a test budget" };
    let error: unknown;
    try {
      assertFitsMemory(params, shape, tiny);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: "TagifaiError", code: "INVALID_PARAMS" });
    const message = (error as Error).message;
    expect(message).toMatch(/estimated [\d.]+ (B|KiB|MiB|GiB|TiB)/);
    expect(message).toContain("a test budget");
    const keys = estimateFitMemory(params, shape).flatMap((term) => term.keys);
    expect(keys.some((key) => message.includes(key))).toBe(true);
  });

  it("rejects with an AbortError when the signal is already aborted", async () => {
    await expect(
      train(params, DATASETS["multi-class"], { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: "AbortError" });
  });

  it("stops between steps when the signal is aborted during the fit", async () => {
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    await expect(train(params, DATASETS["multi-class"], { signal: controller.signal })).rejects.toMatchObject(
      { name: "AbortError" },
    );
  });
});

/** The `.bin` files (32-bit float weights) under a folder, relative to it. */
function weightFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const path = join(prefix, name);
    if (statSync(join(dir, path)).isDirectory()) return weightFiles(dir, path);
    return name.endsWith(".bin") ? [path] : [];
  });
}
