/**
 * A small RFC 4180 CSV parser: comma-separated fields, double-quoted fields that may hold commas,
 * line breaks and doubled quotes (`""`), rows ended by CRLF, LF or CR, and an optional UTF-8 BOM.
 * `CsvRowReader` reads text chunk by chunk (a stream); `parseCsv` reads a whole text with it.
 * `formatCsvRow` writes a row back in the same dialect.
 */
import { TagifaiError } from "../errors.js";

/** One parsed row: its fields, and the line of the file it starts on (1-based). */
export interface CsvRow {
  fields: string[];
  line: number;
}

/** A row that cannot be read: what is wrong, and the line of the file it is on (1-based). */
export interface CsvProblem {
  problem: string;
  line: number;
}

/** What the reader gives for each row: the row, or what is wrong with it. */
export type CsvItem = CsvRow | CsvProblem;

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Reads CSV text pushed in chunks of any size (a chunk may end inside a field, a quoted field or a
 * CRLF) and gives the complete rows as they end. Blank lines are skipped; a final line break is
 * optional. Strict where a guess could silently misread the data: a quote inside an unquoted field
 * and text after a closing quote make their row a problem (the reader then resumes at the next line
 * break), and so does a quoted field that is never closed (at the end) or a row longer than
 * `maxRowChars` (a runaway quote).
 */
export class CsvRowReader {
  #fields: string[] = [];
  #field = "";
  /** The current field was quoted (and closed): only a separator may follow. */
  #closed = false;
  #state: "field" | "quoted" | "quote" | "skip" = "field";
  #line = 1;
  #rowLine = 1;
  #openedOn = 1;
  #rowChars = 0;
  #afterCr = false;
  #started = false;
  #out: CsvItem[] = [];

  /** @param maxRowChars longest row accepted, in characters (default: no limit) */
  constructor(private readonly maxRowChars = Number.POSITIVE_INFINITY) {}

  /**
   * Read the next chunk of text.
   * @param text the chunk
   * @returns the rows (and problems) that ended in it, in order
   */
  push(text: string): CsvItem[] {
    let i = 0;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    while (i < text.length) i = this.#step(text, i);
    return this.#take();
  }

  /**
   * End the text: the last row, if it has no final line break, or the problem of a quoted field
   * never closed.
   * @returns the remaining rows (and problems)
   */
  end(): CsvItem[] {
    if (this.#state === "quoted") this.#fail(this.#openedOn, "a quoted field is never closed");
    else if (this.#state === "quote") this.#closed = true;
    if (this.#state !== "skip") this.#endRow();
    this.#state = "field";
    return this.#take();
  }

  #take(): CsvItem[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** Consume text from `i`; returns the index of the first character not consumed. */
  #step(text: string, i: number): number {
    const code = text.charCodeAt(i);
    const crlfTail = code === LF && this.#afterCr;
    this.#afterCr = code === CR;
    switch (this.#state) {
      case "skip":
        if ((code === LF && !crlfTail) || code === CR) this.#newLine(false);
        return i + 1;
      case "quote":
        if (code === QUOTE) {
          this.#append('"');
          this.#state = "quoted";
          return i + 1;
        }
        this.#closed = true;
        this.#state = "field";
        this.#afterCr = false;
        return this.#step(text, i);
      case "quoted": {
        if (code === QUOTE) {
          this.#state = "quote";
          return i + 1;
        }
        if (code === CR || code === LF) {
          if (!crlfTail) this.#line++;
          this.#append(text[i]);
          return i + 1;
        }
        const end = scanUntil(text, i + 1, (c) => c === QUOTE || c === CR || c === LF);
        this.#append(text.slice(i, end));
        return end;
      }
      case "field":
        if (code === COMMA) {
          this.#fields.push(this.#field);
          this.#field = "";
          this.#closed = false;
          return i + 1;
        }
        if (code === CR || code === LF) {
          if (!crlfTail) this.#newLine(true);
          return i + 1;
        }
        if (this.#closed) {
          this.#fail(this.#line, "text after a closing quote");
          return i;
        }
        if (code === QUOTE) {
          if (this.#field !== "") {
            this.#fail(
              this.#line,
              "a quote inside an unquoted field (quote the whole field and double the inner quotes)",
            );
            return i;
          }
          this.#state = "quoted";
          this.#openedOn = this.#line;
          return i + 1;
        }
        {
          const end = scanUntil(text, i + 1, (c) => c === QUOTE || c === COMMA || c === CR || c === LF);
          this.#append(text.slice(i, end));
          return end;
        }
    }
  }

  #append(piece: string): void {
    this.#field += piece;
    this.#rowChars += piece.length;
    if (this.#rowChars > this.maxRowChars)
      this.#fail(
        this.#state === "quoted" ? this.#openedOn : this.#rowLine,
        `a row longer than ${this.maxRowChars} characters (a quoted field never closed?)`,
      );
  }

  /** A line break: end the row (unless skipping a bad one) and count the line. */
  #newLine(endRow: boolean): void {
    if (endRow) this.#endRow();
    else this.#resetRow();
    this.#state = "field";
    this.#line++;
    this.#rowLine = this.#line;
  }

  #endRow(): void {
    const blank = this.#fields.length === 0 && this.#field === "" && !this.#closed;
    if (!blank) this.#out.push({ fields: [...this.#fields, this.#field], line: this.#rowLine });
    this.#resetRow();
  }

  #resetRow(): void {
    this.#fields = [];
    this.#field = "";
    this.#closed = false;
    this.#rowChars = 0;
  }

  /** Report the current row as a problem and skip the rest of its line. */
  #fail(line: number, problem: string): void {
    this.#out.push({ problem, line });
    this.#resetRow();
    this.#state = "skip";
  }
}

/** The index of the first character from `from` on that `stop` accepts, or the text's length. */
function scanUntil(text: string, from: number, stop: (code: number) => boolean): number {
  let i = from;
  while (i < text.length && !stop(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Whether a reader item is a problem rather than a row.
 * @param item what the reader gave
 */
export function isCsvProblem(item: CsvItem): item is CsvProblem {
  return "problem" in item;
}

/**
 * Parse CSV text (see `CsvRowReader`).
 * @param text the CSV text
 * @param source where it came from, named in errors
 * @returns the rows in order (the header, if any, is the first row)
 * @throws TagifaiError INVALID_DATA naming the source, the line and the problem of the first bad row
 */
export function parseCsv(text: string, source = "CSV text"): CsvRow[] {
  const reader = new CsvRowReader();
  const items = [...reader.push(text), ...reader.end()];
  const bad = items.find(isCsvProblem);
  if (bad) throw new TagifaiError("INVALID_DATA", `${source} line ${bad.line}: ${bad.problem}`);
  return items as CsvRow[];
}

/**
 * One CSV row as text, ending with a line break: a field holding a comma, a quote or a line break
 * is quoted, with its quotes doubled.
 * @param fields the row's fields
 */
export function formatCsvRow(fields: readonly string[]): string {
  return `${fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(",")}\n`;
}
