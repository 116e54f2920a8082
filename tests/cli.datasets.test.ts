/**
 * The CLI on data and model checks: `validate-data` on a corrupted copy of the dataset (and training
 * refusing it), `test-model` storing its report in the run's performance, and a bring-your-own CSV
 * (one label per row) trained, evaluated on a holdout and used to predict.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { BYO_CNN_OVERRIDES, BYO_DIR, BYO_TRAIN_OVERRIDES } from "./helpers/byo.js";
import { runCli } from "./helpers/cli.js";
import { DATASET_DIR } from "./helpers/trained-run.js";

const testParams = JSON.parse(readFileSync(TEST_PARAMS_FP, "utf8"));

/** A new temp home with the reference data source, and a params file of the given overrides. */
function newHome(overrides: Record<string, unknown> = {}): {
  env: Record<string, string>;
  paramsFp: string;
  home: string;
} {
  const home = mkdtempSync(join(tmpdir(), "tagifai-cli-data-"));
  const paramsFp = join(home, "params.json");
  writeFileSync(paramsFp, JSON.stringify({ ...testParams, ...overrides }));
  return { home, paramsFp, env: { TAGIFAI_HOME: home, TAGIFAI_DATA_DIR: DATASET_DIR } };
}

/**
 * `tagifai train-model` on the BYO train CSV, its label field `tag`.
 * @param extra further arguments, after the others
 */
function trainOnByoCsv(paramsFp: string, env: Record<string, string>, ...extra: string[]) {
  return runCli(
    [
      "train-model",
      "--params-fp",
      paramsFp,
      "--dataset",
      join(BYO_DIR, "train.csv"),
      "--label-field",
      "tag",
      ...extra,
    ],
    env,
  );
}

/** The reference projects with a missing title, a duplicate id and an empty text. */
function corruptedProjects(): Record<string, unknown>[] {
  const projects = JSON.parse(readFileSync(join(DATASET_DIR, "projects.json"), "utf8"));
  delete projects[3].title;
  projects[10].id = projects[9].id;
  projects[20].title = "";
  projects[20].description = "";
  return projects;
}

describe("tagifai load-data --data-dir", () => {
  it("refuses a local copy that differs from the pinned sha256 unless --allow-modified, then warns", async () => {
    const { env, home } = newHome();
    const modified = join(home, "modified");
    mkdirSync(modified);
    copyFileSync(join(DATASET_DIR, "tags.json"), join(modified, "tags.json"));
    writeFileSync(
      join(modified, "projects.json"),
      JSON.stringify(JSON.parse(readFileSync(join(DATASET_DIR, "projects.json"), "utf8")).slice(0, 500)),
    );
    const refused = await runCli(["load-data", "--data-dir", modified], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/CHECKSUM_MISMATCH/);
    expect(refused.stderr).toContain(join(modified, "projects.json"));
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const allowed = await runCli(["load-data", "--data-dir", modified, "--allow-modified"], env);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/WARN.*projects\.json.*differs from the pinned dataset/);
    const pinned = await runCli(["load-data", "--data-dir", DATASET_DIR], env);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stderr).not.toMatch(/WARN/);
  }, 60_000);
});

describe("tagifai validate-data", () => {
  it("passes the reference data, listing the known-label warnings", async () => {
    const { env } = newHome();
    const result = await runCli(["validate-data"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Data validation of .*projects\.json: PASSED/);
    expect(result.stdout).toMatch(/⚠ expect_column_values_to_be_in_set\(tags\) \[warn\]/);
  }, 60_000);

  it("fails a corrupted copy with a clear report, and training refuses it", async () => {
    const { env, home, paramsFp } = newHome();
    const corrupted = join(home, "corrupted.json");
    writeFileSync(corrupted, JSON.stringify(corruptedProjects()));
    const report = await runCli(["validate-data", "--dataset", corrupted, "--id-field", "id"], env);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/: FAILED — .*4 errors/);
    expect(report.stdout).toMatch(
      /✗ expect_records_to_have_columns.*\n\s+record 3 \(id 4\): missing "title"/,
    );
    expect(report.stdout).toMatch(
      /✗ expect_column_values_to_be_unique\(id\).*\n\s+record 10 \(id 10\): same "id" as record 9/,
    );
    expect(report.stdout).toMatch(
      /✗ expect_text_length_to_be_between.*\n\s+record 20 \(id 21\): the text is empty/,
    );

    mkdirSync(join(home, "data"));
    copyFileSync(join(DATASET_DIR, "tags.json"), join(home, "data", "tags.json"));
    writeFileSync(join(home, "data", "projects.json"), JSON.stringify(corruptedProjects()));
    const trained = await runCli(["train-model", "--params-fp", paramsFp, "--test-run"], env);
    expect(trained.code).toBe(1);
    expect(trained.stderr).toMatch(/INVALID_DATA/);
    expect(trained.stderr).toMatch(/expect_column_values_to_be_unique\(id\)/);
    expect(trained.stderr).not.toMatch(/Epoch: 1/);
  }, 60_000);
});

