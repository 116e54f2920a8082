/**
 * Built-in perturbations for invariance tests: small edits that should not change a text's tags.
 * Deterministic, so a suite gives the same texts on every run.
 */
import type { Perturbation } from "./suite.js";

/** Verbs and the synonyms they are swapped with (only listed forms; the first one found is swapped). */
export const VERB_SWAPS: Readonly<Record<string, string>> = {
  use: "utilize",
  uses: "utilizes",
  using: "utilizing",
  used: "utilized",
  build: "create",
  builds: "creates",
  building: "creating",
  built: "created",
  improve: "enhance",
  improves: "enhances",
  improved: "enhanced",
  detect: "identify",
  detects: "identifies",
  classify: "categorize",
  classifies: "categorizes",
  generate: "produce",
  generates: "produces",
  explore: "investigate",
  explores: "investigates",
  show: "demonstrate",
  shows: "demonstrates",
  revolutionized: "reshaped",
};

const VERB_PATTERN = new RegExp(`\\b(${Object.keys(VERB_SWAPS).join("|")})\\b`, "i");
const WORD = /[A-Za-z]{4,}/g;

/**
 * A typo: two adjacent letters swapped in the middle of the longest word (the first on ties), e.g.
 * "revolutionized" → "revoluitonized".
 * @param text the text
 * @returns the text with the typo, or undefined when no word of 4+ letters has two different
 *   adjacent letters to swap
 */
export function typo(text: string): string | undefined {
  const words = [...text.matchAll(WORD)].sort((a, b) => b[0].length - a[0].length || a.index - b.index);
  for (const { 0: word, index } of words)
    for (let k = Math.floor(word.length / 2) - 1; k < word.length - 1; k++)
      if (word[k] !== word[k + 1]) {
        const at = index + k;
        return text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
      }
  return undefined;
}

/**
 * A verb swap: the first verb of VERB_SWAPS in the text replaced by its synonym, keeping a leading
 * capital, e.g. "We use CNNs" → "We utilize CNNs".
 * @param text the text
 * @returns the text with the verb swapped, or undefined when it holds none of the listed verbs
 */
export function swapVerb(text: string): string | undefined {
  const match = VERB_PATTERN.exec(text);
  if (!match) return undefined;
  const verb = match[0];
  const synonym = VERB_SWAPS[verb.toLowerCase()];
  const swapped = verb[0] === verb[0].toUpperCase() ? synonym[0].toUpperCase() + synonym.slice(1) : synonym;
  return text.slice(0, match.index) + swapped + text.slice(match.index + verb.length);
}

/** Each built-in perturbation by name. */
export const PERTURBATIONS: Readonly<Record<Perturbation, (text: string) => string | undefined>> = {
  typo,
  "verb-swap": swapVerb,
};
