/**
 * The CNN family's training: a character (or word) tokenizer fitted on the training texts and the original's
 * CNN, trained with Adam, class-weighted cross-entropy (sigmoid for multi-label, softmax for
 * multi-class), a plateau LR schedule and early stopping on val loss. The weights kept are those of
 * the epoch with the best validation F1 (params `checkpoint: "val_f1"`, the default) or the lowest
 * val loss (`"val_loss"`): on the reference data val loss bottoms out about ten epochs before F1
 * does (test F1 0.59 at the val-loss minimum against ~0.68 later), and the Python original, whose
 * "best model" was a reference to the live model, in effect kept the last epoch. A multi-label CNN's
 * threshold is tuned on the validation probabilities (the original tuned it on the training ones).
 * The fitted model is a scorer of families/cnn/scorer.ts.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import * as tf from "@tensorflow/tfjs-core";
import { logger } from "../../../config/config.js";
import type { Task } from "../../data.js";
import { Tokenizer } from "../../data.js";
import { ensureDevice } from "../../device.js";
import { TagifaiError } from "../../errors.js";
import { applyArgmax, applyThreshold, findBestThreshold, precisionRecallFscoreSupport } from "../../eval.js";
import type { EpochMetrics, FamilyFit, FitContext, LabelledSplit, TrainHooks } from "../../family.js";
import { nextSeed, type Rng, shuffled } from "../../random.js";
import type { CnnParams } from "./hyperparameters.js";
import { type CnnModel, initializeCnn } from "./model.js";
import { batchIndices, cnnScorer, predictSplit, toBatch } from "./scorer.js";

/** A split as the CNN reads it: token sequences beside the labels. */
interface Sequences {
  sequences: number[][];
  y: number[][];
}

/**
 * Fit a tokenizer on the training texts and train a CNN (see the module comment).
 * @param ctx the training context (draws the initial weights' seed first, then batch orders and
 *   dropout); its signal is checked between batches
 * @returns the scorer, its thresholds (one global threshold repeated per class; empty for a
 *   multi-class task), the per-epoch history and the best validation loss
 * @throws the signal's reason once it is aborted; TagifaiError NON_FINITE_LOSS once a loss is NaN or infinite
 */
