import { describe, expect, it } from "vitest";
import { referenceSplits } from "../src/tagifai/data/reference.js";
import { precisionRecallFscoreSupport } from "../src/tagifai/eval.js";
import { fitLinearModel } from "../src/tagifai/families/linear/model.js";
import { DATASET_DIR } from "./helpers/data.js";

describe("linear model on the reference protocol", () => {
  it("reaches a test weighted F1 of at least 0.70 with its defaults", async () => {
    const { y, train, val, test } = referenceSplits(DATASET_DIR);
    expect(y[0]).toHaveLength(35);
    const { model, report } = await fitLinearModel(train.X, train.y, val.X, val.y);
    expect(report.converged.every(Boolean)).toBe(true);
    expect(Math.max(...report.iterations)).toBeLessThanOrEqual(10);
    const { f1 } = precisionRecallFscoreSupport(test.y, model.predict(test.X), "weighted");
    expect(f1).toBeGreaterThanOrEqual(0.7);
  });
});
