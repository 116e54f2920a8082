/**
 * Limits checked before a run exists, and failures that end a run cleanly: model-size params whose
 * estimated memory exceeds the budget, a dataset too small to split, and a learning rate that makes
 * the loss non-finite (the run ends FAILED with NON_FINITE_LOSS, naming the epoch and the lr).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { setDevice } from "../src/tagifai/device.js";
import { withStore } from "../src/tagifai/lifecycle.js";
import { trainModel } from "../src/tagifai/operations.js";
import { BYO_CNN_OVERRIDES, BYO_DIR, BYO_TRAIN_OVERRIDES } from "./helpers/byo.js";
import { runCli } from "./helpers/cli.js";

const testParams = JSON.parse(readFileSync(TEST_PARAMS_FP, "utf8"));
const byo = { file: join(BYO_DIR, "train.csv"), textFields: ["title", "description"], labelField: "tag" };

/** A temp folder with a params file: the test params, the BYO overrides and these CNN keys. */
function setup(cnn: Record<string, unknown>, common: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tagifai-limits-"));
  const paramsFp = join(dir, "params.json");
  writeFileSync(
    paramsFp,
    JSON.stringify({ ...testParams, ...BYO_TRAIN_OVERRIDES, ...common, cnn: { ...testParams.cnn, ...cnn } }),
  );
  return { dir, paramsFp, trackingUri: `sqlite:${join(dir, "tracking.db")}` };
}

const listRuns = (trackingUri: string) => withStore({ trackingUri }, (store) => store.listRuns({}));

describe("model-size params past the memory budget", () => {
  it.each([
    ["num_filters", 1e7],
    ["embedding_dim", 1e7],
    ["hidden_dim", 1e7],
    ["num_filters", 2147483647],
  ])("refuses cnn.%s = %d before a run exists, naming the key and the estimate", async (key, value) => {
    const { paramsFp, trackingUri } = setup({ [key]: value });
    await expect(trainModel({ paramsFp, trackingUri, dataset: byo })).rejects.toMatchObject({
      code: "INVALID_PARAMS",
      message: expect.stringMatching(new RegExp(`cnn\\.${key} = ${value}.*estimated [\\d.]+ [KMGTPE]iB`)),
    });
    expect(await listRuns(trackingUri)).toEqual([]);
  });

  it("exits 1 from the CLI with one line naming the key", async () => {
    const { dir, paramsFp } = setup({ num_filters: 1e7 });
    const args = ["train-model", "--params-fp", paramsFp, "--dataset", byo.file, "--label-field", "tag"];
    const result = await runCli(args, { TAGIFAI_HOME: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cnn\.num_filters = 10000000.*\[INVALID_PARAMS\]/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe("a dataset too small to split", () => {
  it("is refused before a run exists, naming the split sizes and the file", async () => {
    const { dir, paramsFp, trackingUri } = setup({}, { min_tag_freq: 1 });
    const file = join(dir, "three.csv");
    writeFileSync(
      file,
      "title,description,tag\nText classification,A tutorial on text.,nlp\nImage segmentation,A tutorial on images.,cv\nSentiment analysis,A survey of sentiment.,nlp\n",
    );
    await expect(trainModel({ paramsFp, trackingUri, dataset: { ...byo, file } })).rejects.toMatchObject({
      code: "INVALID_DATA",
      message: expect.stringMatching(new RegExp(`${file}.*train/val/test 2/0/1.*val split is empty`)),
    });
    expect(await listRuns(trackingUri)).toEqual([]);
  });
});

describe("a loss that becomes non-finite", () => {
  it("stops training with NON_FINITE_LOSS naming the epoch and the lr, and the run ends FAILED", async () => {
    await setDevice("wasm");
    const { paramsFp, trackingUri } = setup({ ...BYO_CNN_OVERRIDES, lr: 1e30, num_epochs: 3 });
    await expect(trainModel({ paramsFp, trackingUri, dataset: byo })).rejects.toMatchObject({
      code: "NON_FINITE_LOSS",
      message: expect.stringMatching(/epoch 1\b.*lr 1e\+30/),
    });
    const runs = await listRuns(trackingUri);
    expect(runs.map((run) => run.status)).toEqual(["FAILED"]);
  }, 60_000);
});
