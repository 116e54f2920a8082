/**
 * The files of an artifact folder as a store sees them: every regular file under it, by its path
 * relative to the folder with `/` separators (an ensemble keeps its members' files in subfolders).
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { ArtifactFile } from "../artifact-store.js";
import { TagifaiError } from "../errors.js";

/**
 * List the regular files under a folder, sorted by name.
 * @param dir the folder (it must exist)
 * @returns each file's relative name and size
 */
export function folderFiles(dir: string): ArtifactFile[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { name: relative(dir, path).split(sep).join("/"), bytes: statSync(path).size };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Check the name of a file inside a run's artifacts: a relative path without `.` or `..` parts.
 * @param name the candidate name
 * @returns the same name
 * @throws TagifaiError INVALID_INPUT naming it
 */
export function assertArtifactName(name: string): string {
  const parts = name.split("/");
  if (
    name === "" ||
    parts.some((part) => part === "" || part === "." || part === ".." || part.includes("\\"))
  ) {
    throw new TagifaiError("INVALID_INPUT", `invalid artifact file name ${JSON.stringify(name)}`);
  }
  return name;
}
