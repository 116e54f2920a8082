/**
 * Project-wide configuration: where things live, how we log, and the fixed vocabularies
 * (stopwords, excluded tags) that every stage of the pipeline shares.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import pretty from "pino-pretty";

/** Root of the installed package (holds `config/`), found from this file's location. */
export const PACKAGE_DIR = findPackageDir(dirname(fileURLToPath(import.meta.url)));

/** Folder with the packaged `params.json` and `test_params.json`. */
export const CONFIG_DIR = join(PACKAGE_DIR, "config");

/** The reference training configuration. */
export const DEFAULT_PARAMS_FP = join(CONFIG_DIR, "params.json");

/** A quick configuration for end-to-end checks (small subset, small model, one epoch). */
export const TEST_PARAMS_FP = join(CONFIG_DIR, "test_params.json");

/** Working folder for data and stores: `TAGIFAI_HOME`, or the current directory. */
export function homeDir(): string {
  return resolve(process.env.TAGIFAI_HOME ?? process.cwd());
}

/** Where the dataset and computed features are kept (`<home>/data`). */
export function dataDir(): string {
  return join(homeDir(), "data");
}

/** Where runs, models and the tracking database are kept (`<home>/stores`). */
export function storesDir(): string {
  return join(homeDir(), "stores");
}

/** Artifact folder of one run: `<home>/stores/model/<runId>`. */
export function modelDir(): string {
  return join(storesDir(), "model");
}

/**
 * Where artifacts fetched from a shared artifact store are cached: `<home>/stores/cache/<runId>`
 * (see `artifact-store/cache.ts`).
 */
export function cacheDir(): string {
  return join(storesDir(), "cache");
}

/** Tags that say nothing about a project's topic, so they are never predicted. */
export const EXCLUDED_TAGS: readonly string[] = [
  "machine-learning",
  "deep-learning",
  "data-science",
  "neural-networks",
  "python",
  "r",
  "visualization",
];

/** The log levels `TAGIFAI_LOG_LEVEL` may name. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * What is wrong with `TAGIFAI_LOG_LEVEL`, if anything (the logger then uses `info`; the CLI refuses
 * to start with this message, exit code 2).
 */
export const LOG_LEVEL_PROBLEM: string | undefined = logLevelProblem(process.env.TAGIFAI_LOG_LEVEL);

/**
 * The shared logger: leveled and timestamped lines on stderr (so command output on stdout stays
 * machine-readable), colored in a terminal; JSON lines with `TAGIFAI_LOG_FORMAT=json`. Level from
 * `TAGIFAI_LOG_LEVEL` (default `info`, also used when the variable names no level). Written
 * synchronously so log lines and progress bars never interleave.
 */
export const logger = pino(
  {
    level: LOG_LEVEL_PROBLEM === undefined ? (process.env.TAGIFAI_LOG_LEVEL ?? "info") : "info",
    base: undefined,
  },
  process.env.TAGIFAI_LOG_FORMAT === "json"
    ? pino.destination({ dest: 2, sync: true })
    : pretty({
        destination: 2,
        sync: true,
        colorize: Boolean(process.stderr.isTTY),
        translateTime: "SYS:yyyy-mm-dd HH:MM:ss",
        ignore: "pid,hostname",
      }),
);

/**
 * The installed package's version (from its package.json).
 * @returns e.g. "0.1.0"
 */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string }).version;
}

function logLevelProblem(level: string | undefined): string | undefined {
  if (level === undefined || (LOG_LEVELS as readonly string[]).includes(level)) return undefined;
  return `invalid TAGIFAI_LOG_LEVEL "${level}": expected one of ${LOG_LEVELS.join(", ")}`;
}

function findPackageDir(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}
