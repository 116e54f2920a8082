/**
 * The CNN family (the original tagifai's model): a character (or word) tokenizer and a CNN trained
 * with Adam and early stopping (families/cnn/fit.ts, model.ts and the lookup-table kernels beside
 * them). Its training code, and tfjs with it, is loaded only when a CNN is fitted or loaded. In Node
 * the convolution shares its work with a helper thread (workerPool.ts); the dashboard loads the same
 * model through `cnnLoader` alone, single-threaded.
 */
import type { ModelFamily } from "../../family.js";
import { estimateCnnMemory } from "./footprint.js";
import { type CnnParams, cnnParamsSchema } from "./hyperparameters.js";
import { cnnLoader } from "./loader.js";

/** Give the convolution Node's helper thread (before any CNN computes). */
async function useThreads(): Promise<void> {
  const [{ useConvHelper }, { threadHelper }] = await Promise.all([
    import("./charConv.js"),
    import("./workerPool.js"),
  ]);
  useConvHelper(threadHelper);
}

/** The CNN family. Its params section is `cnn`; the original's flat params map onto it. */
export const cnnFamily: ModelFamily<CnnParams> = {
  ...cnnLoader,
  summary:
    "the original's character CNN (embeddings, convolutions of sizes 1..N, max-pool, two dense layers)",
  flat: {
    keys: Object.keys(cnnParamsSchema.shape),
    toSection: (values) => values,
  },
  estimateMemory: ({ config, data }) => estimateCnnMemory(config, data),
  async fit(ctx) {
    await useThreads();
    return (await import("./fit.js")).fitCnn(ctx);
  },
  async load(reader, ctx) {
    await useThreads();
    return cnnLoader.load(reader, ctx);
  },
};
