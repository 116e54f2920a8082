/**
 * What every model family is trained from and gives back: the splits, the training context, the
 * per-epoch hooks, and a scorer (probabilities, saving, disposing).
 */
import type { Task } from "./data.js";
import type { Params } from "./params.js";
import type { Rng } from "./random.js";

/** What one epoch of training reports. */
export interface EpochMetrics {
  epoch: number;
  train_loss: number;
  val_loss: number;
  /** Weighted F1 on the validation split (best threshold for multi-label, argmax for multi-class). */
  val_f1: number;
  lr: number;
}

/** Hooks a caller (tracking, a study's pruner, a progress display) can attach to training. */
export interface TrainHooks {
  /** Called after every epoch; may be async (e.g. logging to the tracking store). Throwing stops training. */
  onEpoch?: (metrics: EpochMetrics) => void | Promise<void>;
  /** Called after every training batch with the batch number (1-based) and the epoch's batch count. */
  onBatch?: (done: number, total: number) => void;
}

/** A labelled split: preprocessed texts and their 0/1 label rows (one-hot for a multi-class task). */
export interface LabelledSplit {
  texts: string[];
  y: number[][];
}

/** Everything a family trains from. */
export interface FitContext {
  params: Params;
  task: Task;
  train: LabelledSplit;
  val: LabelledSplit;
  /** Per-class loss weights (1 / count). */
  classWeights: number[];
  hooks: TrainHooks;
  /** The run's seeded random source (initial weights, batch order, dropout). */
  rng: Rng;
}

/** A family's fitted member: probabilities for preprocessed texts, and its own files. */
export interface Scorer {
  /** `texts × classes` probabilities. */
  predictProba(texts: readonly string[]): number[][];
  /** Write the member's files into `dir`. */
  save(dir: string): Promise<void> | void;
  dispose(): void;
}
