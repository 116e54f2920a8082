/**
 * A dataset file read as a stream: the records of a CSV, JSON or JSONL input (a file or stdin)
 * given as they are read, chunk by chunk, so that memory stays flat however long the input is.
 * The formats are those of `readRawDataset` (dataset.ts): CSV with a header row (`CsvRowReader`),
 * a JSON array of records, one JSON record per non-blank JSONL line; a leading BOM is ignored. A
 * record that cannot be read is given as a problem with its line, and reading goes on; only a
 * broken header (CSV) or a JSON text that is not an array stops the stream.
 */
import { TagifaiError } from "../errors.js";
import { describeType } from "../schema.js";
import { CsvRowReader, isCsvProblem } from "./csv.js";
import type { DatasetFormat } from "./dataset.js";

/** One record as read (unvalidated), its position among the records (0-based) and its line. */
export interface StreamedRecord {
  value: unknown;
  index: number;
  line: number;
}

/** A record that cannot be read: what is wrong, its position among the records and its line. */
export interface StreamedProblem {
  problem: string;
  index: number;
  line: number;
}

/** What the stream gives for each record. */
export type StreamedItem = StreamedRecord | StreamedProblem;

/**
 * Whether a streamed item is a problem rather than a record.
 * @param item what the stream gave
 */
export function isStreamedProblem(item: StreamedItem): item is StreamedProblem {
  return "problem" in item;
}

/** A record or problem before it is numbered. */
type Unnumbered = Omit<StreamedRecord, "index"> | Omit<StreamedProblem, "index">;

/** A splitter of text chunks into raw records (their text or value) and problems. */
interface Splitter {
  push(text: string): Unnumbered[];
  end(): Unnumbered[];
}

/**
 * Read the records of a CSV, JSON or JSONL input as it streams in. Each chunk's records are given
 * together (one array per chunk read), so the consumer sets the pace: the input is read no faster
 * than the records are taken (backpressure).
 * @param input the bytes (a file or stdin stream)
 * @param format the input's format
 * @param options `source` names the input in errors; `maxRecordChars` bounds one record (a longer
 *   one is a problem, so a runaway quote or a line without breaks cannot fill memory)
 * @returns the records and problems, in input order, a chunk's worth at a time
 * @throws TagifaiError INVALID_DATA for a CSV header that cannot be read or has duplicate columns,
 *   or a JSON input that is not an array
 */
export async function* streamRecords(
  input: AsyncIterable<Uint8Array | string>,
  format: DatasetFormat,
  options: { source: string; maxRecordChars: number },
): AsyncGenerator<StreamedItem[]> {
  const decoder = new TextDecoder("utf-8");
  const splitter = makeSplitter(format, options);
  let index = 0;
  const numbered = (items: Unnumbered[]): StreamedItem[] =>
    items.map((item) => ({ ...item, index: index++ }) as StreamedItem);
  for await (const chunk of input) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const items = numbered(splitter.push(text));
    if (items.length > 0) yield items;
  }
  const items = numbered([...splitter.push(decoder.decode()), ...splitter.end()]);
  if (items.length > 0) yield items;
}

function makeSplitter(format: DatasetFormat, options: { source: string; maxRecordChars: number }): Splitter {
  if (format === "csv") return new CsvRecords(options.source, options.maxRecordChars);
  if (format === "jsonl") return new JsonlRecords(options.maxRecordChars);
  return new JsonArrayRecords(options.source, options.maxRecordChars);
}

/** CSV rows as records of their cells, named by the header row. */
class CsvRecords implements Splitter {
  readonly #reader: CsvRowReader;
  #columns: string[] | undefined;

  constructor(
    private readonly source: string,
    maxRecordChars: number,
  ) {
    this.#reader = new CsvRowReader(maxRecordChars);
  }

  push(text: string): Unnumbered[] {
    return this.#records(this.#reader.push(text));
  }

  end(): Unnumbered[] {
    return this.#records(this.#reader.end());
  }

  #records(items: ReturnType<CsvRowReader["push"]>): Unnumbered[] {
    const records: Unnumbered[] = [];
    for (const item of items) {
      if (this.#columns === undefined) {
        if (isCsvProblem(item))
          throw new TagifaiError("INVALID_DATA", `${this.source} line ${item.line}: ${item.problem}`);
        this.#columns = headerColumns(item.fields, this.source, item.line);
      } else if (isCsvProblem(item)) records.push(item);
      else if (item.fields.length > this.#columns.length)
        records.push({
          problem: `${item.fields.length} cells but the header names ${this.#columns.length} columns`,
          line: item.line,
        });
      else {
        const columns = this.#columns;
        records.push({
          value: Object.fromEntries(item.fields.map((cell, c) => [columns[c], cell])),
          line: item.line,
        });
      }
    }
    return records;
  }
}

/**
 * The records of a whole CSV text (see `streamRecords`), at once.
 * @param text the CSV text
 * @param source where it came from, named in errors
 * @returns each row as a record of its cells, and the line each starts on
 * @throws TagifaiError INVALID_DATA naming the source, the line and the problem of the first bad row
 */
export function readCsvText(
  text: string,
  source: string,
): { records: Record<string, unknown>[]; lines: number[] } {
  const splitter = new CsvRecords(source, Number.POSITIVE_INFINITY);
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  const take = (items: Unnumbered[]): void => {
    for (const item of items) {
      if ("problem" in item)
        throw new TagifaiError("INVALID_DATA", `${source} line ${item.line}: ${item.problem}`);
      records.push(item.value as Record<string, unknown>);
      lines.push(item.line);
    }
  };
  // Fed in slices (which share the text's memory, as the fields cut from them do), so that only a
  // slice's rows are held twice at a time: the whole text's rows at once doubled its peak memory.
  for (let start = 0; start < text.length; start += TEXT_SLICE_CHARS)
    take(splitter.push(text.slice(start, start + TEXT_SLICE_CHARS)));
  take(splitter.end());
  return { records, lines };
}

