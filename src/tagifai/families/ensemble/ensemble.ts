/**
 * The ensemble family: any registered families as members, each trained on the same splits with its
 * own params section, their probabilities blended by weight (families/ensemble/blend.ts), and the
 * blend's thresholds tuned on the validation split. The weights are the configured ones
 * (`weights: "fixed"`) or, by default, chosen on the validation split (`"validation"`,
 * families/ensemble/weights.ts) and saved with the model in `ensemble.json`. Each member is saved in
 * its own sub-folder named after its kind.
 */
import { logger } from "../../../config/config.js";
import { TagifaiError } from "../../errors.js";
import type { FamilyFit, FitContext, LoaderRegistry, ModelFamily } from "../../family.js";
import { tuneThresholds } from "../thresholds.js";
import { blendWith } from "./blend.js";
import { blendScorer, createEnsembleLoader, type EnsembleConfig } from "./loader.js";
import { chooseWeights } from "./weights.js";

/** What the ensemble needs of the registry: the families it may take as members. */
export type FamilyLookup = LoaderRegistry<ModelFamily>;

/**
 * Build the ensemble family over a registry (a function of the registry, so that the registry can
 * hold the ensemble itself).
 * @param registry the registered families
 * @returns the family; its params section is `ensemble`: `{members: [{model, weight}], thresholds}`
 */
export function createEnsembleFamily(registry: FamilyLookup): ModelFamily<EnsembleConfig> {
  const { member, section, ...loader } = createEnsembleLoader(registry);
  return {
    ...loader,
    summary:
      "a weighted blend of other families' probabilities (default: cnn and linear, weights chosen on validation)",
    uses: (config) => config.members.map((m) => m.model),
    // The members are fitted one after the other but all kept: their memory adds up.
    estimateMemory: ({ config, params, data }) =>
      config.members.flatMap(({ model }) =>
        member(model).estimateMemory({ config: section(params, model), params, data }),
      ),
    flat: {
      keys: ["ensemble_weight"],
      toSection({ ensemble_weight: weight }) {
        if (typeof weight !== "number" || !(weight >= 0 && weight <= 1))
          throw new TagifaiError(
            "INVALID_PARAMS",
            `ensemble_weight: expected a number in [0, 1] (the CNN's share of the blend), got ${JSON.stringify(weight)}`,
          );
        return {
          members: [
            { model: "cnn", weight },
            { model: "linear", weight: 1 - weight },
          ],
          weights: "fixed",
        };
      },
    },
    async fit(ctx: FitContext<EnsembleConfig>): Promise<FamilyFit> {
      const fits: FamilyFit[] = [];
      try {
        for (const { model } of ctx.config.members)
          fits.push(await member(model).fit({ ...ctx, config: section(ctx.params, model) }));
        const scorers = fits.map((fit) => fit.scorer);
        const given = ctx.config.members.map((m) => m.weight);
        const tuneWeights = ctx.config.weights === "validation" && fits.length > 1;
        // Each member scores the validation split once, for the weights, the thresholds and the
        // validation metrics alike; a member that has its validation probabilities (held-out ones
        // when it refitted on the split) gives those instead.
        const valProbabilities = fits.map((fit) => fit.valProba ?? fit.scorer.predictProba(ctx.val.texts));
        let weights = given;
        if (tuneWeights) {
          ({ weights } = chooseWeights(given, valProbabilities, ctx.val.y, ctx.task, ctx.config.thresholds));
          logger.info(
            `Ensemble weights chosen on validation: ${ctx.config.members.map((m, i) => `${m.model} ${weights[i].toFixed(2)}`).join(", ")}`,
          );
        }
        const scorer = blendScorer(ctx.config, weights, scorers);
        ctx.signal?.throwIfAborted();
        const valProba = blendWith(weights, valProbabilities);
        const thresholds =
          ctx.task === "multi-label" ? tuneThresholds(ctx.val.y, valProba, ctx.config.thresholds) : [];
        const trainedByEpochs = fits.find((fit) => fit.history.length > 0);
        return {
          scorer,
          thresholds,
          history: trainedByEpochs?.history ?? [],
          ...(trainedByEpochs?.bestValLoss === undefined ? {} : { bestValLoss: trainedByEpochs.bestValLoss }),
          valProba,
        };
      } catch (error) {
        for (const fit of fits) fit.scorer.dispose();
        throw error;
      }
    },
  };
}
