/**
 * A fitted linear model as a scorer, and how the linear family loads a saved one (`linear.json`,
 * `linear-weights.bin`, see model.ts). For a multi-class task the one-vs-rest probabilities are
 * normalized to sum to 1. No Node import, so the dashboard runs the same inference in the browser.
 */
import type { Task } from "../../data.js";
import type { FamilyLoader, Scorer } from "../../family.js";
import {
  type LinearConfig,
  type LinearModel,
  linearConfigSchema,
  loadLinearModel,
  saveLinearModel,
} from "./model.js";

/** How the linear family loads a saved model. */
export const linearLoader: FamilyLoader<LinearConfig> = {
  kind: "linear",
  configSchema: linearConfigSchema,
  load: async (reader, { task }) => linearScorer(await loadLinearModel(reader), task),
};

/**
 * A linear model as a scorer.
 * @param model the fitted model
 * @param task a multi-class task's probabilities are normalized per row
 */
export function linearScorer(model: LinearModel, task: Task): Scorer {
  return {
    predictProba(texts) {
      const probabilities = model.predictProba(texts);
      return task === "multi-label" ? probabilities : probabilities.map(normalize);
    },
    save: (writer) => saveLinearModel(model, writer),
    dispose() {},
  };
}

function normalize(row: number[]): number[] {
  const total = row.reduce((sum, p) => sum + p, 0);
  return total > 0 ? row.map((p) => p / total) : row.map(() => 1 / row.length);
}
