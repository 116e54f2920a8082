/**
 * Building blocks of an ONNX model file: initializer tensors, nodes with attributes, typed graph
 * inputs and outputs, and the encoded `ModelProto`, over the generated protobuf classes of the
 * `onnx-proto` package (the official onnx.proto of ONNX 1.10, IR version 8).
 *
 * Semantics followed (ONNX IR spec, "IR.md"): tensors are row-major with their data in `raw_data` as
 * little-endian bytes; a graph input or output dimension is either a fixed size (`dim_value`) or a
 * named, dynamic one (`dim_param`); a model imports the default operator set domain ("") at
 * {@link ONNX_OPSET}, which fixes the version of every operator it uses.
 */
import { endianness } from "node:os";
import type { onnx as Onnx } from "onnx-proto";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** Typed arrays hold host-order bytes; `raw_data` must be little-endian (every ONNX Runtime host is). */
const HOST_IS_LITTLE_ENDIAN = endianness() === "LE";

/**
 * Version of the default ("ai.onnx") operator set the exported graphs use: 13, the first with
 * `Pad`'s pads as an input and still with `ReduceMax`'s axes as an attribute (both as used here);
 * supported by every ONNX Runtime since 1.6.
 */
export const ONNX_OPSET = 13;

/** An attribute value: an integer, a list of integers, or a float (tagged to tell them apart). */
export type AttributeValue = { int: number } | { ints: readonly number[] } | { float: number };

/**
 * A float32 initializer (a constant input of the graph).
 * @param name the tensor's name, used by the nodes that read it
 * @param dims its shape
 * @param values its values, row-major (length = product of `dims`)
 * @returns the tensor, data stored as little-endian `raw_data`
 */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): Onnx.ITensorProto {
  checkSize(name, dims, values.length);
  const rawData = rawBytes(Float32Array.from(values));
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData };
}

/**
 * An int64 initializer.
 * @param name the tensor's name
 * @param dims its shape (`[]` for a scalar)
 * @param values its values, row-major (safe integers)
 * @returns the tensor, data stored as little-endian `raw_data`
 */
export function int64Tensor(
  name: string,
  dims: readonly number[],
  values: readonly number[],
): Onnx.ITensorProto {
  checkSize(name, dims, values.length);
  const rawData = rawBytes(BigInt64Array.from(values, BigInt));
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, rawData };
}

/**
 * One operator application.
 * @param opType the operator (e.g. "Conv"), from the default domain at {@link ONNX_OPSET}
 * @param inputs names of its input values ("" for an omitted optional input)
 * @param outputs names of its output values
 * @param attributes its attributes by name
 * @returns the node, named after its first output
 */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, AttributeValue>> = {},
): Onnx.INodeProto {
  return {
    name: `${opType}_${outputs[0]}`,
    opType,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
  };
}

/** Element types a graph input or output can have here. */
export type ElementType = "float32" | "int64";

/**
 * A typed graph input or output.
 * @param name the value's name
 * @param elementType its element type
 * @param dims each dimension: a fixed size, or a name for a dynamic one (e.g. "batch")
 * @param docString what the value holds, for the reader of the model
 * @returns its value info
 */
export function tensorValue(
  name: string,
  elementType: ElementType,
  dims: readonly (number | string)[],
  docString: string,
): Onnx.IValueInfoProto {
  const elemType =
    elementType === "float32" ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64;
  return {
    name,
    docString,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === "number" ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

/** Everything a model file holds besides the fixed header. */
export interface GraphSpec {
  /** The graph's name. */
  name: string;
  /** What the model computes, for the reader of the file. */
  docString: string;
  inputs: Onnx.IValueInfoProto[];
  outputs: Onnx.IValueInfoProto[];
  initializers: Onnx.ITensorProto[];
  /** The nodes, in a topological order. */
  nodes: Onnx.INodeProto[];
  /** Key/value pairs stored in the model's `metadata_props` (e.g. the run id). */
  metadata: Readonly<Record<string, string>>;
}

/**
 * Encode a model: IR version 8, the default operator set at {@link ONNX_OPSET}, producer "tagifai".
 * @param spec the graph and its metadata
 * @returns the bytes of the `.onnx` file
 */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const model: Onnx.IModelProto = {
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "tagifai",
    docString: spec.docString,
    metadataProps: Object.entries(spec.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.name,
      docString: spec.docString,
      input: spec.inputs,
      output: spec.outputs,
      initializer: spec.initializers,
      node: spec.nodes,
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

function attribute(name: string, value: AttributeValue): Onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if ("int" in value) return { name, type: AttributeType.INT, i: value.int };
  if ("ints" in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function rawBytes(values: Float32Array | BigInt64Array): Uint8Array {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error("ONNX export needs a little-endian host");
  return new Uint8Array(values.buffer);
}

function checkSize(name: string, dims: readonly number[], length: number): void {
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (size !== length) throw new Error(`Tensor ${name}: shape [${dims}] needs ${size} values, got ${length}`);
}
