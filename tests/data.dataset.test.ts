import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { parseCsv } from "../src/tagifai/data/csv.js";
import { assertTwoClasses, loadDataset, readRawDataset, recordLocation } from "../src/tagifai/data.js";
import { validateDatasetFile } from "../src/tagifai/expectations.js";
import { withStore } from "../src/tagifai/lifecycle.js";
import { trainModel } from "../src/tagifai/operations.js";
import { tempDir, thrownBy } from "./helpers/data.js";

const BYO_DIR = join(import.meta.dirname, "fixtures", "byo");
const byoOptions = { textFields: ["title", "description"], labelField: "tag" };

/** Write a file into a new temp folder. @returns its path */
function writeTemp(name: string, content: string): string {
  const filePath = join(tempDir(), name);
  writeFileSync(filePath, content);
  return filePath;
}

const fields = (text: string) => parseCsv(text).map((row) => row.fields);

describe("parseCsv", () => {
  it("splits rows and fields, with or without a final line break", () => {
    expect(fields("a,b,c\n1,2,3\n")).toEqual([
      ["a", "b", "c"],
      ["1", "2", "3"],
    ]);
    expect(fields("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("reads quoted fields with commas, doubled quotes and embedded line breaks", () => {
    const rows = parseCsv('id,text\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,"crlf\r\ninside"\n');
    expect(rows.map((row) => row.fields)).toEqual([
      ["id", "text"],
      ["1", "a, b"],
      ["2", 'say "hi"'],
      ["3", "two\nlines"],
      ["4", "crlf\r\ninside"],
    ]);
    expect(rows.map((row) => row.line)).toEqual([1, 2, 3, 4, 6]);
  });

  it("accepts CRLF and lone CR line breaks and strips a BOM", () => {
    expect(fields("\uFEFFa,b\r\n1,2\r\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(fields("a\r1\r")).toEqual([["a"], ["1"]]);
  });

  it("keeps empty fields, including quoted empty ones, and skips blank lines", () => {
    expect(fields('a,,c\n\n"",x,\n\r\n')).toEqual([
      ["a", "", "c"],
      ["", "x", ""],
    ]);
    expect(fields('""')).toEqual([[""]]);
    expect(fields("")).toEqual([]);
  });

  it("refuses malformed quoting, naming the line", () => {
    expect(thrownBy(() => parseCsv('a,b\n1,"open\n2,3\n', "f.csv"))).toMatchObject({
      code: "INVALID_DATA",
      message: "f.csv line 2: a quoted field is never closed",
    });
    expect(thrownBy(() => parseCsv('a\n"x"y\n', "f.csv")).message).toBe(
      "f.csv line 2: text after a closing quote",
    );
    expect(thrownBy(() => parseCsv('a\nx"y"\n', "f.csv")).message).toMatch(
      /^f\.csv line 2: a quote inside an unquoted field/,
    );
  });
});

describe("loadDataset", () => {
  it("loads the BYO fixture as a multi-class task with joined text", () => {
    const { task, records } = loadDataset(join(BYO_DIR, "train.csv"), byoOptions);
    expect(task).toBe("multi-class");
    expect(records).toHaveLength(60);
    expect(new Set(records.map((r) => r.labels[0]))).toEqual(
      new Set(["computer-vision", "natural-language-processing", "reinforcement-learning"]),
    );
    expect(records[0]).toEqual({
      id: 0,
      text: "Text classification made simple A tutorial on text classification using grammar and vocabularies.",
      labels: ["natural-language-processing"],
    });
    expect(loadDataset(join(BYO_DIR, "holdout.csv"), byoOptions).records).toHaveLength(15);
  });

  it("reads CSV label cells holding lists (| or JSON array) as a multi-label task", () => {
    const fp = writeTemp("d.csv", 'id,text,tags\n7,a,nlp|pytorch\n8,b,"[""cv""]"\n9,c,nlp\n');
    expect(loadDataset(fp, { textFields: ["text"], labelField: "tags", idField: "id" })).toEqual({
      task: "multi-label",
      records: [
        { id: "7", text: "a", labels: ["nlp", "pytorch"] },
        { id: "8", text: "b", labels: ["cv"] },
        { id: "9", text: "c", labels: ["nlp"] },
      ],
    });
  });

  it("loads JSON: a string label is multi-class, a list multi-label (deduplicated, trimmed)", () => {
    const single = writeTemp(
      "d.json",
      JSON.stringify([
        { t: "x", y: " pos " },
        { t: "z", y: "neg" },
      ]),
    );
    expect(loadDataset(single, { textFields: ["t"], labelField: "y" })).toEqual({
      task: "multi-class",
      records: [
        { id: 0, text: "x", labels: ["pos"] },
        { id: 1, text: "z", labels: ["neg"] },
      ],
    });
    const multi = writeTemp("d.json", JSON.stringify([{ id: 3, t: "x", y: ["a", "b", "a"] }]));
    expect(loadDataset(multi, { textFields: ["t"], labelField: "y", idField: "id" })).toEqual({
      task: "multi-label",
      records: [{ id: 3, text: "x", labels: ["a", "b"] }],
    });
  });

  it("loads JSONL, skipping blank lines and naming lines in errors", () => {
    const fp = writeTemp("d.jsonl", '{"t":"a","y":["x"]}\n\n{"t":"b","y":["y"]}\r\n');
    expect(loadDataset(fp, { textFields: ["t"], labelField: "y" }).records.map((r) => r.text)).toEqual([
      "a",
      "b",
    ]);
    const raw = readRawDataset(fp);
    expect(raw.records).toHaveLength(2);
    expect(recordLocation(raw, 1)).toBe("line 3");
    const bad = writeTemp("bad.jsonl", '{"t":"a","y":"x"}\n{oops}\n');
    expect(thrownBy(() => loadDataset(bad, { textFields: ["t"], labelField: "y" })).message).toMatch(
      /bad\.jsonl line 2 is not valid JSON/,
    );
  });

  it("lists every invalid record with its line and field", () => {
    const fp = writeTemp(
      "bad.csv",
      "title,description,tag\nok,fine,a\n,,b\nno label,here,\nshort,row\nfine,again,c\n",
    );
    const error = thrownBy(() => loadDataset(fp, byoOptions));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toBe(
      `${fp}: 3 invalid records:` +
        '\n  line 3: empty text ("title", "description" all blank)' +
        '\n  line 4: field "tag" is empty (no label)' +
        '\n  line 5: field "tag" is missing',
    );
  });

  it("refuses wrong types, mixed string/list labels and duplicate ids", () => {
    const fp = writeTemp(
      "bad.json",
      JSON.stringify([
        { id: 1, t: "a", y: "x" },
        { id: 2, t: 5, y: "x" },
        { id: 3, t: "c", y: ["x"] },
        { id: 1, t: "d", y: "x" },
        { id: 4, t: "e", y: [1] },
        "nope",
      ]),
    );
    const message = thrownBy(() =>
      loadDataset(fp, { textFields: ["t"], labelField: "y", idField: "id" }),
    ).message;
    expect(message).toContain("5 invalid records");
    expect(message).toContain('record 1: field "t" expected a string, got number');
    expect(message).toContain(
      'record 2: field "y" holds a list but earlier records hold strings (mixed string/list labels)',
    );
    expect(message).toContain("record 3: duplicate id 1 (first at record 0)");
    expect(message).toContain('record 4: field "y[0]" expected a string, got number');
    expect(message).toContain("record 5: expected an object, got string");
  });

  it("lists at most 10 invalid records, then counts the rest", () => {
    const fp = writeTemp("many.json", JSON.stringify(Array.from({ length: 13 }, () => ({ t: "a" }))));
    const message = thrownBy(() => loadDataset(fp, { textFields: ["t"], labelField: "y" })).message;
    expect(message.split("\n")).toHaveLength(12);
    expect(message).toMatch(/13 invalid records:[\s\S]*… and 3 more$/);
  });

  it("refuses an unknown extension, a missing file, an empty file and JSON that is not an array", () => {
    expect(thrownBy(() => loadDataset(writeTemp("d.txt", "x"), byoOptions)).code).toBe("INVALID_INPUT");
    expect(thrownBy(() => loadDataset(join(tempDir(), "none.csv"), byoOptions))).toMatchObject({
      code: "DATA_NOT_FOUND",
      message: expect.stringMatching(/none\.csv: not found/),
    });
    expect(
      thrownBy(() => loadDataset(writeTemp("e.csv", "title,description,tag\n"), byoOptions)).message,
    ).toMatch(/e\.csv holds no records/);
    expect(thrownBy(() => loadDataset(writeTemp("o.json", '{"a":1}'), byoOptions)).message).toMatch(
      /o\.json: expected an array of records, got object/,
    );
  });

  it("refuses a CSV with a duplicate column or a row with too many cells", () => {
    expect(thrownBy(() => readRawDataset(writeTemp("d.csv", "a,b,a\n1,2,3\n"))).message).toMatch(
      /d\.csv line 1: duplicate column "a"/,
    );
    expect(thrownBy(() => readRawDataset(writeTemp("d.csv", "a,b\n1,2\n1,2,3\n"))).message).toMatch(
      /d\.csv line 3: 3 cells but the header names 2 columns/,
    );
  });
});

describe("data edge cases", () => {
  it("accepts a JSON file starting with a BOM, like CSV and JSONL", () => {
    const fp = writeTemp(
      "bom.json",
      `\uFEFF${JSON.stringify([
        { t: "x", y: "a" },
        { t: "z", y: "b" },
      ])}`,
    );
    expect(loadDataset(fp, { textFields: ["t"], labelField: "y" }).records).toHaveLength(2);
  });

  it("reports the lines holding bytes that are not UTF-8, and validation warns about them", () => {
    const fp = join(tempDir(), "latin1.csv");
    writeFileSync(
      fp,
      Buffer.concat([
        Buffer.from("title,description,tag\nok,fine,a\n"),
        Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2c, 0x78, 0x2c, 0x62, 0x0a]), // "caf\xe9,x,b" in Latin-1
      ]),
    );
    expect(readRawDataset(fp).nonUtf8Lines).toEqual([3]);
    const report = validateDatasetFile(fp, { textFields: ["title", "description"], labelField: "tag" });
    const encoding = report.results.find((r) => r.expectation === "expect_file_to_be_utf8");
    expect(encoding).toMatchObject({ success: false, severity: "warn", details: { failed: 1 } });
    expect(encoding?.details.examples).toEqual(["line 3: bytes that are not UTF-8"]);
    expect(readRawDataset(join(BYO_DIR, "train.csv")).nonUtf8Lines).toEqual([]);
  });

  it("refuses to train on one class, before a run exists", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `project ${i},a description of project ${i},nlp`);
    const fp = writeTemp("one-class.csv", `title,description,tag\n${rows.join("\n")}\n`);
    const dataset = loadDataset(fp, byoOptions);
    expect(thrownBy(() => assertTwoClasses(dataset, fp))).toMatchObject({
      code: "INVALID_DATA",
      message: expect.stringMatching(/only the label "nlp": a classifier needs at least two classes/),
    });
    const trackingUri = `sqlite:${join(tempDir(), "tracking.db")}`;
    await expect(
      trainModel({ paramsFp: TEST_PARAMS_FP, trackingUri, dataset: { file: fp, ...byoOptions } }),
    ).rejects.toThrow(/a classifier needs at least two classes/);
    expect(await withStore({ trackingUri }, (store) => store.listRuns({}))).toEqual([]);
  });
});
