/**
 * Training: from a dataset to a trained model of any family, its decision thresholds and its test
 * performance — the original tagifai's `train.train`, generalized to bring-your-own datasets
 * (multi-label or multi-class) and to the model families of `families.ts`.
 */
import { EXCLUDED_TAGS, logger } from "../config/config.js";
import { checkpoint } from "./abort.js";
import {
  type AnyLabelEncoder,
  assertTwoClasses,
  type DataSplit,
  type Dataset,
  type DatasetRecord,
  encodeIndicators,
  type Feature,
  getDataSplits,
  MultiClassEncoder,
  MultiLabelEncoder,
  prepare,
  preprocessWith,
  type Tag,
} from "./data.js";
import { TagifaiError } from "./errors.js";
import { getPerformanceReport, type Performance, SLICES, type SliceFunction } from "./eval.js";
import {
  assertValidData,
  expectNoDuplicateTextsAcrossSplits,
  toValidationReport,
  validateDataset,
} from "./expectations.js";
import { assertFitsMemory, type FitOutcome, fitModel } from "./families.js";
import type { EpochMetrics, LabelledSplit, TrainedModel, TrainHooks } from "./family.js";
import { dataShape } from "./memory.js";
import { type Params, withFamilySections } from "./params.js";
import { pausePoint } from "./pausepoint.js";
import { createRng, type Rng, shuffled } from "./random.js";
import { predictLabels } from "./trained-model.js";

export { createPlateauScheduler, type PlateauScheduler } from "./families/cnn/fit.js";
export type { EpochMetrics, TrainHooks } from "./family.js";

/** Options of `train`: the hooks, and a signal that cancels training. */
export interface TrainOptions extends TrainHooks {
  /** Checked before and after the fit (and by the families that train in steps): an abort stops training. */
  signal?: AbortSignal;
}

/** Everything needed to predict with a trained model. */
export interface Artifacts {
  params: Params;
  labelEncoder: AnyLabelEncoder;
  model: TrainedModel;
}

/** A dataset ready for training, with how its labels are filtered and which slices are watched. */
export interface TrainingDataset extends Dataset {
  /** Labels that may be learned (the reference data: the names in tags.json); default all. */
  include?: readonly string[];
  /** Labels never learned (the reference data: EXCLUDED_TAGS); default none. */
  exclude?: readonly string[];
  /** Data slices to report on (the reference data: SLICES); default none. */
  slices?: Record<string, SliceFunction>;
  /** Where the data came from, named in validation reports. */
  source?: string;
}

/** The outcome of `train`. */
export interface TrainResult {
  /** The params actually used, with `threshold` tuned and `num_samples` set. */
  params: Params;
  artifacts: Artifacts;
  /** Scored once on the test split: reported, never used to choose a model. */
  performance: Performance;
  /**
   * Overall (weighted) precision, recall and F1 on the validation split at the model's decision
   * thresholds (themselves tuned on validation): what model selection compares. Absent when the
   * dataset is too small to split off validation rows.
   */
  validation?: Performance["overall"];
  history: EpochMetrics[];
  /** The CNN's lowest validation loss (absent for the linear family, which has no epochs). */
  bestValLoss?: number;
}

/**
 * The reference projects as a training dataset: multi-label, the tags of `tags.json` minus
 * EXCLUDED_TAGS, with the built-in slices.
 * @param features computed features (`text = title + " " + description`)
 * @param tags the known tags (tags.json)
 * @returns the dataset (records in feature order)
 */
export function referenceDataset(features: readonly Feature[], tags: readonly Tag[]): TrainingDataset {
  return {
    task: "multi-label",
    records: features.map(({ id, text, tags: labels }) => ({ id, text, labels })),
    include: tags.map((t) => t.tag),
    exclude: EXCLUDED_TAGS,
    slices: SLICES,
    source: "projects.json",
  };
}

/**
 * Train the model family `params.model` on a dataset, score it on the validation split (what model
 * selection compares) and evaluate it once on the test split (reported only). Steps (as in
 * the original): validate the records; optional shuffle and subset; keep the allowed labels used by
 * at least `min_tag_freq` records (a multi-class record of a rarer class is dropped); preprocess text;
 * encode labels; class weights 1/count; iterative stratified split, checked for texts in two splits;
 * fit the family (see `fitModel`; thresholds are tuned on validation); score validation; evaluate
 * on test (see `getPerformanceReport`).
 * @param params validated params
 * @param dataset the records, the task, and the reference data's label filter and slices
 * @param options optional per-epoch and per-batch callbacks (CNN families) and an AbortSignal
 * @returns the trained artifacts, tuned params, validation scores, test performance, per-epoch history
 * @throws TagifaiError INVALID_DATA listing the failing data expectations, or when too few records
 *   are left to train; the signal's reason once it is aborted
 */
