/**
 * Benchmark of the linear model family on the reference protocol: prepare (tags of tags.json, not
 * excluded, used by at least 30 projects), preprocess (lower, no stemming), iterative stratified
 * split 70/15/15 with seed 1234; fit on train, thresholds tuned on val; prints fit seconds and val/test
 * weighted precision/recall/F1 (fit time in wall-clock and CPU seconds: the CPU time is the
 * meaningful one on a busy machine). Then an ensemble hint: the default model blended half and half with a
 * variant using plain `char` n-grams, thresholds tuned on val the same way.
 * Data: `TAGIFAI_DATA_DIR` (default ../shared/datasets).
 * Usage: node --import tsx bench/linear.ts ['{"logistic": {"C": 3}}']
 */
import { resolve } from "node:path";
import { referenceSplits } from "../src/tagifai/data/reference.js";
import { precisionRecallFscoreSupport } from "../src/tagifai/eval.js";
import { blendProbabilities } from "../src/tagifai/families/ensemble/blend.js";
import {
  fitLinearModel,
  type LinearModel,
  linearConfigSchema,
} from "../src/tagifai/families/linear/model.js";
import { applyClassThresholds, tuneClassThresholds } from "../src/tagifai/families/thresholds.js";

const dataDir = resolve(process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");
const config = linearConfigSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
const { encoder, train, val, test } = referenceSplits(dataDir);

const start = performance.now();
const startCpu = process.cpuUsage();
const { model, report } = await fitLinearModel(train.X, train.y, val.X, val.y, config);
const fitSeconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(startCpu);

const { model: variant } = await fitLinearModel(train.X, train.y, val.X, val.y, {
  ...config,
  tfidf: { ...config.tfidf, charAnalyzer: config.tfidf.charAnalyzer === "char" ? "char_wb" : "char" },
});
const blend = (rows: string[]) =>
  blendProbabilities([
    { probabilities: model.predictProba(rows), weight: 0.5 },
    { probabilities: variant.predictProba(rows), weight: 0.5 },
  ]);
const ensembleThresholds = tuneClassThresholds(val.y, blend(val.X), { minPositives: val.y.length + 1 });

console.log(
  JSON.stringify(
    {
      samples: {
        train: train.X.length,
        val: val.X.length,
        test: test.X.length,
        classes: encoder.classes.length,
      },
      features: model.vectorizer.numFeatures,
      fit_seconds: round(fitSeconds),
      fit_cpu_seconds: round((cpu.user + cpu.system) / 1e6),
      newton_iterations_max: Math.max(...report.iterations),
      converged: report.converged.every(Boolean),
      val: scores(val.y, model.predict(val.X)),
      test: scores(test.y, model.predict(test.X)),
      ensemble_hint: {
        variant: variant.config.tfidf.charAnalyzer,
        val: scores(val.y, applyClassThresholds(blend(val.X), ensembleThresholds)),
        test: scores(test.y, applyClassThresholds(blend(test.X), ensembleThresholds)),
        variant_test: scores(test.y, variant.predict(test.X)),
      },
      thresholds: summarize(model),
      config,
    },
    null,
    2,
  ),
);

function scores(yTrue: number[][], yPred: number[][]): { precision: number; recall: number; f1: number } {
  const { precision, recall, f1 } = precisionRecallFscoreSupport(yTrue, yPred, "weighted");
  return { precision: round(precision), recall: round(recall), f1: round(f1) };
}

function summarize(fitted: LinearModel): { min: number; max: number } {
  return { min: round(Math.min(...fitted.thresholds)), max: round(Math.max(...fitted.thresholds)) };
}

function round(x: number): number {
  return Number(x.toFixed(4));
}
