/**
 * Text cleaning, the original's `preprocess`: lowercase, drop stopwords and links, keep only
 * letters and digits, optionally stem. With `clean: false` the characters are kept as they are
 * (the text a scikit-learn `TfidfVectorizer` would be given).
 */
import { stemmer } from "stemmer";
import { STOPWORDS } from "../../config/stopwords.js";

/** Python's `\w` on text: any letter, digit or underscore (not only ASCII ones, unlike JS's `\w`). */
const WORD_CHAR = String.raw`[\p{L}\p{N}_]`;
/** Python's `\b` on text: a word character on exactly one side. */
const WORD_BOUNDARY = `(?:(?<=${WORD_CHAR})(?!${WORD_CHAR})|(?<!${WORD_CHAR})(?=${WORD_CHAR}))`;
const LINK = /http\S+/g;
const PUNCTUATION = /([-;;.,!?<=>])/g;
const NON_ALPHANUMERIC = /[^A-Za-z0-9]+/g;
const SPACES = / +/g;

/** One compiled pattern per stopword list (lists are compared by identity). */
const stopwordPatterns = new WeakMap<readonly string[], RegExp>();

/**
 * Clean a text the way the original tagifai does, in its order: lowercase (if `lower`); remove
 * stopwords (whole words, with the whitespace after them); space out punctuation; replace every run
 * of non-alphanumerics by a space; collapse spaces; trim; stem each word (if `stem`).
 *
 * Links: the original removes `http\S+` only after the character filter, when a link is already
 * broken into words ("see https x io a now" keeps "x io a"). Here links are removed right after
 * lowercasing instead, so no fragments are left ("see now"); the original's later pass would then
 * never match, so it is not repeated.
 *
 * Word boundaries follow Python's Unicode `\b`, so non-ASCII text is treated like the original.
 * Stemming uses the `stemmer` package (Martin Porter's algorithm), which lowercases, and differs
 * from NLTK's Porter variant on a few words.
 *
 * With `clean: false` only the lowercasing, the stopword removal and the stemming (of each
 * space-separated piece) apply: links, punctuation and non-ASCII characters stay, for the models
 * whose own tokenizer handles them (the linear family's vectorizer tokenizes as scikit-learn does).
 * @param text the raw text
 * @param options `lower`: lowercase first; `stem`: Porter-stem each word; `stopwords`: words to
 *   remove (default NLTK's English list; the compiled pattern is cached per list); `clean`: remove
 *   links and every character but ASCII letters and digits (default true)
 * @returns the cleaned text: words made of ASCII letters and digits, separated by single spaces
 *   (with `clean: false`, the text less its stopwords)
 */
export function preprocess(
  text: string,
  options: { lower: boolean; stem: boolean; stopwords?: readonly string[]; clean?: boolean },
): string {
  const clean = options.clean ?? true;
  let cleaned = options.lower ? text.toLowerCase() : text;
  if (clean) cleaned = cleaned.replace(LINK, "");
  const stopwords = stopwordPattern(options.stopwords ?? STOPWORDS);
  if (stopwords) cleaned = cleaned.replace(stopwords, "");
  if (clean)
    cleaned = cleaned.replace(PUNCTUATION, " $1 ").replace(NON_ALPHANUMERIC, " ").replace(SPACES, " ").trim();
  return options.stem ? cleaned.split(" ").map(stemmer).join(" ") : cleaned;
}

/** The pipeline's cleaning settings, as a run's params hold them. */
export interface PreprocessParams {
  lower: boolean;
  stem: boolean;
  /** Remove NLTK's English stopwords; absent (a run from before the option) means true. */
  stopwords?: boolean;
  /** Remove links and every character but ASCII letters and digits; absent means true. */
  clean?: boolean;
}

/**
 * Clean a text as a run's params say: the one place the params' `lower`, `stem`, `stopwords` and
 * `clean` become {@link preprocess}'s options, so training, prediction, evaluation and the browser
 * agree.
 * @param text the raw text
 * @param params the run's params
 * @returns the cleaned text (see {@link preprocess})
 */
export function preprocessWith(text: string, params: PreprocessParams): string {
  return preprocess(text, {
    lower: params.lower,
    stem: params.stem,
    stopwords: stopwordsOf(params),
    clean: params.clean,
  });
}

/**
 * The stopwords a run's cleaning removes: NLTK's English list, or none with `stopwords: false`.
 * @param params the run's params
 */
export function stopwordsOf(params: PreprocessParams): readonly string[] {
  return params.stopwords === false ? [] : STOPWORDS;
}

/** `\b(w1|w2|...)\b\s*`, words escaped; none for an empty list (the original's would eat spaces). */
function stopwordPattern(stopwords: readonly string[]): RegExp | undefined {
  if (stopwords.length === 0) return undefined;
  let pattern = stopwordPatterns.get(stopwords);
  if (!pattern) {
    const words = stopwords.map((word) => word.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")).join("|");
    pattern = new RegExp(`${WORD_BOUNDARY}(?:${words})${WORD_BOUNDARY}\\s*`, "gu");
    stopwordPatterns.set(stopwords, pattern);
  }
  return pattern;
}
