/**
 * TF-IDF features: word n-grams and character n-grams, each block weighted like scikit-learn's
 * `TfidfVectorizer` (smooth idf, optional sublinear tf, L2-normalized) and the blocks side by side,
 * as scikit-learn's `FeatureUnion` of two vectorizers joins them (`norm: "blocks"`, a row's norm is
 * √blocks); or the joined row scaled to unit norm (`norm: "row"`, the behaviour of models saved
 * before the option existed, which load with it).
 */
import { z } from "zod";
import { TagifaiError } from "../../errors.js";
import { parseWith } from "../../schema.js";
import type { SparseRow } from "./sparse.js";

const ngramRangeSchema = z
  .tuple([z.number().int().min(1), z.number().int().min(1)])
  .refine(([low, high]) => low <= high, "the range's low end must not exceed its high end");

/** Schema of the vectorizer's options; every field has a default (found on the validation split). */
export const tfidfOptionsSchema = z
  .strictObject({
    /** Word n-gram lengths `[min, max]`; null for no word block. */
    wordNgrams: ngramRangeSchema.nullable().default([1, 2]),
    /** Character n-gram lengths `[min, max]`; null for no character block. */
    charNgrams: ngramRangeSchema.nullable().default([2, 5]),
    /** "char_wb": n-grams inside space-padded words; "char": n-grams across the whole text. */
    charAnalyzer: z.enum(["char_wb", "char"]).default("char_wb"),
    /**
     * Keep only terms seen in at least this many training texts. Default 1 (scikit-learn's): on the
     * 4-class areas task of bench:quality, 2 lowered validation F1 by 1–2 points.
     */
    minDf: z.number().int().min(1).default(1),
    /** Keep only this many terms per block, the most frequent ones; null for all. */
    maxFeatures: z.number().int().min(1).nullable().default(null),
    /** Use 1 + ln(tf) instead of the raw count. */
    sublinearTf: z.boolean().default(true),
    /**
     * "blocks": each block L2-normalized, as scikit-learn's FeatureUnion of TfidfVectorizers (so that
     * `C` means what it means there); "row": the joined row scaled to unit norm (equivalent to halving
     * C with two blocks).
     */
    norm: z.enum(["blocks", "row"]).default("blocks"),
  })
  .refine((options) => options.wordNgrams !== null || options.charNgrams !== null, {
    message: "at least one of wordNgrams and charNgrams must be set",
  });

/** The vectorizer's options, defaults applied. */
export type TfidfOptions = z.infer<typeof tfidfOptionsSchema>;

/** Schema of a fitted vectorizer as saved: options, and per block its terms (index order) and idf. */
export const tfidfJsonSchema = z.object({
  options: tfidfOptionsSchema,
  blocks: z.array(z.object({ terms: z.array(z.string()), idf: z.array(z.number().positive()) })),
});

/** A fitted vectorizer as saved. */
export type TfidfJson = z.infer<typeof tfidfJsonSchema>;

type Analyzer = (text: string) => string[];

/** One block of features: how it cuts a text into terms, and what it learned. */
interface Block {
  analyze: Analyzer;
  terms: string[];
  idf: Float64Array;
  termIndex: Map<string, number>;
}

/** Turns texts into TF-IDF sparse rows; `fit` learns the vocabulary and idf from training texts. */
export class TfidfVectorizer {
  readonly options: TfidfOptions;
  private blocks: Block[] = [];

  /** @param options the options (defaults for those left out); validated */
  constructor(options: z.input<typeof tfidfOptionsSchema> = {}) {
    const checked = parseWith(tfidfOptionsSchema, options, {
      code: "INVALID_PARAMS",
      what: "TF-IDF options",
    });
    this.options = checked;
  }

  /** Number of columns of the rows `transform` returns (0 before `fit`). */
  get numFeatures(): number {
    return this.blocks.reduce((total, block) => total + block.terms.length, 0);
  }

