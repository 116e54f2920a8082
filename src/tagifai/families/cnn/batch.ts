/**
 * The model's input: a batch of token-id sequences, right-padded with the pad id 0 to one length.
 */
import { TagifaiError } from "../../errors.js";

/** Padded token ids, row-major `[batchSize, seqLen]`; id 0 is padding. */
export type Batch = { data: Int32Array; shape: [number, number] };

/**
 * Check that a batch is well formed for a vocabulary.
 * @param batch the batch
 * @param vocabSize ids must lie in [0, vocabSize)
 * @throws TagifaiError INVALID_INPUT naming the bad shape, or the first bad id and its position
 */
export function validateBatch(batch: Batch, vocabSize: number): void {
  const [batchSize, seqLen] = batch.shape;
  if (!Number.isInteger(batchSize) || !Number.isInteger(seqLen) || batchSize < 1 || seqLen < 1)
    throw new TagifaiError("INVALID_INPUT", `Batch shape [${batch.shape}] must be two positive integers`);
  if (batch.data.length !== batchSize * seqLen)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Batch data has ${batch.data.length} ids but shape [${batch.shape}] needs ${batchSize * seqLen}`,
    );
  const bad = batch.data.findIndex((id) => id < 0 || id >= vocabSize);
  if (bad >= 0)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Token id ${batch.data[bad]} at [${Math.floor(bad / seqLen)}, ${bad % seqLen}] is outside the vocabulary [0, ${vocabSize})`,
    );
}

/**
 * Length of each sequence up to its last real token (trailing padding excluded).
 * @param batch the batch
 * @returns one length per sample (0 for an all-padding row)
 */
export function sequenceLengths(batch: Batch): Int32Array {
  const [batchSize, seqLen] = batch.shape;
  const lengths = new Int32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    let length = seqLen;
    while (length > 0 && batch.data[b * seqLen + length - 1] === 0) length--;
    lengths[b] = length;
  }
  return lengths;
}
