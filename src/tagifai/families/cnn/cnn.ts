/**
 * The CNN family (the original tagifai's model): a character (or word) tokenizer and a CNN trained
 * with Adam and early stopping (families/cnn/fit.ts, model.ts and the lookup-table kernels beside
 * them). Its training code, and tfjs with it, is loaded only when a CNN is fitted or loaded.
 */
import type { ModelFamily } from "../../family.js";
import { estimateCnnMemory } from "./footprint.js";
import { type CnnParams, cnnParamsSchema } from "./hyperparameters.js";

/** The CNN family. Its params section is `cnn`; the original's flat params map onto it. */
export const cnnFamily: ModelFamily<CnnParams> = {
  kind: "cnn",
  summary:
    "the original's character CNN (embeddings, convolutions of sizes 1..N, max-pool, two dense layers)",
  configSchema: cnnParamsSchema,
  flat: {
    keys: Object.keys(cnnParamsSchema.shape),
    toSection: (values) => values,
  },
  estimateMemory: ({ config, data }) => estimateCnnMemory(config, data),
  fit: async (ctx) => (await import("./fit.js")).fitCnn(ctx),
  load: async (dir, { config }) => (await import("./fit.js")).loadCnn(dir, config),
};
