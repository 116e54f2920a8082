/**
 * The ensemble family: any registered families as members, each trained on the same splits with its
 * own params section, their probabilities blended by weight (families/ensemble/blend.ts), and the
 * blend's thresholds tuned on the validation split. The weights are the configured ones
 * (`weights: "fixed"`) or, by default, chosen on the validation split (`"validation"`,
 * families/ensemble/weights.ts) and saved with the model in `ensemble.json`. Each member is saved in
 * its own sub-folder named after its kind.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { logger } from "../../../config/config.js";
import { TagifaiError } from "../../errors.js";
import type { FamilyFit, FitContext, ModelFamily, Scorer } from "../../family.js";
import { readArtifactJson, saveJson } from "../../files.js";
import type { Params } from "../../params.js";
import { parseWith } from "../../schema.js";
import { thresholdTuningSchema, tuneThresholds } from "../thresholds.js";
import { blendWith } from "./blend.js";
import { chooseWeights } from "./weights.js";

/** What the ensemble needs of the registry: the families it may take as members. */
export interface FamilyLookup {
  /** The family registered under `kind`, if any. */
  get(kind: string): ModelFamily | undefined;
  /** Every registered kind, in registry order. */
  kinds(): string[];
}

const KIND = "ensemble";

/** The file of an ensemble's folder that holds the weights it blends with. */
export const ENSEMBLE_FILE = "ensemble.json";

const savedWeightsSchema = z.strictObject({
  weights: z
    .array(z.number().min(0))
    .refine((weights) => weights.reduce((sum, w) => sum + w, 0) > 0, "the weights must not all be 0"),
});

const memberSchema = z.strictObject({
  /** A registered family other than an ensemble; its params come from its own section. */
  model: z.string(),
  /** The member's share of the blend (weights are divided by their sum). */
  weight: z.number().min(0),
});

/** The ensemble's params section, defaults applied. */
export interface EnsembleConfig {
  members: z.infer<typeof memberSchema>[];
  /** `fixed`: blend with the members' weights; `validation`: choose them on the validation split. */
  weights: "fixed" | "validation";
  thresholds: z.infer<typeof thresholdTuningSchema>;
}

/**
 * Build the ensemble family over a registry (a function of the registry, so that the registry can
 * hold the ensemble itself).
 * @param registry the registered families
 * @returns the family; its params section is `ensemble`: `{members: [{model, weight}], thresholds}`
 */
export function createEnsembleFamily(registry: FamilyLookup): ModelFamily<EnsembleConfig> {
  const configSchema = z
    .strictObject({
      members: z
        .array(memberSchema)
        .min(1)
        .default([
          { model: "cnn", weight: 0.5 },
          { model: "linear", weight: 0.5 },
        ]),
      weights: z.enum(["fixed", "validation"]).default("validation"),
      thresholds: thresholdTuningSchema.prefault({}),
    })
    .superRefine(({ members }, ctx) => {
      const candidates = registry.kinds().filter((kind) => kind !== KIND);
      members.forEach(({ model }, i) => {
        const problem = !candidates.includes(model)
          ? `${model === KIND ? "an ensemble cannot be its own member" : `unknown model family ${JSON.stringify(model)}`}; an ensemble member is one of: ${candidates.join(", ")}`
          : members.findIndex((m) => m.model === model) < i
            ? `${model} is already a member (a member's params are its own section, so it joins once)`
            : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: ["members", i, "model"], message: problem });
      });
      if (!(members.reduce((sum, { weight }) => sum + weight, 0) > 0))
        ctx.addIssue({ code: "custom", path: ["members"], message: "the weights must not all be 0" });
    });
  const member = (kind: string): ModelFamily => {
    const family = registry.get(kind);
    if (family === undefined) throw new Error(`unregistered ensemble member ${kind}`);
    return family;
  };
  const section = (params: Params, kind: string): unknown =>
    member(kind).configSchema.parse((params as Record<string, unknown>)[kind] ?? {});

  return {
    kind: KIND,
    summary:
      "a weighted blend of other families' probabilities (default: cnn and linear, weights chosen on validation)",
    configSchema,
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
        // Each member scores the validation split once, for the weights and the thresholds alike;
        // a member that refitted on it gives its held-out probabilities instead.
        const heldOut = fits.some((fit) => fit.valProba !== undefined);
        const valProbabilities =
          tuneWeights || ctx.task === "multi-label" || heldOut
            ? fits.map((fit) => fit.valProba ?? fit.scorer.predictProba(ctx.val.texts))
            : [];
        let weights = given;
        if (tuneWeights) {
          ({ weights } = chooseWeights(given, valProbabilities, ctx.val.y, ctx.task, ctx.config.thresholds));
          logger.info(
            `Ensemble weights chosen on validation: ${ctx.config.members.map((m, i) => `${m.model} ${weights[i].toFixed(2)}`).join(", ")}`,
          );
        }
        const scorer = blendScorer(ctx.config, weights, scorers);
        ctx.signal?.throwIfAborted();
        const thresholds =
          ctx.task === "multi-label"
            ? tuneThresholds(ctx.val.y, blendWith(weights, valProbabilities), ctx.config.thresholds)
            : [];
        const trainedByEpochs = fits.find((fit) => fit.history.length > 0);
        return {
          scorer,
          thresholds,
          history: trainedByEpochs?.history ?? [],
          ...(trainedByEpochs?.bestValLoss === undefined ? {} : { bestValLoss: trainedByEpochs.bestValLoss }),
          ...(heldOut ? { valProba: blendWith(weights, valProbabilities) } : {}),
        };
      } catch (error) {
        for (const fit of fits) fit.scorer.dispose();
        throw error;
      }
    },
    async load(dir, { config, params, task }) {
      const scorers: Scorer[] = [];
      try {
        for (const { model } of config.members) {
          // Ensembles saved before members had their own folders kept every member's files in `dir`.
          const memberDir = existsSync(join(dir, model)) ? join(dir, model) : dir;
          scorers.push(await member(model).load(memberDir, { config: section(params, model), params, task }));
        }
        return blendScorer(config, savedWeights(dir, config), scorers);
      } catch (error) {
        for (const scorer of scorers) scorer.dispose();
        throw error;
      }
    },
  };
}

/**
 * The weights an ensemble saved with its model, or (ensembles saved before weights were chosen on
 * validation) the configured ones.
 * @throws TagifaiError INVALID_ARTIFACTS for a weights file that is not one non-negative finite
 *   weight per member, not all 0
 */
function savedWeights(dir: string, config: EnsembleConfig): number[] {
  const file = join(dir, ENSEMBLE_FILE);
  if (!existsSync(file)) return config.members.map((m) => m.weight);
  const { weights } = parseWith(savedWeightsSchema, readArtifactJson(file), {
    code: "INVALID_ARTIFACTS",
    what: file,
  });
  if (weights.length !== config.members.length)
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `${file}: ${weights.length} weights for ${config.members.length} members (${config.members.map((m) => m.model).join(", ")})`,
    );
  return weights;
}

function blendScorer(config: EnsembleConfig, weights: readonly number[], scorers: Scorer[]): Scorer {
  return {
    predictProba: (texts) =>
      blendWith(
        weights,
        scorers.map((scorer) => scorer.predictProba(texts)),
      ),
    async save(dir) {
      for (const [i, scorer] of scorers.entries()) await scorer.save(join(dir, config.members[i].model));
      saveJson(join(dir, ENSEMBLE_FILE), { weights });
    },
    dispose() {
      for (const scorer of scorers) scorer.dispose();
    },
  };
}
