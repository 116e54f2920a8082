/**
 * The character (or word) CNN as a standard ONNX graph, computing exactly what `CnnModel.predictProba`
 * computes for the same padded batch (families/cnn: model.ts, dense.ts, charConv.ts):
 *
 * 1. `Shape` → `Gather` → `Sub` → `Max` → `Concat` → `Pad`: right-pad the ids with the pad id 0 to at
 *    least `maxFilterSize` positions, as the training collate does (`padSequences(…, maxFilterSize)`),
 *    so a client may send any length ≥ 1.
 * 2. The convolution's input channels, `[batch, channels, seq]` (ONNX `Conv`'s NCW layout), by one of
 *    two equivalent routes, whichever has fewer channels (the conv's cost grows with them):
 *    - embeddings (vocabulary ≥ embedding size, e.g. words): `Gather` (axis 0) of the embedding
 *      table, then `Transpose` `[batch, seq, dim]` → `[batch, dim, seq]`; kernels `[numFilters, dim, f]`
 *      (tagifai's `[f, dim, numFilters]` transposed);
 *    - one-hot (small vocabularies, e.g. characters): `OneHot` (axis 1, depth = vocabulary) →
 *      `[batch, vocab, seq]`, with the embedding folded into the kernels, `K_f[k, v, j] = (E·W_f[j])[v, k]`
 *      (the lookup tables tagifai's own character path uses, families/cnn/lookupTables.ts).
 *    Either way the pad id 0 contributes zeros, as in every tagifai path (embedding row 0, and
 *    kernel column 0, exported as zeros).
 * 3. Per filter size f = 1..maxFilterSize: `Conv` with its kernel, its bias, and pads left ⌊(f−1)/2⌋,
 *    right ⌈(f−1)/2⌉ (PyTorch's 'same'); no activation. Then `ReduceMax` over time (axis 2, keepdims
 *    0): the global max-pool, over every padded position, as in the original. (tagifai adds the conv
 *    bias after the pool; float rounding is monotonic, so max(x + b) = max(x) + b exactly.)
 * 4. `Concat` (axis 1) of the pooled blocks, filter sizes ascending.
 * 5. `Gemm` fc1 (no activation; dropout is the identity at inference), `Gemm` fc2 → logits.
 * 6. `Sigmoid` (multi-label) or `Softmax` (axis 1, multi-class) → probabilities.
 *
 * Operator semantics as in the ONNX operator specification ("Operators.md") at opset 13.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { onnx as Onnx } from "onnx-proto";
import { lookupTables } from "../families/cnn/lookupTables.js";
import type { CnnConfig, CnnModel } from "../families/cnn/model.js";
import { floatTensor, type GraphSpec, int64Tensor, node, tensorValue } from "./onnxGraph.js";

/** Names of the exported CNN graph's input and output. */
export const CNN_ONNX_IO = { input: "token_ids", output: "probabilities" } as const;

/**
 * The CNN's graph (see the module comment).
 * @param model the trained model (its weights are copied)
 * @returns the graph's inputs, outputs, initializers and nodes (name, doc, metadata to be filled in)
 */
export function cnnGraph(model: CnnModel): Pick<GraphSpec, "inputs" | "outputs" | "initializers" | "nodes"> {
  const { vocabSize, numFilters, maxFilterSize, hiddenDim, numClasses } = model.config;
  const filterSizes = Array.from({ length: maxFilterSize }, (_, i) => i + 1);
  const weights = model.getWeights();
  let channels: ReturnType<typeof convChannels>;
  let dense: Float32Array[];
  try {
    channels = convChannels(model.config, weights);
    dense = values(weights, ["fc1.kernel", "fc1.bias", "fc2.kernel", "fc2.bias"]);
  } finally {
    tf.dispose(weights);
  }
  const initializers: Onnx.ITensorProto[] = [
    int64Tensor("min_length", [1], [maxFilterSize]),
    int64Tensor("seq_axis", [1], [1]),
    int64Tensor("zero", [1], [0]),
    int64Tensor("zero_pads", [3], [0, 0, 0]),
    ...channels.initializers,
    floatTensor("fc1.weight", [numFilters * maxFilterSize, hiddenDim], dense[0]),
    floatTensor("fc1.bias", [hiddenDim], dense[1]),
    floatTensor("fc2.weight", [hiddenDim, numClasses], dense[2]),
    floatTensor("fc2.bias", [numClasses], dense[3]),
  ];
  const nodes: Onnx.INodeProto[] = [
    node("Shape", [CNN_ONNX_IO.input], ["ids_shape"]),
    node("Gather", ["ids_shape", "seq_axis"], ["seq_len"], { axis: { int: 0 } }),
    node("Sub", ["min_length", "seq_len"], ["short_by"]),
    node("Max", ["short_by", "zero"], ["pad_right"]),
    node("Concat", ["zero_pads", "pad_right"], ["pads"], { axis: { int: 0 } }),
    node("Pad", [CNN_ONNX_IO.input, "pads"], ["padded_ids"]),
    ...channels.nodes,
    ...filterSizes.flatMap((f) => {
      const left = (f - 1) >> 1;
      return [
        node("Conv", ["channels", `conv${f}.weight`, `conv${f}.bias`], [`conv${f}`], {
          kernel_shape: { ints: [f] },
          pads: { ints: [left, f - 1 - left] },
        }),
        node("ReduceMax", [`conv${f}`], [`pooled${f}`], { axes: { ints: [2] }, keepdims: { int: 0 } }),
      ];
    }),
    node(
      "Concat",
      filterSizes.map((f) => `pooled${f}`),
      ["features"],
      { axis: { int: 1 } },
    ),
    node("Gemm", ["features", "fc1.weight", "fc1.bias"], ["hidden"]),
    node("Gemm", ["hidden", "fc2.weight", "fc2.bias"], ["logits"]),
    model.config.output === "softmax"
      ? node("Softmax", ["logits"], [CNN_ONNX_IO.output], { axis: { int: 1 } })
      : node("Sigmoid", ["logits"], [CNN_ONNX_IO.output]),
  ];
  return {
    inputs: [
      tensorValue(
        CNN_ONNX_IO.input,
        "int64",
        ["batch", "sequence"],
        `token ids from tokenizer.json, right-padded with 0 to one length per batch; ids in [0, ${vocabSize})`,
      ),
    ],
    outputs: [
      tensorValue(
        CNN_ONNX_IO.output,
        "float32",
        ["batch", numClasses],
        `probability of each class of label_encoder.json (${model.config.output === "softmax" ? "softmax" : "sigmoid"})`,
      ),
    ],
    initializers,
    nodes,
  };
}

