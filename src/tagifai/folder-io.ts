/**
 * The Node side of `artifact-io.ts`: read and write a saved model's files in a local folder, with
 * the errors and atomic writes of `files.ts`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ArtifactReader, ArtifactWriter } from "./artifact-io.js";
import { readArtifactJson, readFileBytes, saveJson, writeFileAtomic } from "./files.js";

/**
 * Read a model's files from a folder.
 * @param dir the folder (error messages name the files' paths in it)
 * @returns the reader
 */
export function folderReader(dir: string): ArtifactReader {
  return {
    where: (name) => join(dir, name),
    has: async (name) => existsSync(join(dir, name)),
    json: async (name) => readArtifactJson(join(dir, name)),
    bytes: async (name) => readFileBytes(join(dir, name), "INVALID_ARTIFACTS"),
    folder: (name) => folderReader(join(dir, name)),
  };
}

/**
 * Write a model's files into a folder (created if needed), each file atomically.
 * @param dir the folder
 * @returns the writer
 */
export function folderWriter(dir: string): ArtifactWriter {
  return {
    json: (name, value) => saveJson(join(dir, name), value),
    bytes: (name, data) => writeFileAtomic(join(dir, name), data),
    folder: (name) => folderWriter(join(dir, name)),
  };
}