export async function train(
  params: Params,
  dataset: TrainingDataset,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const { signal, ...hooks } = options;
  const { labelEncoder, train, val, test, classWeights, numSamples, rng } = prepareSplits(params, dataset);
  await checkpoint(signal);
  pausePoint("fit");
  const outcome: FitOutcome = await fitModel({
    params,
    task: dataset.task,
    train,
    val,
    classWeights,
    hooks,
    rng,
    ...(signal === undefined ? {} : { signal }),
  });
  const { model } = outcome;
  try {
    await checkpoint(signal);
    const performance = evaluateModel(model, labelEncoder, test, dataset.slices);
    const validation =
      val.y.length > 0
        ? evaluateModel(model, labelEncoder, {
            ...val,
            ...(outcome.valProba === undefined ? {} : { proba: outcome.valProba }),
          }).overall
        : undefined;
    const threshold =
      model.thresholds.length > 0
        ? model.thresholds.reduce((a, b) => a + b, 0) / model.thresholds.length
        : params.threshold;
    const tuned: Params = { ...withFamilySections(params), threshold, num_samples: numSamples };
    return {
      params: tuned,
      artifacts: { params: tuned, labelEncoder, model },
      performance,
      ...(validation === undefined ? {} : { validation }),
      history: outcome.history,
      ...(outcome.bestValLoss === undefined ? {} : { bestValLoss: outcome.bestValLoss }),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** A dataset filtered, preprocessed, encoded and split as `train` does it. */
export interface PreparedSplits {
  labelEncoder: AnyLabelEncoder;
  /** Preprocessed texts, raw texts and 0/1 label rows of each split. */
  train: LabelledSplit & { raw: string[] };
  val: LabelledSplit & { raw: string[] };
  test: LabelledSplit & { raw: string[] };
  /** Per-class weights 1/count over all prepared records. */
  classWeights: number[];
  /** How many records were left after filtering. */
  numSamples: number;
  /** The run's random source, in the state training continues from. */
  rng: Rng;
}

/**
 * Prepare a dataset for training as `train` does: validate the records; optional shuffle and subset;
 * keep the allowed labels used by at least `min_tag_freq` records (a multi-class record of a rarer
 * class is dropped); preprocess text; encode labels; class weights 1/count; iterative stratified
 * split, checked for texts in two splits. The same params give the same splits.
 * @param params validated params (seed, shuffle, subset, min_tag_freq, lower, stem, stopwords, train_size)
 * @param dataset the records, the task, and the reference data's label filter
 * @returns the label encoder, the three splits, the class weights and the random source
 * @throws TagifaiError INVALID_DATA listing the failing data expectations, or when too few records
 *   are left to train
 */
export function prepareSplits(params: Params, dataset: TrainingDataset): PreparedSplits {
  const { records, labelEncoder, y, splits, rng } = planSplits(params, dataset);
  const texts = records.map((r) => preprocessWith(r.text, params));
  const [train, val, test] = [splits.train, splits.val, splits.test].map((part) => ({
    texts: part.X.map((i) => texts[i]),
    raw: part.X.map((i) => records[i].text),
    y: part.y,
  }));
  assertValidData(
    toValidationReport(
      [expectNoDuplicateTextsAcrossSplits({ train: train.texts, val: val.texts, test: test.texts })],
      dataset.source,
    ),
  );
  logger.info(
    `Data: ${records.length} records, ${labelEncoder.classes.length} classes (${dataset.task}), splits ${train.y.length}/${val.y.length}/${test.y.length}, model ${params.model}`,
  );
  return {
    labelEncoder,
    train,
    val,
    test,
    classWeights: inverseClassCounts(y, labelEncoder.classes.length),
    numSamples: records.length,
    rng,
  };
}

/**
 * Check, before a run exists, that training these params on this dataset can work: the records hold
 * at least two classes, enough of them are left after filtering for every split to be non-empty, and
 * the model's estimated memory (measured on the raw texts, an upper bound of the preprocessed ones)
 * fits the budget. Cheap: no text is preprocessed.
 * @param params validated params
 * @param dataset the records, the task, and the reference data's label filter
 * @throws TagifaiError INVALID_DATA (one class; too few records; an empty split, naming the split
 *   sizes and the dataset), INVALID_PARAMS (memory, naming the keys and the estimate)
 */
export function assertTrainable(params: Params, dataset: TrainingDataset): void {
  assertTwoClasses(dataset, dataset.source ?? "The dataset");
  const { records, labelEncoder, splits } = planSplits(params, dataset);
  const fitted = [...splits.train.X, ...splits.val.X].map((i) => records[i].text);
  assertFitsMemory(params, dataShape(fitted, labelEncoder.classes.length));
}

/** The records left after filtering, their encoded labels, and how they split (row indices). */
interface SplitPlan {
  records: { text: string; tags: string[] }[];
  labelEncoder: AnyLabelEncoder;
  y: number[][];
  splits: { train: DataSplit<number>; val: DataSplit<number>; test: DataSplit<number> };
  rng: Rng;
}

/** Everything `prepareSplits` does but preprocessing the texts (see there). */
function planSplits(params: Params, dataset: TrainingDataset): SplitPlan {
  const recordSpec = { idField: "id", textFields: ["text"], labelField: "labels" };
  assertValidData(validateDataset(dataset.records, recordSpec, { source: dataset.source }));
  const source = dataset.source ?? "The dataset";
  const rng = createRng(params.seed);
  let records = params.shuffle ? shuffled(dataset.records, rng) : dataset.records.slice();
  if (params.subset !== null) records = records.slice(0, params.subset);

  const prepared = prepare(
    records.map(({ text, labels }) => ({ text, tags: labels })),
    { include: dataset.include, exclude: dataset.exclude ?? [], minTagFreq: params.min_tag_freq },
  ).features;
  if (prepared.length < 3) {
    throw new TagifaiError(
      "INVALID_DATA",
      `${source}: only ${prepared.length} records keep a label with at least ${params.min_tag_freq} records: too few to train (lower min_tag_freq or use more data)`,
    );
  }
  const labels = prepared.map((r) => r.tags);
  const labelEncoder =
    dataset.task === "multi-label"
      ? new MultiLabelEncoder().fit(labels)
      : new MultiClassEncoder().fit(labels.map((l) => l[0]));
  const y = encodeIndicators(labelEncoder, labels);
  try {
    const splits = getDataSplits(
      prepared.map((_, i) => i),
      y,
      params.train_size,
      params.seed,
    );
    return { records: prepared, labelEncoder, y, splits, rng };
  } catch (error) {
    if (error instanceof TagifaiError && error.code === "INVALID_DATA")
      throw new TagifaiError("INVALID_DATA", `${source}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Labelled rows for scoring a trained model on other data (e.g. a holdout file): the records with at
 * least one label the model knows, preprocessed as in training, their unknown labels dropped.
 * @param records the records
 * @param labelEncoder the model's label encoder
 * @param params the run's params (`lower`, `stem`, `stopwords`)
 * @returns the rows, their raw texts, and how many records were skipped (no known label)
 */
export function knownLabelRows(
  records: readonly DatasetRecord[],
  labelEncoder: AnyLabelEncoder,
  params: Params,
): LabelledSplit & { raw: string[]; skipped: number } {
  const known = records
    .map((record) => ({ ...record, labels: record.labels.filter((l) => labelEncoder.classToIndex.has(l)) }))
    .filter((record) => record.labels.length > 0);
  return {
    texts: known.map((r) => preprocessWith(r.text, params)),
    raw: known.map((r) => r.text),
    y: encodeIndicators(
      labelEncoder,
      known.map((r) => r.labels),
    ),
    skipped: records.length - known.length,
  };
}

/**
 * Score a model on labelled rows: the full performance report (see `getPerformanceReport`).
 * @param model the trained model
 * @param labelEncoder its label encoder (class names)
 * @param split preprocessed texts, their 0/1 label rows, optionally the raw texts shown with mistakes,
 *   and optionally the model's probabilities for these rows already computed (`proba`: the held-out
 *   validation probabilities of a family that refits, see `FamilyFit.valProba`)
 * @param slices the slices to report on (with the preprocessed texts); none when omitted
 * @returns the performance report
 */
export function evaluateModel(
  model: TrainedModel,
  labelEncoder: AnyLabelEncoder,
  split: LabelledSplit & { raw?: string[]; proba?: number[][] },
  slices?: Record<string, SliceFunction>,
): Performance {
  const yProb = split.proba ?? model.predictProba(split.texts);
  const { classes } = labelEncoder;
  return getPerformanceReport({
    task: model.task,
    yTrue: split.y,
    yProb,
    yPred: predictLabels(model, yProb),
    classes,
    texts: split.raw ?? split.texts,
    thresholds: model.thresholds,
    rows:
      slices && split.texts.map((text, i) => ({ text, tags: classes.filter((_, c) => split.y[i][c] === 1) })),
    slices,
  });
}

/**
 * Per-class weights 1/count (the original's class weights), counted over all prepared records.
 * @param y 0/1 label rows
 * @param numClasses number of classes
 * @returns one weight per class
 */
function inverseClassCounts(y: number[][], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const row of y) for (let c = 0; c < numClasses; c++) counts[c] += row[c];
  return counts.map((count) => 1 / Math.max(count, 1));
}
