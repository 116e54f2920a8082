/**
 * Getting the dataset: from a local copy or by download (pinned URL + sha256), validated before
 * anything is written, and written atomically; then reading it back, validated.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { logger } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import { parseJsonText, readFileBytes, readJsonFile, sha256, writeFileAtomic } from "../files.js";
import { type Project, type Tag, validateProjects, validateTags } from "./record-schemas.js";

const DATASET_BASE_URL =
  "https://raw.githubusercontent.com/GokuMohandas/Made-With-ML/07389b7750ba14336fdaef89eaf1babbbee0a3d7/datasets";

/** How long one file's download may take before it is abandoned. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** The dataset's two files: name in the data folder, pinned source URL and expected sha256. */
export const DATASET_FILES = {
  projects: {
    fileName: "projects.json",
    url: `${DATASET_BASE_URL}/projects.json`,
    sha256: "6e2db7baf8b830fcb5340df589b65b96cda9a8ea2a56a765c89ba6f7dba15b4a",
  },
  tags: {
    fileName: "tags.json",
    url: `${DATASET_BASE_URL}/tags.json`,
    sha256: "609171cd43a6466b7a2aa82bd25fc5a55755d5ba6e52e0981f81f7c73ee4e9aa",
  },
} as const;

type DatasetFile = (typeof DATASET_FILES)[keyof typeof DATASET_FILES];

const LOCAL_COPY_HINT =
  "To use a local copy instead, pass --data-dir DIR or set TAGIFAI_DATA_DIR=DIR " +
  `(a folder holding ${DATASET_FILES.projects.fileName} and ${DATASET_FILES.tags.fileName})`;

/**
 * Put the dataset's files into a data folder. The source is `options.sourceDir`, else
 * `TAGIFAI_DATA_DIR` (an empty value counts as unset): both files are copied from it. Without a
 * source they are downloaded from their pinned URLs. Either way the bytes are checked against the
 * pinned sha256: a download that differs is refused; so is a local copy that differs, unless
 * `allowModified` (then it is used, with a warning naming the file). Both files are validated
 * before anything is written, and each is written atomically, so a failed load never leaves a
 * partial or invalid file in `destDir`.
 * @param destDir the data folder to fill (created if needed)
 * @param options `sourceDir`: a folder with a local copy; `allowModified`: accept a local copy
 *   that differs from the pinned dataset; `fetch`: the fetch to download with
 * @returns `source`: the folder copied from, or the URL folder downloaded from
 * @throws TagifaiError DATA_NOT_FOUND (local folder or file missing), DOWNLOAD_FAILED (network or
 *   HTTP error), CHECKSUM_MISMATCH (bytes differ from the pinned ones), INVALID_DATA
 */
export async function loadData(
  destDir: string,
  options: { sourceDir?: string; allowModified?: boolean; fetch?: typeof fetch } = {},
): Promise<{ source: string }> {
  const sourceDir = options.sourceDir || process.env.TAGIFAI_DATA_DIR;
  const files = [DATASET_FILES.projects, DATASET_FILES.tags];
  const source = sourceDir ? resolve(sourceDir) : DATASET_BASE_URL;
  const locations = files.map((file) => (sourceDir ? join(source, file.fileName) : file.url));
  const [projects, tags] = sourceDir
    ? readLocalCopy(source, locations).map((bytes, i) =>
        checkLocalCopy(bytes, files[i], locations[i], options.allowModified === true),
      )
    : await Promise.all(files.map((file) => downloadFile(file, options.fetch ?? fetch)));
  validateProjects(parseJsonBytes(projects, locations[0]), locations[0]);
  validateTags(parseJsonBytes(tags, locations[1]), locations[1]);
  writeFileAtomic(join(destDir, DATASET_FILES.projects.fileName), projects);
  writeFileAtomic(join(destDir, DATASET_FILES.tags.fileName), tags);
  logger.debug({ source, destDir }, "Loaded the dataset");
  return { source };
}

/**
 * Read and validate the projects of a data folder.
 * @param dataDir the folder holding `projects.json`
 * @returns the projects
 * @throws TagifaiError DATA_NOT_FOUND (with a hint to run `tagifai load-data`), INVALID_DATA
 */
export function loadProjects(dataDir: string): Project[] {
  const filePath = join(dataDir, DATASET_FILES.projects.fileName);
  return validateProjects(readDataFile(filePath), filePath);
}

/**
 * Read and validate the tags of a data folder.
 * @param dataDir the folder holding `tags.json`
 * @returns the tags
 * @throws TagifaiError DATA_NOT_FOUND (with a hint to run `tagifai load-data`), INVALID_DATA
 */
export function loadTags(dataDir: string): Tag[] {
  const filePath = join(dataDir, DATASET_FILES.tags.fileName);
  return validateTags(readDataFile(filePath), filePath);
}

function readDataFile(filePath: string): unknown {
  return readJsonFile(
    filePath,
    { missing: "DATA_NOT_FOUND", invalid: "INVALID_DATA" },
    "Run `tagifai load-data` first",
  );
}

function readLocalCopy(sourceDir: string, filePaths: string[]): Uint8Array[] {
  if (!existsSync(sourceDir))
    throw new TagifaiError("DATA_NOT_FOUND", `Local dataset folder ${sourceDir} does not exist`);
  return filePaths.map((filePath) => readFileBytes(filePath, "DATA_NOT_FOUND"));
}

async function downloadFile(file: DatasetFile, fetchFn: typeof fetch): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const response = await fetchFn(file.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new TagifaiError(
      "DOWNLOAD_FAILED",
      `Cannot download ${file.fileName} from ${file.url}: ${describeFailure(error)}. ${LOCAL_COPY_HINT}`,
      { cause: error },
    );
  }
  const actual = sha256(bytes);
  if (actual !== file.sha256)
    throw new TagifaiError(
      "CHECKSUM_MISMATCH",
      `Downloaded ${file.fileName} has sha256 ${actual}, expected ${file.sha256}`,
    );
  return bytes;
}

/** A local copy must be the pinned file, unless a modified copy is allowed (then it is named in a warning). */
function checkLocalCopy(
  bytes: Uint8Array,
  file: DatasetFile,
  location: string,
  allowModified: boolean,
): Uint8Array {
  const actual = sha256(bytes);
  if (actual === file.sha256) return bytes;
  const differs = `${location} has sha256 ${actual}, expected ${file.sha256}: it differs from the pinned dataset`;
  if (!allowModified)
    throw new TagifaiError(
      "CHECKSUM_MISMATCH",
      `${differs}. To train on a modified copy anyway, run \`tagifai load-data --data-dir DIR --allow-modified\``,
    );
  logger.warn(`${differs} (--allow-modified): results are not comparable with the reference dataset's`);
  return bytes;
}

/** Node's fetch reports "fetch failed" and keeps the real reason (DNS, refused, ...) in `cause`. */
function describeFailure(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as Error).cause;
  return cause instanceof Error ? `${message} (${cause.message})` : message;
}

function parseJsonBytes(bytes: Uint8Array, source: string): unknown {
  return parseJsonText(new TextDecoder().decode(bytes), source, "INVALID_DATA");
}
