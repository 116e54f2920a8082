/**
 * Benchmark helper: the run a benchmark measures — trained with a params file in a bench home
 * (`TAGIFAI_HOME`, default a temp folder named after the benchmark) the first time, reused after.
 * Data: `TAGIFAI_DATA_DIR` (default ../shared/datasets).
 */
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { withStore } from "../src/tagifai/lifecycle.js";
import { trainModel } from "../src/tagifai/operations.js";

/**
 * Point the process at the benchmark's home and data folders.
 * @param bench the benchmark's name, e.g. `serve`
 * @returns the tracking URI of the home
 */
export function benchHome(bench: string): string {
  process.env.TAGIFAI_HOME ??= join(tmpdir(), `tagifai-bench-${bench}`);
  process.env.TAGIFAI_DATA_DIR = resolve(process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");
  return `sqlite:${join(process.env.TAGIFAI_HOME, "stores", "tracking.db")}`;
}

/**
 * The newest run trained with a params file, trained now if there is none (the device must be set).
 * @param bench the benchmark's name (the experiment is `bench-<bench>-<params file name>`)
 * @param paramsFp the params file
 * @param trackingUri the home's tracking URI (see `benchHome`)
 * @returns the run id
 */
export async function benchRun(bench: string, paramsFp: string, trackingUri: string): Promise<string> {
  const experimentName = `bench-${bench}-${basename(paramsFp, ".json")}`;
  const existing = await withStore({ trackingUri }, (store) =>
    store.latestRun({ experimentName }).then(
      (run) => run.id,
      () => undefined,
    ),
  );
  return existing ?? (await trainModel({ paramsFp, trackingUri, experimentName })).runId!;
}