describe("tagifai test-model", () => {
  it("runs the built-in suite or a user suite and stores `behavioral` in the run's performance", async () => {
    const { env, home, paramsFp } = newHome({ model: "linear" });
    const trained = await runCli(["train-model", "--params-fp", paramsFp, "--experiment", "behavior"], env);
    expect(trained.code, trained.stderr).toBe(0);
    const runId = JSON.parse(trained.stdout).run_id;

    const builtin = await runCli(["test-model", "--run-id", runId, "--json", "--min-pass-rate", "0"], env);
    expect(builtin.code, builtin.stderr).toBe(0);
    const report = JSON.parse(builtin.stdout);
    expect(report.total).toBeGreaterThan(5);
    expect(report.pass_rate).toBe(report.passed / report.total);
    expect(report).not.toHaveProperty("passRate");
    const stored = JSON.parse(
      (await runCli(["performance", "--run-id", runId, "--section", "behavioral"], env)).stdout,
    );
    expect(stored).toEqual(report);
    const [run] = JSON.parse((await runCli(["runs", "--experiment", "behavior", "--json"], env)).stdout);
    expect(run.metrics.behavioral_pass_rate).toBe(report.pass_rate);

    const suite = join(home, "suite.json");
    writeFileSync(
      suite,
      JSON.stringify({
        name: "mine",
        tests: [
          { type: "mft", text: "An image classification tutorial", absent: ["reinforcement-learning"] },
        ],
      }),
    );
    const custom = await runCli(["test-model", "--run-id", runId, "--suite", suite], env);
    expect(custom.code, custom.stderr).toBe(0);
    expect(custom.stdout).toMatch(/^Behavioral tests \(mine\): 1 of 1 passed \(100\.0%\)/);
    const performance = JSON.parse((await runCli(["performance", "--run-id", runId], env)).stdout);
    expect(performance.behavioral.suite).toBe("mine");
    expect(performance.overall.f1).toBeGreaterThan(0);

    // One test of two fails: below the default (every test must pass) and below 0.75, not below 0.5.
    const failing = join(home, "failing.json");
    const text = "An image classification tutorial";
    writeFileSync(
      failing,
      JSON.stringify({
        name: "half",
        tests: [
          { type: "mft", text, absent: ["reinforcement-learning"] },
          { type: "mft", text, expected: ["no-such-tag"] },
        ],
      }),
    );
    const strict = await runCli(["test-model", "--run-id", runId, "--suite", failing], env);
    expect(strict.code, strict.stderr).toBe(1);
    expect(strict.stdout).toMatch(/1 of 2 passed \(50\.0%\)/);
    expect(strict.stderr).toMatch(/pass rate 0\.5 is below --min-pass-rate 1/);
    const below = await runCli(
      ["test-model", "--run-id", runId, "--suite", failing, "--min-pass-rate", "0.75"],
      env,
    );
    expect(below.code, below.stderr).toBe(1);
    const enough = await runCli(
      ["test-model", "--run-id", runId, "--suite", failing, "--min-pass-rate", "0.5"],
      env,
    );
    expect(enough.code, enough.stderr).toBe(0);
    const bad = await runCli(["test-model", "--run-id", runId, "--min-pass-rate", "1.5"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --min-pass-rate "1\.5": expected a number from 0 to 1/);
  }, 180_000);
});

describe("bring your own dataset through the CLI", () => {
  it("trains on a CSV with one label per row, evaluates a holdout CSV and predicts with the run", async () => {
    const { env, paramsFp } = newHome({
      ...BYO_TRAIN_OVERRIDES,
      cnn: { ...testParams.cnn, ...BYO_CNN_OVERRIDES },
    });
    const fields = ["--label-field", "tag"];
    const trained = await trainOnByoCsv(paramsFp, env, "--experiment", "byo");
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/3 classes \(multi-class\)/);
    const runId = JSON.parse(trained.stdout).run_id;

    const evaluated = await runCli(
      ["evaluate", "--run-id", runId, "--dataset", join(BYO_DIR, "holdout.csv"), ...fields],
      env,
    );
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const holdout = JSON.parse(evaluated.stdout);
    expect(holdout.overall.num_samples).toBe(15);
    expect(holdout.accuracy).toBeGreaterThanOrEqual(0.7);
    expect(holdout.confusion_matrix.labels).toEqual([
      "computer-vision",
      "natural-language-processing",
      "reinforcement-learning",
    ]);

    const predicted = await runCli(
      ["predict-tags", "Object detection in camera frames and photos", "--run-id", runId],
      env,
    );
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(JSON.parse(predicted.stdout).predicted_tags).toEqual(["computer-vision"]);

    const [run] = JSON.parse((await runCli(["runs", "--experiment", "byo", "--json"], env)).stdout);
    expect(run.metrics.accuracy).toBeGreaterThan(0);
    expect(run.metrics.macro_f1).toBeGreaterThan(0);
  }, 120_000);

  it("refuses to evaluate a holdout whose task differs from the run's", async () => {
    const { env, home, paramsFp } = newHome({ model: "linear", subset: null, min_tag_freq: 5 });
    const trained = await trainOnByoCsv(paramsFp, env);
    expect(trained.code, trained.stderr).toBe(0);
    const multiLabel = join(home, "holdout.jsonl");
    writeFileSync(
      multiLabel,
      `${JSON.stringify({ title: "Atari agents", description: "Deep RL", tag: ["reinforcement-learning"] })}\n`,
    );
    const result = await runCli(["evaluate", "--dataset", multiLabel, "--label-field", "tag"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /is a multi-label dataset but run [0-9a-f]{32} trained a multi-class model \[INVALID_DATA\]/,
    );
  }, 60_000);
});
