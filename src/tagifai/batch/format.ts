/**
 * How batch predictions are written: JSONL (one `{"id", "predicted_tags", "probabilities"?}` object
 * a line) or CSV (`id,predicted_tags[,probabilities]`, the tags joined by `|` as a dataset CSV's
 * label lists are, the probabilities as a JSON object).
 */
import { formatCsvRow } from "../data/csv.js";
import type { Prediction } from "../predict.js";

/** Formats predictions can be written in. */
export type OutputFormat = "jsonl" | "csv";

/** How predictions are written. */
export interface OutputLayout {
  format: OutputFormat;
  /** Write every tag's probability too. */
  probabilities: boolean;
}

/**
 * The first line of the output: the CSV header, or nothing for JSONL.
 * @param layout the output's format and columns
 */
export function outputHeader(layout: OutputLayout): string {
  if (layout.format === "jsonl") return "";
  return formatCsvRow(["id", "predicted_tags", ...(layout.probabilities ? ["probabilities"] : [])]);
}

/**
 * Predictions as output lines.
 * @param ids each record's id
 * @param predictions each record's prediction, in the same order
 * @param layout the output's format and columns
 * @returns the lines, each ending with a line break
 */
export function formatPredictions(
  ids: readonly (string | number)[],
  predictions: readonly Prediction[],
  layout: OutputLayout,
): string {
  return predictions
    .map((prediction, i) => {
      const { predicted_tags, probabilities } = prediction;
      if (layout.format === "jsonl")
        return `${JSON.stringify({ id: ids[i], predicted_tags, ...(layout.probabilities ? { probabilities } : {}) })}\n`;
      return formatCsvRow([
        String(ids[i]),
        predicted_tags.join("|"),
        ...(layout.probabilities ? [JSON.stringify(probabilities)] : []),
      ]);
    })
    .join("");
}
