/**
 * Test-only pause points. With `TAGIFAI_TEST_PAUSE_AT=<point>` the process logs
 * `Pausing at <point>` and then blocks synchronously for `TAGIFAI_TEST_PAUSE_MS` (default 2000) when
 * it reaches that point, so that a test can deliver a signal while synchronous work is in progress
 * (see tests/cli.signals.test.ts). Unset, a pause point costs one environment lookup.
 *
 * Points: `fit` (in `train`, right before the model family is fitted, i.e. inside the synchronous
 * stretch of a linear fit) and `artifacts` (in `saveArtifacts`, after the first files of the
 * artifact folder are written and before the model's files).
 */
import { logger } from "../config/config.js";

/** The pause points a test can choose. */
export type PausePoint = "fit" | "artifacts";

/**
 * Block synchronously for a while if the environment asks to pause at `point` (tests only).
 * @param point where the caller is
 */
export function pausePoint(point: PausePoint): void {
  if (process.env.TAGIFAI_TEST_PAUSE_AT !== point) return;
  const ms = Number(process.env.TAGIFAI_TEST_PAUSE_MS ?? 2000);
  logger.info(`Pausing at ${point} for ${ms} ms`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
