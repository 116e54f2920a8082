import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TagifaiError } from "../src/tagifai/errors.js";
import { findBestThreshold } from "../src/tagifai/eval.js";
import {
  fitOneVsRest,
  logisticOptionsSchema,
  oneVsRestObjective,
  oneVsRestProblem,
  predictLogistic,
} from "../src/tagifai/families/linear/logistic.js";
import {
  fitLinearModel,
  LINEAR_MODEL_FILES,
  loadLinearModel,
  saveLinearModel,
} from "../src/tagifai/families/linear/model.js";
import { type SparseRow, toCsr } from "../src/tagifai/families/linear/sparse.js";
import {
  charNgrams,
  charWbNgrams,
  TfidfVectorizer,
  wordNgrams,
} from "../src/tagifai/families/linear/tfidf.js";
import { applyClassThresholds, tuneClassThresholds } from "../src/tagifai/families/thresholds.js";
import { folderReader, folderWriter } from "../src/tagifai/folder-io.js";
import { createRng } from "../src/tagifai/random.js";
import { FOUR_FEATURE_ROWS, sparseRows } from "./helpers/sparse-rows.js";
import { TOPIC_TRAIN, TOPIC_TRAIN_Y, TOPIC_VAL, TOPIC_VAL_Y } from "./helpers/topics.js";

function dense(row: SparseRow, width: number): number[] {
  const out = new Array<number>(width).fill(0);
  row.indices.forEach((column, k) => {
    out[column] = row.values[k];
  });
  return out;
}

function expectTagifaiError(run: () => unknown, code: string, messagePart: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TagifaiError);
    expect((error as TagifaiError).code).toBe(code);
    expect((error as TagifaiError).message).toContain(messagePart);
    return;
  }
  expect.fail(`expected a TagifaiError ${code}`);
}

describe("n-gram analyzers", () => {
  it("cuts word n-grams of tokens of two or more word characters, lowercased", () => {
    expect(wordNgrams("Deep Learning a rocks!", [1, 2])).toEqual([
      "deep",
      "learning",
      "rocks",
      "deep learning",
      "learning rocks",
    ]);
  });

  it("cuts char_wb n-grams inside space-padded words, a short word once", () => {
    expect(charWbNgrams("AB", [2, 3])).toEqual([" a", "ab", "b ", " ab", "ab "]);
    expect(charWbNgrams("a", [2, 5])).toEqual([" a", "a ", " a "]);
  });

  it("counts an emoji as one character, as scikit-learn does (Python's code points)", () => {
    // scikit-learn: TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).build_analyzer()("a🚀")
    expect(charWbNgrams("a🚀", [2, 3])).toEqual([" a", "a🚀", "🚀 ", " a🚀", "a🚀 "]);
    expect(charWbNgrams("🚀", [2, 5])).toEqual([" 🚀", "🚀 ", " 🚀 "]);
    // scikit-learn: TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).build_analyzer()("🚀x")
    expect(charNgrams("🚀x", [1, 2])).toEqual(["🚀", "x", "🚀x"]);
  });
});

