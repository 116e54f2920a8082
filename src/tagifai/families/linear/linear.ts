/**
 * The linear family: TF-IDF + one-vs-rest logistic regression fitted on the training split,
 * thresholds tuned on the validation split (families/linear/model.ts and the modules beside it).
 * For a multi-class task the one-vs-rest probabilities are normalized to sum to 1 and the most
 * probable class wins. The fit checks the abort signal between its phases (see `fitLinearModel`)
 * and once more at the end.
 */
import { checkpoint } from "../../abort.js";
import type { Task } from "../../data.js";
import type { ModelFamily, Scorer } from "../../family.js";
import { estimateLinearMemory } from "./footprint.js";
import {
  fitLinearModel,
  type LinearConfig,
  type LinearModel,
  linearConfigSchema,
  loadLinearModel,
  saveLinearModel,
} from "./model.js";

/** The linear family. Its params section is `linear` (`tfidf`, `logistic`, `thresholds`). */
export const linearFamily: ModelFamily<LinearConfig> = {
  kind: "linear",
  summary: "TF-IDF word and character n-grams with one-vs-rest logistic regression",
  configSchema: linearConfigSchema,
  estimateMemory: ({ config, data }) => estimateLinearMemory(config, data),
  async fit({ train, val, config, task, signal }) {
    await checkpoint(signal);
    const { model, valProba } = await fitLinearModel(
      train.texts,
      train.y,
      val.texts,
      val.y,
      config,
      task,
      signal,
    );
    await checkpoint(signal);
    return {
      scorer: linearScorer(model, task),
      valProba: task === "multi-label" ? valProba : valProba.map(normalize),
      thresholds: task === "multi-label" ? model.thresholds : [],
      history: [],
    };
  },
  load: async (dir, { task }) => linearScorer(loadLinearModel(dir), task),
};

function linearScorer(model: LinearModel, task: Task): Scorer {
  return {
    predictProba(texts) {
      const probabilities = model.predictProba(texts);
      return task === "multi-label" ? probabilities : probabilities.map(normalize);
    },
    save: (dir) => saveLinearModel(model, dir),
    dispose() {},
  };
}

function normalize(row: number[]): number[] {
  const total = row.reduce((sum, p) => sum + p, 0);
  return total > 0 ? row.map((p) => p / total) : row.map(() => 1 / row.length);
}
