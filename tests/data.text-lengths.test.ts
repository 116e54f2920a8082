/**
 * The text length distribution of the Data page: round bin edges, every text counted once in the
 * bin holding its length, and the summary statistics.
 */
import { describe, expect, it } from "vitest";
import { textLengths } from "../src/tagifai/data/text-lengths.js";

describe("textLengths", () => {
  it("counts each text in the bin holding its length, with round edges and the summary", () => {
    const texts = ["a".repeat(3), "a".repeat(10), "a".repeat(19), "a".repeat(150)];
    const result = textLengths(texts, 10);
    expect(result).toMatchObject({ count: 4, min: 3, median: 14.5, mean: 45.5, max: 150 });
    expect(result.bins).toHaveLength(10);
    expect(result.bins[0]).toEqual({ from: 0, to: 20, count: 3 });
    expect(result.bins[7]).toEqual({ from: 140, to: 160, count: 1 });
    expect(result.bins.at(-1)?.to).toBe(200);
    expect(result.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(4);
  });

  it("puts a length on a bin edge in the upper bin, and handles no texts", () => {
    expect(textLengths(["", "aaaaa", "aaaaaaaaaa"], 2).bins).toEqual([
      { from: 0, to: 10, count: 2 },
      { from: 10, to: 20, count: 1 },
    ]);
    expect(textLengths([])).toEqual({ count: 0, min: 0, median: 0, mean: 0, max: 0, bins: [] });
  });
});
