/**
 * The CNN family's params section (`cnn` in params.json): the original tagifai's model and training
 * hyperparameters. Defaults are the reference configuration's values (the original's best Optuna
 * trial, as in config/params.json).
 */
import { z } from "zod";

const positiveInt = z.number().int().positive();

/** Schema of the `cnn` params section. */
export const cnnParamsSchema = z
  .object({
    /** Tokenize by character (the original) or by word. */
    char_level: z.boolean().default(true),
    /** Convolutions of every filter size 1..max_filter_size; also the minimum padded length. */
    max_filter_size: positiveInt.max(64).default(10),
    batch_size: positiveInt.default(128),
    embedding_dim: positiveInt.default(503),
    num_filters: positiveInt.default(269),
    hidden_dim: positiveInt.default(443),
    dropout_p: z.number().min(0).lt(1).default(0.374),
    lr: z.number().positive().default(4.48e-4),
    num_epochs: positiveInt.default(200),
    /** Epochs without a lower val loss before stopping early. */
    patience: positiveInt.default(10),
    /**
     * Which epoch's weights to keep (early stopping always watches val loss): `val_f1` keeps the
     * epoch with the best validation F1, `val_loss` the epoch with the lowest val loss.
     */
    checkpoint: z.enum(["val_f1", "val_loss"]).default("val_f1"),
  })
  .strict();

/** The CNN's params, defaults applied. */
export type CnnParams = z.infer<typeof cnnParamsSchema>;
