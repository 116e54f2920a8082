/**
 * Unit tests of the serving internals with a fake model: the model slot (swap on reload, dispose
 * only after the requests using a model are done) and the micro-batcher (concurrent requests
 * share one model call, each gets its own predictions, a bad request fails alone).
 */
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { MultiLabelEncoder } from "../src/tagifai/data.js";
import type { Performance } from "../src/tagifai/eval.js";
import { loadParams } from "../src/tagifai/params.js";
import { PredictionBatcher } from "../src/tagifai/serve/batcher.js";
import { DEFAULT_LIMITS, resolveLimits } from "../src/tagifai/serve/contract.js";
import { type LoadedModel, ModelSlot } from "../src/tagifai/serve/live-model.js";
import type { Artifacts } from "../src/tagifai/train.js";

const CLASSES = ["nlp", "vision"];

/** A model whose first probability is the text's length / 100; records batch sizes. */
function fakeLoaded(runId: string, batchSizes: number[] = []): LoadedModel & { disposed: () => boolean } {
  let disposed = false;
  const model = {
    kind: "cnn",
    task: "multi-label",
    thresholds: [0.5, 0.5],
    predictProba: (texts: string[]) => {
      if (disposed) throw new Error("predict on a disposed model");
      batchSizes.push(texts.length);
      return texts.map((text) => [text.length / 100, 0.9]);
    },
    save: async () => {},
    dispose: () => {
      disposed = true;
    },
  };
  const artifacts = {
    params: loadParams(TEST_PARAMS_FP),
    labelEncoder: new MultiLabelEncoder(CLASSES),
    model,
  } as unknown as Artifacts;
  return { runId, artifacts, performance: {} as Performance, loadedAt: new Date(), disposed: () => disposed };
}

describe("ModelSlot", () => {
  it("refuses to lend a model before one is loaded", async () => {
    const slot = new ModelSlot(async () => fakeLoaded("a"));
    await expect(slot.use(() => 1)).rejects.toMatchObject({ code: "MODEL_NOT_FOUND" });
  });

  it("swaps on reload and disposes the old model only after its last user is done", async () => {
    const models = [fakeLoaded("a"), fakeLoaded("b")];
    const slot = new ModelSlot(async () => models.shift()!);
    const first = await slot.reload();
    expect(first).toEqual({ runId: "a", previousRunId: null });
    const old = slot.current as ReturnType<typeof fakeLoaded>;

    let finish!: () => void;
    const inFlight = slot.use(
      (model) => new Promise<string>((resolve) => (finish = () => resolve(model.runId))),
    );
    expect(await slot.reload()).toEqual({ runId: "b", previousRunId: "a" });
    expect(slot.current?.runId).toBe("b");
    expect(old.disposed()).toBe(false);
    finish();
    expect(await inFlight).toBe("a");
    expect(old.disposed()).toBe(true);
  });

  it("keeps serving the current model when a reload fails", async () => {
    let calls = 0;
    const slot = new ModelSlot(async () => {
      calls++;
      if (calls === 2) throw new Error("broken run");
      return fakeLoaded(`run${calls}`);
    });
    await slot.reload();
    await expect(slot.reload()).rejects.toThrow("broken run");
    expect(slot.current?.runId).toBe("run1");
    expect(await slot.reload()).toEqual({ runId: "run3", previousRunId: "run1" });
  });

  it("disposes the model on close", async () => {
    const loaded = fakeLoaded("a");
    const slot = new ModelSlot(async () => loaded);
    await slot.reload();
    await slot.close();
    expect(loaded.disposed()).toBe(true);
    expect(slot.current).toBeUndefined();
  });
});

describe("PredictionBatcher", () => {
  it("predicts concurrent requests in one model call and gives each its own predictions", async () => {
    const batchSizes: number[] = [];
    const slot = new ModelSlot(async () => fakeLoaded("a", batchSizes));
    await slot.reload();
    const batcher = new PredictionBatcher(slot, { maxTexts: 64, maxChars: 10_000 });
    const texts = ["ab", "abcd", "abcdef"];
    const results = await Promise.all([batcher.predict([texts[0]]), batcher.predict([texts[1], texts[2]])]);
    expect(batchSizes).toEqual([3]);
    expect(results.map((r) => r.predictions.map((p) => p.input_text))).toEqual([
      [texts[0]],
      [texts[1], texts[2]],
    ]);
    expect(results[1].predictions[1].probabilities.nlp).toBeCloseTo(0.06);
    expect(results[0].runId).toBe("a");
  });

  it("splits the queue into batches of at most maxTexts texts", async () => {
    const batchSizes: number[] = [];
    const slot = new ModelSlot(async () => fakeLoaded("a", batchSizes));
    await slot.reload();
    const batcher = new PredictionBatcher(slot, { maxTexts: 4, maxChars: 100 });
    await Promise.all([
      batcher.predict(["a", "b", "c"]),
      batcher.predict(["d", "e"]),
      batcher.predict(["f"]),
    ]);
    expect(batchSizes).toEqual([3, 3]);
  });

  it("does not pad short texts to a long one beyond maxChars", async () => {
    const batchSizes: number[] = [];
    const slot = new ModelSlot(async () => fakeLoaded("a", batchSizes));
    await slot.reload();
    const batcher = new PredictionBatcher(slot, { maxTexts: 64, maxChars: 60 });
    const long = "a".repeat(40);
    const requests = [["ab"], ["cd"], [long], ["ef"]].map((texts) => batcher.predict(texts));
    await Promise.all(requests);
    expect(batchSizes).toEqual([2, 1, 1]);
  });

  it("fails only the bad request of a batch", async () => {
    const slot = new ModelSlot(async () => fakeLoaded("a"));
    await slot.reload();
    const batcher = new PredictionBatcher(slot, { maxTexts: 64, maxChars: 10_000 });
    const [good, bad] = await Promise.allSettled([batcher.predict(["abc"]), batcher.predict(["   "])]);
    expect(good.status).toBe("fulfilled");
    expect(bad).toMatchObject({ status: "rejected", reason: { code: "INVALID_INPUT" } });
  });
});

describe("resolveLimits", () => {
  it("fills in the defaults and refuses bad limits", () => {
    expect(resolveLimits({ maxTexts: 5 })).toEqual({ ...DEFAULT_LIMITS, maxTexts: 5 });
    expect(() => resolveLimits({ maxTexts: 0 })).toThrow(/maxTexts/);
    expect(() => resolveLimits({ maxTextLength: 10 ** 9 })).toThrow(/maxTextLength/);
  });
});
