/**
 * Test helper: spoil a trained CNN run's weights in place, keeping the file's size (so it passes
 * the size and shape checks): every weight becomes a huge but finite ±3e38, of a pseudo-random
 * sign, so that sums inside the network overflow to +Inf and -Inf and meet as NaN, for any text.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withStore } from "../../src/tagifai/lifecycle.js";

/**
 * Overwrite a run's `model.weights.bin` with overflowing finite weights.
 * @param trackingUri the store holding the run
 * @param runId the run (a CNN)
 */
export async function overflowWeights(trackingUri: string, runId: string): Promise<void> {
  const { artifactUri } = await withStore({ trackingUri }, (store) => store.getRun(runId));
  const file = join(artifactUri, "model.weights.bin");
  const weights = new Float32Array(readFileSync(file).byteLength / 4);
  let state = 1234;
  for (let i = 0; i < weights.length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    weights[i] = state % 2 === 0 ? 3e38 : -3e38;
  }
  writeFileSync(file, Buffer.from(weights.buffer));
}