export async function fitCnn(ctx: FitContext<CnnParams>): Promise<FamilyFit> {
  const { config: params, task, rng, signal } = ctx;
  signal?.throwIfAborted();
  await ensureDevice();
  const tokenizer = new Tokenizer({ charLevel: params.char_level }).fitOnTexts(ctx.train.texts);
  logger.info(`CNN vocabulary: ${tokenizer.vocabSize} tokens`);
  const toSequences = (split: LabelledSplit): Sequences => ({
    sequences: tokenizer.textsToSequences(split.texts),
    y: split.y,
  });
  const train = toSequences(ctx.train);
  const model = initializeCnn(
    {
      vocabSize: tokenizer.vocabSize,
      numClasses: ctx.classWeights.length,
      embeddingDim: params.embedding_dim,
      numFilters: params.num_filters,
      maxFilterSize: params.max_filter_size,
      hiddenDim: params.hidden_dim,
      dropoutP: params.dropout_p,
      ...(task === "multi-class" ? { output: "softmax" as const } : {}),
    },
    nextSeed(rng),
  );
  try {
    const loss = task === "multi-label" ? weightedBce : weightedSoftmaxCe;
    const { history, bestValLoss } = await runEpochs(model, params, train, toSequences(ctx.val), {
      classWeights: ctx.classWeights,
      task,
      loss,
      rng,
      hooks: ctx.hooks,
      signal,
    });
    // Tuned on the validation split (the original tuned it on the training probabilities, which a
    // CNN fits closely: an optimistic, too high threshold); training rows only when there are none.
    const tuning = ctx.val.y.length > 0 ? toSequences(ctx.val) : train;
    const threshold =
      task === "multi-label" ? findBestThreshold(tuning.y, predictSplit(model, tuning.sequences, params)) : 0;
    const thresholds = task === "multi-label" ? ctx.classWeights.map(() => threshold) : [];
    return { scorer: cnnScorer(model, tokenizer, params), thresholds, history, bestValLoss };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** How a batch's loss is computed from logits, 0/1 (or one-hot) labels and per-class weights. */
type Loss = (logits: tf.Tensor2D, labels: tf.Tensor2D, weights: tf.Tensor1D) => tf.Scalar;

/** The epoch loop: Adam steps over shuffled batches, validation, LR plateau schedule, early stopping. */
async function runEpochs(
  model: CnnModel,
  params: CnnParams,
  train: Sequences,
  val: Sequences,
  options: {
    classWeights: number[];
    task: Task;
    loss: Loss;
    rng: Rng;
    hooks: TrainHooks;
    signal: AbortSignal | undefined;
  },
): Promise<{ history: EpochMetrics[]; bestValLoss: number }> {
  const { loss, rng, hooks, signal } = options;
  const checkpointOnF1 = (params.checkpoint ?? "val_f1") === "val_f1";
  const optimizer = tf.train.adam(params.lr, 0.9, 0.999, 1e-8);
  const weights = tf.tensor1d(options.classWeights);
  const scheduler = createPlateauScheduler({ lr: params.lr, factor: 0.05, patience: 5 });
  const history: EpochMetrics[] = [];
  let bestValLoss = Number.POSITIVE_INFINITY;
  let bestValF1 = Number.NEGATIVE_INFINITY;
  let bestWeights: tf.NamedTensorMap | undefined;
  let patienceLeft = params.patience;
  let lr = params.lr;
  try {
    for (let epoch = 1; epoch <= params.num_epochs; epoch++) {
      const order = shuffled(
        train.y.map((_, i) => i),
        rng,
      );
      let trainLoss = 0;
      const batches = batchIndices(order, params.batch_size);
      for (const [i, indices] of batches.entries()) {
        signal?.throwIfAborted();
        const batch = toBatch(train.sequences, indices, params.max_filter_size);
        const labels = tf.tensor2d(indices.map((k) => train.y[k]));
        const seed = nextSeed(rng);
        const cost = optimizer.minimize(
          () => loss(model.logits(batch, { training: true, seed }), labels, weights),
          true,
          model.variables,
        );
        model.weightsChanged();
        const value = (await cost!.data())[0];
        // tfjs settles `data()` without returning to the event loop: yield once per batch so that
        // signal handlers (Ctrl-C marks the run KILLED) and timers (a study's heartbeat) get to run.
        await yieldToEventLoop();
        cost!.dispose();
        labels.dispose();
        assertFiniteLoss(value, `training loss of batch ${i + 1}/${batches.length}`, epoch, lr);
        trainLoss += (value - trainLoss) / (i + 1);
        hooks.onBatch?.(i + 1, batches.length);
      }
      const valLoss = evaluateLoss(model, val, params, weights, loss);
      assertFiniteLoss(valLoss, "validation loss", epoch, lr);
      const valF1 = validationF1(options.task, val.y, predictSplit(model, val.sequences, params));
      lr = scheduler.step(valLoss);
      setLearningRate(optimizer, lr);

      if (checkpointOnF1 ? valF1 > bestValF1 : valLoss < bestValLoss) {
        disposeAll(bestWeights);
        bestWeights = model.getWeights();
      }
      bestValF1 = Math.max(bestValF1, valF1);
      if (valLoss < bestValLoss) {
        bestValLoss = valLoss;
        patienceLeft = params.patience;
      } else {
        patienceLeft -= 1;
      }
      const metrics: EpochMetrics = { epoch, train_loss: trainLoss, val_loss: valLoss, val_f1: valF1, lr };
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
 * Stop training once the loss is no longer a finite number: the weights have diverged (typically a
 * learning rate far too high) and every later step, and the model, would be NaN.
 * @throws TagifaiError NON_FINITE_LOSS naming the loss, the epoch and the learning rate
 */
function assertFiniteLoss(value: number, what: string, epoch: number, lr: number): void {
  if (Number.isFinite(value)) return;
  throw new TagifaiError(
    "NON_FINITE_LOSS",
    `The ${what} became ${value} in epoch ${epoch} with lr ${lr}: training diverged; lower cnn.lr`,
  );
}

/**
 * Weighted F1 of a model's validation probabilities: at the best threshold for a multi-label task
 * (the threshold is tuned on the same split, so this ranks epochs, it is not a test score), argmax
 * for a multi-class task.
 */
function validationF1(task: Task, yTrue: number[][], yProb: number[][]): number {
  const yPred =
    task === "multi-label" ? applyThreshold(yProb, findBestThreshold(yTrue, yProb)) : applyArgmax(yProb);
  return precisionRecallFscoreSupport(yTrue, yPred, "weighted").f1;
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

/**
 * Class-weighted softmax cross-entropy with one-hot labels — PyTorch's `CrossEntropyLoss(weight=w)`:
 * Σ −w_y · log softmax(x)_y over the samples, divided by Σ w_y.
 */
function weightedSoftmaxCe(logits: tf.Tensor2D, labels: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar {
  const weighted = tf.mul(labels, weights);
  return tf.div(tf.neg(tf.sum(tf.mul(weighted, tf.logSoftmax(logits)))), tf.sum(weighted));
}

/** Mean loss of a split in inference mode (no dropout), batch by batch. */
function evaluateLoss(
  model: CnnModel,
  split: Sequences,
  params: CnnParams,
  weights: tf.Tensor1D,
  loss: Loss,
): number {
  let total = 0;
  const batches = batchIndices(
    split.y.map((_, i) => i),
    params.batch_size,
  );
  for (const [i, indices] of batches.entries()) {
    const batch = toBatch(split.sequences, indices, params.max_filter_size);
    const value = tf.tidy(() =>
      loss(model.logits(batch, { training: false }), tf.tensor2d(indices.map((k) => split.y[k])), weights),
    );
    total += (value.dataSync()[0] - total) / (i + 1);
    value.dispose();
  }
  return total;
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
