import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadLabelEncoder, MultiClassEncoder, MultiLabelEncoder } from "../src/tagifai/data.js";
import { folderReader, folderWriter } from "../src/tagifai/folder-io.js";
import { rejectedBy, tempDir, thrownBy } from "./helpers/data.js";

const labels = [["pytorch", "nlp"], ["cv"], [], ["nlp", "constructor"]];

describe("MultiLabelEncoder", () => {
  it("fits sorted classes and encodes/decodes 0/1 rows", () => {
    const encoder = new MultiLabelEncoder().fit(labels);
    expect(encoder.classes).toEqual(["constructor", "cv", "nlp", "pytorch"]);
    expect(encoder.classToIndex.get("nlp")).toBe(2);
    const y = encoder.encode(labels);
    expect(y).toEqual([
      [0, 0, 1, 1],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [1, 0, 1, 0],
    ]);
    expect(encoder.decode(y)).toEqual([["nlp", "pytorch"], ["cv"], [], ["constructor", "nlp"]]);
  });

  it("refuses unknown labels and malformed rows", () => {
    const encoder = new MultiLabelEncoder().fit(labels);
    const unknown = thrownBy(() => encoder.encode([["nlp", "toString"]]));
    expect(unknown.code).toBe("INVALID_INPUT");
    expect(unknown.message).toContain('Unknown label "toString"');
    expect(thrownBy(() => encoder.decode([[0, 1]])).code).toBe("INVALID_INPUT");
    expect(thrownBy(() => encoder.decode([[0, 0.7, 0, 0]])).message).toContain("Row 0");
  });

  it("saves and loads, and validates what it loads", async () => {
    const dir = tempDir();
    const encoder = new MultiLabelEncoder().fit(labels);
    encoder.save(folderWriter(dir), "enc.json");
    const loaded = await MultiLabelEncoder.load(folderReader(dir), "enc.json");
    expect(loaded.toJSON()).toEqual({
      type: "multi-label",
      classes: ["constructor", "cv", "nlp", "pytorch"],
    });
    expect(loaded.encode([["pytorch"]])).toEqual([[0, 0, 0, 1]]);

    const duplicate = thrownBy(() =>
      MultiLabelEncoder.fromJSON({ type: "multi-label", classes: ["a", "a"] }),
    );
    expect(duplicate).toMatchObject({ code: "INVALID_ARTIFACTS" });
    expect(duplicate.message).toContain("classes must be unique");
    expect(thrownBy(() => MultiLabelEncoder.fromJSON({ type: "multi-class", classes: [] })).message).toBe(
      "label encoder holds a multi-class label encoder, expected multi-label",
    );
    expect((await rejectedBy(MultiLabelEncoder.load(folderReader(dir), "missing.json"))).code).toBe(
      "INVALID_ARTIFACTS",
    );
  });
});

describe("MultiClassEncoder", () => {
  it("encodes labels as indices and decodes them back", () => {
    const encoder = new MultiClassEncoder().fit(["b", "a", "c", "a"]);
    expect(encoder.classes).toEqual(["a", "b", "c"]);
    expect(encoder.encode(["c", "a"])).toEqual([2, 0]);
    expect(encoder.decode([1, 2])).toEqual(["b", "c"]);
    expect(thrownBy(() => encoder.decode([3])).code).toBe("INVALID_INPUT");
    expect(thrownBy(() => encoder.encode(["d"])).code).toBe("INVALID_INPUT");
  });
});

describe("loadLabelEncoder", () => {
  it("returns the kind of encoder the file holds", async () => {
    const dir = tempDir();
    new MultiClassEncoder().fit(["x", "y"]).save(folderWriter(dir), "mc.json");
    new MultiLabelEncoder().fit([["x"], ["y"]]).save(folderWriter(dir), "ml.json");
    const multiClass = await loadLabelEncoder(folderReader(dir), "mc.json");
    expect(multiClass).toBeInstanceOf(MultiClassEncoder);
    expect(multiClass.classes).toEqual(["x", "y"]);
    expect(await loadLabelEncoder(folderReader(dir), "ml.json")).toBeInstanceOf(MultiLabelEncoder);
  });

  it("names the file and field of an invalid one", async () => {
    const dir = tempDir();
    const fp = join(dir, "bad.json");
    writeFileSync(fp, JSON.stringify({ type: "multi-label", classes: "nlp" }));
    const error = await rejectedBy(loadLabelEncoder(folderReader(dir), "bad.json"));
    expect(error.code).toBe("INVALID_ARTIFACTS");
    expect(error.message).toBe(`Invalid label encoder in ${fp}: classes: expected array, got string "nlp"`);
  });
});
