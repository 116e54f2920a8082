/**
 * A trained model of any family as the pipeline sees it ({@link TrainedModel}): a family's scorer
 * with its task and decision thresholds, saved beside the family's files as `family.json`
 * (`{format, kind, task, thresholds}`), and loaded back through an artifact reader by the family
 * `family.json` names. No Node import and no training code: the server (with the registry of
 * `families.ts`) and the dashboard in the browser (with the families it can load) share it.
 */
import { z } from "zod";
import type { ArtifactReader, ArtifactWriter } from "./artifact-io.js";
import type { Task } from "./data/dataset.js";
import { TagifaiError } from "./errors.js";
import { applyArgmax } from "./eval/decisions.js";
import { applyClassThresholds } from "./families/thresholds.js";
import { familyConfig, type LoaderRegistry, type Scorer, type TrainedModel } from "./family.js";

import type { Params } from "./params.js";
import { parseWith } from "./schema.js";

const FAMILY_FILE = "family.json";

const familyFileSchema = z.object({
  format: z.literal("tagifai-model"),
  kind: z.string(),
  task: z.enum(["multi-label", "multi-class"]),
  thresholds: z.array(z.number().min(0).max(1)),
});

/**
 * Load a model saved by a {@link TrainedModel}'s `save`.
 * @param reader the model's files
 * @param params the run's params (the family's section: e.g. the CNN's batch size)
 * @param families the families it may be of
 * @returns the model, predicting exactly as the saved one did
 * @throws TagifaiError INVALID_ARTIFACTS when `family.json` is missing (a folder saved before model
 *   families existed) or invalid, names a family not in `families`, or the family's files are
 *   (missing, invalid, non-finite weights); INVALID_PARAMS when the family's params section is
 */
export async function readTrainedModel(
  reader: ArtifactReader,
  params: Params,
  families: LoaderRegistry,
): Promise<TrainedModel> {
  const file = reader.where(FAMILY_FILE);
  if (!(await reader.has(FAMILY_FILE)))
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `Missing ${file}: these artifacts predate model families (or are incomplete); retrain the run`,
    );
  const { kind, task, thresholds } = parseWith(familyFileSchema, await reader.json(FAMILY_FILE), {
    code: "INVALID_ARTIFACTS",
    what: `model file ${file}`,
  });
  const family = families.get(kind);
  if (family === undefined)
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `${file}: a model of family "${kind}" cannot be loaded here (families: ${families.kinds().join(", ")})`,
    );
  const config = familyConfig(family, params);
  return trainedModel(kind, task, await family.load(reader, { config, params, task }), thresholds);
}

/**
 * A family's scorer as a trained model.
 * @param kind the family
 * @param task the model's task
 * @param scorer the fitted or loaded scorer (the model owns it)
 * @param thresholds the decision threshold per class (multi-label); empty for multi-class
 */
export function trainedModel(
  kind: string,
  task: Task,
  scorer: Scorer,
  thresholds: readonly number[],
): TrainedModel {
  return {
    kind,
    task,
    thresholds,
    predictProba: (texts) => scorer.predictProba(texts),
    async save(writer: ArtifactWriter) {
      await scorer.save(writer);
      writer.json(FAMILY_FILE, { format: "tagifai-model", kind, task, thresholds });
    },
    dispose: () => scorer.dispose(),
  };
}

/**
 * A model's decisions.
 * @param model the model (its task and thresholds decide)
 * @param probabilities `rows × classes`, from its `predictProba`
 * @returns `rows × classes` of 0/1: multi-label, 1 where a probability reaches its class's threshold;
 *   multi-class, 1 at the most probable class (ties: the first)
 */
export function predictLabels(
  model: Pick<TrainedModel, "task" | "thresholds">,
  probabilities: readonly (readonly number[])[],
): number[][] {
  if (model.task === "multi-label") return applyClassThresholds(probabilities, model.thresholds);
  return applyArgmax(probabilities);
}
