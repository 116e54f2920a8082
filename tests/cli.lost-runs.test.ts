/**
 * A training process killed with SIGKILL (or a power loss) cannot end its run: the run's heartbeat
 * stops, and once it is older than the timeout every reader shows the run FAILED (reason: lost) —
 * on SQLite and on PostgreSQL. The half-written artifact folder it left (`.partial-<run id>-…`, in
 * stores/model/ or, for artifacts going to PostgreSQL, in stores/cache/) is removed by `tagifai gc`. The test prints how long it took from the kill to the first reader that
 * saw FAILED.
 */
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, test } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { openStore } from "../src/tagifai/tracking.js";
import { BACKENDS, type FreshStore } from "./fixtures/tracking/harness.js";
import { runCli, startCli } from "./helpers/cli.js";
import { DATASET_DIR } from "./helpers/trained-run.js";

const TIMEOUT_S = 2;
const base = JSON.parse(readFileSync(TEST_PARAMS_FP, "utf8")) as Record<string, unknown> & { cnn: unknown };
/** The test configuration as a linear model (without the CNN's section). */
const { cnn: _cnn, ...linear } = { ...base, model: "linear" };

describe.each(BACKENDS)("a run killed with SIGKILL on $name", (backend) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });

  test("reads FAILED (lost) once its heartbeat is older than the timeout; gc removes its partial folder", async () => {
    fresh = await backend.freshStore();
    const home = mkdtempSync(join(tmpdir(), "tagifai-lost-"));
    const paramsFp = join(home, "params.json");
    writeFileSync(paramsFp, JSON.stringify(linear));
    const env = {
      TAGIFAI_HOME: home,
      TAGIFAI_DATA_DIR: DATASET_DIR,
      TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S: String(TIMEOUT_S),
    };
    const cli = (args: string[]) => runCli(["--tracking-uri", fresh!.uri, ...args], env);
    // Paused while the artifact folder is half written: a kill now leaves a partial folder.
    const { child, output } = startCli(
      ["--tracking-uri", fresh.uri, "train-model", "--params-fp", paramsFp, "--experiment", "lost"],
      { ...env, TAGIFAI_TEST_PAUSE_AT: "artifacts", TAGIFAI_TEST_PAUSE_MS: "120000" },
    );
    const exited = once(child, "exit");
    await expect
      .poll(() => output.stderr, { timeout: 240_000, interval: 20 })
      .toMatch(/Pausing at artifacts/);
    const runId = /Run ID: ([0-9a-f]{32})/.exec(output.stderr)?.[1];
    expect(runId, output.stderr).toBeDefined();
    // The files are written into a partial folder of the store's staging place: the model folder,
    // or for the PostgreSQL artifact store (the default with PostgreSQL tracking) the local cache.
    const models = join(home, "stores", backend.name === "postgres" ? "cache" : "model");

    child.kill("SIGKILL");
    const killedAt = Date.now();
    await exited;
    expect(readdirSync(models)).toEqual([expect.stringMatching(new RegExp(`^\\.partial-${runId}-`))]);

    const store = await openStore(fresh.uri, { runHeartbeatTimeoutS: TIMEOUT_S });
    let lostAfterMs = -1;
    try {
      for (;;) {
        const run = await store.getRun(runId!);
        if (run.status !== "RUNNING") {
          lostAfterMs = Date.now() - killedAt;
          expect(run).toMatchObject({ status: "FAILED", endReason: "lost" });
          break;
        }
        expect(Date.now() - killedAt).toBeLessThan(TIMEOUT_S * 1000 + 30_000);
        await sleep(50);
      }
    } finally {
      await store.close();
    }
    console.log(`[${backend.name}] kill -9 → FAILED (lost) after ${lostAfterMs} ms (timeout ${TIMEOUT_S} s)`);
    expect(lostAfterMs).toBeLessThanOrEqual(TIMEOUT_S * 1000 + 30_000);

    const [run] = JSON.parse((await cli(["runs", "--experiment", "lost", "--json"])).stdout);
    expect(run).toMatchObject({ run_id: runId, status: "FAILED", end_reason: "lost" });
    expect(run.end_time).not.toBeNull();

    const dry = await cli(["gc", "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    const partial = join(models, readdirSync(models)[0]);
    expect(JSON.parse(dry.stdout)).toEqual({
      dry_run: true,
      removed: [{ path: partial, kind: "partial", run_id: runId, reason: "its run is FAILED" }],
    });
    expect(existsSync(partial)).toBe(true);
    const gc = await cli(["gc"]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain(`removed ${partial}`);
    expect(readdirSync(models)).toEqual([]);
    const again = await cli(["gc", "--json"]);
    expect(JSON.parse(again.stdout)).toEqual({ dry_run: false, removed: [] });
  }, 300_000);
});