  /**
   * Learn each block's vocabulary (terms in at least `minDf` texts, the `maxFeatures` most frequent,
   * sorted) and idf = ln((1 + n) / (1 + df)) + 1.
   * @param texts the training texts
   * @returns this vectorizer
   */
  fit(texts: readonly string[]): this {
    this.blocks = analyzers(this.options).map((analyze) => {
      const documentFrequency = new Map<string, number>();
      const totalCount = new Map<string, number>();
      for (const text of texts)
        for (const [term, count] of countTerms(analyze(text))) {
          documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
          totalCount.set(term, (totalCount.get(term) ?? 0) + count);
        }
      let kept = [...documentFrequency.keys()].filter(
        (term) => documentFrequency.get(term)! >= this.options.minDf,
      );
      if (this.options.maxFeatures !== null && kept.length > this.options.maxFeatures)
        kept = kept
          .sort((a, b) => totalCount.get(b)! - totalCount.get(a)! || compareStrings(a, b))
          .slice(0, this.options.maxFeatures);
      const terms = kept.sort(compareStrings);
      const idf = terms.map((term) => Math.log((1 + texts.length) / (1 + documentFrequency.get(term)!)) + 1);
      return makeBlock(analyze, terms, idf);
    });
    return this;
  }

  /**
   * @param texts any texts
   * @returns one row per text: each block's tf·idf weights L2-normalized, blocks side by side
   *   (word block first), and with `norm: "row"` the whole row scaled to unit norm; terms outside the
   *   vocabulary are ignored
   * @throws TagifaiError INVALID_INPUT before `fit`
   */
  transform(texts: readonly string[]): SparseRow[] {
    if (this.blocks.length === 0)
      throw new TagifaiError("INVALID_INPUT", "The TF-IDF vectorizer must be fitted before transform");
    return texts.map((text) => this.transformOne(text));
  }

  /** @returns the JSON form: options and, per block, its terms and idf */
  toJSON(): TfidfJson {
    return {
      options: this.options,
      blocks: this.blocks.map((block) => ({ terms: block.terms, idf: [...block.idf] })),
    };
  }

  /**
   * @param value the parsed JSON of a saved vectorizer
   * @param source where it came from, named in errors
   * @throws TagifaiError INVALID_ARTIFACTS when it is not a valid fitted vectorizer
   */
  static fromJSON(value: unknown, source = "TF-IDF vectorizer"): TfidfVectorizer {
    const invalid = (problem: string) =>
      new TagifaiError("INVALID_ARTIFACTS", `Invalid TF-IDF vectorizer in ${source}: ${problem}`);
    const checked = parseWith(tfidfJsonSchema, withSavedDefaults(value), {
      code: "INVALID_ARTIFACTS",
      what: `TF-IDF vectorizer in ${source}`,
    });
    const vectorizer = new TfidfVectorizer(checked.options);
    const blockAnalyzers = analyzers(vectorizer.options);
    if (checked.blocks.length !== blockAnalyzers.length)
      throw invalid(`expected ${blockAnalyzers.length} blocks, got ${checked.blocks.length}`);
    vectorizer.blocks = checked.blocks.map(({ terms, idf }, b) => {
      if (terms.length !== idf.length)
        throw invalid(`block ${b} has ${terms.length} terms but ${idf.length} idf`);
      if (new Set(terms).size !== terms.length) throw invalid(`block ${b} repeats a term`);
      return makeBlock(blockAnalyzers[b], terms, idf);
    });
    return vectorizer;
  }

  private transformOne(text: string): SparseRow {
    const columns: number[] = [];
    const weights: number[] = [];
    const blockScale = this.options.norm === "row" ? 1 / Math.sqrt(this.blocks.length) : 1;
    let offset = 0;
    for (const block of this.blocks) {
      const start = columns.length;
      let squaredNorm = 0;
      for (const [term, count] of countTerms(block.analyze(text))) {
        const index = block.termIndex.get(term);
        if (index === undefined) continue;
        const weight = (this.options.sublinearTf ? 1 + Math.log(count) : count) * block.idf[index];
        columns.push(offset + index);
        weights.push(weight);
        squaredNorm += weight * weight;
      }
      const scale = squaredNorm > 0 ? blockScale / Math.sqrt(squaredNorm) : 0;
      for (let k = start; k < weights.length; k++) weights[k] *= scale;
      offset += block.terms.length;
    }
    const order = columns.map((_, k) => k).sort((a, b) => columns[a] - columns[b]);
    return {
      indices: Int32Array.from(order, (k) => columns[k]),
      values: Float32Array.from(order, (k) => weights[k]),
    };
  }
}

/**
 * Word tokens as scikit-learn's default `token_pattern` finds them: runs of two or more letters,
 * digits or underscores, lowercased.
 * @param text any text
 * @returns the tokens in order
 */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
}

