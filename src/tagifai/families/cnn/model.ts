/**
 * The tagifai model: the original character-level CNN (embeddings → conv1d of every filter size
 * 1..maxFilterSize with 'same' padding and no activation → global max-pool → concat → fc1 → dropout →
 * fc2 → one logit per tag), built from tfjs-core ops and trainable on the wasm backend.
 *
 * Small vocabularies (characters) use lookup tables for the convolutions (models/charConv.ts), large
 * ones the dense path (models/dense.ts); both compute the same function and gradients.
 */
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import type { ArtifactReader, ArtifactWriter } from "../../artifact-io.js";
import { TagifaiError } from "../../errors.js";
import { createRng, nextSeed } from "../../random.js";
import { parseWith } from "../../schema.js";
import { type Batch, validateBatch } from "./batch.js";
import { charConvForward, charConvMaxPool, type LookupTables } from "./charConv.js";
import { denseConvMaxPool, embedTokens } from "./dense.js";
import { LOOKUP_MAX_VOCAB } from "./footprint.js";
import { ensureGradients } from "./gradients.js";
import { lookupTables } from "./lookupTables.js";

export type { Batch } from "./batch.js";

ensureGradients();

const positiveInt = z.number().int().positive();

/** Schema of the model's hyperparameters (stored in `model.json`). */
export const cnnConfigSchema = z
  .object({
    vocabSize: z.number().int().min(2),
    numClasses: positiveInt,
    embeddingDim: positiveInt,
    numFilters: positiveInt,
    maxFilterSize: positiveInt.max(64),
    hiddenDim: positiveInt,
    dropoutP: z.number().min(0).lt(1),
    /** How to compute the convolutions: by lookup tables, densely, or chosen by vocabulary size. */
    convPath: z.enum(["auto", "lookup", "dense"]).optional(),
    /** How logits become probabilities: per class (multi-label, default) or across classes (multi-class). */
    output: z.enum(["sigmoid", "softmax"]).optional(),
  })
  .strict();

/** Hyperparameters of a {@link CnnModel}. */
export type CnnConfig = z.infer<typeof cnnConfigSchema>;

/** A CNN with its trainable variables. */
export interface CnnModel {
  readonly config: CnnConfig;
  /** Trainable variables, in the order of {@link weightNames}. */
  readonly variables: tf.Variable[];
  /**
   * Logits `[batchSize, numClasses]`. Call inside `tf.tidy` or an optimizer's `minimize`.
   * @param batch padded token ids
   * @param options `training` applies dropout, seeded by `seed` (unseeded if omitted)
   * @throws TagifaiError INVALID_INPUT for a malformed batch or an id outside the vocabulary
   */
  logits(batch: Batch, options: { training: boolean; seed?: number }): tf.Tensor2D;
  /**
   * Probabilities per sample and class (sigmoid, or softmax when `config.output` is "softmax"), without dropout. The lookup tables are computed once
   * per weights version (see {@link CnnModel.weightsChanged}) and reused.
   * @throws TagifaiError INVALID_INPUT for a malformed batch or an id outside the vocabulary
   */
  predictProba(batch: Batch): number[][];
  /** Declare that the variables were updated in place (e.g. by an optimizer step): drops caches. */
  weightsChanged(): void;
  /** Copies of the weights, keyed by {@link weightNames}; the caller owns (and disposes) them. */
  getWeights(): tf.NamedTensorMap;
  /**
   * Overwrite every weight (values are copied).
   * @throws TagifaiError INVALID_ARTIFACTS when a weight is missing or has the wrong shape
   */
  setWeights(weights: tf.NamedTensorMap): void;
  /** Free the variables. */
  dispose(): void;
}

type WeightSpec = { name: string; shape: number[]; init: (seed: number) => tf.Tensor };

function uniform(shape: number[], fanIn: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return (seed: number) => tf.randomUniform(shape, -bound, bound, "float32", seed);
}

function weightSpecs(config: CnnConfig): WeightSpec[] {
  const { vocabSize: V, embeddingDim: D, numFilters: F, maxFilterSize, hiddenDim: H, numClasses } = config;
  const embeddings = (seed: number) =>
    tf.tidy(() => {
      const normal = tf.randomNormal([V - 1, D], 0, 1, "float32", seed);
      return tf.concat([tf.zeros([1, D]), normal]);
    });
  const convs = Array.from({ length: maxFilterSize }, (_, i) => i + 1).flatMap((f) => [
    { name: `conv${f}.kernel`, shape: [f, D, F], init: uniform([f, D, F], f * D) },
    { name: `conv${f}.bias`, shape: [F], init: uniform([F], f * D) },
  ]);
  const pooledDim = F * maxFilterSize;
  return [
    { name: "embeddings", shape: [V, D], init: embeddings },
    ...convs,
    { name: "fc1.kernel", shape: [pooledDim, H], init: uniform([pooledDim, H], pooledDim) },
    { name: "fc1.bias", shape: [H], init: uniform([H], pooledDim) },
    { name: "fc2.kernel", shape: [H, numClasses], init: uniform([H, numClasses], H) },
    { name: "fc2.bias", shape: [numClasses], init: uniform([numClasses], H) },
  ];
}

