import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { padSequences, Tokenizer } from "../src/tagifai/data.js";
import { folderReader, folderWriter } from "../src/tagifai/folder-io.js";
import { rejectedBy, tempDir } from "./helpers/data.js";

describe("Tokenizer", () => {
  it("indexes words by descending frequency, ties by first appearance, after <PAD> and <UNK>", () => {
    const tokenizer = new Tokenizer({ charLevel: false }).fitOnTexts(["b a c", "a c d", "constructor a"]);
    expect(tokenizer.toJSON().tokens).toEqual(["<PAD>", "<UNK>", "a", "c", "b", "d", "constructor"]);
    expect(tokenizer.vocabSize).toBe(7);
    expect(tokenizer.tokenToIndex.constructor).toBe(6);
    expect(tokenizer.textsToSequences(["a d zebra", "toString"])).toEqual([[2, 5, 1], [1]]);
    expect(tokenizer.sequencesToTexts([[2, 5, 1, 0], [99]])).toEqual(["a d <UNK> <PAD>", "<UNK>"]);
  });

  it("works on characters at char level, and caps the vocabulary with numTokens", () => {
    const tokenizer = new Tokenizer({ charLevel: true, numTokens: 2 }).fitOnTexts(["abbb", "cab"]);
    expect(tokenizer.toJSON().tokens).toEqual(["<PAD>", "<UNK>", "b", "a"]);
    expect(tokenizer.textsToSequences(["abc"])).toEqual([[3, 2, 1]]);
    expect(tokenizer.sequencesToTexts([[3, 2, 2]])).toEqual(["abb"]);
  });

  it("refits from scratch", () => {
    const tokenizer = new Tokenizer({ charLevel: false }).fitOnTexts(["x y"]).fitOnTexts(["z"]);
    expect(tokenizer.toJSON().tokens).toEqual(["<PAD>", "<UNK>", "z"]);
  });

  it("saves and loads the same vocabulary, and refuses an invalid file", async () => {
    const dir = tempDir();
    const tokenizer = new Tokenizer({ charLevel: true }).fitOnTexts(["hello world"]);
    tokenizer.save(folderWriter(dir), "tokenizer.json");
    const loaded = await Tokenizer.load(folderReader(dir), "tokenizer.json");
    expect(loaded.charLevel).toBe(true);
    expect(loaded.tokenToIndex).toEqual(tokenizer.tokenToIndex);
    expect(loaded.textsToSequences(["low"])).toEqual(tokenizer.textsToSequences(["low"]));

    writeFileSync(
      join(dir, "bad.json"),
      JSON.stringify({ charLevel: true, numTokens: null, tokens: ["a", "b"] }),
    );
    const error = await rejectedBy(Tokenizer.load(folderReader(dir), "bad.json"));
    expect(error.code).toBe("INVALID_ARTIFACTS");
    expect(error.message).toContain('tokens: must start with "<PAD>", "<UNK>"');
  });
});

describe("padSequences", () => {
  it("right-pads with 0 to the longest sequence", () => {
    const { data, shape } = padSequences([[1, 2, 3], [4], []]);
    expect(shape).toEqual([3, 3]);
    expect([...data]).toEqual([1, 2, 3, 4, 0, 0, 0, 0, 0]);
  });

  it("pads to at least minLength", () => {
    const { data, shape } = padSequences([[5, 6]], 4);
    expect(shape).toEqual([1, 4]);
    expect([...data]).toEqual([5, 6, 0, 0]);
    expect(padSequences([], 3).shape).toEqual([0, 3]);
  });
});
