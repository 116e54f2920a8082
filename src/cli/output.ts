/**
 * What the CLI prints on stdout: pretty JSON (`--json`, and the commands that only print data) or a
 * table. Logs go to stderr (see config/config.ts).
 */
import { formatTable } from "../tagifai/tracking.js";

/** Help text of `--json` on a command whose only output is JSON (accepted for uniformity). */
export const JSON_ONLY = "print JSON (this command's only format)";

/**
 * Print a value as pretty JSON on stdout.
 * @param value any JSON-serializable value
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Print text on stdout, ending with a newline.
 * @param text the text
 */
export function printText(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/**
 * Print rows as an aligned table on stdout.
 * @param rows the rows
 * @param columns the columns, in order (default: the keys of the rows)
 */
export function printTable(rows: Record<string, unknown>[], columns?: string[]): void {
  printText(formatTable(rows, columns));
}
