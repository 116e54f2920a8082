import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { optimize } from "../src/tagifai/optimize.js";
import { loadParams, parseParams, setParams } from "../src/tagifai/params.js";
import { openStore } from "../src/tagifai/tracking.js";
import { runCli } from "./helpers/cli.js";
import { withCnn } from "./helpers/params.js";
import { DATASET_DIR } from "./helpers/trained-run.js";

/**
 * A small space so that each trial trains in about a second; the original's flat names and the
 * nested params' dotted paths side by side.
 */
const SMALL_SPACE = {
  embedding_dim: { type: "int", low: 16, high: 32 },
  num_filters: { type: "int", low: 8, high: 16 },
  hidden_dim: { type: "int", low: 8, high: 16 },
  dropout_p: { type: "float", low: 0.3, high: 0.8 },
  "cnn.lr": { type: "float", low: 5e-4, high: 5e-3, log: true },
};

describe("tagifai optimize", () => {
  it("runs a study on the reference data, logs each trial as a run, stores the best params with the study, writes them only to --write-params, refuses other base params", async () => {
    const home = mkdtempSync(join(tmpdir(), "tagifai-optimize-"));
    const paramsFp = join(home, "params.json");
    const spaceFp = join(home, "space.json");
    const base = withCnn(loadParams(TEST_PARAMS_FP), { num_epochs: 2, patience: 2 });
    writeFileSync(paramsFp, JSON.stringify(base));
    const original = readFileSync(paramsFp, "utf8");
    writeFileSync(spaceFp, JSON.stringify(SMALL_SPACE));
    const env = { TAGIFAI_HOME: home, TAGIFAI_DATA_DIR: DATASET_DIR };
    const args = ["optimize", "--params-fp", paramsFp, "--search-space", spaceFp, "--experiment", "e2e"];

    const result = await runCli([...args, "--num-trials", "3"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /Trial 2 (COMPLETE|PRUNED).* \| 3\/3 trials done \| best \d\.\d{5} \(trial \d\)/,
    );
    // Trials are chosen by validation F1; the test F1 is reported beside it, never used to choose.
    expect(result.stdout).toContain("Best value (validation f1)");
    expect(result.stdout).not.toContain("test f1)");
    // The base params file is never written to; the best params are stored with the study.
    expect(readFileSync(paramsFp, "utf8")).toBe(original);
    expect(result.stdout).toContain(
      'stored with study "e2e" (write them to a file with --write-params FILE)',
    );

    const store = await openStore(`sqlite:${join(home, "stores", "tracking.db")}`);
    try {
      const trials = await store.listTrials((await store.getStudy("e2e")).id);
      expect(trials.map((t) => t.number)).toEqual([0, 1, 2]);
      const best = trials
        .filter((t) => t.state === "COMPLETE")
        .reduce((a, b) => (b.value! > a.value! ? b : a));
      const expected = parseParams(setParams(base, { ...best.params, threshold: best.attrs.threshold }));
      expect(expected.threshold).not.toBe(0.5);
      const shown = await runCli(["study", "--experiment", "e2e"], env);
      expect(shown.code, shown.stderr).toBe(0);
      const view = JSON.parse(shown.stdout);
      expect(view.best_params).toEqual(expected);
      expect(view.base_params).toMatchObject({ source: paramsFp, params: base });
      expect(view.base_params.sha256).toMatch(/^[0-9a-f]{64}$/);

      const run = await store.getRun(best.runId!);
      expect(run).toMatchObject({
        experimentName: "e2e",
        status: "FINISHED",
        tags: { study: "e2e", trial: String(best.number), state: "COMPLETE" },
      });
      expect(best.attrs.objective).toBe("validation F1");
      for (const trial of trials.filter((t) => t.state === "COMPLETE")) {
        const { metrics } = await store.getRun(trial.runId!);
        expect(trial.value).toBe(metrics.val_f1);
        expect(trial.attrs.test_f1).toBe(metrics.f1);
        expect(metrics.val_precision).toBeGreaterThan(0);
        expect(metrics.val_recall).toBeGreaterThan(0);
      }
      expect(run.params.threshold).toBe(best.attrs.threshold);
      expect((await store.getMetricHistory(run.id, "val_loss")).map((p) => p.step)).toEqual([1, 2]);
      expect((await store.getMetricHistory(run.id, "epoch_val_f1")).map((p) => p.step)).toEqual([1, 2]);
      expect((await store.getMetricHistory(run.id, "val_f1")).map((p) => p.step)).toEqual([0]);
      expect(existsSync(join(run.artifactUri, "params.json"))).toBe(true);

      // Resuming the study from other base params (another file, another threshold) is refused
      // before any trial, naming both, and writes nothing.
      const otherFp = join(home, "other.json");
      writeFileSync(otherFp, JSON.stringify({ ...base, threshold: 0.117 }));
      const outFp = join(home, "best.json");
      const refused = await runCli(
        [
          ...args.map((arg) => (arg === paramsFp ? otherFp : arg)),
          "--num-trials",
          "5",
          "--write-params",
          outFp,
        ],
        env,
      );
      expect(refused.code).toBe(1);
      for (const part of ['study "e2e"', paramsFp, otherFp, view.base_params.sha256.slice(0, 12)])
        expect(refused.stderr).toContain(part);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(outFp)).toBe(false);
      expect((await store.listTrials((await store.getStudy("e2e")).id)).length).toBe(3);

      // Resuming the study to 5 trials with a second worker process (started from the worker
      // entry) trains two more trials; --write-params writes the best params there, only there.
      const resumed = await runCli(
        [...args, "--num-trials", "5", "--workers", "2", "--write-params", outFp],
        env,
      );
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`written to ${outFp}`);
      expect(resumed.stderr).toMatch(/\[worker 2\] .*Saved \d+ features/);
      expect(resumed.stderr).not.toMatch(/Worker 2 (exited|could not start)/);
      expect(readFileSync(paramsFp, "utf8")).toBe(original);
      const study = await store.getStudy("e2e");
      expect(loadParams(outFp)).toEqual(study.bestParams);
      expect((await store.listTrials(study.id)).map((t) => t.number)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await store.close();
    }
  }, 300_000);

  it("refuses a search space over a key that is not a param, and a bad trial count, before any work", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tagifai-space-"));
    const spaceFp = join(dir, "space.json");
    writeFileSync(spaceFp, JSON.stringify({ ...SMALL_SPACE, momentum: { type: "float", low: 0, high: 1 } }));
    await expect(optimize({ paramsFp: TEST_PARAMS_FP, searchSpaceFp: spaceFp })).rejects.toMatchObject({
      code: "INVALID_PARAMS",
      message: expect.stringContaining('"momentum"'),
    });
    await expect(optimize({ paramsFp: TEST_PARAMS_FP, numTrials: 0 })).rejects.toMatchObject({
      code: "STUDY_ERROR",
      message: expect.stringContaining("number of trials 0"),
    });
  });
});
