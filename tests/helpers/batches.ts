/**
 * Test helper: random token batches for the CNN model tests.
 */
import type { Batch } from "../../src/tagifai/families/cnn/batch.js";
import { createRng } from "../../src/tagifai/random.js";

/**
 * Right-padded samples of varied lengths (the first one full), with a few pad ids inside as well.
 * A small `vocabSize` gives many repeated ids, so max-pool ties.
 * @param batchSize number of samples
 * @param seqLen padded length of every sample
 * @param vocabSize ids are drawn from 1 to vocabSize - 1 (0 is the pad id)
 * @param seed seed of the random source
 * @returns the batch, shape [batchSize, seqLen]
 */
export function randomBatch(batchSize: number, seqLen: number, vocabSize: number, seed: number): Batch {
  const rng = createRng(seed);
  const data = new Int32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    const length = b === 0 ? seqLen : 1 + Math.floor(rng() * seqLen);
    for (let t = 0; t < length; t++)
      data[b * seqLen + t] = rng() < 0.1 ? 0 : 1 + Math.floor(rng() * (vocabSize - 1));
  }
  return { data, shape: [batchSize, seqLen] };
}
