/**
 * The linear family as a pipeline member: TF-IDF + one-vs-rest logistic regression fitted on the
 * training split, thresholds tuned on the validation split (see models/linear.ts). For a multi-class
 * task the one-vs-rest probabilities are normalized to sum to 1 and the most probable class wins.
 */
import type { Task } from "../../data.js";
import type { FitContext, Scorer } from "../../family.js";
import { fitLinearModel, type LinearModel, loadLinearModel, saveLinearModel } from "./model.js";

/**
 * Fit the linear model on `ctx.train` with `ctx.params.linear` (defaults for what is left out),
 * thresholds tuned on `ctx.val`.
 * @param ctx the training context
 * @returns the scorer and its thresholds (empty for a multi-class task)
 * @throws TagifaiError INVALID_PARAMS for a bad configuration; INVALID_INPUT when a class is always or
 *   never present in the training split
 */
export function fitLinear(ctx: FitContext): { scorer: Scorer; thresholds: number[] } {
  const { train, val, params, task } = ctx;
  const { model } = fitLinearModel(train.texts, train.y, val.texts, val.y, params.linear ?? {}, task);
  return { scorer: linearScorer(model, task), thresholds: task === "multi-label" ? model.thresholds : [] };
}

/**
 * Load the linear member saved in `dir`.
 * @param dir the artifact folder
 * @param task the model's task (multi-class rows are normalized)
 * @throws TagifaiError INVALID_ARTIFACTS naming the missing or invalid file
 */
export function loadLinear(dir: string, task: Task): Scorer {
  return linearScorer(loadLinearModel(dir), task);
}

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
