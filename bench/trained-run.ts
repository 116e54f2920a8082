/**
 * Benchmark helper: the run a benchmark measures — trained with a params file in the bench home
 * (`TAGIFAI_HOME`, default the temp folder `tagifai-bench`, shared by the benchmarks) the first
 * time, reused after.
 * Data: `TAGIFAI_DATA_DIR` (default ../shared/datasets).
 */
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { withStore } from "../src/tagifai/lifecycle.js";
import { trainModel } from "../src/tagifai/operations.js";

/**
 * Point the process at the bench home and the data folder.
 * @returns the tracking URI of the home
 */
export function benchHome(): string {
  process.env.TAGIFAI_HOME ??= join(tmpdir(), "tagifai-bench");
  process.env.TAGIFAI_DATA_DIR = resolve(process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");
  return `sqlite:${join(process.env.TAGIFAI_HOME, "stores", "tracking.db")}`;
}

/**
 * The newest run trained with a params file, trained now if there is none (the device must be set).
 * @param paramsFp the params file (the run's experiment is `bench-<its name>`)
 * @param trackingUri the home's tracking URI (see `benchHome`)
 * @returns the run id
 */
export async function benchRun(paramsFp: string, trackingUri: string): Promise<string> {
  const experimentName = `bench-${basename(paramsFp, ".json")}`;
  const existing = await withStore({ trackingUri }, (store) =>
    store.latestRun({ experimentName }).then(
      (run) => run.id,
      () => undefined,
    ),
  );
  return existing ?? (await trainModel({ paramsFp, trackingUri, experimentName })).runId!;
}
