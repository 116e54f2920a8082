/**
 * The linear model family: TF-IDF features (word and character n-grams) and logistic regression
 * (one-vs-rest for multi-label tasks, multinomial softmax for multi-class ones; see classifier.ts),
 * its C chosen on the validation split when a grid is given, decision thresholds tuned on the
 * validation split, and optionally the chosen configuration refitted on train + validation
 * (`refit`). Pure TypeScript; trains on the reference data in seconds. Saved as `linear.json`
 * (configuration with the chosen C, vocabulary, thresholds, output function) plus
 * `linear-weights.bin` (32-bit little-endian floats).
 *
 * The texts it takes are used as given (the vectorizer lowercases them). On the reference protocol,
 * the pipeline's `preprocess(text, { lower: true, stem: false })` scored best on the validation
 * split, ahead of the raw text and of stemmed text.
 */
import { z } from "zod";
import { checkpoint } from "../../abort.js";
import type { ArtifactReader, ArtifactWriter } from "../../artifact-io.js";
import type { Task } from "../../data.js";
import { TagifaiError } from "../../errors.js";
import { formatIssues, parseWith } from "../../schema.js";
import {
  applyClassThresholds,
  decisionF1,
  thresholdOptionsSchema,
  tuneClassThresholds,
} from "../thresholds.js";
import {
  type CandidateScore,
  type Classifier,
  cCandidates,
  classifierOptionsSchema,
  fitClassifier,
  outputFor,
  predictClassifier,
} from "./classifier.js";
import type { FitReport } from "./logistic.js";
import { toCsr } from "./sparse.js";
import { TfidfVectorizer, tfidfJsonSchema, tfidfOptionsSchema } from "./tfidf.js";

/** File names of a saved linear model inside its folder. */
export const LINEAR_MODEL_FILES = { config: "linear.json", weights: "linear-weights.bin" } as const;

