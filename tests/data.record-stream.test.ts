import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CsvRowReader, parseCsv } from "../src/tagifai/data/csv.js";
import { type StreamedItem, streamRecords } from "../src/tagifai/data/record-stream.js";

/** Every record and problem of a text streamed in the given chunks. */
async function streamed(chunks: string[], format: "csv" | "json" | "jsonl"): Promise<StreamedItem[]> {
  const input = Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
  const items: StreamedItem[] = [];
  for await (const batch of streamRecords(input, format, { source: "in", maxRecordChars: 1000 }))
    items.push(...batch);
  return items;
}

/** The text cut in two at every position. */
const cuts = (text: string) =>
  Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);

describe("CsvRowReader", () => {
  it("reads the same rows whatever the chunk boundaries (quotes, CRLF inside and between rows, BOM)", () => {
    const text = '\uFEFFid,text\r\n1,"a, ""b""\r\nc"\r\n\r\n2,plain\r3,"x"\n';
    const whole = parseCsv(text);
    for (const [a, b] of cuts(text)) {
      const reader = new CsvRowReader();
      expect([...reader.push(a), ...reader.push(b), ...reader.end()]).toEqual(whole);
    }
  });

  it("reports a bad row with its line and goes on with the next line", () => {
    const reader = new CsvRowReader();
    expect([...reader.push('a\nx"y\n"ok"\n"z"q\nlast'), ...reader.end()]).toEqual([
      { fields: ["a"], line: 1 },
      { problem: expect.stringMatching(/^a quote inside an unquoted field/), line: 2 },
      { fields: ["ok"], line: 3 },
      { problem: "text after a closing quote", line: 4 },
      { fields: ["last"], line: 5 },
    ]);
  });

  it("bounds a row: a runaway quote is a problem, not a field that fills memory", () => {
    const reader = new CsvRowReader(10);
    const items = [...reader.push('a\n"never closed and very long\nb\n'), ...reader.end()];
    expect(items[1]).toEqual({ problem: expect.stringMatching(/longer than 10 characters/), line: 2 });
  });
});

describe("streamRecords", () => {
  it("streams CSV records named by the header, with their lines and positions", async () => {
    const items = await streamed(["title,description\nA,", "one\nB,two,extra\nC,three\n"], "csv");
    expect(items).toEqual([
      { value: { title: "A", description: "one" }, index: 0, line: 2 },
      { problem: "3 cells but the header names 2 columns", index: 1, line: 3 },
      { value: { title: "C", description: "three" }, index: 2, line: 4 },
    ]);
  });

  it("streams JSONL lines, a broken one a problem with its line", async () => {
    const items = await streamed(['{"a":1}\n\n{"a":', '2}\r\n{broken\n{"a":3}'], "jsonl");
    expect(items).toEqual([
      { value: { a: 1 }, index: 0, line: 1 },
      { value: { a: 2 }, index: 1, line: 3 },
      { problem: expect.stringMatching(/^not valid JSON/), index: 2, line: 4 },
      { value: { a: 3 }, index: 3, line: 5 },
    ]);
  });

  it("streams the elements of a JSON array whatever the chunk boundaries", async () => {
    const text = '[\n {"t": "a, [b]", "n": {"x": [1, 2]}},\n {"t": "q\\"}"},\n bad\n]\n';
    for (const [a, b] of cuts(text))
      expect(await streamed([a, b], "json")).toEqual([
        { value: { t: "a, [b]", n: { x: [1, 2] } }, index: 0, line: 2 },
        { value: { t: 'q"}' }, index: 1, line: 3 },
        { problem: expect.stringMatching(/^not valid JSON/), index: 2, line: 4 },
      ]);
  });

  it("refuses a JSON input that is not an array, and reports a truncated array", async () => {
    await expect(streamed(['{"a": 1}'], "json")).rejects.toThrow(/in line 1: expected an array of records/);
    expect(await streamed(['[{"a": 1}, {"a":'], "json")).toEqual([
      { value: { a: 1 }, index: 0, line: 1 },
      { problem: "the array is never closed (a truncated file?)", index: 1, line: 1 },
    ]);
  });
});