describe("TfidfVectorizer", () => {
  const wordsOnly = { wordNgrams: [1, 1] as [number, number], charNgrams: null, minDf: 1 };

  it("learns a sorted vocabulary with smooth idf and L2-normalized sublinear rows", () => {
    const vectorizer = new TfidfVectorizer(wordsOnly).fit(["a cat", "the cat sat sat"]);
    expect(vectorizer.toJSON().blocks[0].terms).toEqual(["cat", "sat", "the"]);
    const idfRare = Math.log(3 / 2) + 1; // df 1 of 2 texts; "cat" (df 2) has idf 1
    const raw = [1, (1 + Math.log(2)) * idfRare, idfRare];
    const norm = Math.hypot(...raw);
    const [row] = vectorizer.transform(["the cat sat sat"]);
    expect(Array.from(row.indices)).toEqual([0, 1, 2]);
    raw.forEach((value, k) => {
      expect(row.values[k]).toBeCloseTo(value / norm, 6);
    });
    expect(dense(vectorizer.transform(["unknown words only"])[0], 3)).toEqual([0, 0, 0]);
  });

  it("drops rare terms with minDf and keeps the most frequent with maxFeatures", () => {
    const texts = ["cat cat dog", "cat bird", "dog cow"];
    expect(new TfidfVectorizer({ ...wordsOnly, minDf: 2 }).fit(texts).toJSON().blocks[0].terms).toEqual([
      "cat",
      "dog",
    ]);
    expect(new TfidfVectorizer({ ...wordsOnly, maxFeatures: 1 }).fit(texts).toJSON().blocks[0].terms).toEqual(
      ["cat"],
    );
  });

  it("puts word and character blocks side by side, each of unit norm (scikit-learn's FeatureUnion), or 1/√2 with norm: row", () => {
    const blockNorms = (norm: "blocks" | "row") => {
      const vectorizer = new TfidfVectorizer({ wordNgrams: [1, 1], charNgrams: [2, 2], minDf: 1, norm }).fit([
        "ab cd",
        "ab",
      ]);
      const [row] = vectorizer.transform(["ab cd"]);
      const words = 2; // "ab", "cd"
      const squares = Array.from(row.values, (value) => value * value);
      return [
        squares.filter((_, k) => row.indices[k] < words).reduce((a, b) => a + b, 0),
        squares.filter((_, k) => row.indices[k] >= words).reduce((a, b) => a + b, 0),
      ];
    };
    const [word, char] = blockNorms("blocks");
    expect(word).toBeCloseTo(1, 6);
    expect(char).toBeCloseTo(1, 6);
    const [wordRow, charRow] = blockNorms("row");
    expect(wordRow).toBeCloseTo(0.5, 6);
    expect(charRow).toBeCloseTo(0.5, 6);
  });

  it("loads a vectorizer saved before the norm option with the unit-row norm it was trained with", () => {
    const saved = new TfidfVectorizer({ norm: "row", minDf: 1 }).fit([
      "graph neural networks",
      "neural style",
    ]);
    const json = saved.toJSON();
    const { norm: _, ...options } = json.options;
    const legacy = TfidfVectorizer.fromJSON({ ...json, options });
    expect(legacy.options.norm).toBe("row");
    expect(legacy.transform(["neural graph"])).toEqual(saved.transform(["neural graph"]));
  });

  it("round-trips through JSON and rejects a broken one", () => {
    const vectorizer = new TfidfVectorizer().fit(["graph neural networks", "neural style transfer"]);
    const copy = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(vectorizer.toJSON())));
    expect(copy.transform(["neural graph"])).toEqual(vectorizer.transform(["neural graph"]));
    const broken = vectorizer.toJSON();
    broken.blocks[0].idf.pop();
    expectTagifaiError(() => TfidfVectorizer.fromJSON(broken, "x.json"), "INVALID_ARTIFACTS", "x.json");
  });

  it("rejects options without any block, and transform before fit", () => {
    expectTagifaiError(
      () => new TfidfVectorizer({ wordNgrams: null, charNgrams: null }),
      "INVALID_PARAMS",
      "at least one",
    );
    expectTagifaiError(() => new TfidfVectorizer().transform(["x"]), "INVALID_INPUT", "fitted");
  });
});

/** Rows whose listed features are equal and of unit norm. */
function toyRows(features: number[][]): SparseRow[] {
  return features.map((active) => ({
    indices: Int32Array.from(active),
    values: new Float32Array(active.length).fill(1 / Math.sqrt(active.length)),
  }));
}

