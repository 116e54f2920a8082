/**
 * The linear family's classifier as a standard ONNX graph. What ONNX cannot express is the TF-IDF
 * vectorizer: its word tokens (scikit-learn's `\b\w\w+\b`), its `char_wb` n-grams (inside
 * space-padded words) and its per-block L2 normalization need a tokenizer that no standard operator
 * provides (`TfIdfVectorizer` counts n-grams of an already-tokenized sequence only), so the graph
 * starts from the TF-IDF vector, which the client computes from the exported vocabulary and idf.
 *
 * Graph (operator semantics as in the ONNX operator specification, "Operators.md", opset 13):
 * `Gemm` (tfidf `[batch, features]` × weights `[features, classes]` + biases) → `Sigmoid`: the
 * one-vs-rest probabilities σ(w·x + b) of `predictLogistic`; for a one-vs-rest multi-class model,
 * `ReduceSum` (axis 1, keepdims) and `Div` normalize each row to sum to 1, as the family's scorer
 * does; a multinomial model's `Gemm` is followed by `Softmax` (axis 1) instead.
 */
import type { onnx as Onnx } from "onnx-proto";
import type { Task } from "../data.js";
import type { Classifier } from "../families/linear/classifier.js";
import { floatTensor, type GraphSpec, int64Tensor, node, tensorValue } from "./onnxGraph.js";

/** Names of the exported linear graph's input and output. */
export const LINEAR_ONNX_IO = { input: "tfidf", output: "probabilities" } as const;

/**
 * The logistic-regression graph (see the module comment).
 * @param classifier the fitted one-vs-rest model (weights feature-major, as `Gemm`'s B)
 * @param task multi-class rows are normalized to sum to 1
 * @returns the graph's inputs, outputs, initializers and nodes
 */
export function linearGraph(
  classifier: Classifier,
  task: Task,
): Pick<GraphSpec, "inputs" | "outputs" | "initializers" | "nodes"> {
  const { numFeatures, numClasses, weights, biases } = classifier;
  const softmax = classifier.output === "softmax";
  const oneVsRest = task === "multi-label" || softmax ? LINEAR_ONNX_IO.output : "one_vs_rest";
  const nodes: Onnx.INodeProto[] = [
    node("Gemm", [LINEAR_ONNX_IO.input, "weights", "biases"], ["margins"]),
    softmax
      ? node("Softmax", ["margins"], [oneVsRest], { axis: { int: 1 } })
      : node("Sigmoid", ["margins"], [oneVsRest]),
  ];
  const initializers = [
    floatTensor("weights", [numFeatures, numClasses], weights),
    floatTensor("biases", [numClasses], biases),
  ];
  if (task === "multi-class" && !softmax) {
    initializers.push(int64Tensor("class_axis", [1], [1]));
    nodes.push(
      node("ReduceSum", [oneVsRest, "class_axis"], ["row_total"], { keepdims: { int: 1 } }),
      node("Div", [oneVsRest, "row_total"], [LINEAR_ONNX_IO.output]),
    );
  }
  return {
    inputs: [
      tensorValue(
        LINEAR_ONNX_IO.input,
        "float32",
        ["batch", numFeatures],
        "TF-IDF vector of each preprocessed text, computed as tfidf.json describes",
      ),
    ],
    outputs: [
      tensorValue(
        LINEAR_ONNX_IO.output,
        "float32",
        ["batch", numClasses],
        "probability of each class of label_encoder.json",
      ),
    ],
    initializers,
    nodes,
  };
}
