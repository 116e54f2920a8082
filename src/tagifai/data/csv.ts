/**
 * A small RFC 4180 CSV parser: comma-separated fields, double-quoted fields that may hold commas,
 * line breaks and doubled quotes (`""`), rows ended by CRLF, LF or CR, and an optional UTF-8 BOM.
 */
import { TagifaiError } from "../errors.js";

/** One parsed row: its fields, and the line of the file it starts on (1-based). */
export interface CsvRow {
  fields: string[];
  line: number;
}

/**
 * Parse CSV text. Blank lines are skipped; a final line break is optional. Strict where a guess
 * could silently misread the data: a quote inside an unquoted field, text after a closing quote and
 * an unterminated quoted field are errors.
 * @param text the CSV text
 * @param source where it came from, named in errors
 * @returns the rows in order (the header, if any, is the first row)
 * @throws TagifaiError INVALID_DATA naming the source, the line and the problem
 */
export function parseCsv(text: string, source = "CSV text"): CsvRow[] {
  const rows: CsvRow[] = [];
  const fail = (line: number, problem: string): never => {
    throw new TagifaiError("INVALID_DATA", `${source} line ${line}: ${problem}`);
  };
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endRow = (): void => {
    const blank = fields.length === 0 && field === "" && !quoted;
    if (!blank) rows.push({ fields: [...fields, field], line: rowLine });
    fields = [];
    field = "";
    quoted = false;
  };

  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      if (field !== "")
        fail(line, "a quote inside an unquoted field (quote the whole field and double the inner quotes)");
      const openedOn = line;
      for (i++; ; i++) {
        if (i >= text.length) fail(openedOn, "a quoted field is never closed");
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        } else if (isLineBreakEnd(text, i)) line++;
        field += text[i];
      }
      i++;
      quoted = true;
      if (i < text.length && !",\r\n".includes(text[i])) fail(line, "text after a closing quote");
    } else if (char === ",") {
      fields.push(field);
      field = "";
      quoted = false;
      i++;
    } else if (char === "\r" || char === "\n") {
      endRow();
      i += char === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      field += char;
      i++;
    }
  }
  endRow();
  return rows;
}

/** Whether the character at `i` ends a line: LF, or a CR not followed by LF. */
function isLineBreakEnd(text: string, i: number): boolean {
  return text[i] === "\n" || (text[i] === "\r" && text[i + 1] !== "\n");
}