describe("one-vs-rest logistic regression", () => {
  it("separates a separable toy problem", () => {
    // Feature 0 marks class 0, feature 1 marks class 1; feature 2 is noise.
    const rows = toyRows([[0], [0, 2], [1], [1, 2], [0, 1]]);
    const Y = [
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
      [1, 1],
    ];
    const { model, report } = fitOneVsRest(toCsr(rows, 3), Y, { C: 100 });
    expect(report.converged).toEqual([true, true]);
    const probs = predictLogistic(model, rows);
    probs.forEach((row, i) => {
      row.forEach((prob, c) => {
        expect(prob >= 0.5 ? 1 : 0).toBe(Y[i][c]);
      });
    });
  });

  // scikit-learn 1.2.1's lbfgs stops when its gradient of Σ loss + ‖w‖²/(2C), not divided by the
  // row count, reaches tol: at its default 1e-4, 1400 rows are fitted to the optimum.
  // OneVsRestClassifier(LogisticRegression(C=2, class_weight="balanced")) with tol=1e-4 and with
  // tol=1e-10 give the same probabilities, to 7 decimals:
  it("stops where scikit-learn's lbfgs stops, its tolerance on the objective summed over rows", () => {
    const X = FOUR_FEATURE_ROWS;
    const Y = [
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 1],
      [1, 0],
      [0, 0],
      [0, 1],
    ];
    const times200 = <T>(rows: readonly T[]) => Array.from({ length: 200 }, () => rows).flat();
    const { model } = fitOneVsRest(toCsr(sparseRows(times200(X)), 4), times200(Y), { C: 2, tolerance: 1e-4 });
    const expected = [
      [0.1567034, 0.9934182],
      [0.0009358, 0.8079387],
    ];
    predictLogistic(
      model,
      sparseRows([
        [0.5, 0.5, 0, 0],
        [0, 0, 0.3, 0.3],
      ]),
    ).forEach((row, i) => {
      row.forEach((p, c) => {
        expect(p).toBeCloseTo(expected[i][c], 5);
      });
    });
  });

  it("computes the gradient of its objective (finite differences)", () => {
    const rng = createRng(7);
    const rows: SparseRow[] = Array.from({ length: 6 }, () => ({
      indices: Int32Array.from([0, 1, 2, 3].filter(() => rng() < 0.6)),
      values: Float32Array.from({ length: 4 }, () => rng()),
    })).map((row) => ({ indices: row.indices, values: row.values.slice(0, row.indices.length) }));
    const Y = [
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
      [1, 0],
      [0, 1],
    ];
    const problem = oneVsRestProblem(toCsr(rows, 4), Y, logisticOptionsSchema.parse({ C: 0.7 }));
    const params = Float64Array.from({ length: 5 * 2 }, () => rng() - 0.5);
    const gradient = new Float64Array(params.length);
    oneVsRestObjective(problem, params, gradient);
    const h = 1e-6;
    params.forEach((_, k) => {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[k] += h;
      minus[k] -= h;
      const scratch = new Float64Array(params.length);
      const c = k % 2;
      const numeric =
        (oneVsRestObjective(problem, plus, scratch)[c] - oneVsRestObjective(problem, minus, scratch)[c]) /
        (2 * h);
      expect(gradient[k]).toBeCloseTo(numeric, 6);
    });
  });

  // Overlapping classes: feature 0 leans positive, feature 1 leans negative; 3 positives of 12.
  const overlapRows = toyRows([[0], [0], [0, 1], [0], [0, 1], [1], [1], [1], [1], [0, 1], [1], [1]]);
  const overlapY = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0].map((label) => [label]);

  it("shrinks the weights as C falls (L2)", () => {
    const norm = (C: number) =>
      Math.hypot(...fitOneVsRest(toCsr(overlapRows, 2), overlapY, { C }).model.weights);
    expect(norm(0.1)).toBeLessThan(norm(1));
    expect(norm(1)).toBeLessThan(norm(100));
  });

  it("raises the rare class's probabilities with balanced class weights", () => {
    const meanProb = (classWeight: "balanced" | "none") => {
      const { model } = fitOneVsRest(toCsr(overlapRows, 2), overlapY, { classWeight, C: 10 });
      const probs = predictLogistic(model, overlapRows).map((row) => row[0]);
      return probs.reduce((a, b) => a + b, 0) / probs.length;
    };
    expect(meanProb("balanced")).toBeGreaterThan(meanProb("none") + 0.1);
  });

  it("rejects a class without negatives and mismatched shapes", () => {
    const X = toCsr(toyRows([[0], [1]]), 2);
    expectTagifaiError(() => fitOneVsRest(X, [[1], [1]]), "INVALID_INPUT", "Class 0");
    expectTagifaiError(() => fitOneVsRest(X, [[1]]), "INVALID_INPUT", "rows");
  });
});

