/**
 * Prediction: raw texts in, tags out, with the same preprocessing the model was trained with.
 */
import { preprocessWith } from "./data/preprocess.js";
import { TagifaiError } from "./errors.js";
import type { Artifacts } from "./train.js";
import { predictLabels } from "./trained-model.js";

/** Longest input text accepted, in characters (longer texts are refused, not silently cut). */
export const MAX_TEXT_LENGTH = 20_000;

/** One prediction: the input, what the model saw, the tags and every tag's probability. */
export interface Prediction {
  input_text: string;
  preprocessed_text: string;
  predicted_tags: string[];
  /** Probability of every known tag (class), highest first. */
  probabilities: Record<string, number>;
}

/**
 * Predict the tags of each text: multi-label, every tag whose probability reaches its threshold;
 * multi-class, the most probable class. Tags are listed by probability, highest first.
 * @param texts raw texts (title + " " + description), each non-empty and at most MAX_TEXT_LENGTH characters
 * @param artifacts a trained run's artifacts
 * @returns one prediction per text, in order
 * @throws TagifaiError INVALID_INPUT for a non-string, empty or over-long text; INVALID_MODEL_OUTPUT
 *   when the model gives a non-finite probability (corrupt or overflowing weights)
 */
export function predict(texts: readonly string[], artifacts: Artifacts): Prediction[] {
  texts.forEach(checkText);
  const { params, labelEncoder, model } = artifacts;
  const preprocessed = texts.map((text) => preprocessWith(text, params));
  const probabilities = model.predictProba(preprocessed);
  checkProbabilities(probabilities, labelEncoder.classes);
  const decisions = predictLabels(model, probabilities);
  return texts.map((input_text, i) => {
    const ranked = labelEncoder.classes
      .map((tag, c) => ({ tag, probability: probabilities[i][c], predicted: decisions[i][c] === 1 }))
      .sort((a, b) => b.probability - a.probability);
    return {
      input_text,
      preprocessed_text: preprocessed[i],
      predicted_tags: ranked.filter((entry) => entry.predicted).map((entry) => entry.tag),
      probabilities: Object.fromEntries(ranked.map((entry) => [entry.tag, entry.probability])),
    };
  });
}

function checkText(text: unknown, index: number): void {
  if (typeof text !== "string") {
    throw new TagifaiError("INVALID_INPUT", `Text ${index} must be a string, got ${typeof text}`);
  }
  if (text.trim().length === 0) throw new TagifaiError("INVALID_INPUT", `Text ${index} is empty`);
  if (text.length > MAX_TEXT_LENGTH) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `Text ${index} has ${text.length} characters; the limit is ${MAX_TEXT_LENGTH}`,
    );
  }
}

/**
 * Refuse a model output that is not a number: NaN or ±Infinity (from corrupt or overflowing
 * weights) would otherwise decide no tag at all and go out as `null` probabilities.
 */
function checkProbabilities(probabilities: readonly (readonly number[])[], classes: readonly string[]): void {
  probabilities.forEach((row, i) => {
    const c = row.findIndex((probability) => !Number.isFinite(probability));
    if (c < 0) return;
    throw new TagifaiError(
      "INVALID_MODEL_OUTPUT",
      `The model gave a non-finite probability (${row[c]}) for tag "${classes[c]}" of text ${i}: ` +
        "its weights are corrupt or overflow; retrain it or use another run",
    );
  });
}