/**
 * Word n-grams of a text (scikit-learn's `analyzer="word"`).
 * @param text any text
 * @param range n-gram lengths `[min, max]`
 * @returns every n-gram of consecutive tokens joined by a space, shortest first
 */
export function wordNgrams(text: string, [low, high]: readonly [number, number]): string[] {
  const tokens = wordTokens(text);
  const grams: string[] = [];
  for (let n = low; n <= high; n++)
    for (let i = 0; i + n <= tokens.length; i++) grams.push(tokens.slice(i, i + n).join(" "));
  return grams;
}

/**
 * Character n-grams inside word boundaries (scikit-learn's `analyzer="char_wb"`): each
 * whitespace-separated word, lowercased and padded with one space on each side, gives its n-grams;
 * a padded word shorter than n gives itself once. Characters are code points, as in Python (see
 * {@link characters}).
 * @param text any text
 * @param range n-gram lengths `[min, max]`
 * @returns the n-grams, word by word
 */
export function charWbNgrams(text: string, [low, high]: readonly [number, number]): string[] {
  const grams: string[] = [];
  // One test per text, not per word: this runs on every text the model sees.
  const astral = SURROGATE.test(text);
  for (const word of text.toLowerCase().split(/\s+/)) {
    if (word === "") continue;
    const spaced = ` ${word} `;
    const padded = astral ? characters(spaced) : spaced;
    for (let n = low; n <= high; n++) {
      if (padded.length <= n) {
        grams.push(spaced);
        break;
      }
      for (let i = 0; i + n <= padded.length; i++) grams.push(padded.slice(i, i + n));
    }
  }
  return grams;
}

/**
 * Character n-grams across the text (scikit-learn's `analyzer="char"`), after lowercasing and
 * collapsing whitespace runs into one space; characters are code points, as in Python.
 * @param text any text
 * @param range n-gram lengths `[min, max]`
 * @returns the n-grams, shortest first
 */
export function charNgrams(text: string, [low, high]: readonly [number, number]): string[] {
  const normalized = characters(text.toLowerCase().replace(/\s\s+/g, " "));
  const grams: string[] = [];
  for (let n = low; n <= high; n++)
    for (let i = 0; i + n <= normalized.length; i++) grams.push(normalized.slice(i, i + n));
  return grams;
}

/** A UTF-16 surrogate: half of a character outside the Basic Multilingual Plane (an emoji, say). */
const SURROGATE = /[\uD800-\uDFFF]/;

/** What the n-gram cutters need of a text: its length and slices, counted in characters. */
interface Characters {
  readonly length: number;
  slice(start: number, end: number): string;
}

/**
 * A text as Python indexes it, by code point, so that an emoji is one character as in scikit-learn
 * (a JS string indexes UTF-16 units, two per emoji). Texts without one are used as they are.
 */
function characters(text: string): Characters {
  if (!SURROGATE.test(text)) return text;
  const points = Array.from(text);
  return { length: points.length, slice: (start, end) => points.slice(start, end).join("") };
}

/**
 * A saved vectorizer's options with the defaults of the version that saved it: before `norm` and the
 * `minDf` default of 1 existed, rows were scaled to unit norm and `minDf` was 2 (always saved).
 */
function withSavedDefaults(value: unknown): unknown {
  if (typeof value !== "object" || value === null || !("options" in value)) return value;
  const { options } = value as { options: unknown };
  if (typeof options !== "object" || options === null || "norm" in options) return value;
  return { ...value, options: { ...options, norm: "row" } };
}

function analyzers(options: TfidfOptions): Analyzer[] {
  const { wordNgrams: wordRange, charNgrams: charRange, charAnalyzer } = options;
  const list: Analyzer[] = [];
  if (wordRange) list.push((text) => wordNgrams(text, wordRange));
  if (charRange)
    list.push(
      charAnalyzer === "char_wb"
        ? (text) => charWbNgrams(text, charRange)
        : (text) => charNgrams(text, charRange),
    );
  return list;
}

function makeBlock(analyze: Analyzer, terms: string[], idf: readonly number[]): Block {
  return {
    analyze,
    terms,
    idf: Float64Array.from(idf),
    termIndex: new Map(terms.map((term, i) => [term, i])),
  };
}

function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/** Code-unit order, independent of locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
