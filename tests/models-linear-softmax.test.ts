import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TagifaiError } from "../src/tagifai/errors.js";
import { AUTO_C_GRID } from "../src/tagifai/families/linear/classifier.js";
import { fitLinearModel, loadLinearModel, saveLinearModel } from "../src/tagifai/families/linear/model.js";
import { fitSoftmax, predictSoftmax } from "../src/tagifai/families/linear/softmax.js";
import { toCsr } from "../src/tagifai/families/linear/sparse.js";
import { folderReader, folderWriter } from "../src/tagifai/folder-io.js";
import { FOUR_FEATURE_ROWS, sparseRows } from "./helpers/sparse-rows.js";
import { TOPIC_TRAIN, TOPIC_TRAIN_Y, TOPIC_VAL, TOPIC_VAL_Y } from "./helpers/topics.js";

function thrown(run: () => unknown): TagifaiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TagifaiError);
    return error as TagifaiError;
  }
  return expect.fail("expected a TagifaiError");
}

describe("multinomial logistic regression", () => {
  const X = FOUR_FEATURE_ROWS;
  const classes = [0, 0, 1, 1, 2, 2, 2];
  const Y = classes.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
  const queries = sparseRows([
    [0.5, 0.5, 0, 0],
    [0, 0, 0.3, 0.3],
  ]);

  // scikit-learn 1.2.1: LogisticRegression(C=2, class_weight=…, tol=1e-10, max_iter=10000)
  // .fit(X, classes).predict_proba(queries), rounded to 6 decimals.
  it.each([
    [
      "balanced" as const,
      [
        [0.422585, 0.400909, 0.176506],
        [0.220919, 0.256503, 0.522577],
      ],
    ],
    [
      "none" as const,
      [
        [0.403826, 0.385654, 0.210521],
        [0.188274, 0.216782, 0.594943],
      ],
    ],
  ])("matches scikit-learn's LogisticRegression probabilities (class_weight %s)", (classWeight, expected) => {
    const options = { C: 2, classWeight, maxIterations: 1000, tolerance: 1e-8 };
    const { model, report } = fitSoftmax(toCsr(sparseRows(X), 4), Y, options);
    expect(report.converged).toBe(true);
    const probabilities = predictSoftmax(model, queries);
    probabilities.forEach((row, i) => {
      row.forEach((p, c) => {
        expect(p).toBeCloseTo(expected[i][c], 4);
      });
    });
  });

  // scikit-learn 1.2.1's lbfgs stops when its gradient of Σ loss + ‖W‖²/(2C), not divided by the
  // row count, reaches tol: at its default 1e-4, 1400 rows (the fixture 200 times) are fitted to
  // the optimum. LogisticRegression(C=2, class_weight="balanced") with tol=1e-4 and with tol=1e-10
  // give the same probabilities, to 6 decimals:
  it("stops where scikit-learn's lbfgs stops, its tolerance on the objective summed over rows", () => {
    const options = { C: 2, classWeight: "balanced" as const, maxIterations: 1000, tolerance: 1e-4 };
    const rows = Array.from({ length: 200 }, () => X).flat();
    const { model } = fitSoftmax(
      toCsr(sparseRows(rows), 4),
      Array.from({ length: 200 }, () => Y).flat(),
      options,
    );
    const expected = [
      [0.613811, 0.374753, 0.011436],
      [0.00926, 0.026321, 0.964419],
    ];
    predictSoftmax(model, queries).forEach((row, i) => {
      row.forEach((p, c) => {
        expect(p).toBeCloseTo(expected[i][c], 4);
      });
    });
  });

  it("rejects a row that is not one-hot and a class without rows", () => {
    const options = { C: 1, classWeight: "none" as const, maxIterations: 10, tolerance: 1e-4 };
    const matrix = toCsr(sparseRows(X), 4);
    expect(thrown(() => fitSoftmax(matrix, [[1, 1, 0], ...Y.slice(1)], options)).message).toContain("Row 0");
    const noClass2 = Y.map(() => [1, 0, 0]).map((row, i) => (i % 2 ? [0, 1, 0] : row));
    expect(thrown(() => fitSoftmax(matrix, noClass2, options)).message).toContain("Class 2 has no");
  });
});

describe("linear model: multi-class output, C chosen on validation, refit", () => {
  const [train, trainY, val, valY] = [TOPIC_TRAIN, TOPIC_TRAIN_Y, TOPIC_VAL, TOPIC_VAL_Y];

  it("fits a softmax for a multi-class task and keeps it through save/load", async () => {
    const { model } = await fitLinearModel(train, trainY, val, valY, {}, "multi-class");
    expect(model.classifier.output).toBe("softmax");
    const probabilities = model.predictProba(val);
    for (const row of probabilities) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(probabilities.map((row) => row.indexOf(Math.max(...row)))).toEqual([1, 2, 0]);
    const dir = mkdtempSync(join(tmpdir(), "tagifai-softmax-"));
    saveLinearModel(model, folderWriter(dir));
    const loaded = await loadLinearModel(folderReader(dir));
    expect(loaded.classifier.output).toBe("softmax");
    expect(loaded.predictProba(val)).toEqual(model.predictProba(val));
    const ovr = await fitLinearModel(
      train,
      trainY,
      val,
      valY,
      { logistic: { multiClass: "ovr" } },
      "multi-class",
    );
    expect(ovr.model.classifier.output).toBe("sigmoid");
  });

  it("tries every C of the grid on validation and saves the one it kept", async () => {
    const { model, report } = await fitLinearModel(train, trainY, val, valY, { logistic: { C: "auto" } });
    expect(report.candidates.map((candidate) => candidate.C)).toEqual([...AUTO_C_GRID]);
    const best = Math.max(...report.candidates.map((candidate) => candidate.valF1));
    const kept = report.candidates.find((candidate) => candidate.valF1 === best)!.C;
    expect(model.config.logistic.C).toBe(kept);
    const dir = mkdtempSync(join(tmpdir(), "tagifai-auto-c-"));
    saveLinearModel(model, folderWriter(dir));
    expect((await loadLinearModel(folderReader(dir))).config.logistic.C).toBe(kept);
  });

  it("refits on train + validation with the thresholds chosen on validation", async () => {
    const plain = await fitLinearModel(train, trainY, val, valY, {});
    const refit = await fitLinearModel(train, trainY, val, valY, { refit: true });
    expect(plain.model.vectorizer.toJSON().blocks[0].terms).not.toContain("pretraining");
    expect(refit.model.vectorizer.toJSON().blocks[0].terms).toContain("pretraining");
    expect(refit.model.thresholds).toEqual(plain.model.thresholds);
    // The validation probabilities it reports come from the fit on train alone (held-out), not from
    // the refitted model that has seen those rows.
    expect(refit.valProba).toEqual(plain.model.predictProba(val));
    expect(refit.valProba).not.toEqual(refit.model.predictProba(val));
  });

  it("refuses to refit without validation rows, naming the problem", async () => {
    await expect(fitLinearModel(train, trainY, [], [], { refit: true })).rejects.toMatchObject({
      code: "INVALID_DATA",
      message: expect.stringContaining("too small to split"),
    });
  });
});
