/**
 * A fitted CNN as a scorer: its tokenizer and model, predicting batch by batch; saved as
 * `tokenizer.json`, `model.json` and `model.weights.bin` and loaded back through an artifact reader
 * (a folder in Node, the API's downloads in the browser). No training code and no Node import, so
 * the dashboard runs the same inference in the browser.
 */
import type { ArtifactReader } from "../../artifact-io.js";
import { padSequences, Tokenizer } from "../../data/tokenizer.js";
import { ensureDevice } from "../../device.js";
import type { Scorer } from "../../family.js";
import type { CnnParams } from "./hyperparameters.js";
import { type Batch, type CnnModel, loadModel, saveModel } from "./model.js";

const TOKENIZER_FILE = "tokenizer.json";

/**
 * Load the CNN a {@link cnnScorer} saved.
 * @param reader the model's files
 * @param params the CNN's params (batch size, minimum batch length)
 * @returns the scorer (dispose it when done)
 * @throws TagifaiError INVALID_ARTIFACTS naming the missing, invalid or non-finite file
 */
export async function loadCnn(reader: ArtifactReader, params: CnnParams): Promise<Scorer> {
  await ensureDevice();
  const tokenizer = await Tokenizer.load(reader, TOKENIZER_FILE);
  return cnnScorer(await loadModel(reader), tokenizer, params);
}

/**
 * A CNN and its tokenizer as a scorer.
 * @param model the model (the scorer owns it from now on)
 * @param tokenizer the tokenizer it was trained with
 * @param params the CNN's params (batch size, minimum batch length)
 */
export function cnnScorer(model: CnnModel, tokenizer: Tokenizer, params: CnnParams): Scorer {
  return {
    predictProba: (texts) => predictSplit(model, tokenizer.textsToSequences([...texts]), params),
    async save(writer) {
      tokenizer.save(writer, TOKENIZER_FILE);
      await saveModel(model, writer);
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Probabilities for every sequence, batch by batch (inference mode).
 * @param model the model
 * @param sequences token ids of each text
 * @param params the CNN's params (batch size, minimum batch length)
 * @returns one row of class probabilities per sequence
 */
export function predictSplit(model: CnnModel, sequences: number[][], params: CnnParams): number[][] {
  const out: number[][] = [];
  for (const indices of batchIndices(
    sequences.map((_, i) => i),
    params.batch_size,
  )) {
    out.push(...model.predictProba(toBatch(sequences, indices, params.max_filter_size)));
  }
  return out;
}

/**
 * Cut an order of indices into consecutive batches.
 * @param order the indices
 * @param batchSize the largest batch
 */
export function batchIndices(order: number[], batchSize: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize)
    batches.push(order.slice(start, start + batchSize));
  return batches;
}

/**
 * Pad the selected sequences to a batch at least `maxFilterSize` long (as the original's collate).
 * @param sequences every sequence
 * @param indices those of the batch
 * @param maxFilterSize the shortest batch length
 */
export function toBatch(sequences: number[][], indices: number[], maxFilterSize: number): Batch {
  return padSequences(
    indices.map((i) => sequences[i]),
    maxFilterSize,
  );
}