describe("thresholds", () => {
  // Class 0: positives score 0.9, 0.6; negatives 0.7, 0.2 → best F1 (0.8) at 0.6.
  // Class 1: one positive (0.8) → its own best threshold is 0.8, but one positive is too few with
  // minPositives 2. Pooled: 0.9+, 0.8+, 0.7−, 0.6+, … → best pooled F1 (6/7) at 0.6.
  const yTrue = [
    [1, 0],
    [1, 0],
    [0, 1],
    [0, 0],
  ];
  const yProb = [
    [0.9, 0.1],
    [0.6, 0.2],
    [0.7, 0.8],
    [0.2, 0.05],
  ];

  it("picks each class's best-F1 threshold, the global one for a class with too few positives", () => {
    expect(tuneClassThresholds(yTrue, yProb, { minPositives: 2 })).toEqual([0.6, 0.6]);
    expect(tuneClassThresholds(yTrue, yProb, { minPositives: 1 })).toEqual([0.6, 0.8]);
    const shrunk = tuneClassThresholds(yTrue, yProb, { minPositives: 1, shrinkage: 1 });
    expect(shrunk[1]).toBeCloseTo((0.8 + 0.6) / 2, 12);
  });

  it("applies per-class thresholds", () => {
    expect(applyClassThresholds(yProb, [0.6, 0.8])).toEqual([
      [1, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
  });
});

describe("linear model", () => {
  const [train, trainY, val, valY] = [TOPIC_TRAIN, TOPIC_TRAIN_Y, TOPIC_VAL, TOPIC_VAL_Y];
  const config = { tfidf: { minDf: 1 } };

  it("predicts the topic of unseen texts and round-trips through save/load", async () => {
    const { model } = await fitLinearModel(train, trainY, val, valY, config);
    expect(model.predict(val)).toEqual(valY);
    const dir = mkdtempSync(join(tmpdir(), "tagifai-linear-"));
    saveLinearModel(model, folderWriter(dir));
    const loaded = await loadLinearModel(folderReader(dir));
    const texts = [...val, "a text about nothing known"];
    expect(loaded.predictProba(texts)).toEqual(model.predictProba(texts));
    expect(loaded.thresholds).toEqual(model.thresholds);
  });

  it("uses one global threshold by default and per-class ones on request", async () => {
    const { model } = await fitLinearModel(train, trainY, val, valY, config);
    const valProb = model.predictProba(val);
    expect(model.thresholds).toEqual(new Array(3).fill(findBestThreshold(valY, valProb)));
    const perClass = (
      await fitLinearModel(train, trainY, val, valY, {
        ...config,
        thresholds: { perClass: true, minPositives: 1 },
      })
    ).model.thresholds;
    expect(perClass).toEqual(tuneClassThresholds(valY, valProb, { minPositives: 1 }));
  });

  it("names the file of a corrupt or missing artifact", async () => {
    const { model } = await fitLinearModel(train, trainY, val, valY, config);
    const dir = mkdtempSync(join(tmpdir(), "tagifai-linear-"));
    saveLinearModel(model, folderWriter(dir));
    const refused = (messagePart: string) => ({
      code: "INVALID_ARTIFACTS",
      message: expect.stringContaining(messagePart),
    });
    const weights = join(dir, LINEAR_MODEL_FILES.weights);
    writeFileSync(weights, new Uint8Array(6));
    await expect(loadLinearModel(folderReader(dir))).rejects.toMatchObject(refused(weights));
    const json = join(dir, LINEAR_MODEL_FILES.config);
    writeFileSync(json, JSON.stringify({ config: {}, thresholds: "no" }));
    await expect(loadLinearModel(folderReader(dir))).rejects.toMatchObject(refused(json));
    await expect(loadLinearModel(folderReader(join(dir, "missing")))).rejects.toMatchObject(
      refused("not found"),
    );
  });

  it("rejects a bad configuration", async () => {
    await expect(fitLinearModel(train, trainY, val, valY, { logistic: { C: -1 } })).rejects.toMatchObject({
      code: "INVALID_PARAMS",
      message: expect.stringContaining("logistic.C"),
    });
  });
});
