import { describe, expect, it } from "vitest";
import { TagifaiError } from "../src/tagifai/errors.js";
import {
  applyArgmax,
  applyThreshold,
  findBestThreshold,
  getMetrics,
  getPerformanceReport,
  getSliceMetrics,
  performanceSchema,
  precisionRecallCurve,
  precisionRecallFscoreSupport,
  SLICES,
  type SliceRow,
} from "../src/tagifai/eval.js";

// Hand-computed case, 4 rows × 3 classes:
//   class 0: TP 2, FP 0, FN 0 → P 1, R 1,   F1 1
//   class 1: TP 0, FP 1, FN 1 → P 0, R 0,   F1 0
//   class 2: TP 2, FP 0, FN 1 → P 1, R 2/3, F1 0.8
const yTrue = [
  [1, 0, 1],
  [0, 1, 1],
  [1, 0, 0],
  [0, 0, 1],
];
const yPred = [
  [1, 0, 0],
  [0, 0, 1],
  [1, 1, 0],
  [0, 0, 1],
];

// Class 0 is right; class 1 is true twice but never predicted; class 2 is predicted once but never true.
const neverTrueOrPredicted = {
  yTrue: [
    [1, 1, 0],
    [0, 1, 0],
  ],
  yPred: [
    [1, 0, 1],
    [0, 0, 0],
  ],
};

function expectInvalidInput(run: () => unknown, messagePart: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TagifaiError);
    expect((error as TagifaiError).code).toBe("INVALID_INPUT");
    expect((error as TagifaiError).message).toContain(messagePart);
    return;
  }
  expect.fail("expected a TagifaiError INVALID_INPUT");
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expect(value).toBeCloseTo(expected[i], 12);
  });
}

describe("precisionRecallFscoreSupport", () => {
  it("gives per-class scores for average null", () => {
    const scores = precisionRecallFscoreSupport(yTrue, yPred, null);
    expectClose(scores.precision, [1, 0, 1]);
    expectClose(scores.recall, [1, 0, 2 / 3]);
    expectClose(scores.f1, [1, 0, 0.8]);
    expect(scores.support).toEqual([2, 1, 3]);
  });

  it("pools the counts for micro", () => {
    // TP 4, predicted 5, actual 6
    const scores = precisionRecallFscoreSupport(yTrue, yPred, "micro");
    expect(scores.precision).toBeCloseTo(0.8, 12);
    expect(scores.recall).toBeCloseTo(2 / 3, 12);
    expect(scores.f1).toBeCloseTo(8 / 11, 12);
    expect(scores.support).toBe(4);
  });

  it("takes the plain mean over classes for macro", () => {
    const scores = precisionRecallFscoreSupport(yTrue, yPred, "macro");
    expect(scores.precision).toBeCloseTo(2 / 3, 12);
    expect(scores.recall).toBeCloseTo(5 / 9, 12);
    expect(scores.f1).toBeCloseTo(0.6, 12);
    expect(scores.support).toBe(4);
  });

  it("weights classes by their true labels for weighted", () => {
    // weights 2, 1, 3
    const scores = precisionRecallFscoreSupport(yTrue, yPred, "weighted");
    expect(scores.precision).toBeCloseTo(5 / 6, 12);
    expect(scores.recall).toBeCloseTo(2 / 3, 12);
    expect(scores.f1).toBeCloseTo(11 / 15, 12);
    expect(scores.support).toBe(4);
  });

  it("scores 0/0 as 0 for a class never predicted and a class never true", () => {
    const { yTrue: t, yPred: p } = neverTrueOrPredicted;
    const perClass = precisionRecallFscoreSupport(t, p, null);
    expect(perClass).toEqual({ precision: [1, 0, 0], recall: [1, 0, 0], f1: [1, 0, 0], support: [1, 2, 0] });
    const weighted = precisionRecallFscoreSupport(t, p, "weighted");
    expect(weighted.precision).toBeCloseTo(1 / 3, 12);
    expect(weighted.recall).toBeCloseTo(1 / 3, 12);
    expect(weighted.f1).toBeCloseTo(1 / 3, 12);
    const micro = precisionRecallFscoreSupport(t, p, "micro");
    expect(micro.precision).toBeCloseTo(0.5, 12);
    expect(micro.recall).toBeCloseTo(1 / 3, 12);
    expect(micro.f1).toBeCloseTo(0.4, 12);
  });

  it("returns zeros when no label is true at all", () => {
    const none = [
      [0, 0],
      [0, 0],
    ];
    const predicted = [
      [1, 0],
      [0, 0],
    ];
    for (const average of ["micro", "macro", "weighted"] as const) {
      expect(precisionRecallFscoreSupport(none, predicted, average)).toEqual({
        precision: 0,
        recall: 0,
        f1: 0,
        support: 2,
      });
    }
  });

  it("refuses mismatched, ragged or non-binary matrices, naming the problem", () => {
    expectInvalidInput(
      () => precisionRecallFscoreSupport(yTrue, yPred.slice(1), null),
      "4×3 but yPred is 3×3",
    );
    expectInvalidInput(
      () => precisionRecallFscoreSupport(yTrue, [[1], [0], [1], [0]], "micro"),
      "4×3 but yPred is 4×1",
    );
    expectInvalidInput(
      () => precisionRecallFscoreSupport([[1, 0], [1]], [[1, 0], [1]], "micro"),
      "row 1 has 1",
    );
    expectInvalidInput(() => precisionRecallFscoreSupport([[0.5]], [[1]], "micro"), "yTrue[0][0] is 0.5");
    expectInvalidInput(() => precisionRecallFscoreSupport([], [], "micro"), "yTrue has no rows");
  });
});

