/**
 * Option value parsers of the CLI. A bad value is a usage error (exit code 2) whose message echoes
 * what the user typed and says what was expected, e.g. `invalid --limit "abc": expected a whole
 * number ≥ 1`.
 */
import { InvalidArgumentError } from "commander";
import { parseArtifactUri } from "../tagifai/artifact-store.js";
import { TagifaiError } from "../tagifai/errors.js";
import { parseRunReference } from "../tagifai/lifecycle.js";
import { parseTrackingUri } from "../tagifai/tracking/connection.js";

/**
 * A parser of whole numbers of at least `min`.
 * @param flag the option, for the message (e.g. `--limit`)
 * @param min the smallest value accepted
 */
export function wholeNumber(flag: string, min = 1): (value: string) => number {
  return (value) => {
    const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min)
      throw new InvalidArgumentError(`invalid ${flag} "${value}": expected a whole number ≥ ${min}`);
    return number;
  };
}

/**
 * A parser of positive numbers (e.g. seconds).
 * @param flag the option, for the message
 */
export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const number = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(number) || number <= 0)
      throw new InvalidArgumentError(`invalid ${flag} "${value}": expected a number > 0`);
    return number;
  };
}

/**
 * A parser of fractions: numbers from 0 to 1 (e.g. a pass rate).
 * @param flag the option, for the message
 */
export function fraction(flag: string): (value: string) => number {
  return (value) => {
    const number = value.trim() === "" ? Number.NaN : Number(value);
    if (!(number >= 0 && number <= 1))
      throw new InvalidArgumentError(`invalid ${flag} "${value}": expected a number from 0 to 1`);
    return number;
  };
}

/**
 * Parse `--port`: a TCP port, 0 (any free port) to 65535.
 * @param value what the user typed
 */
export function port(value: string): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number > 65535)
    throw new InvalidArgumentError(`invalid --port "${value}": expected a whole number from 0 to 65535`);
  return number;
}

/**
 * Parse `--tracking-uri`: check its form (`sqlite:PATH`, a file path or `postgresql://…`).
 * @param value what the user typed
 * @returns the URI, unchanged
 */
export function trackingUri(value: string): string {
  return rethrowAsUsage(() => parseTrackingUri(value), value);
}

/** The help of `--artifact-uri` (train-model, optimize). */
export const ARTIFACT_URI_HELP =
  "where the run's artifacts go: a folder or postgresql://… (default: TAGIFAI_ARTIFACT_URI, else the " +
  "tracking database when it is PostgreSQL, else stores/model)";

/**
 * Parse `--artifact-uri`: check its form (a folder, `file:PATH` or `postgresql://…`).
 * @param value what the user typed
 * @returns the URI, unchanged
 */
export function artifactUri(value: string): string {
  return rethrowAsUsage(() => parseArtifactUri(value), value);
}

/**
 * Parse `--run` (and its spellings): check the form of a run reference, e.g. a run id prefix of at
 * least 6 characters, `NAME@ALIAS` or `best:EXPERIMENT` (see `parseRunReference`).
 * @param value what the user typed
 * @returns the reference, unchanged
 */
export function runReference(value: string): string {
  return rethrowAsUsage(() => parseRunReference(value), value);
}

/** Run a library check of an option value; its TagifaiError becomes a usage error. */
function rethrowAsUsage(check: () => unknown, value: string): string {
  try {
    check();
  } catch (error) {
    if (error instanceof TagifaiError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return value;
}

/** How runs are ordered by a metric. */
export interface MetricOrder {
  metric: string;
  /** Lowest first (the `-` prefix). */
  ascending: boolean;
}

/**
 * Parse `--order-by [-]METRIC`: highest first, or lowest first with a leading `-`.
 * @param value what the user typed
 */
export function metricOrder(value: string): MetricOrder {
  const metric = value.replace(/^-/, "");
  if (!/^[A-Za-z0-9_.:/-]+$/.test(metric))
    throw new InvalidArgumentError(
      `invalid --order-by "${value}": expected a metric name, e.g. f1 or -val_loss`,
    );
  return { metric, ascending: value.startsWith("-") };
}
