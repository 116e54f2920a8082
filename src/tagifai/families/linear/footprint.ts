/**
 * The linear family's memory estimate (see `ModelFamily.estimateMemory`). The TF-IDF rows hold one
 * nonzero per distinct term of a text, at most one per n-gram: word n-grams ≤ words per size, char
 * n-grams ≤ characters + 2 per word (char_wb pads each word) per size; each nonzero takes 8 bytes in
 * the rows and 8 more in their CSR copy (twice with `refit`). The vocabulary (the document-frequency
 * and count maps of `fit`, ~100 bytes a term) has the distinct words for word unigrams and, for
 * the other n-grams, Heaps' law 20·N^0.6 of their N occurrences, at most N and, for char n-grams,
 * at most (distinct characters + 1)^n (an estimate, not a bound: on the reference projects it is
 * about 3× the vocabulary the vectorizer learns). The classifier keeps six float64 arrays per (row, class) and three per
 * (feature, class), the features being the vocabulary cut to `maxFeatures` per block.
 */
import type { DataShape, MemoryTerm } from "../../family.js";
import type { LinearConfig } from "./model.js";

const BYTES_PER_NONZERO = 16;
const BYTES_PER_TERM = 100;
const ROW_ARRAYS = 6;
const HEAPS_K = 20;
const HEAPS_BETA = 0.6;
const FEATURE_ARRAYS = 3;

/**
 * Estimate the linear family's peak training memory.
 * @param config the `linear` params section
 * @param data the texts' shape
 * @returns the parts, keyed by `linear.*` params
 */
export function estimateLinearMemory(config: LinearConfig, data: DataShape): MemoryTerm[] {
  const { wordNgrams, charNgrams, maxFeatures } = config.tfidf;
  const sizes = (range: readonly [number, number] | null) => (range === null ? [] : span(range));
  const wordGrams = sizes(wordNgrams).map((n) => ({ n, count: data.totalWords }));
  const charGrams = sizes(charNgrams).map((n) => ({ n, count: data.totalChars + 2 * data.totalWords }));
  const nonzeros = [...wordGrams, ...charGrams].reduce((total, g) => total + g.count, 0);
  const terms = (count: number) => Math.min(count, HEAPS_K * count ** HEAPS_BETA);
  const wordTerms = wordGrams.map(({ n, count }) => (n === 1 ? data.distinctWords : terms(count)));
  const charTerms = charGrams.map(({ n, count }) => Math.min(terms(count), (data.distinctChars + 1) ** n));
  const vocabulary = [...wordTerms, ...charTerms].reduce((a, b) => a + b, 0);
  const kept = (count: number) => (maxFeatures === null ? count : Math.min(count, maxFeatures));
  const features = [wordTerms.reduce((a, b) => a + b, 0), charTerms.reduce((a, b) => a + b, 0)]
    .map(kept)
    .reduce((a, b) => a + b, 0);
  const copies = config.refit ? 2 : 1;
  const tfidfKeys = ["linear.tfidf.wordNgrams", "linear.tfidf.charNgrams"];
  return [
    { what: "TF-IDF rows", bytes: copies * BYTES_PER_NONZERO * nonzeros, keys: tfidfKeys, tensors: false },
    { what: "TF-IDF vocabulary", bytes: BYTES_PER_TERM * vocabulary, keys: tfidfKeys, tensors: false },
    {
      what: "classifier weights",
      bytes: FEATURE_ARRAYS * 8 * (features + 1) * data.classes,
      keys: [...tfidfKeys, "linear.tfidf.maxFeatures"],
      tensors: false,
    },
    {
      what: "classifier margins and residuals",
      bytes: ROW_ARRAYS * 8 * data.rows * data.classes,
      keys: ["subset"],
      tensors: false,
    },
  ];
}

function span([low, high]: readonly [number, number]): number[] {
  return Array.from({ length: Math.max(0, high - low + 1) }, (_, i) => low + i);
}
