/**
 * The linear family: TF-IDF + one-vs-rest logistic regression fitted on the training split,
 * thresholds tuned on the validation split (families/linear/model.ts and the modules beside it).
 * For a multi-class task the one-vs-rest probabilities are normalized to sum to 1 and the most
 * probable class wins. The fit checks the abort signal between its phases (see `fitLinearModel`)
 * and once more at the end.
 */
import { checkpoint } from "../../abort.js";
import type { ModelFamily } from "../../family.js";
import { estimateLinearMemory } from "./footprint.js";
import { linearLoader, linearScorer, probabilitiesFor } from "./loader.js";
import { fitLinearModel, type LinearConfig } from "./model.js";

/** The linear family. Its params section is `linear` (`tfidf`, `logistic`, `thresholds`). */
export const linearFamily: ModelFamily<LinearConfig> = {
  ...linearLoader,
  summary: "TF-IDF word and character n-grams with one-vs-rest logistic regression",
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
      valProba: probabilitiesFor(task, valProba),
      thresholds: task === "multi-label" ? model.thresholds : [],
      history: [],
    };
  },
};
