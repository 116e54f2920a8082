import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TagifaiError } from "../src/tagifai/errors.js";
import {
  containsValue,
  DEFAULT_SEARCH_SPACE,
  loadSearchSpace,
  parseSearchSpace,
} from "../src/tagifai/optimize/space.js";

/** Parse a space expecting INVALID_PARAMS, and return the error message. */
function invalidMessage(value: unknown): string {
  try {
    parseSearchSpace(value);
  } catch (error) {
    expect(error).toBeInstanceOf(TagifaiError);
    expect((error as TagifaiError).code).toBe("INVALID_PARAMS");
    return (error as TagifaiError).message;
  }
  throw new Error("expected the search space to be refused");
}

describe("search space", () => {
  it("accepts the default space (the original tagifai objective)", () => {
    expect(parseSearchSpace(DEFAULT_SEARCH_SPACE)).toEqual(DEFAULT_SEARCH_SPACE);
    expect(Object.keys(DEFAULT_SEARCH_SPACE)).toEqual([
      "cnn.embedding_dim",
      "cnn.num_filters",
      "cnn.hidden_dim",
      "cnn.dropout_p",
      "cnn.lr",
    ]);
    expect(DEFAULT_SEARCH_SPACE["cnn.lr"]).toEqual({ type: "float", low: 5e-5, high: 5e-4, log: true });
  });

  it("accepts every kind of distribution with its options", () => {
    const space = {
      layers: { type: "int", low: 1, high: 9, step: 2 },
      units: { type: "int", low: 1, high: 1024, log: true },
      act: { type: "categorical", choices: ["relu", 1, true] },
    };
    expect(parseSearchSpace(space)).toEqual(space);
  });

  it.each([
    [
      { hidden_dim: { type: "int", low: 512, high: 128 } },
      ["hidden_dim", "low (512) must be below high (128)"],
    ],
    [{ dropout_p: { type: "float", low: 0.5, high: 0.5 } }, ["dropout_p", "must be below high"]],
    [{ lr: { type: "float", low: 0, high: 1e-3, log: true } }, ["lr", "must be positive when log is true"]],
    [{ act: { type: "categorical", choices: [] } }, ["act", "choices"]],
    [{ act: { type: "categorical", choices: ["a", "a"] } }, ["act", "choices must be distinct"]],
    [{ lr: { type: "float", low: 1e-5, high: 1e-3, scale: "log" } }, ["lr.scale: unknown key"]],
    [{ units: { type: "integer", low: 1, high: 4 } }, ["units"]],
    [{ units: { type: "int", low: 1.5, high: 4 } }, ["units.low: expected int, got number 1.5"]],
    [{ units: { type: "int", low: 0, high: 10, step: 3 } }, ["units", "multiple of step (3)"]],
    [{ units: { type: "int", low: 1, high: 9, step: 2, log: true } }, ["units", "step (2) must be 1"]],
  ])("refuses %j naming the parameter", (space, fragments) => {
    const message = invalidMessage(space);
    for (const fragment of fragments) expect(message).toContain(fragment);
  });

  it("names only the bad parameter among good ones", () => {
    const message = invalidMessage({
      ...DEFAULT_SEARCH_SPACE,
      lr: { type: "float", low: -1, high: 1, log: true },
    });
    expect(message).toContain("lr: low (-1) must be positive when log is true");
    expect(message).not.toContain("dropout_p");
  });

  it("refuses an empty space and a non-object", () => {
    expect(invalidMessage({})).toContain("no parameters");
    expect(invalidMessage([1, 2])).toContain("Invalid search space");
  });

  it("tells which values a distribution can produce", () => {
    const stepped = { type: "int", low: 2, high: 10, step: 2 } as const;
    expect(containsValue(stepped, 4)).toBe(true);
    expect(containsValue(stepped, 5)).toBe(false);
    expect(containsValue(stepped, 12)).toBe(false);
    expect(containsValue({ type: "float", low: 0, high: 1 }, 0.25)).toBe(true);
    expect(containsValue({ type: "float", low: 0, high: 1 }, "0.25")).toBe(false);
    expect(containsValue({ type: "categorical", choices: ["a", true] }, true)).toBe(true);
    expect(containsValue({ type: "categorical", choices: ["a", true] }, "b")).toBe(false);
  });
});

describe("loadSearchSpace", () => {
  const dir = mkdtempSync(join(tmpdir(), "tagifai-space-"));

  it("reads and validates a JSON file", () => {
    const file = join(dir, "space.json");
    writeFileSync(file, JSON.stringify({ dropout_p: { type: "float", low: 0.1, high: 0.9 } }));
    expect(loadSearchSpace(file)).toEqual({ dropout_p: { type: "float", low: 0.1, high: 0.9 } });
  });

  it("names the file and the parameter when the content is invalid", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ lr: { type: "float", low: 1, high: 0 } }));
    expect(() => loadSearchSpace(file)).toThrow(/bad\.json: lr: low \(1\) must be below high \(0\)/);
  });

  it("refuses a missing file and invalid JSON with INVALID_PARAMS", () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    for (const file of [join(dir, "missing.json"), broken]) {
      expect(() => loadSearchSpace(file)).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }));
      expect(() => loadSearchSpace(file)).toThrow(file);
    }
  });
});