/** How much of a whole text `readCsvText` reads at a time. */
const TEXT_SLICE_CHARS = 1 << 20;

/** The column names of a CSV header row, trimmed; a duplicate column is an error. */
function headerColumns(fields: readonly string[], source: string, line: number): string[] {
  const columns = fields.map((name) => name.trim());
  const duplicate = columns.find((name, i) => columns.indexOf(name) !== i);
  if (duplicate !== undefined)
    throw new TagifaiError("INVALID_DATA", `${source} line ${line}: duplicate column "${duplicate}"`);
  return columns;
}

/** One JSON record per non-blank line (lines end with LF or CRLF). */
class JsonlRecords implements Splitter {
  #pending = "";
  #line = 1;
  #started = false;
  /** The current line is over the length bound: its remainder is dropped, and it is one problem. */
  #overlong = false;

  constructor(private readonly maxRecordChars: number) {}

  push(text: string): Unnumbered[] {
    let chunk = text;
    if (!this.#started && chunk.length > 0) {
      this.#started = true;
      chunk = chunk.replace(/^\uFEFF/, "");
    }
    const records: Unnumbered[] = [];
    let start = 0;
    for (let end = chunk.indexOf("\n"); end >= 0; end = chunk.indexOf("\n", start)) {
      this.#add(chunk.slice(start, end));
      this.#endLine(records);
      start = end + 1;
    }
    this.#add(chunk.slice(start));
    return records;
  }

  end(): Unnumbered[] {
    const records: Unnumbered[] = [];
    this.#endLine(records);
    return records;
  }

  #add(piece: string): void {
    if (this.#overlong) return;
    this.#pending += piece;
    if (this.#pending.length > this.maxRecordChars) {
      this.#overlong = true;
      this.#pending = "";
    }
  }

  #endLine(records: Unnumbered[]): void {
    const content = this.#pending;
    const line = this.#line++;
    this.#pending = "";
    if (this.#overlong) {
      this.#overlong = false;
      records.push({ problem: `a line longer than ${this.maxRecordChars} characters`, line });
    } else if (content.trim() !== "") records.push(parseJsonRecord(content, line));
  }
}

/** A record from its JSON text, or the parser's complaint. */
function parseJsonRecord(content: string, line: number): Unnumbered {
  try {
    return { value: JSON.parse(content) as unknown, line };
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message}`, line };
  }
}

/**
 * The elements of a JSON array, cut at the array's own commas (outside strings and nested values)
 * and parsed one by one; each is located by the line its text starts on.
 */
class JsonArrayRecords implements Splitter {
  #state: "before" | "between" | "element" | "after" | "trailing" = "before";
  #depth = 0;
  #inString = false;
  #escaped = false;
  #element = "";
  #elementLine = 1;
  #line = 1;

  constructor(
    private readonly source: string,
    private readonly maxRecordChars: number,
  ) {}

  push(text: string): Unnumbered[] {
    const records: Unnumbered[] = [];
    for (const char of text) {
      this.#char(char, records);
      if (char === "\n") this.#line++;
    }
    return records;
  }

  end(): Unnumbered[] {
    if (this.#state === "before")
      throw new TagifaiError("INVALID_DATA", `${this.source}: expected an array of records, got nothing`);
    if (this.#state === "after" || this.#state === "trailing") return [];
    return [{ problem: "the array is never closed (a truncated file?)", line: this.#elementLine }];
  }

  #char(char: string, records: Unnumbered[]): void {
    const blank = /\s/.test(char) || char === "\uFEFF";
    if (this.#state === "trailing") return;
    if (this.#state === "before") {
      if (blank) return;
      if (char !== "[")
        throw new TagifaiError(
          "INVALID_DATA",
          `${this.source} line ${this.#line}: expected an array of records, got ${describeType(char === "{" ? {} : char)}`,
        );
      this.#state = "between";
    } else if (this.#state === "after") {
      if (blank) return;
      records.push({ problem: "text after the end of the array", line: this.#line });
      this.#state = "trailing";
    } else if (this.#state === "between") {
      if (blank || char === ",") return;
      if (char === "]") {
        this.#state = "after";
        return;
      }
      this.#state = "element";
      this.#elementLine = this.#line;
      this.#element = "";
      this.#elementChar(char, records);
    } else this.#elementChar(char, records);
  }

  #elementChar(char: string, records: Unnumbered[]): void {
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (char === "\\") this.#escaped = true;
      else if (char === '"') this.#inString = false;
    } else if (char === '"') this.#inString = true;
    else if (char === "{" || char === "[") this.#depth++;
    else if (char === "}" || char === "]" || char === ",") {
      if (this.#depth === 0) {
        records.push(parseJsonRecord(this.#element, this.#elementLine));
        this.#state = char === "]" ? "after" : "between";
        return;
      }
      if (char !== ",") this.#depth--;
    }
    this.#element += char;
    if (this.#element.length > this.maxRecordChars) {
      records.push({
        problem: `a record longer than ${this.maxRecordChars} characters`,
        line: this.#elementLine,
      });
      this.#state = "between";
      this.#depth = 0;
      this.#inString = false;
    }
  }
}
