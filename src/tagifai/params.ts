/**
 * The training configuration (`config/params.json`): one zod schema, from which the `Params` type
 * is inferred. Unknown keys and bad values are refused with the key and the value named.
 */
import { z } from "zod";
import { linearConfigSchema } from "./families/linear/model.js";
import { readJsonFile } from "./files.js";
import { parseWith } from "./schema.js";

const positiveInt = z.number().int().positive();

/** Schema of a model family's name. */
export const modelKindSchema = z.enum(["cnn", "linear", "ensemble"]);

/** A model family a run can train. */
export type ModelKind = z.infer<typeof modelKindSchema>;
const fraction = z.number().gt(0).lt(1);

/** Schema of a params file. */
export const paramsSchema = z
  .object({
    seed: z.number().int().nonnegative(),
    shuffle: z.boolean(),
    subset: positiveInt.nullable(),
    min_tag_freq: positiveInt,
    lower: z.boolean(),
    stem: z.boolean(),
    train_size: fraction,
    char_level: z.boolean(),
    max_filter_size: positiveInt.max(64),
    batch_size: positiveInt,
    embedding_dim: positiveInt,
    num_filters: positiveInt,
    hidden_dim: positiveInt,
    dropout_p: z.number().min(0).lt(1),
    lr: z.number().positive(),
    num_epochs: positiveInt,
    patience: positiveInt,
    threshold: z.number().min(0).max(1),
    /**
     * Which epoch's CNN weights to keep (early stopping always watches val loss): `val_f1` (default)
     * keeps the epoch with the best validation F1, `val_loss` the epoch with the lowest val loss.
     */
    checkpoint: z.enum(["val_f1", "val_loss"]).optional(),
    /** Model family: the character CNN (default when absent), the linear model, or both averaged. */
    model: modelKindSchema.optional(),
    /** The linear family's configuration (defaults from `linearConfigSchema` for what is left out). */
    linear: linearConfigSchema.optional(),
    /** The CNN's share of an ensemble's probabilities, in [0, 1] (default 0.5). */
    ensemble_weight: z.number().min(0).max(1).optional(),
    /** Set by training: how many projects were left after filtering. */
    num_samples: positiveInt.optional(),
  })
  .strict();

/** Hyperparameters and data settings of one training run. */
export type Params = z.infer<typeof paramsSchema>;

/**
 * Validate an untrusted value as `Params`.
 * @param value parsed JSON (or any value)
 * @param source where it came from, for the error message
 * @returns the validated params
 * @throws TagifaiError INVALID_PARAMS naming each bad key and its value
 */
export function parseParams(value: unknown, source = "params"): Params {
  return parseWith(paramsSchema, value, { code: "INVALID_PARAMS", what: source });
}

/**
 * Read and validate a params JSON file.
 * @param filePath path to the JSON file
 * @returns the validated params
 * @throws TagifaiError INVALID_PARAMS when the file is missing, not JSON, or invalid
 */
export function loadParams(filePath: string): Params {
  return parseParams(readJsonFile(filePath, "INVALID_PARAMS"), `params file ${filePath}`);
}
