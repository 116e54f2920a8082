/**
 * How the Inference page reads a batch: pasted lines, and CSV, JSONL and JSON files with the
 * default fields of `tagifai predict` (text, else title + description; id, else the position),
 * records without text skipped and named by line.
 */
import { describe, expect, it } from "vitest";
import { readBatchFile, readPastedLines } from "../src/dashboard/batch-input.js";

describe("batch input", () => {
  it("reads pasted lines, numbered by line, ignoring blank ones", () => {
    expect(readPastedLines("first text\n\n  second text \r\n")).toEqual({
      items: [
        { id: 1, text: "first text" },
        { id: 3, text: "second text" },
      ],
      skipped: [],
    });
  });

  it("reads a CSV with a header: id and title + description, a record without text skipped by line", () => {
    const csv = 'id,title,description\n7,"YOLO, fast",object detection\n8,,\n9,BERT,"text\nclassification"\n';
    expect(readBatchFile("projects.csv", csv)).toEqual({
      items: [
        { id: "7", text: "YOLO, fast object detection" },
        { id: "9", text: "BERT text\nclassification" },
      ],
      skipped: ['line 3: no text (a "text" field, or "title" and "description")'],
    });
  });

  it("reads JSONL (a broken line is skipped by number) and JSON, ids defaulting to the position", () => {
    const jsonl = '{"text": "one"}\nnot json\n{"title": "two", "id": "b"}\n';
    expect(readBatchFile("in.jsonl", jsonl)).toEqual({
      items: [
        { id: 0, text: "one" },
        { id: "b", text: "two" },
      ],
      skipped: ["line 2: not JSON"],
    });
    expect(readBatchFile("in.json", '[{"text": "a"}, {"title": 5}]')).toEqual({
      items: [{ id: 0, text: "a" }],
      skipped: ['record 1: no text (a "text" field, or "title" and "description")'],
    });
  });
});