describe("precisionRecallCurve", () => {
  it("matches scikit-learn's documented example (classic, ≤ 1.0)", () => {
    const curve = precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expectClose(curve.precisions, [2 / 3, 0.5, 1, 1]);
    expectClose(curve.recalls, [1, 0.5, 0.5, 0]);
    expect(curve.thresholds).toEqual([0.35, 0.4, 0.8]);
  });

  it("groups tied scores and stops at the first threshold with full recall", () => {
    // 0.1 is below the point where recall is already 1, so it is left out.
    const curve = precisionRecallCurve([1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1]);
    expect(curve.thresholds).toEqual([0.5, 0.9]);
    expectClose(curve.precisions, [2 / 3, 1, 1]);
    expectClose(curve.recalls, [1, 0.5, 0]);
  });

  it("gives precision 0 and recall 0 where only negatives score that high", () => {
    const curve = precisionRecallCurve([0, 1], [0.9, 0.8]);
    expect(curve).toEqual({ precisions: [0.5, 0, 1], recalls: [1, 0, 0], thresholds: [0.8, 0.9] });
  });

  it("agrees with a brute-force count on random tied scores", () => {
    let state = 42;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const labels = Array.from({ length: 500 }, () => (random() < 0.3 ? 1 : 0));
    const scores = labels.map((label) => Math.round((random() + label * 0.3) * 20) / 20);
    const curve = precisionRecallCurve(labels, scores);
    const positives = labels.filter((label) => label === 1).length;
    const distinct = [...new Set(scores)].sort((a, b) => a - b);
    const fullRecall = Math.max(...distinct.filter((t) => labels.every((l, i) => l === 0 || scores[i] >= t)));
    expect(curve.thresholds).toEqual(distinct.filter((t) => t >= fullRecall));
    curve.thresholds.forEach((threshold, k) => {
      const predicted = scores.map((score) => score >= threshold);
      const truePositives = predicted.filter((isPredicted, i) => isPredicted && labels[i] === 1).length;
      const predictedCount = predicted.filter(Boolean).length;
      expect(curve.precisions[k]).toBeCloseTo(truePositives / predictedCount, 12);
      expect(curve.recalls[k]).toBeCloseTo(truePositives / positives, 12);
    });
    expect(curve.precisions.at(-1)).toBe(1);
    expect(curve.recalls.at(-1)).toBe(0);
  });

  it("handles ~35k points (the pooled test labels of the reference split)", () => {
    const n = 35_350;
    const labels = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const scores = Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n);
    const curve = precisionRecallCurve(labels, scores);
    expect(curve.precisions).toHaveLength(curve.thresholds.length + 1);
  });

  it("refuses bad input, naming the problem", () => {
    expectInvalidInput(() => precisionRecallCurve([0, 1], [0.5]), "2 labels but yScore has 1");
    expectInvalidInput(() => precisionRecallCurve([], []), "empty");
    expectInvalidInput(() => precisionRecallCurve([0, 2], [0.1, 0.2]), "yTrue[1] is 2");
    expectInvalidInput(() => precisionRecallCurve([0, 1], [0.1, Number.NaN]), "yScore[1] is NaN");
    expectInvalidInput(() => precisionRecallCurve([0, 0], [0.1, 0.2]), "no positive label");
  });
});

