/**
 * Model families behind one interface: the character CNN, the linear model (TF-IDF + one-vs-rest
 * logistic regression) and their ensemble. Training, evaluation, prediction, artifacts and tracking
 * only see a {@link TrainedModel}: probabilities for preprocessed texts, and the decisions they make.
 *
 * On disk a model is its members' files plus `family.json` (`{format, kind, task, thresholds}`),
 * which holds the decision thresholds prediction uses (a run's `params.threshold` is only their mean,
 * kept for the optimizer and for display). Multi-label models predict every class whose probability
 * reaches its threshold; multi-class models predict the most probable class.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Task } from "./data.js";
import { TagifaiError } from "./errors.js";
import { applyArgmax, findBestThreshold } from "./eval.js";
import { fitCnn, loadCnn } from "./families/cnn/fit.js";
import { fitLinear, loadLinear } from "./families/linear/fit.js";
import { linearConfigSchema } from "./families/linear/model.js";
import { applyClassThresholds, ensembleProbabilities, tuneClassThresholds } from "./families/thresholds.js";
import type { EpochMetrics, FitContext, Scorer } from "./family.js";
import { readArtifactJson, saveJson } from "./files.js";
import { type ModelKind, modelKindSchema, type Params } from "./params.js";
import { parseWith } from "./schema.js";

export type { EpochMetrics, FitContext, LabelledSplit, TrainHooks } from "./family.js";

/** A trained model of any family. */
export interface TrainedModel {
  readonly kind: ModelKind;
  readonly task: Task;
  /** Decision threshold per class (multi-label); empty for a multi-class model (argmax). */
  readonly thresholds: readonly number[];
  /**
   * @param texts preprocessed texts (see `preprocess`)
   * @returns `texts × classes` probabilities (each row sums to 1 for a multi-class model)
   */
  predictProba(texts: readonly string[]): number[][];
  /** Write the model's files into `dir` (created if needed). */
  save(dir: string): Promise<void>;
  /** Free the model's tensors. */
  dispose(): void;
}

/** What fitting a family returns: the model, and the CNN's per-epoch history and best val loss. */
export interface FitOutcome {
  model: TrainedModel;
  history: EpochMetrics[];
  /** Lowest validation loss over the epochs (families trained by epochs only). */
  bestValLoss?: number;
}

const FAMILY_FILE = "family.json";

const familyFileSchema = z.object({
  format: z.literal("tagifai-model"),
  kind: modelKindSchema,
  task: z.enum(["multi-label", "multi-class"]),
  thresholds: z.array(z.number().min(0).max(1)),
});

/**
 * Train a model of the family `params.model` (default "cnn"). The CNN tunes one global threshold on
 * the training probabilities (as the original); the linear model tunes its thresholds on the
 * validation split; the ensemble averages both (CNN share `params.ensemble_weight`, default 0.5) and
 * tunes the blend's thresholds on the validation split.
 * @param ctx params, task, splits, class weights, hooks and the seeded random source
 * @returns the trained model, with the CNN's epoch history and best validation loss
 * @throws TagifaiError as the family's training does
 */
export async function fitModel(ctx: FitContext): Promise<FitOutcome> {
  const kind = ctx.params.model ?? "cnn";
  const { task } = ctx;
  if (kind === "linear") {
    const { scorer, thresholds } = fitLinear(ctx);
    return { model: trainedModel("linear", task, scorer, thresholds), history: [] };
  }
  const { scorer: cnn, thresholds, history, bestValLoss } = await fitCnn(ctx);
  if (kind === "cnn") return { model: trainedModel("cnn", task, cnn, thresholds), history, bestValLoss };
  try {
    const blended = ensembleScorer(cnn, fitLinear(ctx).scorer, ctx.params);
    const blendedThresholds =
      task === "multi-label"
        ? tuneThresholds(ctx.val.y, blended.predictProba(ctx.val.texts), ctx.params)
        : [];
    return { model: trainedModel("ensemble", task, blended, blendedThresholds), history, bestValLoss };
  } catch (error) {
    cnn.dispose();
    throw error;
  }
}

/**
 * Load a model saved by a {@link TrainedModel}'s `save`.
 * @param dir the artifact folder
 * @param params the run's params (batch size and ensemble weight)
 * @returns the model, predicting exactly as the saved one did
 * @throws TagifaiError INVALID_ARTIFACTS when `family.json` is missing (a folder saved before model
 *   families existed) or invalid, or a member's files are
 */
export async function loadTrainedModel(dir: string, params: Params): Promise<TrainedModel> {
  const file = join(dir, FAMILY_FILE);
  if (!existsSync(file))
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `Missing ${file}: these artifacts predate model families (or are incomplete); retrain the run`,
    );
  const { kind, task, thresholds } = parseWith(familyFileSchema, readArtifactJson(file), {
    code: "INVALID_ARTIFACTS",
    what: `model file ${file}`,
  });
  if (kind === "linear") return trainedModel(kind, task, loadLinear(dir, task), thresholds);
  const cnn = await loadCnn(dir, params);
  if (kind === "cnn") return trainedModel(kind, task, cnn, thresholds);
  try {
    return trainedModel(kind, task, ensembleScorer(cnn, loadLinear(dir, task), params), thresholds);
  } catch (error) {
    cnn.dispose();
    throw error;
  }
}

/**
 * A model's decisions.
 * @param model the model (its task and thresholds decide)
 * @param probabilities `rows × classes`, from its `predictProba`
 * @returns `rows × classes` of 0/1: multi-label, 1 where a probability reaches its class's threshold;
 *   multi-class, 1 at the most probable class (ties: the first)
 */
export function predictLabels(
  model: TrainedModel,
  probabilities: readonly (readonly number[])[],
): number[][] {
  if (model.task === "multi-label") return applyClassThresholds(probabilities, model.thresholds);
  return applyArgmax(probabilities);
}

/**
 * Thresholds tuned on held-out rows as the linear family does it (`params.linear.thresholds`): one
 * global threshold (best pooled F1) for every class, or each class's own when `perClass`.
 * @param yTrue true labels, `rows × classes` of 0/1
 * @param yProb probabilities, same shape
 * @param params the run's params
 * @returns one threshold per class
 */
function tuneThresholds(yTrue: number[][], yProb: number[][], params: Params): number[] {
  const { perClass, ...options } = (params.linear ?? linearConfigSchema.parse({})).thresholds;
  if (perClass) return tuneClassThresholds(yTrue, yProb, options);
  const global = findBestThreshold(yTrue, yProb);
  return yTrue[0].map(() => global);
}

function ensembleScorer(cnn: Scorer, linear: Scorer, params: Params): Scorer {
  const weight = params.ensemble_weight ?? 0.5;
  return {
    predictProba: (texts) =>
      ensembleProbabilities(cnn.predictProba(texts), linear.predictProba(texts), weight),
    async save(dir) {
      await cnn.save(dir);
      await linear.save(dir);
    },
    dispose() {
      cnn.dispose();
      linear.dispose();
    },
  };
}

function trainedModel(
  kind: ModelKind,
  task: Task,
  scorer: Scorer,
  thresholds: readonly number[],
): TrainedModel {
  return {
    kind,
    task,
    thresholds,
    predictProba: (texts) => scorer.predictProba(texts),
    async save(dir) {
      await scorer.save(dir);
      saveJson(join(dir, FAMILY_FILE), { format: "tagifai-model", kind, task, thresholds });
    },
    dispose: () => scorer.dispose(),
  };
}
