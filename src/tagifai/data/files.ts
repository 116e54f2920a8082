/**
 * Reading files and parsing JSON with errors that name the file and say what went wrong.
 */
import { readFileSync } from "node:fs";
import { type ErrorCode, TagifaiError } from "../errors.js";

/**
 * Read a file's bytes.
 * @param filePath the file
 * @param code the error code when it cannot be read
 * @param hint optional advice appended to the error message
 * @returns the content
 * @throws TagifaiError `code`, naming the file and the reason ("not found" or the system error)
 */
export function readFileBytes(filePath: string, code: ErrorCode, hint = ""): Buffer {
  try {
    return readFileSync(filePath);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (error as Error).message;
    throw new TagifaiError(code, `Cannot read ${filePath}: ${reason}${hint ? `. ${hint}` : ""}`, {
      cause: error,
    });
  }
}

/**
 * Parse JSON text.
 * @param text the text
 * @param source where it came from, named in the error
 * @param code the error code when it is not JSON
 * @returns the parsed value (unvalidated)
 * @throws TagifaiError `code`, naming the source and the parser's complaint
 */
export function parseJsonText(text: string, source: string, code: ErrorCode): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TagifaiError(code, `${source} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Read and parse a JSON file.
 * @param filePath the file
 * @param codes error codes for a file that cannot be read and for one that is not JSON
 * @param hint optional advice appended to the "cannot read" message
 * @returns the parsed value (unvalidated)
 * @throws TagifaiError `codes.missing` or `codes.invalid`
 */
export function readJsonFile(
  filePath: string,
  codes: { missing: ErrorCode; invalid: ErrorCode },
  hint = "",
): unknown {
  return parseJsonText(
    readFileBytes(filePath, codes.missing, hint).toString("utf8"),
    filePath,
    codes.invalid,
  );
}

/**
 * Read and parse a saved artifact (label encoder, tokenizer).
 * @param filePath the file
 * @returns the parsed value (unvalidated)
 * @throws TagifaiError INVALID_ARTIFACTS when it cannot be read or is not JSON
 */
export function readArtifactJson(filePath: string): unknown {
  return readJsonFile(filePath, { missing: "INVALID_ARTIFACTS", invalid: "INVALID_ARTIFACTS" });
}
