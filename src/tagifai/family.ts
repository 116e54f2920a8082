/**
 * The model-family contract: what every family (one folder under `families/`, registered in
 * `families.ts`) exports, what it is trained from (the splits, its own configuration section, the
 * hooks, the seeded random source, an abort signal) and what it gives back (a scorer with its
 * decision thresholds). Training, evaluation, prediction, artifacts and tracking only see a
 * {@link TrainedModel}, which the registry builds around a family's scorer.
 */
import type { z } from "zod";
import type { ArtifactReader, ArtifactWriter } from "./artifact-io.js";
import type { Task } from "./data.js";
import type { Params } from "./params.js";
import type { Rng } from "./random.js";
import { parseWith } from "./schema.js";

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
export interface FitContext<Config = unknown> {
  /** The family's own section of the params, defaults applied. */
  config: Config;
  /** The whole run params (common keys and every section given): an ensemble reads its members' sections. */
  params: Params;
  task: Task;
  train: LabelledSplit;
  val: LabelledSplit;
  /** Per-class loss weights (1 / count). */
  classWeights: number[];
  hooks: TrainHooks;
  /** The run's seeded random source (initial weights, batch order, dropout). */
  rng: Rng;
  /**
   * Cancels training: a family checks it between its steps (the CNN between batches, the linear
   * family between its phases) and rejects with the signal's reason (an AbortError).
   */
  signal?: AbortSignal;
}

/** What a family's `load` reads besides its folder. */
export interface LoadContext<Config = unknown> {
  /** The family's section of the run's params, defaults applied. */
  config: Config;
  /** The whole run params. */
  params: Params;
  task: Task;
}

/**
 * How much data a family is fitted on, as `dataShape` measures it on the texts (upper bounds of what
 * the family's own tokenizers see: preprocessing only removes characters and words).
 */
export interface DataShape {
  /** Texts (rows) trained on. */
  rows: number;
  /** Classes (label columns). */
  classes: number;
  /** Characters of the longest text, and of all texts. */
  maxChars: number;
  totalChars: number;
  /** Words (runs of letters, digits and `_`) of the longest text, and of all texts. */
  maxWords: number;
  totalWords: number;
  /** Distinct characters and distinct words (bounds of a character or word vocabulary). */
  distinctChars: number;
  distinctWords: number;
}

/** One part of a family's memory estimate. */
export interface MemoryTerm {
  /** What takes the memory, e.g. "conv kernels with their gradients and Adam moments". */
  what: string;
  /** Estimated bytes. */
  bytes: number;
  /** The params it grows with, as dotted paths (`cnn.num_filters`); never empty. */
  keys: string[];
  /** True for tfjs tensors, which the wasm backend keeps in its heap (at most 4 GiB). */
  tensors: boolean;
}

/** What a family's `estimateMemory` reads. */
export interface EstimateContext<Config = unknown> {
  /** The family's section of the params, defaults applied. */
  config: Config;
  /** The whole run params (an ensemble reads its members' sections). */
  params: Params;
  /** The data it would be fitted on. */
  data: DataShape;
}

/** A family's fitted model: probabilities for preprocessed texts, and its own files. */
export interface Scorer {
  /** `texts × classes` probabilities. */
  predictProba(texts: readonly string[]): number[][];
  /** Write the model's files. */
  save(writer: ArtifactWriter): Promise<void> | void;
  /** Free the model's tensors. */
  dispose(): void;
}

/** What fitting a family gives back. */
export interface FamilyFit {
  scorer: Scorer;
  /** Decision threshold per class (multi-label); empty for a multi-class task (argmax). */
  thresholds: number[];
  /** Per-epoch metrics (families trained by epochs; empty otherwise). */
  history: EpochMetrics[];
  /** Lowest validation loss over the epochs (families trained by epochs only). */
  bestValLoss?: number;
  /**
   * The validation split's probabilities, when fitting computed them: the pipeline scores validation
   * with them instead of asking the scorer again. A family that refits on train + validation (the
   * linear family's `refit`) gives those of the model as chosen there before it was trained on those
   * rows, so that validation scores stay held-out. Absent: the pipeline asks the scorer.
   */
  valProba?: number[][];
}

