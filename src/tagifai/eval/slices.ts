/**
 * Data slices: subsets of the test set (e.g. short texts) scored on their own, so a weakness hidden
 * by the overall numbers shows; and how the slices' metrics are combined.
 */
import { assertSameShape, invalidInput } from "./label-matrices.js";
import { precisionRecallFscoreSupport, sum, weightedMean } from "./scores.js";
import { type Metrics, toMetrics } from "./stored-performance.js";

/** What a slicing function sees of a project. */
export type SliceRow = { text: string; tags: string[] };

/** Tells whether a project belongs to a slice. */
export type SliceFunction = (row: SliceRow) => boolean;

/** The built-in slices: projects we want to watch even when the overall numbers look fine. */
export const SLICES: Record<string, SliceFunction> = {
  cv_transformers: (row) => row.tags.includes("computer-vision") && row.tags.includes("transformers"),
  short_text: (row) => row.text.split(/\s+/).filter((token) => token !== "").length < 7,
};

/** Key of the combined entry in the slice metrics. */
const SLICES_OVERALL = "overall";

/**
 * Micro-averaged metrics on each slice, plus their combination under "overall": the mean of the
 * slices' precision, recall and F1 weighted by their number of samples, with `num_samples` their sum
 * (all zeros when no slice has a sample). A slice with no samples is left out.
 * @param yTrue true labels, `rows × classes` of 0/1
 * @param yPred predicted labels, same shape
 * @param masks for each slice name, one flag per row telling whether the row is in the slice
 * @returns metrics by slice name, with `num_samples` = rows in the slice
 * @throws TagifaiError INVALID_INPUT on bad matrices, a mask whose length is not the number of rows,
 *   or a slice named "overall"
 */
export function getSliceMetrics(
  yTrue: number[][],
  yPred: number[][],
  masks: Record<string, boolean[]>,
): Record<string, Metrics> {
  assertSameShape("yTrue", yTrue, "yPred", yPred);
  const metrics: Record<string, Metrics> = {};
  for (const [name, mask] of Object.entries(masks)) {
    if (name === SLICES_OVERALL)
      throw invalidInput(`"${SLICES_OVERALL}" is reserved and cannot name a slice`);
    if (mask.length !== yTrue.length)
      throw invalidInput(
        `mask of slice "${name}" has ${mask.length} entries but there are ${yTrue.length} rows`,
      );
    if (!mask.includes(true)) continue;
    const scores = precisionRecallFscoreSupport(
      yTrue.filter((_, i) => mask[i]),
      yPred.filter((_, i) => mask[i]),
      "micro",
    );
    metrics[name] = toMetrics(scores);
  }
  metrics[SLICES_OVERALL] = combineSlices(Object.values(metrics));
  return metrics;
}

/** Combine slice metrics: means weighted by `num_samples`, which are summed. */
function combineSlices(slices: Metrics[]): Metrics {
  const weights = slices.map((slice) => slice.num_samples);
  const meanOf = (score: "precision" | "recall" | "f1") =>
    weightedMean(
      slices.map((slice) => slice[score]),
      weights,
    );
  return {
    precision: meanOf("precision"),
    recall: meanOf("recall"),
    f1: meanOf("f1"),
    num_samples: sum(weights),
  };
}