/** Schema of the family's hyperparameters; every field has a default (chosen on the validation split). */
export const linearConfigSchema = z.strictObject({
  tfidf: tfidfOptionsSchema.prefault({}),
  logistic: classifierOptionsSchema.prefault({}),
  thresholds: thresholdOptionsSchema
    .extend({
      /**
       * Tune each class's own threshold (see `tuneClassThresholds`); false: one global threshold
       * (best pooled F1) for all classes. Default false: on the reference data the validation split
       * has ~220 rows and few positives per class, and per-class thresholds tuned on it lowered F1 on
       * held-out rows (0.683–0.700 against 0.702 for the global one).
       */
      perClass: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * After choosing C and the thresholds on the validation split, fit the vectorizer and the
   * classifier again on train + validation with that C (the thresholds stay those chosen on
   * validation). The test split is never used.
   */
  refit: z.boolean().default(false),
});

/** The family's hyperparameters, defaults applied. */
export type LinearConfig = z.infer<typeof linearConfigSchema>;

/** A fitted linear model: its configuration, vectorizer, classifier and per-class thresholds. */
export class LinearModel {
  constructor(
    readonly config: LinearConfig,
    readonly vectorizer: TfidfVectorizer,
    readonly classifier: Classifier,
    readonly thresholds: number[],
  ) {}

  /**
   * @param texts the texts (prepared as for training)
   * @returns `texts × classes` probabilities
   */
  predictProba(texts: readonly string[]): number[][] {
    return predictClassifier(this.classifier, this.vectorizer.transform(texts));
  }

  /**
   * @param texts the texts (prepared as for training)
   * @returns `texts × classes` of 0/1: 1 where a class's probability reaches its threshold
   */
  predict(texts: readonly string[]): number[][] {
    return applyClassThresholds(this.predictProba(texts), this.thresholds);
  }
}

/** How fitting went: the final classifier's iterations and convergence, and each candidate C's score. */
export interface LinearFitReport extends FitReport {
  /** Validation weighted F1 of each candidate C (at its tuned thresholds, or argmax). */
  candidates: CandidateScore[];
}

/**
 * Fit the vectorizer on the training split; for each candidate C fit the classifier on it and tune
 * the thresholds on the validation split, keeping the C with the best validation weighted F1
 * (ties: the smaller); with `refit`, fit the vectorizer and the classifier again on train +
 * validation with that C.
 * @param trainTexts training texts
 * @param trainY their labels, `rows × classes` of 0/1 (every class needs a positive and a negative;
 *   one-hot rows for a multi-class task)
 * @param valTexts validation texts
 * @param valY their labels, same classes (at least one positive label overall)
 * @param config hyperparameters (defaults for those left out)
 * @param task "multi-class" fits a softmax (unless `logistic.multiClass` is "ovr")
 * @param signal cancels the fit: checked after the vectorizer, after each candidate C and before the
 *   refit (each check lets the event loop turn first, see `checkpoint`)
 * @returns the model (its config holding the chosen C), how the fit went, and the chosen
 *   candidate's probabilities on the validation split (`valProba`, from the fit on the training split
 *   alone: held-out even with `refit`)
 * @throws TagifaiError INVALID_PARAMS for a bad configuration; INVALID_INPUT for mismatched shapes or
 *   a class that is always or never present in training; INVALID_DATA for `refit` without
 *   validation rows; the signal's reason once it is aborted
 */
export async function fitLinearModel(
  trainTexts: readonly string[],
  trainY: readonly (readonly number[])[],
  valTexts: readonly string[],
  valY: number[][],
  config: z.input<typeof linearConfigSchema> = {},
  task: Task = "multi-label",
  signal?: AbortSignal,
): Promise<{ model: LinearModel; report: LinearFitReport; valProba: number[][] }> {
  const checked = parseWith(linearConfigSchema, config, {
    code: "INVALID_PARAMS",
    what: "linear model configuration",
  });
  if (trainTexts.length !== trainY.length || valTexts.length !== valY.length)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Texts and labels differ in length: train ${trainTexts.length} vs ${trainY.length}, val ${valTexts.length} vs ${valY.length}`,
    );
  const { tfidf, logistic, thresholds: thresholdConfig, refit } = checked;
  if (refit && valTexts.length === 0)
    throw new TagifaiError(
      "INVALID_DATA",
      "refit needs a validation split to choose C and the thresholds on, but the dataset is too small to split one off",
    );
  const output = outputFor(task, logistic);
  let vectorizer = new TfidfVectorizer(tfidf).fit(trainTexts);
  const X = toCsr(vectorizer.transform(trainTexts), vectorizer.numFeatures);
  const valRows = vectorizer.transform(valTexts);
  await checkpoint(signal);
  const { perClass, ...thresholdOptions } = thresholdConfig;
  const candidates: CandidateScore[] = [];
  let best:
    | (ReturnType<typeof fitClassifier> & {
        C: number;
        thresholds: number[];
        valF1: number;
        valProb: number[][];
      })
    | undefined;
  for (const C of cCandidates(logistic.C)) {
    const fitted = fitClassifier(X, trainY, { ...logistic, C }, output);
    const valProb = predictClassifier(fitted.classifier, valRows);
    const thresholds = tuneClassThresholds(
      valY,
      valProb,
      perClass ? thresholdOptions : { ...thresholdOptions, minPositives: valY.length + 1 },
    );
    const valF1 = decisionF1(task, valY, valProb, thresholds);
    candidates.push({ C, valF1 });
    if (!best || valF1 > best.valF1) best = { ...fitted, C, thresholds, valF1, valProb };
    await checkpoint(signal);
  }
  if (!best) throw new TagifaiError("INVALID_PARAMS", "The linear model needs at least one value of C");
  let { classifier, report } = best;
  if (refit) {
    const texts = [...trainTexts, ...valTexts];
    vectorizer = new TfidfVectorizer(tfidf).fit(texts);
    const all = toCsr(vectorizer.transform(texts), vectorizer.numFeatures);
    ({ classifier, report } = fitClassifier(all, [...trainY, ...valY], { ...logistic, C: best.C }, output));
  }
  const chosen: LinearConfig = { ...checked, logistic: { ...logistic, C: best.C } };
  return {
    model: new LinearModel(chosen, vectorizer, classifier, best.thresholds),
    report: { ...report, candidates },
    valProba: best.valProb,
  };
}

const savedLinearModelSchema = z.object({
  config: linearConfigSchema,
  vectorizer: tfidfJsonSchema,
  numFeatures: z.number().int().min(1),
  numClasses: z.number().int().min(1),
  thresholds: z.array(z.number()),
  /** Absent in models saved before multinomial models existed: one-vs-rest sigmoids. */
  output: z.enum(["sigmoid", "softmax"]).default("sigmoid"),
});

/**
 * Save a model: the weights file first, then the JSON file.
 * @param model the model
 * @param writer the model's files
 */
export function saveLinearModel(model: LinearModel, writer: ArtifactWriter): void {
  const { numFeatures, numClasses, weights, biases } = model.classifier;
  const data = new Float32Array(weights.length + biases.length);
  data.set(weights);
  data.set(biases, weights.length);
  writer.bytes(LINEAR_MODEL_FILES.weights, littleEndianBytes(data));
  writer.json(LINEAR_MODEL_FILES.config, {
    config: model.config,
    vectorizer: model.vectorizer.toJSON(),
    numFeatures,
    numClasses,
    thresholds: model.thresholds,
    output: model.classifier.output,
  });
}

/**
 * Load a model saved by {@link saveLinearModel}.
 * @param reader the model's files
 * @returns the model, predicting exactly as the saved one did
 * @throws TagifaiError INVALID_ARTIFACTS naming the file that is missing, unreadable or invalid
 */
export async function loadLinearModel(reader: ArtifactReader): Promise<LinearModel> {
  const configFile = reader.where(LINEAR_MODEL_FILES.config);
  const weightsFile = reader.where(LINEAR_MODEL_FILES.weights);
  const value = await reader.json(LINEAR_MODEL_FILES.config);
  const parsed = savedLinearModelSchema.safeParse(value);
  const invalid = (file: string, problem: string) =>
    new TagifaiError("INVALID_ARTIFACTS", `Invalid linear model file ${file}: ${problem}`);
  if (!parsed.success)
    throw invalid(configFile, formatIssues(parsed.error.issues, value, savedLinearModelSchema));
  const { config, numFeatures, numClasses, thresholds, output } = parsed.data;
  const vectorizer = TfidfVectorizer.fromJSON(parsed.data.vectorizer, configFile);
  if (vectorizer.numFeatures !== numFeatures)
    throw invalid(
      configFile,
      `the vocabulary has ${vectorizer.numFeatures} terms but numFeatures is ${numFeatures}`,
    );
  if (thresholds.length !== numClasses)
    throw invalid(configFile, `${thresholds.length} thresholds for ${numClasses} classes`);
  const data = fromLittleEndianBytes(await reader.bytes(LINEAR_MODEL_FILES.weights));
  const expected = (numFeatures + 1) * numClasses;
  if (data === null || data.length !== expected)
    throw invalid(weightsFile, `expected ${expected * 4} bytes of 32-bit floats`);
  if (!data.every(Number.isFinite))
    throw invalid(weightsFile, "it holds a value that is not a finite number");
  const classifier: Classifier = {
    output,
    numFeatures,
    numClasses,
    weights: data.slice(0, numFeatures * numClasses),
    biases: data.slice(numFeatures * numClasses),
  };
  return new LinearModel(config, vectorizer, classifier, thresholds);
}

function littleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((value, i) => {
    view.setFloat32(i * 4, value, true);
  });
  return bytes;
}

/** @returns the floats, or null when the byte count is not a multiple of 4 */
function fromLittleEndianBytes(bytes: Uint8Array): Float32Array | null {
  if (bytes.length % 4 !== 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
