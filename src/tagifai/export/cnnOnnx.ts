/**
 * The character (or word) CNN as a standard ONNX graph, computing exactly what `CnnModel.predictProba`
 * computes for the same padded batch (models.ts, models/dense.ts, models/charConv.ts):
 *
 * 1. `Shape` → `Gather` → `Sub` → `Max` → `Concat` → `Pad`: right-pad the ids with the pad id 0 to at
 *    least `maxFilterSize` positions, as the training collate does (`padSequences(…, maxFilterSize)`),
 *    so a client may send any length ≥ 1.
 * 2. `Gather` (axis 0) of the embedding table; row 0 (the pad id) is exported as zeros, the value
 *    every tagifai path gives padding (the dense path masks it, the lookup path skips it).
 * 3. `Transpose` `[batch, seq, dim]` → `[batch, dim, seq]` (ONNX `Conv`'s NCW layout).
 * 4. Per filter size f = 1..maxFilterSize: `Conv` with kernel `[numFilters, dim, f]` (tagifai's
 *    `[f, dim, numFilters]` transposed), its bias, and pads left ⌊(f−1)/2⌋, right ⌈(f−1)/2⌉ (PyTorch's
 *    'same'); no activation. Then `ReduceMax` over time (axis 2, keepdims 0): the global max-pool,
 *    over every padded position, as in the original. (tagifai adds the conv bias after the pool;
 *    float rounding is monotonic, so max(x + b) = max(x) + b exactly.)
 * 5. `Concat` (axis 1) of the pooled blocks, filter sizes ascending.
 * 6. `Gemm` fc1 (no activation; dropout is the identity at inference), `Gemm` fc2 → logits.
 * 7. `Sigmoid` (multi-label) or `Softmax` (axis 1, multi-class) → probabilities.
 *
 * Operator semantics as in the ONNX operator specification ("Operators.md") at opset 13.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { onnx as Onnx } from "onnx-proto";
import type { CnnModel } from "../models.js";
import { floatTensor, type GraphSpec, int64Tensor, node, tensorValue } from "./onnxGraph.js";

/** Names of the exported CNN graph's input and output. */
export const CNN_ONNX_IO = { input: "token_ids", output: "probabilities" } as const;

/**
 * The CNN's graph (see the module comment).
 * @param model the trained model (its weights are copied)
 * @returns the graph's inputs, outputs, initializers and nodes (name, doc, metadata to be filled in)
 */
export function cnnGraph(model: CnnModel): Pick<GraphSpec, "inputs" | "outputs" | "initializers" | "nodes"> {
  const { vocabSize, embeddingDim, numFilters, maxFilterSize, hiddenDim, numClasses } = model.config;
  const weights = readWeights(model);
  const embeddings = weights.get("embeddings") as Float32Array;
  embeddings.fill(0, 0, embeddingDim);
  const filterSizes = Array.from({ length: maxFilterSize }, (_, i) => i + 1);
  const initializers: Onnx.ITensorProto[] = [
    int64Tensor("min_length", [1], [maxFilterSize]),
    int64Tensor("seq_axis", [1], [1]),
    int64Tensor("zero", [1], [0]),
    int64Tensor("zero_pads", [3], [0, 0, 0]),
    floatTensor("embeddings", [vocabSize, embeddingDim], embeddings),
    ...filterSizes.flatMap((f) => [
      floatTensor(
        `conv${f}.weight`,
        [numFilters, embeddingDim, f],
        toOutputMajor(weights.get(`conv${f}.kernel`) as Float32Array, f, embeddingDim, numFilters),
      ),
      floatTensor(`conv${f}.bias`, [numFilters], weights.get(`conv${f}.bias`) as Float32Array),
    ]),
    floatTensor(
      "fc1.weight",
      [numFilters * maxFilterSize, hiddenDim],
      weights.get("fc1.kernel") as Float32Array,
    ),
    floatTensor("fc1.bias", [hiddenDim], weights.get("fc1.bias") as Float32Array),
    floatTensor("fc2.weight", [hiddenDim, numClasses], weights.get("fc2.kernel") as Float32Array),
    floatTensor("fc2.bias", [numClasses], weights.get("fc2.bias") as Float32Array),
  ];
  const nodes: Onnx.INodeProto[] = [
    node("Shape", [CNN_ONNX_IO.input], ["ids_shape"]),
    node("Gather", ["ids_shape", "seq_axis"], ["seq_len"], { axis: { int: 0 } }),
    node("Sub", ["min_length", "seq_len"], ["short_by"]),
    node("Max", ["short_by", "zero"], ["pad_right"]),
    node("Concat", ["zero_pads", "pad_right"], ["pads"], { axis: { int: 0 } }),
    node("Pad", [CNN_ONNX_IO.input, "pads"], ["padded_ids"], {}),
    node("Gather", ["embeddings", "padded_ids"], ["embedded"], { axis: { int: 0 } }),
    node("Transpose", ["embedded"], ["channels"], { perm: { ints: [0, 2, 1] } }),
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

/** Every weight's values, by tagifai weight name. */
function readWeights(model: CnnModel): Map<string, Float32Array> {
  const named = model.getWeights();
  try {
    return new Map(Object.entries(named).map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]));
  } finally {
    tf.dispose(named);
  }
}

/** `[f, dim, filters]` (tfjs conv1d) → `[filters, dim, f]` (ONNX Conv). */
function toOutputMajor(kernel: Float32Array, f: number, dim: number, filters: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let j = 0; j < f; j++)
    for (let d = 0; d < dim; d++)
      for (let k = 0; k < filters; k++) out[(k * dim + d) * f + j] = kernel[(j * dim + d) * filters + k];
  return out;
}