/**
 * Names of a model's weights, in variable order: "embeddings", then "conv{f}.kernel" `[f, D, F]` and
 * "conv{f}.bias" `[F]` for f = 1..maxFilterSize, then "fc1.kernel" `[F·maxF, H]`, "fc1.bias",
 * "fc2.kernel" `[H, C]`, "fc2.bias".
 * @param config the model's hyperparameters
 */
export function weightNames(config: CnnConfig): string[] {
  return weightSpecs(config).map((spec) => spec.name);
}

function usesLookup(config: CnnConfig): boolean {
  const path = config.convPath ?? "auto";
  return path === "lookup" || (path === "auto" && config.vocabSize <= LOOKUP_MAX_VOCAB);
}

function checkWeights(config: CnnConfig, weights: tf.NamedTensorMap, source: string): void {
  for (const { name, shape } of weightSpecs(config)) {
    const weight = weights[name];
    if (!weight) throw new TagifaiError("INVALID_ARTIFACTS", `${source}: weight "${name}" is missing`);
    if (!tf.util.arraysEqual(weight.shape, shape))
      throw new TagifaiError(
        "INVALID_ARTIFACTS",
        `${source}: weight "${name}" has shape [${weight.shape}], expected [${shape}]`,
      );
  }
}

let modelCount = 0;

/** Build a model around initial weights (copied into fresh variables). */
function createCnn(config: CnnConfig, initial: tf.NamedTensorMap): CnnModel {
  const names = weightNames(config);
  const scope = `tagifai_cnn${++modelCount}`;
  const variables = names.map((name) => tf.variable(initial[name], true, `${scope}/${name}`));
  const byName = new Map(names.map((name, i) => [name, variables[i]]));
  const weight = <T extends tf.Tensor>(name: string) => byName.get(name) as unknown as T;
  const filterSizes = Array.from({ length: config.maxFilterSize }, (_, i) => i + 1);
  const lookup = usesLookup(config);
  let version = 0;
  let cache: { version: number; tables: LookupTables; convBias: Float32Array } | undefined;

  const convBias = () => tf.concat(filterSizes.map((f) => weight<tf.Tensor1D>(`conv${f}.bias`)));

  const tables = () =>
    lookupTables(
      weight<tf.Tensor2D>("embeddings"),
      filterSizes.map((f) => weight<tf.Tensor3D>(`conv${f}.kernel`)),
    );
  const tableShape = { numFilters: config.numFilters, maxFilterSize: config.maxFilterSize };

  const pooledConv = (batch: Batch): tf.Tensor2D => {
    if (lookup) return charConvMaxPool(tables(), batch, tableShape);
    const embedded = embedTokens(weight<tf.Tensor2D>("embeddings"), batch);
    return tf.concat(
      filterSizes.map((f) => denseConvMaxPool(embedded, weight<tf.Tensor3D>(`conv${f}.kernel`))),
      1,
    );
  };

  const classify = (features: tf.Tensor2D, training: boolean, seed?: number): tf.Tensor2D => {
    let hidden = tf.add(tf.matMul(features, weight<tf.Tensor2D>("fc1.kernel")), weight("fc1.bias"));
    if (training && config.dropoutP > 0) hidden = tf.dropout(hidden, config.dropoutP, undefined, seed);
    return tf.add(tf.matMul(hidden, weight<tf.Tensor2D>("fc2.kernel")), weight("fc2.bias"));
  };

  const activate = (logits: tf.Tensor2D): tf.Tensor2D =>
    config.output === "softmax" ? tf.softmax(logits) : tf.sigmoid(logits);

  const inferenceCache = () => {
    if (cache?.version !== version) {
      // Read the data outside tidy: tidy walks every element of a returned typed array (~0.4 s here).
      const [tableTensor, biasTensor] = tf.tidy(() => [tables(), convBias()]);
      cache = {
        version,
        tables: { data: tableTensor.dataSync() as Float32Array, vocabSize: config.vocabSize, ...tableShape },
        convBias: biasTensor.dataSync() as Float32Array,
      };
      tableTensor.dispose();
      biasTensor.dispose();
    }
    return cache;
  };

  const model: CnnModel = {
    config,
    variables,
    logits(batch, { training, seed }) {
      validateBatch(batch, config.vocabSize);
      return classify(tf.add(pooledConv(batch), convBias()), training, seed);
    },
    predictProba(batch) {
      validateBatch(batch, config.vocabSize);
      if (!lookup) return tf.tidy(() => activate(model.logits(batch, { training: false })).arraySync());
      const { tables, convBias: bias } = inferenceCache();
      const { pooled } = charConvForward(tables, batch);
      for (let i = 0; i < pooled.length; i++) pooled[i] += bias[i % bias.length];
      return tf.tidy(() => {
        const features = tf.tensor2d(pooled, [batch.shape[0], bias.length]);
        return activate(classify(features, false)).arraySync();
      });
    },
    weightsChanged() {
      version++;
    },
    getWeights() {
      return Object.fromEntries(names.map((name, i) => [name, variables[i].clone()]));
    },
    setWeights(weights) {
      checkWeights(config, weights, "setWeights");
      names.forEach((name, i) => {
        variables[i].assign(weights[name]);
      });
      version++;
    },
    dispose() {
      for (const variable of variables) variable.dispose();
      cache = undefined;
    },
  };
  return model;
}

