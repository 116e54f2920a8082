/**
 * Training: from prepared features to a trained model, its tuned decision threshold and its test
 * performance — the original tagifai's `train.train`, with early stopping that really keeps the best
 * epoch's weights.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import * as tf from "@tensorflow/tfjs-core";
import { EXCLUDED_TAGS, logger } from "../config/config.js";
import {
  type Feature,
  getDataSplits,
  MultiLabelEncoder,
  padSequences,
  prepare,
  preprocess,
  type Tag,
  Tokenizer,
} from "./data.js";
import { TagifaiError } from "./errors.js";
import { applyThreshold, findBestThreshold, getMetrics, type Performance } from "./eval.js";
import { type Batch, type CnnModel, initializeCnn } from "./models.js";
import type { Params } from "./params.js";
import { createRng, nextSeed, type Rng, shuffled } from "./utils.js";

/** Everything needed to predict with a trained model. */
export interface Artifacts {
  params: Params;
  labelEncoder: MultiLabelEncoder;
  tokenizer: Tokenizer;
  model: CnnModel;
}

/** What one epoch of training reports. */
export interface EpochMetrics {
  epoch: number;
  train_loss: number;
  val_loss: number;
  lr: number;
}

/** Hooks a caller (tracking, a study's pruner, a progress display) can attach to training. */
export interface TrainHooks {
  /** Called after every epoch; may be async (e.g. logging to the tracking store). Throwing stops training. */
  onEpoch?: (metrics: EpochMetrics) => void | Promise<void>;
  /** Called after every training batch with the batch number (1-based) and the epoch's batch count. */
  onBatch?: (done: number, total: number) => void;
}

/** The outcome of `train`. */
export interface TrainResult {
  /** The params actually used, with `threshold` tuned and `num_samples` set. */
  params: Params;
  artifacts: Artifacts;
  performance: Performance;
  history: EpochMetrics[];
  bestValLoss: number;
}

/** A labelled split: token sequences and 0/1 label rows, plus the texts they came from. */
interface Split {
  texts: string[];
  tags: string[][];
  sequences: number[][];
  y: number[][];
}

/**
 * Train the model described by `params` on the projects' features and evaluate it on the test split.
 * Steps (as in the original): optional shuffle and subset; keep known, frequent tags; preprocess text;
 * encode labels; class weights 1/count; iterative stratified split; fit the tokenizer on train texts;
 * train with Adam, class-weighted sigmoid cross-entropy, a plateau LR schedule and early stopping;
 * restore the best val-loss epoch; tune the threshold on train probabilities; evaluate on test.
 * @param params validated params
 * @param features computed features (`text = title + " " + description`)
 * @param tags the known tags (tags.json); only these are kept
 * @param hooks optional per-epoch callback
 * @returns the trained artifacts, tuned params, test performance and per-epoch history
 */
