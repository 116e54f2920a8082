/**
 * A plain-text table for the terminal: a header, a dashed separator and one line per row, columns
 * aligned (numbers to the right). Fractions show 4 decimals; times show as "YYYY-MM-DD HH:MM".
 */

const COLUMN_GAP = "  ";
const MISSING = "-";
/** Numeric columns with these name endings hold epoch-millisecond times (`startTime`, `created_at`). */
const TIME_COLUMN = /(Time|At|_time|_at)$/;

/**
 * Render rows as an aligned plain-text table.
 * @param rows the rows; a missing, null or undefined value shows as "-"
 * @param columns which keys to show, in order (default: every key, in order of first appearance)
 * @returns the table, lines joined by "\n" (no trailing newline); "" if there are no columns
 */
export function formatTable(rows: Record<string, unknown>[], columns?: string[]): string {
  const keys = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (keys.length === 0) return "";
  const cells = rows.map((row) => keys.map((key) => formatCell(row[key], TIME_COLUMN.test(key))));
  const rightAligned = keys.map((key) => isNumberColumn(rows, key));
  const widths = keys.map((key, i) => Math.max(key.length, ...cells.map((line) => line[i].length)));
  const render = (line: string[]) =>
    line
      .map((text, i) => (rightAligned[i] ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join(COLUMN_GAP)
      .trimEnd();
  return [render(keys), render(widths.map((width) => "-".repeat(width))), ...cells.map(render)].join("\n");
}

/** A column of plain numbers (not times), with at least one value: aligned to the right. */
function isNumberColumn(rows: Record<string, unknown>[], key: string): boolean {
  if (TIME_COLUMN.test(key)) return false;
  const values = rows.map((row) => row[key]).filter((value) => value !== null && value !== undefined);
  return values.length > 0 && values.every((value) => typeof value === "number");
}

function formatCell(value: unknown, isTimeColumn: boolean): string {
  if (value === null || value === undefined) return MISSING;
  if (value instanceof Date) return formatTime(value);
  if (typeof value === "number") {
    if (isTimeColumn && Number.isFinite(value)) return formatTime(new Date(value));
    if (Number.isInteger(value)) return String(value);
    // Small values (learning rates, losses) keep three significant digits instead of rounding to 0.
    return Math.abs(value) < 0.01 ? value.toExponential(2) : value.toFixed(4);
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replace(/\s*\n\s*/g, " ");
}

function formatTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}