/**
 * The nodes from "padded_ids" to "channels" `[batch, C, seq]` and the conv kernels and biases that
 * read them: C = the embedding size (Gather route) or the vocabulary size (one-hot route).
 */
function convChannels(
  config: CnnConfig,
  weights: tf.NamedTensorMap,
): { initializers: Onnx.ITensorProto[]; nodes: Onnx.INodeProto[] } {
  const { vocabSize, embeddingDim, numFilters, maxFilterSize } = config;
  const filterSizes = Array.from({ length: maxFilterSize }, (_, i) => i + 1);
  const biases = values(
    weights,
    filterSizes.map((f) => `conv${f}.bias`),
  ).map((bias, i) => floatTensor(`conv${i + 1}.bias`, [numFilters], bias));
  if (vocabSize < embeddingDim) {
    const tables = foldedTables(weights, maxFilterSize);
    const rowLength = tables.length / vocabSize;
    const kernels = filterSizes.map((f) => {
      const kernel = new Float32Array(numFilters * vocabSize * f);
      const blockOffset = ((f * (f - 1)) / 2) * numFilters;
      for (let k = 0; k < numFilters; k++)
        for (let v = 1; v < vocabSize; v++)
          for (let j = 0; j < f; j++)
            kernel[(k * vocabSize + v) * f + j] = tables[v * rowLength + blockOffset + j * numFilters + k];
      return floatTensor(`conv${f}.weight`, [numFilters, vocabSize, f], kernel);
    });
    return {
      initializers: [
        int64Tensor("depth", [], [vocabSize]),
        floatTensor("one_hot_values", [2], Float32Array.of(0, 1)),
        ...kernels,
        ...biases,
      ],
      nodes: [node("OneHot", ["padded_ids", "depth", "one_hot_values"], ["channels"], { axis: { int: 1 } })],
    };
  }
  const [embeddings, ...kernels] = values(weights, [
    "embeddings",
    ...filterSizes.map((f) => `conv${f}.kernel`),
  ]);
  embeddings.fill(0, 0, embeddingDim);
  return {
    initializers: [
      floatTensor("embeddings", [vocabSize, embeddingDim], embeddings),
      ...kernels.map((kernel, i) =>
        floatTensor(
          `conv${i + 1}.weight`,
          [numFilters, embeddingDim, i + 1],
          toOutputMajor(kernel, i + 1, embeddingDim, numFilters),
        ),
      ),
      ...biases,
    ],
    nodes: [
      node("Gather", ["embeddings", "padded_ids"], ["embedded"], { axis: { int: 0 } }),
      node("Transpose", ["embedded"], ["channels"], { perm: { ints: [0, 2, 1] } }),
    ],
  };
}

/** The lookup tables E·W_f[j], `[V, Σ_f f·F]` (see families/cnn/lookupTables.ts), computed as tagifai does. */
function foldedTables(weights: tf.NamedTensorMap, maxFilterSize: number): Float32Array {
  const kernels = Array.from(
    { length: maxFilterSize },
    (_, i) => weights[`conv${i + 1}.kernel`] as tf.Tensor3D,
  );
  const tables = tf.tidy(() => lookupTables(weights.embeddings as tf.Tensor2D, kernels));
  const data = tables.dataSync() as Float32Array;
  tables.dispose();
  return data;
}

/** Copies of the named weights' values, in that order. */
function values(weights: tf.NamedTensorMap, names: readonly string[]): Float32Array[] {
  return names.map((name) => Float32Array.from(weights[name].dataSync()));
}

/** `[f, dim, filters]` (tfjs conv1d) → `[filters, dim, f]` (ONNX Conv). */
function toOutputMajor(kernel: Float32Array, f: number, dim: number, filters: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let j = 0; j < f; j++)
    for (let d = 0; d < dim; d++)
      for (let k = 0; k < filters; k++) out[(k * dim + d) * f + j] = kernel[(j * dim + d) * filters + k];
  return out;
}
