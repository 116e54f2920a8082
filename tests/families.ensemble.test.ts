/**
 * The ensemble family's specifics: the weighted blend of any number of members, and how its params
 * section refuses members it cannot train.
 */
import { describe, expect, it } from "vitest";
import { blendProbabilities } from "../src/tagifai/families/ensemble/blend.js";
import { FAMILIES } from "../src/tagifai/families.js";

describe("blendProbabilities", () => {
  it("averages members by weight, the weights divided by their sum", () => {
    const [two] = blendProbabilities([
      { probabilities: [[0.2, 1]], weight: 0.25 },
      { probabilities: [[0.6, 0]], weight: 0.75 },
    ]);
    expect(two[0]).toBeCloseTo(0.5, 12);
    expect(two[1]).toBeCloseTo(0.25, 12);
    const [three] = blendProbabilities([
      { probabilities: [[0.3]], weight: 2 },
      { probabilities: [[0.6]], weight: 1 },
      { probabilities: [[0.9]], weight: 1 },
    ]);
    expect(three[0]).toBeCloseTo(0.525, 12);
  });

  it("refuses mismatched shapes and weights that cannot be normalized", () => {
    expect(() =>
      blendProbabilities([
        { probabilities: [[0.2]], weight: 1 },
        { probabilities: [[0.6, 0]], weight: 1 },
      ]),
    ).toThrow(/Row 0/);
    expect(() =>
      blendProbabilities([
        { probabilities: [[0.2]], weight: 0 },
        { probabilities: [[0.6]], weight: 0 },
      ]),
    ).toThrow(/weights/);
    expect(() => blendProbabilities([])).toThrow(/zero members/);
  });
});

describe("ensemble params", () => {
  const schema = FAMILIES.ensemble.configSchema;

  it("defaults to the CNN and the linear model, half each", () => {
    expect(schema.parse({}).members).toEqual([
      { model: "cnn", weight: 0.5 },
      { model: "linear", weight: 0.5 },
    ]);
  });

  it("takes any registered family except itself, each once, with weights not all 0", () => {
    expect(schema.safeParse({ members: [{ model: "linear", weight: 1 }] }).success).toBe(true);
    const messages = (members: unknown) => {
      const result = schema.safeParse({ members });
      return result.success ? [] : result.error.issues.map((issue) => issue.message);
    };
    expect(messages([{ model: "svm", weight: 1 }])[0]).toMatch(/unknown model family "svm".*cnn, linear$/);
    expect(messages([{ model: "ensemble", weight: 1 }])[0]).toMatch(/cannot be its own member/);
    expect(
      messages([
        { model: "cnn", weight: 1 },
        { model: "cnn", weight: 1 },
      ])[0],
    ).toMatch(/already a member/);
    expect(messages([{ model: "cnn", weight: 0 }])[0]).toMatch(/not all be 0/);
    expect(FAMILIES.ensemble.uses?.(schema.parse({}))).toEqual(["cnn", "linear"]);
  });
});
