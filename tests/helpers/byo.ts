/**
 * Test helper: the bring-your-own dataset fixture (a multi-class CSV, one label per row, in
 * tests/fixtures/byo) and the params that train a model on it.
 */
import { join } from "node:path";
import type { CnnParams } from "../../src/tagifai/families/cnn/hyperparameters.js";
import type { Params } from "../../src/tagifai/params.js";

/** Folder with the BYO fixture: train.csv and holdout.csv (label field `tag`). */
export const BYO_DIR = join(import.meta.dirname, "..", "fixtures", "byo");

/**
 * Params overrides that train a model able to beat chance on the small BYO CSV: all records, labels
 * used by at least 5 of them, and for the CNN word tokens, small batches, a higher learning rate and
 * more epochs.
 */
export const BYO_TRAIN_OVERRIDES = {
  subset: null,
  min_tag_freq: 5,
} satisfies Partial<Params>;

/** The CNN keys of the BYO overrides (its `cnn` section). */
export const BYO_CNN_OVERRIDES = {
  char_level: false,
  batch_size: 8,
  lr: 3e-3,
  num_epochs: 30,
  patience: 8,
} satisfies Partial<CnnParams>;
