import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TagifaiError } from "../src/tagifai/errors.js";
import { formatIssues, formatPath, parseWith } from "../src/tagifai/schema.js";

const linear = z
  .object({
    tfidf: z
      .object({ minDf: z.number().int().positive(), maxFeatures: z.number().optional() })
      .strict()
      .optional(),
    logistic: z.object({ C: z.number().positive() }).strict().default({ C: 1 }),
  })
  .strict();
const params = z
  .object({
    embedding_dim: z.number().int().positive(),
    model: z.enum(["cnn", "linear"]).optional(),
    linear: linear.optional(),
    tests: z
      .array(
        z.discriminatedUnion("type", [
          z.object({ type: z.literal("a"), text: z.string() }).strict(),
          z.object({ type: z.literal("b"), texts: z.array(z.string()).min(1) }).strict(),
        ]),
      )
      .optional(),
    range: z.union([z.number(), z.object({ low: z.number(), high: z.number() }).strict()]).optional(),
  })
  .strict();

function messageOf(value: unknown): string {
  const result = params.safeParse(value);
  if (result.success) throw new Error("expected a failure");
  return formatIssues(result.error.issues, value, params);
}

describe("formatIssues", () => {
  it("suggests the known key for an unknown one, ignoring case and underscores", () => {
    expect(messageOf({ embedding_dim: 4, linear: { tfidf: { min_df: 50 } } })).toBe(
      "linear.tfidf.min_df: unknown key; did you mean minDf?",
    );
    expect(messageOf({ embedding_dim: 4, linear: { logistic: { c: 0.01 } } })).toContain(
      "linear.logistic.c: unknown key; did you mean C?",
    );
  });

  it("suggests a key a small typo away, and none for an unrelated key", () => {
    expect(messageOf({ embeding_dim: 4 })).toContain(
      "embeding_dim: unknown key; did you mean embedding_dim?",
    );
    expect(messageOf({ embedding_dim: 4, colour: 1 })).toContain("colour: unknown key");
    expect(messageOf({ embedding_dim: 4, colour: 1 })).not.toContain("did you mean");
    expect(messageOf({ embedding_dim: 4, linear: { tfidf: { maxFeatures: 1 } } })).toBe(
      "linear.tfidf.minDf: expected number, got missing",
    );
  });

  it("names what was expected and what was found", () => {
    expect(messageOf({ embedding_dim: "8" })).toBe('embedding_dim: expected number, got string "8"');
    expect(messageOf({ embedding_dim: 1.5 })).toBe("embedding_dim: expected int, got number 1.5");
    expect(messageOf({ embedding_dim: -1 })).toBe(
      "embedding_dim: too small: expected number to be >0, got number -1",
    );
    expect(messageOf({ embedding_dim: 1, model: "tree" })).toBe(
      'model: invalid option: expected one of "cnn"|"linear", got string "tree"',
    );
    expect(messageOf({ embedding_dim: 1, linear: { logistic: { C: -1 } } })).toContain(
      "linear.logistic.C: too small: expected number to be >0, got number -1",
    );
    expect(messageOf(null)).toBe("expected object, got null");
  });

  it("walks arrays, discriminated unions and unions", () => {
    expect(messageOf({ embedding_dim: 1, tests: [{ type: "b", texts: [], txts: 1 }] })).toBe(
      "tests[0].texts: too small: expected array to have >=1 items, got array of 0; tests[0].txts: unknown key; did you mean texts?",
    );
    expect(messageOf({ embedding_dim: 1, range: { low: 1, hihg: 2 } })).toBe(
      "range.hihg: unknown key; did you mean high?",
    );
  });

  it("formats paths as JSON-ish notation", () => {
    expect(formatPath(["tests", 0, "expected"])).toBe("tests[0].expected");
    expect(formatPath([])).toBe("");
  });
});

describe("parseWith", () => {
  it("returns the parsed value with defaults applied", () => {
    expect(parseWith(linear, {}, { code: "INVALID_PARAMS", what: "params" })).toEqual({ logistic: { C: 1 } });
  });

  it("throws a TagifaiError with the code and `Invalid <what>:`", () => {
    let error: unknown;
    try {
      parseWith(linear, { logistic: { c: 1 } }, { code: "INVALID_PARAMS", what: "params file p.json" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TagifaiError);
    expect((error as TagifaiError).code).toBe("INVALID_PARAMS");
    expect((error as TagifaiError).message).toBe(
      "Invalid params file p.json: logistic.c: unknown key; did you mean C?",
    );
  });
});
