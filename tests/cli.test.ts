import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { runCli } from "./helpers/cli.js";
import { DATASET_DIR } from "./helpers/trained-run.js";

/** One temp home shared by the tests of this file: data loaded and one run trained through the CLI. */
const home = mkdtempSync(join(tmpdir(), "tagifai-cli-"));
const env = { TAGIFAI_HOME: home, TAGIFAI_DATA_DIR: DATASET_DIR };
let runId = "";

describe("tagifai CLI", () => {
  beforeAll(async () => {
    const loaded = await runCli(["load-data"], env);
    expect(loaded.code, loaded.stderr).toBe(0);
    const trained = await runCli(["train-model", "--params-fp", TEST_PARAMS_FP, "--experiment", "cli"], env);
    expect(trained.code, trained.stderr).toBe(0);
    runId = JSON.parse(trained.stdout).run_id;
  }, 120_000);

  it("trains a run, logs epochs and prints its metrics", () => {
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(existsSync(join(home, "stores", "model", runId, "model.weights.bin"))).toBe(true);
  });

  it("trains end to end without saving anything on --test-run", async () => {
    const before = readdirSync(join(home, "stores", "model"));
    const result = await runCli(["train-model", "--params-fp", TEST_PARAMS_FP, "--test-run"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /Epoch: 1 \| train_loss: \d\.\d{5}, val_loss: \d\.\d{5}, lr: \d\.\d\dE-\d\d, _patience: \d+/,
    );
    const output = JSON.parse(result.stdout);
    expect(output.run_id).toBeNull();
    expect(output.overall.f1).toBeGreaterThanOrEqual(0);
    expect(readdirSync(join(home, "stores", "model"))).toEqual(before);
  });

  it("predicts tags with the newest run and with an explicit run id", async () => {
    const text = "Transfer learning with transformers for text classification using BERT";
    const newest = await runCli(["predict-tags", text], env);
    expect(newest.code, newest.stderr).toBe(0);
    const prediction = JSON.parse(newest.stdout);
    expect(prediction.input_text).toBe(text);
    expect(prediction.preprocessed_text).toBe(
      "transfer learning transformers text classification using bert",
    );
    expect(Array.isArray(prediction.predicted_tags)).toBe(true);
    const explicit = await runCli(["predict-tags", text, "--run-id", runId], env);
    expect(JSON.parse(explicit.stdout)).toEqual(prediction);
  });

  it("shows a run's params and performance", { timeout: 180_000 }, async () => {
    const params = JSON.parse((await runCli(["params", "--run-id", runId], env)).stdout);
    expect(params.threshold).toBeGreaterThan(0);
    expect(params.num_samples).toBeGreaterThan(0);
    const performance = JSON.parse((await runCli(["performance", "--run-id", runId], env)).stdout);
    expect(Object.keys(performance).sort()).toEqual([
      "class",
      "confident_mistakes",
      "overall",
      "pr_curves",
      "slices",
      "thresholds",
      "worst_classes",
    ]);
    const section = JSON.parse(
      (await runCli(["performance", "--run-id", runId, "--section", "overall"], env)).stdout,
    );
    expect(section).toEqual(performance.overall);
  });

  it("gives clear errors for bad input", { timeout: 180_000 }, async () => {
    const unknown = await runCli(["params", "--run-id", "0".repeat(32)], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/RUN_NOT_FOUND/);
    const traversal = await runCli(["params", "--run-id", "../../etc"], env);
    expect(traversal.code).toBe(2);
    expect(traversal.stderr).toMatch(/invalid run reference "\.\.\/\.\.\/etc"/);
    const empty = await runCli(["predict-tags", "   "], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty/);
    const badParams = join(home, "bad-params.json");
    writeFileSync(badParams, JSON.stringify({ seed: "x" }));
    const bad = await runCli(["train-model", "--params-fp", badParams], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/seed: expected number, got string "x"/);
  });
});