export async function train(
  params: Params,
  features: Feature[],
  tags: Tag[],
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const rng = createRng(params.seed);
  let rows = params.shuffle ? shuffled(features, rng) : features.slice();
  if (params.subset !== null) rows = rows.slice(0, params.subset);

  const prepared = prepare(rows, {
    include: tags.map((t) => t.tag),
    exclude: EXCLUDED_TAGS,
    minTagFreq: params.min_tag_freq,
  }).features;
  if (prepared.length < 3) {
    throw new TagifaiError(
      "INVALID_DATA",
      `Only ${prepared.length} projects keep a tag with at least ${params.min_tag_freq} projects: too few to train (lower min_tag_freq or use more data)`,
    );
  }
  const texts = prepared.map((f) => preprocess(f.text, { lower: params.lower, stem: params.stem }));
  const labelEncoder = new MultiLabelEncoder().fit(prepared.map((f) => f.tags));
  const y = labelEncoder.encode(prepared.map((f) => f.tags));
  const classWeights = inverseClassCounts(y, labelEncoder.classes.length);

  const splits = getDataSplits(
    texts.map((text, i) => ({ text, tags: prepared[i].tags })),
    y,
    params.train_size,
    params.seed,
  );
  const tokenizer = new Tokenizer({ charLevel: params.char_level }).fitOnTexts(
    splits.train.X.map((r) => r.text),
  );
  const toSplit = (part: { X: { text: string; tags: string[] }[]; y: number[][] }): Split => ({
    texts: part.X.map((r) => r.text),
    tags: part.X.map((r) => r.tags),
    sequences: tokenizer.textsToSequences(part.X.map((r) => r.text)),
    y: part.y,
  });
  const train = toSplit(splits.train);
  const val = toSplit(splits.val);
  const test = toSplit(splits.test);
  logger.info(
    `Data: ${prepared.length} projects, ${labelEncoder.classes.length} tags, splits ${train.y.length}/${val.y.length}/${test.y.length}, vocabulary ${tokenizer.vocabSize}`,
  );

  const model = initializeCnn(
    {
      vocabSize: tokenizer.vocabSize,
      numClasses: labelEncoder.classes.length,
      embeddingDim: params.embedding_dim,
      numFilters: params.num_filters,
      maxFilterSize: params.max_filter_size,
      hiddenDim: params.hidden_dim,
      dropoutP: params.dropout_p,
    },
    nextSeed(rng),
  );
  try {
    const { history, bestValLoss } = await fit(model, params, train, val, classWeights, rng, hooks);
    const threshold = findBestThreshold(train.y, predictSplit(model, train.sequences, params));
    const tuned: Params = { ...params, threshold, num_samples: prepared.length };
    const yPred = applyThreshold(predictSplit(model, test.sequences, params), threshold);
    const performance = getMetrics({
      yTrue: test.y,
      yPred,
      classes: labelEncoder.classes,
      rows: test.texts.map((text, i) => ({ text, tags: test.tags[i] })),
    });
    return {
      params: tuned,
      artifacts: { params: tuned, labelEncoder, tokenizer, model },
      performance,
      history,
      bestValLoss,
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Per-class weights 1/count (the original's class weights), counted over all prepared projects.
 * @param y 0/1 label rows
 * @param numClasses number of classes
 * @returns one weight per class
 */
function inverseClassCounts(y: number[][], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const row of y) for (let c = 0; c < numClasses; c++) counts[c] += row[c];
  return counts.map((count) => 1 / Math.max(count, 1));
}

/** The epoch loop: Adam steps over shuffled batches, validation, LR plateau schedule, early stopping. */
async function fit(
  model: CnnModel,
  params: Params,
  train: Split,
  val: Split,
  classWeights: number[],
  rng: Rng,
  hooks: TrainHooks,
): Promise<{ history: EpochMetrics[]; bestValLoss: number }> {
  const optimizer = tf.train.adam(params.lr, 0.9, 0.999, 1e-8);
  const weights = tf.tensor1d(classWeights);
  const scheduler = createPlateauScheduler({ lr: params.lr, factor: 0.05, patience: 5 });
  const history: EpochMetrics[] = [];
  let bestValLoss = Number.POSITIVE_INFINITY;
  let bestWeights: tf.NamedTensorMap | undefined;
  let patienceLeft = params.patience;
  try {
    for (let epoch = 1; epoch <= params.num_epochs; epoch++) {
      const order = shuffled(
        train.y.map((_, i) => i),
        rng,
      );
      let trainLoss = 0;
      const batches = batchIndices(order, params.batch_size);
      for (const [i, indices] of batches.entries()) {
        const batch = toBatch(train.sequences, indices, params.max_filter_size);
        const labels = tf.tensor2d(indices.map((k) => train.y[k]));
        const seed = nextSeed(rng);
        const cost = optimizer.minimize(
          () => weightedBce(model.logits(batch, { training: true, seed }), labels, weights),
          true,
          model.variables,
        );
        model.weightsChanged();
        const loss = (await cost!.data())[0];
        // tfjs settles `data()` without returning to the event loop: yield once per batch so that
        // signal handlers (Ctrl-C marks the run KILLED) and timers (a study's heartbeat) get to run.
        await yieldToEventLoop();
        cost!.dispose();
        labels.dispose();
        trainLoss += (loss - trainLoss) / (i + 1);
        hooks.onBatch?.(i + 1, batches.length);
      }
      const valLoss = evaluateLoss(model, val, params, weights);
      const lr = scheduler.step(valLoss);
      setLearningRate(optimizer, lr);

      if (valLoss < bestValLoss) {
        bestValLoss = valLoss;
        disposeAll(bestWeights);
        bestWeights = model.getWeights();
        patienceLeft = params.patience;
      } else {
        patienceLeft -= 1;
      }
      const metrics: EpochMetrics = { epoch, train_loss: trainLoss, val_loss: valLoss, lr };
      history.push(metrics);
      logger.info(
        `Epoch: ${epoch} | train_loss: ${trainLoss.toFixed(5)}, val_loss: ${valLoss.toFixed(5)}, lr: ${formatLr(lr)}, _patience: ${patienceLeft}`,
      );
      await hooks.onEpoch?.(metrics);
      if (patienceLeft === 0) {
        logger.info("Stopping early!");
        break;
      }
    }
    if (bestWeights) model.setWeights(bestWeights);
    return { history, bestValLoss };
  } finally {
    disposeAll(bestWeights);
    weights.dispose();
    optimizer.dispose();
  }
}

/**
 * Class-weighted sigmoid cross-entropy with logits, averaged over all (sample, class) cells —
 * PyTorch's `BCEWithLogitsLoss(weight=w)` with mean reduction, in the numerically stable form
 * max(x,0) − x·y + log(1 + e^−|x|).
 */
function weightedBce(logits: tf.Tensor2D, labels: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar {
  const perCell = tf.add(
    tf.sub(tf.relu(logits), tf.mul(logits, labels)),
    tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
  );
  return tf.mean(tf.mul(perCell, weights));
}

/** Mean weighted loss of a split in inference mode (no dropout), batch by batch. */
function evaluateLoss(model: CnnModel, split: Split, params: Params, weights: tf.Tensor1D): number {
  let total = 0;
  const batches = batchIndices(
    split.y.map((_, i) => i),
    params.batch_size,
  );
  for (const [i, indices] of batches.entries()) {
    const batch = toBatch(split.sequences, indices, params.max_filter_size);
    const loss = tf.tidy(() =>
      weightedBce(
        model.logits(batch, { training: false }),
        tf.tensor2d(indices.map((k) => split.y[k])),
        weights,
      ),
    );
    total += (loss.dataSync()[0] - total) / (i + 1);
    loss.dispose();
  }
  return total;
}

/**
 * Probabilities for every sequence of a split, batch by batch (inference mode).
 * @returns one row of class probabilities per sequence
 */
export function predictSplit(model: CnnModel, sequences: number[][], params: Params): number[][] {
  const out: number[][] = [];
  for (const indices of batchIndices(
    sequences.map((_, i) => i),
    params.batch_size,
  )) {
    out.push(...model.predictProba(toBatch(sequences, indices, params.max_filter_size)));
  }
  return out;
}

function batchIndices(order: number[], batchSize: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize)
    batches.push(order.slice(start, start + batchSize));
  return batches;
}

/** Pad the selected sequences to a batch at least `maxFilterSize` long (as the original's collate). */
function toBatch(sequences: number[][], indices: number[], maxFilterSize: number): Batch {
  return padSequences(
    indices.map((i) => sequences[i]),
    maxFilterSize,
  );
}

/**
 * Change an Adam optimizer's learning rate in place, keeping its moment estimates (what PyTorch's
 * scheduler does to `param_groups[0]["lr"]`). tfjs reads `learningRate` on every step but declares it
 * protected and offers no setter, hence the narrow cast.
 */
function setLearningRate(optimizer: tf.AdamOptimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

function disposeAll(weights: tf.NamedTensorMap | undefined): void {
  if (weights) for (const tensor of Object.values(weights)) tensor.dispose();
}

/** `4.48E-04`, like Python's `:.2E`. */
function formatLr(lr: number): string {
  const [mantissa, exponent] = lr.toExponential(2).split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  return `${mantissa}E${sign}${exponent.replace(/^[-+]/, "").padStart(2, "0")}`;
}

/** State of a reduce-on-plateau learning-rate schedule. */
export interface PlateauScheduler {
  /** Report an epoch's val loss; returns the learning rate to use next. */
  step(valLoss: number): number;
}

/**
 * PyTorch's `ReduceLROnPlateau(mode="min", factor, patience)` with its defaults (relative threshold
 * 1e-4, no cooldown, min lr 0, eps 1e-8): after more than `patience` epochs without an improvement,
 * multiply the learning rate by `factor`.
 * @param options the initial lr, the factor and the patience
 * @returns a scheduler to call once per epoch
 */
export function createPlateauScheduler(options: {
  lr: number;
  factor: number;
  patience: number;
}): PlateauScheduler {
  let lr = options.lr;
  let best = Number.POSITIVE_INFINITY;
  let badEpochs = 0;
  return {
    step(valLoss: number): number {
      if (valLoss < best * (1 - 1e-4)) {
        best = valLoss;
        badEpochs = 0;
      } else {
        badEpochs += 1;
      }
      if (badEpochs > options.patience) {
        const reduced = lr * options.factor;
        if (lr - reduced > 1e-8) lr = reduced;
        badEpochs = 0;
      }
      return lr;
    },
  };
}
