/**
 * Prediction: raw texts in, tags out, with the same preprocessing the model was trained with.
 */
import { padSequences, preprocess } from "./data.js";
import { TagifaiError } from "./errors.js";
import type { Artifacts } from "./train.js";

/** Longest input text accepted, in characters (longer texts are refused, not silently cut). */
export const MAX_TEXT_LENGTH = 20_000;

/** One prediction: the input, what the model saw, the tags and every tag's probability. */
export interface Prediction {
  input_text: string;
  preprocessed_text: string;
  predicted_tags: string[];
  /** Probability of every known tag, highest first. */
  probabilities: Record<string, number>;
}

/**
 * Predict the tags of each text.
 * @param texts raw texts (title + " " + description), each non-empty and at most MAX_TEXT_LENGTH characters
 * @param artifacts a trained run's artifacts
 * @returns one prediction per text, in order
 * @throws TagifaiError INVALID_INPUT for a non-string, empty or over-long text
 */
export function predict(texts: readonly string[], artifacts: Artifacts): Prediction[] {
  texts.forEach(checkText);
  const { params, tokenizer, labelEncoder, model } = artifacts;
  const preprocessed = texts.map((text) => preprocess(text, { lower: params.lower, stem: params.stem }));
  const batch = padSequences(tokenizer.textsToSequences(preprocessed), params.max_filter_size);
  const probabilities = model.predictProba(batch);
  return texts.map((input_text, i) => {
    const probs = probabilities[i];
    const ranked = labelEncoder.classes.map((tag, c) => [tag, probs[c]] as const).sort((a, b) => b[1] - a[1]);
    return {
      input_text,
      preprocessed_text: preprocessed[i],
      predicted_tags: ranked.filter(([, p]) => p >= params.threshold).map(([tag]) => tag),
      probabilities: Object.fromEntries(ranked),
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
