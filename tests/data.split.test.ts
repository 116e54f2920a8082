import { describe, expect, it } from "vitest";
import { EXCLUDED_TAGS } from "../src/config/config.js";
import {
  computeFeatures,
  getDataSplits,
  iterativeTrainTestSplit,
  loadProjects,
  loadTags,
  MultiLabelEncoder,
  prepare,
} from "../src/tagifai/data.js";
import { createRng } from "../src/tagifai/random.js";
import { DATASET_DIR, thrownBy } from "./helpers/data.js";

/** Share of each label's samples that landed in `part`. */
function labelShares(part: number[][], all: number[][]): number[] {
  return all[0].map((_, c) => part.filter((row) => row[c]).length / all.filter((row) => row[c]).length);
}

function referenceLabels(): { ids: number[]; y: number[][] } {
  const { features } = prepare(computeFeatures(loadProjects(DATASET_DIR)), {
    include: loadTags(DATASET_DIR).map((t) => t.tag),
    exclude: EXCLUDED_TAGS,
    minTagFreq: 30,
  });
  return {
    ids: features.map((f) => f.id),
    y: new MultiLabelEncoder().fit(features.map((f) => f.tags)).encode(features.map((f) => f.tags)),
  };
}

describe("iterativeTrainTestSplit", () => {
  it("splits each label in proportion and returns sorted, disjoint, complete indices", () => {
    // 20 samples: label 0 on the first 10, label 1 on every even one, sample 19 has no label.
    const y = Array.from({ length: 20 }, (_, i) => [i < 10 ? 1 : 0, i % 2 === 0 && i !== 19 ? 1 : 0]);
    const { train, test } = iterativeTrainTestSplit(y, 0.7, createRng(1));
    expect([...train, ...test].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(train).toEqual([...train].sort((a, b) => a - b));
    expect(test).toEqual([...test].sort((a, b) => a - b));
    expect(train).toHaveLength(14);
    expect(train.filter((i) => y[i][0]).length).toBe(7);
    expect(train.filter((i) => y[i][1]).length).toBe(7);
  });

  it("gives the rarest label's samples to the fold that desires them most", () => {
    // Label 1 is rare (2 samples): with 50/50 one goes to each part, whatever the seed.
    const y = [
      [1, 1],
      [1, 1],
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ];
    for (const seed of [1, 2, 3]) {
      const { train, test } = iterativeTrainTestSplit(y, 0.5, createRng(seed));
      expect(train.filter((i) => y[i][1]).length).toBe(1);
      expect(test.filter((i) => y[i][1]).length).toBe(1);
      expect(train).toHaveLength(3);
    }
  });

  it("refuses a train size outside (0, 1) and ragged rows", () => {
    expect(thrownBy(() => iterativeTrainTestSplit([[1]], 1, createRng(1))).code).toBe("INVALID_INPUT");
    expect(thrownBy(() => iterativeTrainTestSplit([[1], [1, 0]], 0.5, createRng(1))).message).toContain(
      "Label row 1",
    );
  });
});

describe("getDataSplits on the reference data", () => {
  const { ids, y } = referenceLabels();
  const splits = getDataSplits(ids, y, 0.7, 1234);

  it("splits 1444 projects about 70/15/15, disjoint and complete", () => {
    // n·0.7 = 1010.8. Iterative stratification balances labels first and sizes second, so the
    // part sizes move by about ±1% of n with the sample order (the original reported 1010/223/211).
    expect(splits.train.X.length).toBeGreaterThanOrEqual(1010 - 15);
    expect(splits.train.X.length).toBeLessThanOrEqual(1010 + 15);
    expect(Math.abs(splits.val.X.length - splits.test.X.length)).toBeLessThanOrEqual(15);
    const all = [...splits.train.X, ...splits.val.X, ...splits.test.X].sort((a, b) => a - b);
    expect(all).toEqual([...ids].sort((a, b) => a - b));
  });

  it("keeps every label's share close to 70% / 15% / 15%", () => {
    for (const share of labelShares(splits.train.y, y)) expect(Math.abs(share - 0.7)).toBeLessThan(0.03);
    for (const part of [splits.val.y, splits.test.y])
      for (const share of labelShares(part, y)) expect(Math.abs(share - 0.15)).toBeLessThan(0.04);
  });

  it("is deterministic for a seed and keeps X and y aligned", () => {
    const again = getDataSplits(ids, y, 0.7, 1234);
    expect(again.val.X).toEqual(splits.val.X);
    expect(again.test.X).toEqual(splits.test.X);
    const rowOf = new Map(ids.map((id, i) => [id, y[i]]));
    expect(splits.test.X.map((id) => rowOf.get(id))).toEqual(splits.test.y);
  });
});

describe("getDataSplits on too few samples", () => {
  it("refuses to leave a split empty, naming the sizes", () => {
    const y = [
      [1, 0],
      [0, 1],
      [1, 0],
    ];
    expect(() => getDataSplits(["a", "b", "c"], y, 0.7, 1234)).toThrow(
      /3 records split into train\/val\/test \d\/\d\/\d: the (val|test) split is empty/,
    );
  });
});
