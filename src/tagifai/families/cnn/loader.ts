/**
 * Loading a saved CNN (see families/cnn/scorer.ts): tfjs and the model code are imported only when a
 * CNN is loaded.
 */
import type { FamilyLoader } from "../../family.js";
import { type CnnParams, cnnParamsSchema } from "./hyperparameters.js";

/** How the CNN family loads a saved model. */
export const cnnLoader: FamilyLoader<CnnParams> = {
  kind: "cnn",
  configSchema: cnnParamsSchema,
  load: async (reader, { config }) => (await import("./scorer.js")).loadCnn(reader, config),
};