/**
 * Create a model with PyTorch's default initialisation: embeddings N(0, 1) with the pad row (0) zero;
 * conv and linear weights and biases U(−1/√fanIn, 1/√fanIn), fanIn = f·D for conv f, the input size
 * for linear layers.
 * @param config hyperparameters (validated with {@link cnnConfigSchema})
 * @param seed the same seed gives the same weights
 * @returns the model (dispose it when done)
 * @throws TagifaiError INVALID_PARAMS when the config is invalid
 */
export function initializeCnn(config: CnnConfig, seed: number): CnnModel {
  const checked = parseWith(cnnConfigSchema, config, { code: "INVALID_PARAMS", what: "CNN config" });
  const rng = createRng(seed);
  const initial = Object.fromEntries(
    weightSpecs(checked).map((spec) => [spec.name, spec.init(nextSeed(rng))]),
  );
  try {
    return createCnn(checked, initial);
  } finally {
    tf.dispose(initial);
  }
}

/**
 * Number of trainable scalars.
 * @param model the model
 */
export function countParameters(model: CnnModel): number {
  return model.variables.reduce((total, variable) => total + variable.size, 0);
}

const MODEL_FILE = "model.json";
const WEIGHTS_FILE = "model.weights.bin";

const modelFileSchema = z
  .object({
    format: z.literal("tagifai-cnn"),
    config: cnnConfigSchema,
    weightSpecs: z.array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        dtype: z.literal("float32"),
      }),
    ),
  })
  .strict();

/**
 * Save a model as `model.json` (config and weight specs) and `model.weights.bin`.
 * @param model the model
 * @param writer the model's files
 */
export async function saveModel(model: CnnModel, writer: ArtifactWriter): Promise<void> {
  const names = weightNames(model.config);
  const named = names.map((name, i) => ({ name, tensor: model.variables[i] as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const file: z.infer<typeof modelFileSchema> = {
    format: "tagifai-cnn",
    config: model.config,
    weightSpecs: specs.map(({ name, shape }) => ({ name, shape, dtype: "float32" as const })),
  };
  writer.bytes(WEIGHTS_FILE, new Uint8Array(data));
  writer.json(MODEL_FILE, file);
}

/**
 * Load a model saved by {@link saveModel}; it predicts exactly like the saved one.
 * @param reader the files holding `model.json` and `model.weights.bin`
 * @returns the model (dispose it when done)
 * @throws TagifaiError INVALID_ARTIFACTS naming the file that is missing, unreadable, inconsistent or
 *   holds a non-finite weight
 */
export async function loadModel(reader: ArtifactReader): Promise<CnnModel> {
  const modelPath = reader.where(MODEL_FILE);
  const weightsPath = reader.where(WEIGHTS_FILE);
  const checked = parseWith(modelFileSchema, await reader.json(MODEL_FILE), {
    code: "INVALID_ARTIFACTS",
    what: `model file ${modelPath}`,
  });
  const bytes = await reader.bytes(WEIGHTS_FILE);
  const expectedBytes = checked.weightSpecs.reduce(
    (total, spec) => total + 4 * spec.shape.reduce((a, b) => a * b, 1),
    0,
  );
  if (bytes.byteLength !== expectedBytes)
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `Weights file ${weightsPath} has ${bytes.byteLength} bytes, ${modelPath} describes ${expectedBytes}`,
    );
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (!new Float32Array(buffer).every(Number.isFinite))
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `Weights file ${weightsPath} holds a value that is not a finite number (NaN or infinity)`,
    );
  const weights = tf.io.decodeWeights(buffer, checked.weightSpecs);
  try {
    checkWeights(checked.config, weights, `Weights file ${weightsPath}`);
    return createCnn(checked.config, weights);
  } finally {
    tf.dispose(weights);
  }
}
