/**
 * Checks on every identifier and value a caller hands to the tracking store, done before any
 * query or file-system use. Run ids in particular become folder names, so they must be plain hex.
 */
import { randomUUID } from "node:crypto";
import { TagifaiError } from "../errors.js";

const RUN_ID = /^[0-9a-f]{32}$/;
const REGISTRY_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_EXPERIMENT_NAME_LENGTH = 200;

/** A fresh run or experiment id: a random UUID without its dashes (32 lowercase hex characters). */
export function newId(): string {
  return randomUUID().replaceAll("-", "");
}

/**
 * Check that a value is a well-formed run id (32 lowercase hex characters), so it is safe to use
 * in queries and as a folder name.
 * @param id the candidate run id
 * @returns the same id
 * @throws TagifaiError INVALID_RUN_ID showing the bad id
 */
export function assertRunId(id: string): string {
  if (typeof id !== "string" || !RUN_ID.test(id)) {
    throw new TagifaiError(
      "INVALID_RUN_ID",
      `invalid run id ${JSON.stringify(id)}: expected 32 lowercase hex characters`,
    );
  }
  return id;
}

/**
 * Check a model or alias name: 1–100 letters, digits, `_`, `.` or `-`.
 * @param name the candidate name
 * @param what what the name is for ("model name", "alias"), for the message
 * @returns the same name
 * @throws TagifaiError INVALID_INPUT naming the bad value
 */
export function assertRegistryName(name: string, what: string): string {
  if (typeof name !== "string" || !REGISTRY_NAME.test(name)) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `invalid ${what} ${JSON.stringify(name)}: use 1-100 letters, digits, "_", "." or "-"`,
    );
  }
  return name;
}

/**
 * Check an experiment name: non-blank, at most 200 characters.
 * @param name the candidate name
 * @returns the same name
 * @throws TagifaiError INVALID_INPUT naming the bad value
 */
export function assertExperimentName(name: string): string {
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `invalid experiment name ${JSON.stringify(name)}: use 1-${MAX_EXPERIMENT_NAME_LENGTH} characters`,
    );
  }
  return name;
}

/**
 * Check a positive whole number (a model version, a row limit).
 * @param value the candidate
 * @param what what it is, for the message
 * @returns the same number
 * @throws TagifaiError INVALID_INPUT naming the bad value
 */
export function assertPositiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TagifaiError("INVALID_INPUT", `invalid ${what} ${String(value)}: expected a whole number ≥ 1`);
  }
  return value;
}
