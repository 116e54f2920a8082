import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { fitLinearModel } from "../src/tagifai/families/linear/model.js";

// Counts the classifier fits, each still done by the real classifier.
const fits = vi.hoisted(() => ({ count: 0, onFit: (): void => {} }));
vi.mock("../src/tagifai/families/linear/classifier.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/tagifai/families/linear/classifier.js")>();
  return {
    ...actual,
    fitClassifier: (...args: Parameters<typeof actual.fitClassifier>) => {
      fits.count += 1;
      fits.onFit();
      return actual.fitClassifier(...args);
    },
  };
});

describe("linear fit cancellation", () => {
  const train = [
    "neural image network",
    "convolution image pixels",
    "language text tokens",
    "text parsing grammar",
  ];
  const trainY = [
    [1, 0],
    [1, 0],
    [0, 1],
    [0, 1],
  ];
  const val = ["image pixels", "text tokens"];
  const valY = [
    [1, 0],
    [0, 1],
  ];
  const config = { tfidf: { minDf: 1 }, logistic: { C: "auto" as const } };

  it("fits one classifier per candidate C when nothing aborts", async () => {
    fits.count = 0;
    await fitLinearModel(train, trainY, val, valY, config, "multi-label", new AbortController().signal);
    expect(fits.count).toBe(5);
  });

  it("stops between its phases: an abort during the vectorizer fit skips the whole C grid", async () => {
    fits.count = 0;
    const controller = new AbortController();
    // Fires at the first turn of the event loop, i.e. while the fit is in its first phase.
    void nextTurn().then(() => controller.abort());
    await expect(
      fitLinearModel(train, trainY, val, valY, config, "multi-label", controller.signal),
    ).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(fits.count).toBe(0);
  });

  it("stops after the candidate C it is fitting when aborted in the grid", async () => {
    fits.count = 0;
    const controller = new AbortController();
    fits.onFit = () => {
      if (fits.count === 2) controller.abort();
    };
    await expect(
      fitLinearModel(train, trainY, val, valY, config, "multi-label", controller.signal),
    ).rejects.toMatchObject({
      name: "AbortError",
    });
    fits.onFit = () => {};
    expect(fits.count).toBe(2);
  });
});
