import { describe, expect, it } from "vitest";
import { EXCLUDED_TAGS } from "../src/config/config.js";
import { computeFeatures, type Feature, loadProjects, loadTags, prepare } from "../src/tagifai/data.js";
import { DATASET_DIR, FIXTURE_DIR } from "./helpers/data.js";

const feature = (id: number, tags: string[]): Feature => ({
  id,
  created_on: "2020-01-01",
  text: `p${id}`,
  tags,
});

describe("computeFeatures", () => {
  it("joins title and description with a space and keeps id, date and tags", () => {
    const [first, , , , , sixth] = computeFeatures(loadProjects(FIXTURE_DIR));
    expect(first).toEqual({
      id: 1,
      created_on: "2020-03-01 10:00:00",
      text: "BERT for Sentiment Fine-tuning BERT on movie reviews with PyTorch.",
      tags: ["natural-language-processing", "transformers", "pytorch", "code"],
    });
    expect(sixth.text).toBe("Text Classification Basics ");
  });
});

describe("prepare", () => {
  it("keeps included, not excluded tags used at least minTagFreq times, and drops untagged projects", () => {
    const features = [
      feature(1, ["a", "b", "x"]),
      feature(2, ["a", "c"]),
      feature(3, ["b", "c"]),
      feature(4, ["c", "a"]),
    ];
    const { features: kept, tagCounts } = prepare(features, {
      include: ["a", "b", "c"],
      exclude: ["c"],
      minTagFreq: 2,
    });
    expect(kept.map((f) => [f.id, f.tags])).toEqual([
      [1, ["a", "b"]],
      [2, ["a"]],
      [3, ["b"]],
      [4, ["a"]],
    ]);
    expect([...tagCounts]).toEqual([
      ["a", 3],
      ["b", 2],
    ]);
    expect(features[0].tags).toEqual(["a", "b", "x"]);

    const strict = prepare(features, { include: ["a", "b", "c"], exclude: ["c"], minTagFreq: 3 });
    expect(strict.features.map((f) => f.id)).toEqual([1, 2, 4]);
    expect([...strict.tagCounts.keys()]).toEqual(["a"]);
  });

  it("gives 35 tags and 1444 projects on the reference data", () => {
    const { features, tagCounts } = prepare(computeFeatures(loadProjects(DATASET_DIR)), {
      include: loadTags(DATASET_DIR).map((t) => t.tag),
      exclude: EXCLUDED_TAGS,
      minTagFreq: 30,
    });
    expect(tagCounts.size).toBe(35);
    expect(features).toHaveLength(1444);
    expect(Math.min(...tagCounts.values())).toBeGreaterThanOrEqual(30);
    for (const excluded of EXCLUDED_TAGS) expect(tagCounts.has(excluded)).toBe(false);
  });
});
