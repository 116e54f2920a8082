/**
 * Shared by the data-stage tests: the small fixture dataset, the reference dataset, temp folders.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A dozen projects and tags (tests/fixtures/data). */
export const FIXTURE_DIR = join(REPO_ROOT, "tests", "fixtures", "data");

/** The reference dataset (2032 projects, 400 tags). */
export const DATASET_DIR = resolve(REPO_ROOT, process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");

/** @returns a new empty temp folder */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tagifai-data-"));
}

/**
 * Run a function that must throw.
 * @returns what it threw (typically a TagifaiError: check `code` and `message`)
 */
export function thrownBy(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected the function to throw");
}

/**
 * Await a promise that must reject.
 * @returns what it rejected with (typically a TagifaiError: check `code` and `message`)
 */
export async function rejectedBy(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected the promise to reject");
}
