/**
 * The model-family registry: one table from a kind (the value of `params.model`, and the name of
 * the family's params section) to its {@link ModelFamily}, and the helpers the pipeline uses to fit
 * and load a model of any family. Training, evaluation, prediction, artifacts and tracking only see
 * a {@link TrainedModel}: probabilities for preprocessed texts, and the decisions they make.
 *
 * Adding a model family costs one folder and one line:
 * 1. `src/tagifai/families/<kind>/<kind>.ts` exporting a {@link ModelFamily} (its kind, its params
 *    section's schema, `fit` and `load`), with its code beside it — `load` and what it needs in
 *    `loader.ts` and modules free of Node imports, so the dashboard can load the model in a browser;
 * 2. one entry in {@link FAMILIES} below.
 * The params schema gains the `<kind>` section, `params.model` accepts the kind, an ensemble may take
 * it as a member, and tests/families.contract.test.ts runs the shared contract suite on it.
 *
 * On disk a model is its family's files plus `family.json` (`{format, kind, task, thresholds}`),
 * which holds the decision thresholds prediction uses (a run's `params.threshold` is only their mean,
 * kept for the optimizer and for display). Multi-label models predict every class whose probability
 * reaches its threshold; multi-class models predict the most probable class (trained-model.ts, which
 * also loads a model of any family through an artifact reader).
 */
import { TagifaiError } from "./errors.js";
import { cnnFamily } from "./families/cnn/cnn.js";
import { createEnsembleFamily } from "./families/ensemble/ensemble.js";
import { linearFamily } from "./families/linear/linear.js";
import {
  type DataShape,
  type FamilyFit,
  type FitContext,
  familyConfig,
  type LoaderRegistry,
  type MemoryTerm,
  type ModelFamily,
  type TrainedModel,
} from "./family.js";
import { checkMemory, dataShape, type MemoryBudget } from "./memory.js";
import type { Params } from "./params.js";
import { trainedModel } from "./trained-model.js";

export type {
  DataShape,
  EpochMetrics,
  FitContext,
  LabelledSplit,
  MemoryTerm,
  ModelFamily,
  TrainedModel,
  TrainHooks,
} from "./family.js";

/** Every registered family, as `readTrainedModel` loads models of them (see `trained-model.ts`). */
export const FAMILY_REGISTRY: LoaderRegistry<ModelFamily> = { get: findFamily, kinds: registeredKinds };

/** Every model family, by kind. A new family adds one line here (see the module comment). */
export const FAMILIES = {
  cnn: cnnFamily,
  linear: linearFamily,
  ensemble: createEnsembleFamily(FAMILY_REGISTRY),
} as const;

/** A registered model family's name. */
export type ModelKind = keyof typeof FAMILIES;

/** The registered kinds, in registry order. */
export const MODEL_KINDS = Object.keys(FAMILIES) as ModelKind[];

/** The params section of a registered family, defaults applied. */
export type FamilyConfig<K extends ModelKind> = (typeof FAMILIES)[K] extends ModelFamily<infer C> ? C : never;

/**
 * The family registered under `kind`.
 * @param kind any string
 * @returns the family, or undefined when no family has that name
 */
export function findFamily(kind: string): ModelFamily | undefined {
  return Object.hasOwn(FAMILIES, kind) ? (FAMILIES as Record<string, ModelFamily>)[kind] : undefined;
}

function registeredKinds(): string[] {
  return Object.keys(FAMILIES);
}

/**
 * What fitting a model returns: the model, and what else the family's fit reported (the per-epoch
 * history, best val loss and validation probabilities, see `FamilyFit`).
 */
export type FitOutcome = Omit<FamilyFit, "scorer" | "thresholds"> & { model: TrainedModel };

/**
 * Train a model of the family `params.model` with its params section (defaults for what is left out).
 * @param ctx params, task, splits, class weights, hooks, the seeded random source and the abort signal
 * @returns the trained model, with its epoch history and best validation loss (if trained by epochs)
 * @throws TagifaiError INVALID_PARAMS when the estimated memory exceeds the budget (before anything
 *   is allocated; see `assertFitsMemory`); the signal's reason (an AbortError) once it is aborted;
 *   TagifaiError as the family's training does
 */
export async function fitModel(ctx: Omit<FitContext, "config">): Promise<FitOutcome> {
  const { family, config } = familyOf(ctx.params);
  assertFitsMemory(ctx.params, dataShape([...ctx.train.texts, ...ctx.val.texts], ctx.classWeights.length));
  const { scorer, thresholds, ...reported } = await family.fit({ ...ctx, config });
  return { ...reported, model: trainedModel(family.kind, ctx.task, scorer, thresholds) };
}

/**
 * Estimate the memory fitting the family `params.model` on data of this shape takes (see
 * `ModelFamily.estimateMemory`).
 * @param params validated params
 * @param data the shape of the texts (see `dataShape`)
 * @returns the parts of the estimate, each naming the params keys it grows with
 */
export function estimateFitMemory(params: Params, data: DataShape): MemoryTerm[] {
  const { family, config } = familyOf(params);
  return family.estimateMemory({ config, params, data });
}

/**
 * Refuse params whose fit on data of this shape is estimated past the memory budget.
 * @param params validated params
 * @param data the shape of the texts (see `dataShape`)
 * @param budget default this machine's (see `memoryBudget`)
 * @throws TagifaiError INVALID_PARAMS naming the keys, their values, the estimate and the budget
 */
export function assertFitsMemory(params: Params, data: DataShape, budget?: MemoryBudget): void {
  checkMemory(estimateFitMemory(params, data), params, budget);
}

/** The family `params.model` names, and its params section with defaults applied. */
function familyOf(params: Params): { family: ModelFamily; config: unknown } {
  const family = findFamily(params.model);
  if (family === undefined)
    throw new TagifaiError(
      "INVALID_PARAMS",
      `unknown model family ${JSON.stringify(params.model)}; registered: ${MODEL_KINDS.join(", ")}`,
    );
  return { family, config: familyConfig(family, params) };
}