describe("findBestThreshold", () => {
  it("picks the threshold with the highest pooled F1", () => {
    // Flattened: labels [1,1,0,0,0,1], scores [.9,.8,.7,.6,.5,.1].
    // F1 at 0.8 = 0.8 (P 1, R 2/3); at 0.1 = 2/3 (P 1/2, R 1); others lower.
    const best = findBestThreshold(
      [
        [1, 1],
        [0, 0],
        [0, 1],
      ],
      [
        [0.9, 0.8],
        [0.7, 0.6],
        [0.5, 0.1],
      ],
    );
    expect(best).toBe(0.8);
  });

  it("picks the docs example's best threshold (F1 0.8 at 0.35)", () => {
    expect(findBestThreshold([[0, 0, 1, 1]], [[0.1, 0.4, 0.35, 0.8]])).toBe(0.35);
  });

  it("refuses matrices of different shapes", () => {
    expectInvalidInput(() => findBestThreshold([[1, 0]], [[0.5]]), "yTrue is 1×2 but yProb is 1×1");
  });
});

describe("applyArgmax", () => {
  it("predicts only each row's most probable class, the first of a tie", () => {
    expect(
      applyArgmax([
        [0.2, 0.7, 0.1],
        [0.4, 0.4, 0.2],
      ]),
    ).toEqual([
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });
});

describe("applyThreshold", () => {
  it("predicts 1 at or above the threshold", () => {
    expect(
      applyThreshold(
        [
          [0.5, 0.49],
          [1, 0],
        ],
        0.5,
      ),
    ).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });
});

describe("SLICES", () => {
  const row = (text: string, tags: string[] = []): SliceRow => ({ text, tags });

  it("cv_transformers needs both tags", () => {
    expect(SLICES.cv_transformers(row("x", ["transformers", "computer-vision", "nlp"]))).toBe(true);
    expect(SLICES.cv_transformers(row("x", ["computer-vision"]))).toBe(false);
    expect(SLICES.cv_transformers(row("x", ["transformers"]))).toBe(false);
  });

  it("short_text counts fewer than 7 words, ignoring extra whitespace", () => {
    expect(SLICES.short_text(row("  one two\tthree\nfour five six  "))).toBe(true);
    expect(SLICES.short_text(row("one two three four five six seven"))).toBe(false);
    expect(SLICES.short_text(row(""))).toBe(true);
  });
});

describe("getSliceMetrics", () => {
  it("scores each slice micro-averaged, drops empty slices and weights the overall", () => {
    const metrics = getSliceMetrics(yTrue, yPred, {
      first_two: [true, true, false, false],
      last: [false, false, false, true],
      empty: [false, false, false, false],
    });
    expect(Object.keys(metrics).sort()).toEqual(["first_two", "last", "overall"]);
    // rows 0-1: TP 2, predicted 2, actual 4
    expect(metrics.first_two.precision).toBeCloseTo(1, 12);
    expect(metrics.first_two.recall).toBeCloseTo(0.5, 12);
    expect(metrics.first_two.f1).toBeCloseTo(2 / 3, 12);
    expect(metrics.first_two.num_samples).toBe(2);
    expect(metrics.last).toEqual({ precision: 1, recall: 1, f1: 1, num_samples: 1 });
    expect(metrics.overall.precision).toBeCloseTo(1, 12);
    expect(metrics.overall.recall).toBeCloseTo(2 / 3, 12);
    expect(metrics.overall.f1).toBeCloseTo(7 / 9, 12);
    expect(metrics.overall.num_samples).toBe(3);
  });

  it("gives a zero overall when no slice has samples", () => {
    expect(getSliceMetrics(yTrue, yPred, { empty: [false, false, false, false] })).toEqual({
      overall: { precision: 0, recall: 0, f1: 0, num_samples: 0 },
    });
  });

  it("refuses a mask of the wrong length and a slice named overall", () => {
    expectInvalidInput(() => getSliceMetrics(yTrue, yPred, { s: [true] }), "1 entries but there are 4 rows");
    expectInvalidInput(
      () => getSliceMetrics(yTrue, yPred, { overall: [true, true, true, true] }),
      "reserved",
    );
  });
});

describe("getMetrics", () => {
  const classes = ["a", "b", "c"];
  const rows: SliceRow[] = [
    { text: "a short one", tags: ["computer-vision", "transformers"] },
    { text: "this description has more than seven words in it", tags: ["computer-vision"] },
    { text: "  two   words  ", tags: ["transformers"] },
    { text: "one two three four five six seven", tags: ["computer-vision", "transformers", "nlp"] },
  ];

  it("reports weighted overall, per-class and per-slice metrics", () => {
    const performance = getMetrics({ yTrue, yPred, classes, rows });
    expect(performance.overall.precision).toBeCloseTo(5 / 6, 12);
    expect(performance.overall.recall).toBeCloseTo(2 / 3, 12);
    expect(performance.overall.f1).toBeCloseTo(11 / 15, 12);
    expect(performance.overall.num_samples).toBe(4);
    expect(performance.class.a).toEqual({ precision: 1, recall: 1, f1: 1, num_samples: 2 });
    expect(performance.class.b).toEqual({ precision: 0, recall: 0, f1: 0, num_samples: 1 });
    expect(performance.class.c.recall).toBeCloseTo(2 / 3, 12);
    expect(performance.class.c.num_samples).toBe(3);
    // cv_transformers = rows 0, 3: TP 2, predicted 2, actual 3
    expect(performance.slices.cv_transformers.precision).toBeCloseTo(1, 12);
    expect(performance.slices.cv_transformers.recall).toBeCloseTo(2 / 3, 12);
    expect(performance.slices.cv_transformers.num_samples).toBe(2);
    // short_text = rows 0, 2: TP 2, predicted 3, actual 3
    expect(performance.slices.short_text.precision).toBeCloseTo(2 / 3, 12);
    expect(performance.slices.short_text.num_samples).toBe(2);
    expect(performance.slices.overall.precision).toBeCloseTo(5 / 6, 12);
    expect(performance.slices.overall.f1).toBeCloseTo(11 / 15, 12);
    expect(performance.slices.overall.num_samples).toBe(4);
    expect(performanceSchema.parse(performance)).toEqual(performance);
  });

  it("leaves slices empty without rows and uses custom slices when given", () => {
    expect(getMetrics({ yTrue, yPred, classes }).slices).toEqual({});
    const custom = getMetrics({ yTrue, yPred, classes, rows, slices: { all: () => true } });
    expect(Object.keys(custom.slices).sort()).toEqual(["all", "overall"]);
    expect(custom.slices.all.precision).toBeCloseTo(0.8, 12);
  });

  it("keeps extra sections when a report is parsed", () => {
    const report = { ...getMetrics({ yTrue, yPred, classes }), fairness: { score: 1 } };
    expect(performanceSchema.parse(report).fairness).toEqual({ score: 1 });
  });

  it("refuses classes or rows that disagree with the matrices", () => {
    expectInvalidInput(
      () => getMetrics({ yTrue, yPred, classes: ["a"] }),
      "1 classes but the label matrices have 3",
    );
    expectInvalidInput(
      () => getMetrics({ yTrue, yPred, classes, rows: rows.slice(1) }),
      "3 rows but the label matrices have 4",
    );
  });
});

describe("getPerformanceReport", () => {
  const classes = ["a", "b", "c"];
  // Multi-class, 4 rows: rows 0-1 right, row 2 (true b) predicted a at 0.6, row 3 (true c) predicted b at 0.9.
  const yTrue = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const yProb = [
    [0.8, 0.1, 0.1],
    [0.2, 0.7, 0.1],
    [0.6, 0.3, 0.1],
    [0.05, 0.9, 0.05],
  ];
  const yPred = yProb.map((row) => row.map((p) => (p === Math.max(...row) ? 1 : 0)));
  const texts = ["t0", "t1", "t2", "t3"];

  it("adds accuracy, macro scores, the confusion matrix and the surest mistakes for a multi-class task", () => {
    const report = getPerformanceReport({
      task: "multi-class",
      yTrue,
      yProb,
      yPred,
      classes,
      texts,
      thresholds: [],
    });
    expect(report.accuracy).toBe(0.5);
    expect(report.confusion_matrix).toEqual({
      labels: classes,
      matrix: [
        [1, 0, 0],
        [1, 1, 0],
        [0, 1, 0],
      ],
    });
    // per class F1: a 2/3, b 1/2, c 0 → macro 7/18
    expect(report.macro?.f1).toBeCloseTo(7 / 18, 12);
    expect(report.worst_classes?.map((entry) => entry.class)).toEqual(["c", "b", "a"]);
    expect(report.confident_mistakes).toEqual([
      { text: "t3", true: ["c"], predicted: ["b"], probability: 0.9 },
      { text: "t2", true: ["b"], predicted: ["a"], probability: 0.6 },
    ]);
    expect(report.thresholds).toBeUndefined();
    expect(performanceSchema.parse(report)).toEqual(report);
  });

  it("adds each class's threshold for a multi-label task and no slices without rows", () => {
    const report = getPerformanceReport({
      task: "multi-label",
      yTrue,
      yProb,
      yPred: applyThreshold(yProb, 0.5),
      classes,
      texts,
      thresholds: [0.5, 0.5, 0.5],
    });
    expect(report.thresholds).toEqual({ a: 0.5, b: 0.5, c: 0.5 });
    expect(report.confusion_matrix).toBeUndefined();
    expect(report.slices).toEqual({});
    // row 3: b predicted at 0.9 (false positive, sure 0.9), c missed at 0.05 (sure 0.95)
    expect(report.confident_mistakes?.[0]).toEqual({
      text: "t3",
      true: ["c"],
      predicted: ["b"],
      probability: 0.95,
    });
  });

  it("keeps at most 50 points of a precision-recall curve, first and last included", () => {
    const n = 200;
    const labels = Array.from({ length: n }, (_, i) => [i % 2, 1 - (i % 2)]);
    const probs = Array.from({ length: n }, (_, i) => [i / n, 1 - i / n]);
    const report = getPerformanceReport({
      task: "multi-label",
      yTrue: labels,
      yProb: probs,
      yPred: applyThreshold(probs, 0.5),
      classes: ["odd", "even"],
      texts: labels.map((_, i) => `t${i}`),
      thresholds: [0.5, 0.5],
    });
    const full = precisionRecallCurve(
      labels.map((row) => row[0]),
      probs.map((row) => row[0]),
    );
    const curve = report.pr_curves!.odd;
    expect(full.thresholds.length).toBeGreaterThan(50);
    expect(curve.thresholds).toHaveLength(50);
    expect(curve.thresholds[0]).toBeCloseTo(full.thresholds[0], 4);
    expect(curve.thresholds.at(-1)).toBeCloseTo(full.thresholds.at(-1)!, 4);
    expect(curve.recall[0]).toBe(1);
  });
});
