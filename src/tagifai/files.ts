/**
 * The one place Tagifai reads and writes files: bytes and JSON read with errors that name the file
 * and say what went wrong, and writes done atomically (temp file, then rename) so that an
 * interrupted write never leaves a half file behind.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type ErrorCode, TagifaiError } from "./errors.js";

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
 * @param codes the error code, or separate codes for a file that cannot be read and for one that
 *   is not JSON
 * @param hint optional advice appended to the "cannot read" message
 * @returns the parsed value (unvalidated: check it with a schema)
 * @throws TagifaiError `codes` (or `codes.missing` / `codes.invalid`)
 */
export function readJsonFile(
  filePath: string,
  codes: ErrorCode | { missing: ErrorCode; invalid: ErrorCode },
  hint = "",
): unknown {
  const { missing, invalid } = typeof codes === "string" ? { missing: codes, invalid: codes } : codes;
  return parseJsonText(readFileBytes(filePath, missing, hint).toString("utf8"), filePath, invalid);
}

/**
 * Read and parse a saved artifact (label encoder, tokenizer).
 * @param filePath the file
 * @returns the parsed value (unvalidated)
 * @throws TagifaiError INVALID_ARTIFACTS when it cannot be read or is not JSON
 */
export function readArtifactJson(filePath: string): unknown {
  return readJsonFile(filePath, "INVALID_ARTIFACTS");
}

/**
 * Write a value as pretty JSON, atomically (temp file, then rename), creating parent folders.
 * @param filePath the destination
 * @param value any JSON-serializable value
 */
export function saveJson(filePath: string, value: unknown): void {
  writeFileAtomic(filePath, jsonText(value));
}

/**
 * A value as the pretty JSON text `saveJson` writes.
 * @param value any JSON-serializable value
 * @returns the text, ending with a newline
 */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Write bytes or text atomically: a reader sees either the old file or the whole new one.
 * @param filePath the destination
 * @param data the content
 */
export function writeFileAtomic(filePath: string, data: string | Uint8Array): void {
  mkdirSync(dirname(filePath), { recursive: true });
  const tmp = `${filePath}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, filePath);
}

/**
 * SHA-256 of some bytes.
 * @param bytes the content
 * @returns the digest in hex
 */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
