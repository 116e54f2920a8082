/**
 * The dense convolution path, for vocabularies too large for lookup tables (word level): embed, pad,
 * and per kernel offset one matMul, summed; then max over time. Built only from ops whose gradients
 * exist on the wasm backend, with custom gradients where they don't (embedding lookup) or where tfjs's
 * differ from the original's (max-pool: PyTorch sends the gradient to one argmax, tfjs to every tie).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "./batch.js";

/**
 * Embedding lookup whose gradient is scatter-added in JS (tf.gather's gradient is missing on wasm).
 * Pad ids (0) embed to zeros and receive no gradient, so row 0 of the table never changes.
 * @param embeddings `[vocabSize, dim]`
 * @param batch token ids (validated)
 * @returns `[batchSize, seqLen, dim]`
 */
export function embedTokens(embeddings: tf.Tensor2D, batch: Batch): tf.Tensor3D {
  const [batchSize, seqLen] = batch.shape;
  const [vocabSize, dim] = embeddings.shape;
  const op = tf.customGrad((...inputs) => {
    const table = inputs[0] as tf.Tensor2D;
    const ids = tf.tensor1d(batch.data, "int32");
    const notPad = tf.reshape(tf.cast(tf.notEqual(ids, 0), "float32"), [batchSize * seqLen, 1]);
    const value = tf.reshape(tf.mul(tf.gather(table, ids), notPad), [batchSize, seqLen, dim]) as tf.Tensor3D;
    const gradFunc = (dy: tf.Tensor) => {
      const upstream = dy.dataSync();
      const grad = new Float32Array(vocabSize * dim);
      batch.data.forEach((id, position) => {
        if (id === 0) return;
        const from = position * dim;
        const to = id * dim;
        for (let d = 0; d < dim; d++) grad[to + d] += upstream[from + d];
      });
      return tf.tensor2d(grad, [vocabSize, dim]);
    };
    return { value, gradFunc };
  });
  return op(embeddings) as tf.Tensor3D;
}

/**
 * Max over time whose gradient goes to the first argmax only (like PyTorch's max_pool1d).
 * @param x `[batchSize, seqLen, channels]`
 * @returns `[batchSize, channels]`
 */
export function maxOverTime(x: tf.Tensor3D): tf.Tensor2D {
  const seqLen = x.shape[1];
  const op = tf.customGrad((...inputs) => {
    const [input, save] = inputs as [tf.Tensor3D, tf.GradSaveFunc];
    save([input]);
    const value = tf.max(input, 1) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
      const firstArgmax = tf.oneHot(tf.argMax(saved, 1), seqLen); // [B, C, T]
      return tf.mul(tf.transpose(firstArgmax, [0, 2, 1]), tf.expandDims(dy, 1));
    };
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * 'Same'-padded conv1d (left ⌊(f−1)/2⌋, right ⌈(f−1)/2⌉ zeros, no bias) + max over time.
 * @param embedded `[batchSize, seqLen, dim]`
 * @param kernel `[f, dim, numFilters]`
 * @returns `[batchSize, numFilters]`
 */
export function denseConvMaxPool(embedded: tf.Tensor3D, kernel: tf.Tensor3D): tf.Tensor2D {
  const [batchSize, seqLen, dim] = embedded.shape;
  const [filterSize, , numFilters] = kernel.shape;
  const left = (filterSize - 1) >> 1;
  const padded = tf.pad(embedded, [
    [0, 0],
    [left, filterSize - 1 - left],
    [0, 0],
  ]);
  const terms = Array.from({ length: filterSize }, (_, j) => {
    const window = tf.reshape(tf.slice(padded, [0, j, 0], [batchSize, seqLen, dim]), [
      batchSize * seqLen,
      dim,
    ]);
    const weights = tf.reshape(tf.slice(kernel, [j, 0, 0], [1, dim, numFilters]), [dim, numFilters]);
    return tf.matMul(window, weights);
  });
  const conv = tf.reshape(terms.length === 1 ? terms[0] : tf.addN(terms), [batchSize, seqLen, numFilters]);
  return maxOverTime(conv as tf.Tensor3D);
}
