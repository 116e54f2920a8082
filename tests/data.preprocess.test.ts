import { describe, expect, it } from "vitest";
import { preprocess, preprocessWith } from "../src/tagifai/data.js";

const plain = { lower: true, stem: false };

describe("preprocess", () => {
  it("lowercases, removes stopwords and punctuation, collapses spaces", () => {
    expect(preprocess("Hello  world, this is the Transformer's  guide!", plain)).toBe(
      "hello world transformer guide",
    );
    expect(preprocess("Machine Learning Basics: A practical set of notebooks.", plain)).toBe(
      "machine learning basics practical set notebooks",
    );
  });

  it("follows the original's regex order (stopwords before punctuation and filtering)", () => {
    // "it's": "it" matches first (alternation order), then the lone "s" is a stopword too.
    expect(preprocess("it's fine", plain)).toBe("fine");
    expect(preprocess("Don't stop", plain)).toBe("stop");
    expect(preprocess("TF2.0 + Keras <3", plain)).toBe("tf2 0 keras 3");
  });

  it("keeps case when lower is false (capitalized stopwords then survive)", () => {
    expect(preprocess("The BERT model for NLP", { lower: false, stem: false })).toBe("The BERT model NLP");
  });

  it("drops links whole instead of leaving their pieces", () => {
    expect(preprocess("see https://x.io/a now", plain)).toBe("see");
    expect(preprocess("code at http://github.com/org/repo. Star it", plain)).toBe("code star");
  });

  it("treats non-ASCII letters as word characters, like Python's \\b", () => {
    // "a" after "ç" is inside a word, so it is not a stopword; JS's ASCII \b would remove it.
    expect(preprocess("ça va", plain)).toBe("a va");
    expect(preprocess("café a la mode", plain)).toBe("caf la mode");
  });

  it("uses custom stopwords, escaped, and none when the list is empty", () => {
    // "." is escaped: "a.b" removes only itself, not "axb".
    expect(preprocess("axb a.b c", { ...plain, stopwords: ["a.b"] })).toBe("axb c");
    expect(preprocess("a b.c", { ...plain, stopwords: [] })).toBe("a b c");
  });

  it("stems each word with Porter's algorithm", () => {
    expect(
      preprocess("Transfer learning with transformers for text classification.", { lower: true, stem: true }),
    ).toBe("transfer learn transform text classif");
    expect(preprocess("", { lower: true, stem: true })).toBe("");
  });

  it("is deterministic across calls with the same stopword list", () => {
    const stopwords = ["foo"];
    expect(preprocess("foo bar", { ...plain, stopwords })).toBe("bar");
    expect(preprocess("foo bar foo", { ...plain, stopwords })).toBe("bar");
  });

  it("keeps links, punctuation and every character with clean false; lower, stopwords and stem still apply", () => {
    const text = "See https://x.io/docs — the C++ guide, café 🚀!";
    expect(preprocess(text, { ...plain, clean: false, stopwords: [] })).toBe(
      "see https://x.io/docs — the c++ guide, café 🚀!",
    );
    expect(preprocess(text, { ...plain, clean: false })).toBe("see https://x.io/docs — c++ guide, café 🚀!");
    expect(preprocess("Running models", { lower: true, stem: true, clean: false })).toBe("run model");
  });

  it("cleans as a run's params say: stopwords removed unless the params' stopwords is false", () => {
    const text = "The Transformer is all you need, see https://x.io";
    expect(preprocessWith(text, plain)).toBe("transformer need see");
    expect(preprocessWith(text, { ...plain, stopwords: true })).toBe("transformer need see");
    expect(preprocessWith(text, { ...plain, stopwords: false })).toBe("the transformer is all you need see");
    expect(preprocessWith(text, { ...plain, stopwords: false, clean: false })).toBe(text.toLowerCase());
    expect(preprocessWith(text, { ...plain, clean: true })).toBe("transformer need see");
  });
});
