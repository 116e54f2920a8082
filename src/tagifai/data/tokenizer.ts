/**
 * Tokenizer: texts to sequences of token indices and back, at character or word level, and
 * padding of sequences into one rectangular batch.
 */
import { z } from "zod";
import type { ArtifactReader, ArtifactWriter } from "../artifact-io.js";
import { parseWith } from "../schema.js";

const PAD_TOKEN = "<PAD>";
const OOV_TOKEN = "<UNK>";

/** Schema of a saved tokenizer: its level, its cap, and its vocabulary in index order. */
export const tokenizerJsonSchema = z.object({
  charLevel: z.boolean(),
  numTokens: z.number().int().positive().nullable(),
  tokens: z
    .array(z.string())
    .refine(
      (tokens) => tokens[0] === PAD_TOKEN && tokens[1] === OOV_TOKEN,
      `must start with "${PAD_TOKEN}", "${OOV_TOKEN}"`,
    )
    .refine((tokens) => new Set(tokens).size === tokens.length, "must be unique"),
});

/** A tokenizer as saved. */
export type TokenizerJson = z.infer<typeof tokenizerJsonSchema>;

/** Maps tokens (characters, or words separated by spaces) to indices: 0 = padding, 1 = unknown. */
export class Tokenizer {
  /** Characters (true) or space-separated words (false) as tokens. */
  readonly charLevel: boolean;
  /** Most tokens learned by `fitOnTexts` besides padding and unknown (null: no cap). */
  readonly numTokens: number | null;
  /** Index of each token (an object without prototype, so any string is a safe key). */
  tokenToIndex: Record<string, number> = Object.create(null);
  private indexToToken: string[] = [];

  /**
   * @param options `charLevel`: tokens are characters rather than words; `numTokens`: keep only
   *   this many of the most frequent tokens
   */
  constructor(options: { charLevel: boolean; numTokens?: number | null }) {
    this.charLevel = options.charLevel;
    this.numTokens = options.numTokens ?? null;
    this.setVocabulary([PAD_TOKEN, OOV_TOKEN]);
  }

  /** Number of tokens, padding and unknown included. */
  get vocabSize(): number {
    return this.indexToToken.length;
  }

  /**
   * Learn the vocabulary (replacing any earlier one): `<PAD>` = 0, `<UNK>` = 1, then the tokens by
   * descending frequency, ties in order of first appearance, at most `numTokens` of them.
   * @param texts the training texts
   * @returns this tokenizer
   */
  fitOnTexts(texts: readonly string[]): this {
    const counts = new Map<string, number>();
    for (const text of texts)
      for (const token of this.tokenize(text))
        if (token !== PAD_TOKEN && token !== OOV_TOKEN) counts.set(token, (counts.get(token) ?? 0) + 1);
    // Array sort is stable, so equal counts keep their first-appearance order.
    const ranked = [...counts].sort((a, b) => b[1] - a[1]).map(([token]) => token);
    this.setVocabulary([PAD_TOKEN, OOV_TOKEN, ...ranked.slice(0, this.numTokens ?? undefined)]);
    return this;
  }

  /**
   * @param texts texts to encode
   * @returns each text's token indices (1 for tokens outside the vocabulary)
   */
  textsToSequences(texts: readonly string[]): number[][] {
    return texts.map((text) =>
      this.tokenize(text).map((token) =>
        Object.hasOwn(this.tokenToIndex, token) ? this.tokenToIndex[token] : 1,
      ),
    );
  }

  /**
   * @param sequences token indices
   * @returns the texts they encode (unknown indices read as `<UNK>`; words joined by spaces)
   */
  sequencesToTexts(sequences: readonly (readonly number[])[]): string[] {
    return sequences.map((sequence) =>
      sequence.map((index) => this.indexToToken[index] ?? OOV_TOKEN).join(this.charLevel ? "" : " "),
    );
  }

  /** @returns the JSON form: level, cap and vocabulary in index order */
  toJSON(): TokenizerJson {
    return { charLevel: this.charLevel, numTokens: this.numTokens, tokens: [...this.indexToToken] };
  }

  /**
   * Save as JSON.
   * @param writer the model's files
   * @param name the file's name
   */
  save(writer: ArtifactWriter, name: string): void {
    writer.json(name, this.toJSON());
  }

  /**
   * @param value the parsed JSON of a saved tokenizer
   * @param source where it came from, named in errors
   * @throws TagifaiError INVALID_ARTIFACTS when it is not a valid tokenizer
   */
  static fromJSON(value: unknown, source = "tokenizer"): Tokenizer {
    const data = parseWith(tokenizerJsonSchema, value, {
      code: "INVALID_ARTIFACTS",
      what: `tokenizer in ${source}`,
    });
    const tokenizer = new Tokenizer(data);
    tokenizer.setVocabulary(data.tokens);
    return tokenizer;
  }

  /**
   * @param reader the model's files
   * @param name the file written by `save`
   * @throws TagifaiError INVALID_ARTIFACTS when it cannot be read or is not a valid tokenizer
   */
  static async load(reader: ArtifactReader, name: string): Promise<Tokenizer> {
    return Tokenizer.fromJSON(await reader.json(name), reader.where(name));
  }

  /** Characters (code points) at character level, else the pieces between single spaces. */
  private tokenize(text: string): string[] {
    return this.charLevel ? Array.from(text) : text.split(" ");
  }

  private setVocabulary(tokens: readonly string[]): void {
    this.indexToToken = [...tokens];
    this.tokenToIndex = Object.create(null);
    tokens.forEach((token, index) => {
      this.tokenToIndex[token] = index;
    });
  }
}

/**
 * Right-pad sequences with 0 into one row-major batch.
 * @param sequences token index sequences
 * @param minLength the least row length (e.g. the widest convolution filter)
 * @returns the batch and its shape `[sequences, max(longest sequence, minLength)]`
 */
export function padSequences(
  sequences: readonly (readonly number[])[],
  minLength = 0,
): { data: Int32Array; shape: [number, number] } {
  const width = Math.max(minLength, ...sequences.map((sequence) => sequence.length));
  const data = new Int32Array(sequences.length * width);
  sequences.forEach((sequence, row) => {
    data.set(sequence, row * width);
  });
  return { data, shape: [sequences.length, width] };
}
