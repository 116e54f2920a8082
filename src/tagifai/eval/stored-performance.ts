/**
 * The performance report as it is stored with a run (`performance.json`) and served by the API: zod
 * schemas, and the types inferred from them.
 */
import { z } from "zod";
import { behavioralReportSchema } from "../behavioral/suite.js";
import type { AveragedScores } from "./scores.js";

/** Schema of one set of scores. */
export const metricsSchema = z.object({
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  num_samples: z.number().int().nonnegative(),
});

/** Precision, recall and F1 of some predictions, and how many samples they were measured on. */
export type Metrics = z.infer<typeof metricsSchema>;

/** Schema of a stored precision-recall curve: equal-length arrays, one entry per kept threshold. */
export const storedCurveSchema = z.object({
  precision: z.array(z.number()),
  recall: z.array(z.number()),
  thresholds: z.array(z.number()),
});

/** Schema of one of the most confident mistakes on a test set. */
export const mistakeSchema = z.object({
  text: z.string(),
  true: z.array(z.string()),
  predicted: z.array(z.string()),
  /** How sure the model was of the mistake (see {@link getPerformanceReport}). */
  probability: z.number(),
});

/** Schema of a run's performance report; loose, so later stages can add sections. */
export const performanceSchema = z.looseObject({
  overall: metricsSchema,
  class: z.record(z.string(), metricsSchema),
  slices: z.record(z.string(), metricsSchema),
  /** Multi-class: share of rows whose class is predicted. */
  accuracy: z.number().optional(),
  /** Multi-class: unweighted mean over classes. */
  macro: metricsSchema.optional(),
  /** Multi-class: `matrix[true][predicted]` counts, rows and columns in `labels` order. */
  confusion_matrix: z
    .object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number().int())) })
    .optional(),
  /** Multi-label: the decision threshold of each class. */
  thresholds: z.record(z.string(), z.number()).optional(),
  /** Per class with a positive test row, its precision-recall curve (at most 50 points). */
  pr_curves: z.record(z.string(), storedCurveSchema).optional(),
  /** The classes with the lowest F1, worst first. */
  worst_classes: z.array(metricsSchema.extend({ class: z.string() })).optional(),
  /** The wrong predictions the model was most sure of, surest first. */
  confident_mistakes: z.array(mistakeSchema).optional(),
  /** The pass rate and outcomes of the behavioral tests (set by `tagifai test-model`). */
  behavioral: behavioralReportSchema.optional(),
});

/** Performance of a model on a test set: overall, per class, and per data slice (with their "overall"). */
export type Performance = z.infer<typeof performanceSchema>;

/** Stored metrics from averaged scores (`support` becomes `num_samples`). */
export function toMetrics(scores: AveragedScores): Metrics {
  return { precision: scores.precision, recall: scores.recall, f1: scores.f1, num_samples: scores.support };
}
