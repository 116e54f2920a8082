/**
 * How the ensemble family loads a saved model: each member from its own sub-folder named after its
 * kind (or, for ensembles saved before members had their own folders, from the ensemble's folder),
 * blended with the weights saved in `ensemble.json`. Also the ensemble's params section and its
 * blending scorer, which training (ensemble.ts) shares. No Node import.
 */
import { z } from "zod";
import type { ArtifactReader } from "../../artifact-io.js";
import { TagifaiError } from "../../errors.js";
import { type FamilyLoader, familyConfig, type LoaderRegistry, type Scorer } from "../../family.js";
import type { Params } from "../../params.js";
import { parseWith } from "../../schema.js";
import { thresholdTuningSchema } from "../thresholds.js";
import { blendWith } from "./blend.js";

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

/** The ensemble's loader, with the helpers training shares. */
export interface EnsembleLoader<Loader extends FamilyLoader> extends FamilyLoader<EnsembleConfig> {
  /**
   * A member's family.
   * @throws Error for an unregistered kind (the config schema refuses those)
   */
  member(kind: string): Loader;
  /** A member's params section, defaults applied. */
  section(params: Params, kind: string): unknown;
}

/**
 * Build the ensemble's loader over a registry (a function of the registry, so that the registry can
 * hold the ensemble itself).
 * @param registry the registered families
 * @returns the loader; its params section is `ensemble`: `{members: [{model, weight}], weights, thresholds}`
 */
export function createEnsembleLoader<Loader extends FamilyLoader>(
  registry: LoaderRegistry<Loader>,
): EnsembleLoader<Loader> {
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
  const member = (kind: string): Loader => {
    const family = registry.get(kind);
    if (family === undefined) throw new Error(`unregistered ensemble member ${kind}`);
    return family;
  };
  const section = (params: Params, kind: string): unknown => familyConfig(member(kind), params);
  return {
    kind: KIND,
    configSchema,
    member,
    section,
    async load(reader, { config, params, task }) {
      const scorers: Scorer[] = [];
      try {
        for (const { model } of config.members) {
          // Ensembles saved before members had their own folders kept every member's files in `dir`.
          const memberReader = (await reader.has(model)) ? reader.folder(model) : reader;
          scorers.push(
            await member(model).load(memberReader, { config: section(params, model), params, task }),
          );
        }
        return blendScorer(config, await savedWeights(reader, config), scorers);
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
async function savedWeights(reader: ArtifactReader, config: EnsembleConfig): Promise<number[]> {
  if (!(await reader.has(ENSEMBLE_FILE))) return config.members.map((m) => m.weight);
  const file = reader.where(ENSEMBLE_FILE);
  const { weights } = parseWith(savedWeightsSchema, await reader.json(ENSEMBLE_FILE), {
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

/**
 * The members' scorers blended by weight.
 * @param config the ensemble's section (names each member's sub-folder)
 * @param weights one weight per member
 * @param scorers the members' scorers (the blend owns them)
 */
export function blendScorer(config: EnsembleConfig, weights: readonly number[], scorers: Scorer[]): Scorer {
  return {
    predictProba: (texts) =>
      blendWith(
        weights,
        scorers.map((scorer) => scorer.predictProba(texts)),
      ),
    async save(writer) {
      for (const [i, scorer] of scorers.entries()) await scorer.save(writer.folder(config.members[i].model));
      writer.json(ENSEMBLE_FILE, { weights });
    },
    dispose() {
      for (const scorer of scorers) scorer.dispose();
    },
  };
}
