/**
 * `predict`, the prediction path the CLI and the API share: a model whose output is not a
 * probability (NaN or ±Infinity, from corrupt or overflowing weights) is an error with a code —
 * never a prediction with `null` probabilities and no tags.
 */
import { describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { MultiLabelEncoder } from "../src/tagifai/data.js";
import { loadArtifacts } from "../src/tagifai/operations.js";
import { loadParams } from "../src/tagifai/params.js";
import { predict } from "../src/tagifai/predict.js";
import type { Artifacts } from "../src/tagifai/train.js";
import { runCli } from "./helpers/cli.js";
import { overflowWeights } from "./helpers/corrupt-model.js";
import { trainTestRun, writeTestParams } from "./helpers/trained-run.js";

/** Artifacts of a two-tag multi-label model that answers `output` for every text. */
function artifactsAnswering(output: number[]): Artifacts {
  const model = {
    kind: "cnn",
    task: "multi-label",
    thresholds: [0.5, 0.5],
    predictProba: (texts: string[]) => texts.map(() => output),
    save: async () => {},
    dispose: () => {},
  };
  return {
    params: loadParams(TEST_PARAMS_FP),
    labelEncoder: new MultiLabelEncoder(["nlp", "vision"]),
    model,
  } as unknown as Artifacts;
}

describe("predict", () => {
  it("predicts from finite probabilities", () => {
    const [prediction] = predict(["a project"], artifactsAnswering([0.9, 0.2]));
    expect(prediction.predicted_tags).toEqual(["nlp"]);
    expect(prediction.probabilities).toEqual({ nlp: 0.9, vision: 0.2 });
  });

  it.each([
    [{ stopwords: false }, "the transformers of the future for all of us"],
    [{ stopwords: false, clean: false }, "the transformers of the future, for all of us"],
  ])(
    "cleans the text as the run was trained: a run trained with %j keeps what it kept",
    async (setting, expected) => {
      const trained = await trainTestRun({ paramsFp: writeTestParams({ model: "linear", ...setting }) });
      const artifacts = await loadArtifacts(trained.runId, { trackingUri: trained.trackingUri });
      expect(artifacts.params).toMatchObject({ clean: true, ...setting });
      const text = "The transformers of the future, for all of us";
      const [prediction] = predict([text], artifacts);
      expect(prediction.preprocessed_text).toBe(expected);
      const kept = artifacts.model.predictProba([prediction.preprocessed_text])[0];
      expect(Object.values(prediction.probabilities).sort()).toEqual([...kept].sort());
      const removed = artifacts.model.predictProba(["transformers future us"])[0];
      expect(removed).not.toEqual(kept);
      artifacts.model.dispose();
    },
    120_000,
  );

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    "refuses a model output of %s with INVALID_MODEL_OUTPUT, naming the tag and the text",
    (bad) => {
      expect(() => predict(["first", "second"], artifactsAnswering([0.9, bad]))).toThrow(
        expect.objectContaining({
          code: "INVALID_MODEL_OUTPUT",
          message: expect.stringMatching(
            new RegExp(`non-finite probability \\(${bad}\\) for tag "vision" of text 0`),
          ),
        }),
      );
    },
  );

  it("predict-tags exits 1 with a clear message for a run whose weights overflow", async () => {
    const trained = await trainTestRun();
    await overflowWeights(trained.trackingUri, trained.runId);
    const result = await runCli(
      ["--tracking-uri", trained.trackingUri, "predict-tags", "warm up", "--run-id", trained.runId],
      { TAGIFAI_HOME: trained.home },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/non-finite probability \(NaN\).*\[INVALID_MODEL_OUTPUT\]/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  }, 120_000);
});
