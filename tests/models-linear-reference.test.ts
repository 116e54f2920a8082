import { describe, expect, it } from "vitest";
import { EXCLUDED_TAGS } from "../src/config/config.js";
import {
  computeFeatures,
  getDataSplits,
  loadProjects,
  loadTags,
  MultiLabelEncoder,
  prepare,
  preprocess,
} from "../src/tagifai/data.js";
import { precisionRecallFscoreSupport } from "../src/tagifai/eval.js";
import { fitLinearModel } from "../src/tagifai/models/linear.js";
import { DATASET_DIR } from "./helpers/data.js";

describe("linear model on the reference protocol", () => {
  it("reaches a test weighted F1 of at least 0.70 with its defaults", () => {
    const { features } = prepare(computeFeatures(loadProjects(DATASET_DIR)), {
      include: loadTags(DATASET_DIR).map((tag) => tag.tag),
      exclude: EXCLUDED_TAGS,
      minTagFreq: 30,
    });
    const y = new MultiLabelEncoder().fit(features.map((f) => f.tags)).encode(features.map((f) => f.tags));
    const texts = features.map((f) => preprocess(f.text, { lower: true, stem: false }));
    const { train, val, test } = getDataSplits(texts, y, 0.7, 1234);
    expect(y[0]).toHaveLength(35);
    const { model, report } = fitLinearModel(train.X, train.y, val.X, val.y);
    expect(report.converged.every(Boolean)).toBe(true);
    expect(Math.max(...report.iterations)).toBeLessThanOrEqual(10);
    const { f1 } = precisionRecallFscoreSupport(test.y, model.predict(test.X), "weighted");
    expect(f1).toBeGreaterThanOrEqual(0.7);
  });
});
