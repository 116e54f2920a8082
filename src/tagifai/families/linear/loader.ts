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
    predictProba: (texts) => probabilitiesFor(task, model.predictProba(texts)),
    save: (writer) => saveLinearModel(model, writer),
    dispose() {},
  };
}

/**
 * The one-vs-rest probabilities as the task reads them: as they are for a multi-label task,
 * normalized to sum to 1 per row for a multi-class one.
 * @param task the task
 * @param probabilities `rows × classes`
 */
export function probabilitiesFor(task: Task, probabilities: number[][]): number[][] {
  return task === "multi-label" ? probabilities : probabilities.map(normalize);
}

function normalize(row: number[]): number[] {
  const total = row.reduce((sum, p) => sum + p, 0);
  return total > 0 ? row.map((p) => p / total) : row.map(() => 1 / row.length);
}
