/**
 * The texts of a batch on the Inference page, read in the browser: pasted lines (one project a line,
 * ids from 1), or a dropped CSV, JSONL or JSON file read the way `tagifai predict` reads one with its
 * default fields — the text is `text` if a record has it, else `title` and `description` joined by a
 * space; the id is `id` if present, else the record's position from 0. A record without text is
 * skipped and named by its line (CSV, JSONL) or index (JSON).
 */
import { parseCsv } from "../tagifai/data/csv.js";

/** One text to predict, with the id its prediction is written under. */
export interface BatchItem {
  id: string | number;
  text: string;
}

/** What was read: the items, and the records skipped (with why). */
export interface BatchInput {
  items: BatchItem[];
  skipped: string[];
}

/**
 * Pasted texts, one a line; blank lines are ignored.
 * @param text what was pasted
 * @returns the items, numbered by line
 */
export function readPastedLines(text: string): BatchInput {
  const items = text
    .split(/\r\n|\r|\n/)
    .map((line, index) => ({ id: index + 1, text: line.trim() }))
    .filter((item) => item.text !== "");
  return { items, skipped: [] };
}

/**
 * A file's records (by its extension: `.csv`, `.jsonl`, else JSON).
 * @param name the file's name
 * @param content its text
 * @returns the items and the skipped records
 * @throws TagifaiError INVALID_DATA for a CSV that cannot be parsed; SyntaxError for broken JSON
 */
export function readBatchFile(name: string, content: string): BatchInput {
  const extension = name.toLowerCase().split(".").pop();
  if (extension === "csv") return fromCsv(name, content);
  if (extension === "jsonl" || extension === "ndjson") return fromJsonLines(content);
  const parsed: unknown = JSON.parse(content);
  const records = Array.isArray(parsed) ? parsed : [parsed];
  return collect(records.map((record, index) => ({ record, where: `record ${index}`, position: index })));
}

function fromCsv(name: string, content: string): BatchInput {
  const [header, ...rows] = parseCsv(content, name);
  if (header === undefined) return { items: [], skipped: [] };
  return collect(
    rows.map((row, index) => ({
      record: Object.fromEntries(header.fields.map((field, i) => [field.trim(), row.fields[i]])),
      where: `line ${row.line}`,
      position: index,
    })),
  );
}

function fromJsonLines(content: string): BatchInput {
  const lines = content.split(/\r\n|\r|\n/).map((line, index) => ({ line: line.trim(), number: index + 1 }));
  const skipped: string[] = [];
  const records = [];
  for (const { line, number } of lines.filter(({ line }) => line !== "")) {
    try {
      records.push({
        record: JSON.parse(line) as unknown,
        where: `line ${number}`,
        position: records.length,
      });
    } catch {
      skipped.push(`line ${number}: not JSON`);
    }
  }
  const read = collect(records);
  return { items: read.items, skipped: [...skipped, ...read.skipped] };
}

function collect(records: { record: unknown; where: string; position: number }[]): BatchInput {
  const items: BatchItem[] = [];
  const skipped: string[] = [];
  for (const { record, where, position } of records) {
    const text = textOf(record);
    if (text === "") {
      skipped.push(`${where}: no text (a "text" field, or "title" and "description")`);
      continue;
    }
    const id = (record as Record<string, unknown>).id;
    items.push({ id: typeof id === "string" || typeof id === "number" ? id : position, text });
  }
  return { items, skipped };
}

function textOf(record: unknown): string {
  if (typeof record !== "object" || record === null) return "";
  const { text, title, description } = record as Record<string, unknown>;
  if (typeof text === "string") return text.trim();
  return [title, description]
    .filter((part): part is string => typeof part === "string")
    .join(" ")
    .trim();
}
