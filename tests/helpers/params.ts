/**
 * Test helper: params with some of the CNN's keys changed (they live in the `cnn` section).
 */
import { type CnnParams, cnnParamsSchema } from "../../src/tagifai/families/cnn/hyperparameters.js";
import type { Params } from "../../src/tagifai/params.js";

/**
 * @param params validated params
 * @param overrides CNN keys to change
 * @returns a copy whose `cnn` section has the overrides (defaults for what it lacked)
 */
export function withCnn(params: Params, overrides: Partial<CnnParams>): Params {
  return { ...params, cnn: { ...cnnParamsSchema.parse(params.cnn ?? {}), ...overrides } };
}