/**
 * The part of a family that loads a saved model (`families/<kind>/loader.ts`): all that predicting
 * needs, without training code or Node's file system, so the dashboard runs it in the browser too.
 */
export interface FamilyLoader<Config = unknown> {
  /** The family's name: the value of `params.model` and the name of its params section. */
  readonly kind: string;
  /** Schema of the family's params section: strict at every level, every key with a default. */
  readonly configSchema: z.ZodType<Config>;
  /**
   * Load the model a fitted scorer saved; it predicts exactly as the saved one.
   * @param reader the saved model's files
   * @throws TagifaiError INVALID_ARTIFACTS naming a missing, invalid or non-finite file
   */
  load(reader: ArtifactReader, ctx: LoadContext<Config>): Promise<Scorer>;
}

/**
 * A family's configuration: the params section named after its kind, defaults applied. The one place
 * training, loading and an ensemble's members read a section.
 * @param family the family
 * @param params the run's params
 * @throws TagifaiError INVALID_PARAMS naming the section and what is wrong with it
 */
export function familyConfig<Config>(family: FamilyLoader<Config>, params: Params): Config {
  return parseWith(family.configSchema, (params as Record<string, unknown>)[family.kind] ?? {}, {
    code: "INVALID_PARAMS",
    what: `${family.kind} params`,
  });
}

/**
 * A model family: one folder under `families/` exporting one of these, and one line in the registry
 * (`families.ts`). Its configuration is the params section named after its kind.
 */
export interface ModelFamily<Config = unknown> extends FamilyLoader<Config> {
  /** One line saying what the family is (listed when an unknown family is asked for). */
  readonly summary: string;
  /**
   * Other families whose params sections this one reads (an ensemble's members), so that parsing
   * fills their defaults too.
   */
  uses?(config: Config): string[];
  /**
   * Keys of the original's flat params file (everything at the top level) that belong to this
   * family, and how they become its section; e.g. the CNN's `lr`, `embedding_dim`, ….
   */
  readonly flat?: {
    keys: readonly string[];
    /** @throws TagifaiError INVALID_PARAMS for a flat value that cannot be mapped */
    toSection(values: Record<string, unknown>): Record<string, unknown>;
  };
  /**
   * Estimate the memory fitting this configuration on data of this shape takes at its peak (weights,
   * their gradients and optimizer state, activations of a batch, features), without allocating any
   * of it: training refuses a configuration whose estimate exceeds the budget (see `memory.ts`).
   * @returns the parts, each naming the params keys it grows with
   */
  estimateMemory(ctx: EstimateContext<Config>): MemoryTerm[];
  /**
   * Train on `ctx.train`, choosing whatever it needs on `ctx.val`.
   * @throws the signal's reason (an AbortError) once `ctx.signal` is aborted; TagifaiError for bad data
   */
  fit(ctx: FitContext<Config>): Promise<FamilyFit>;
}

/** A trained model of any family, as the pipeline sees it. */
export interface TrainedModel {
  /** The family (a registered kind). */
  readonly kind: string;
  readonly task: Task;
  /** Decision threshold per class (multi-label); empty for a multi-class model (argmax). */
  readonly thresholds: readonly number[];
  /**
   * @param texts preprocessed texts (see `preprocess`)
   * @returns `texts × classes` probabilities (each row sums to 1 for a multi-class model)
   */
  predictProba(texts: readonly string[]): number[][];
  /** Write the model's files (its family's and `family.json`). */
  save(writer: ArtifactWriter): Promise<void>;
  /** Free the model's tensors. */
  dispose(): void;
}

/** The families a caller can load a model of (an ensemble's loader takes its members from one too). */
export interface LoaderRegistry<Loader extends FamilyLoader = FamilyLoader> {
  /** The family registered under `kind`, if any. */
  get(kind: string): Loader | undefined;
  /** Every registered kind, in registry order (for choices and error messages). */
  kinds(): readonly string[];
}
