/**
 * The evaluation stage: precision / recall / F1 of predictions overall, per class and on data
 * slices (scikit-learn semantics, see `eval/scores.ts`), the decisions that turn probabilities into
 * predictions, and the performance report stored with a run.
 */
export { applyArgmax, applyThreshold, findBestThreshold } from "./eval/decisions.js";
export { getMetrics, getPerformanceReport, MAX_CURVE_POINTS } from "./eval/performance.js";
export {
  type Average,
  type AveragedScores,
  type PrecisionRecallCurve,
  precisionRecallCurve,
  precisionRecallFscoreSupport,
  type ScoresPerClass,
} from "./eval/scores.js";
export { getSliceMetrics, SLICES, type SliceFunction, type SliceRow } from "./eval/slices.js";
export {
  type Metrics,
  metricsSchema,
  mistakeSchema,
  type Performance,
  performanceSchema,
  storedCurveSchema,
} from "./eval/stored-performance.js";
