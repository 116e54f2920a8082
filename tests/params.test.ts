import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_DIR, DEFAULT_PARAMS_FP, TEST_PARAMS_FP } from "../src/config/config.js";
import { loadParams, parseParams } from "../src/tagifai/params.js";

describe("params", () => {
  it("loads the original's reference CNN configuration", () => {
    const params = loadParams(join(CONFIG_DIR, "params_cnn.json"));
    expect(params).toMatchObject({
      seed: 1234,
      min_tag_freq: 30,
      max_filter_size: 10,
      embedding_dim: 503,
      lr: 4.48e-4,
    });
    expect(params.subset).toBeNull();
  });

  it("loads the quick test configuration", () => {
    const params = loadParams(TEST_PARAMS_FP);
    expect(params.num_epochs).toBe(1);
    expect(params.subset).toBeGreaterThan(0);
  });

  it("chooses the model family: CNN when absent, linear and ensemble from their files", () => {
    expect(loadParams(join(CONFIG_DIR, "params_cnn.json")).model).toBeUndefined();
    expect(loadParams(DEFAULT_PARAMS_FP).model).toBe("linear");
    expect(loadParams(join(CONFIG_DIR, "params_linear.json")).model).toBe("linear");
    expect(loadParams(join(CONFIG_DIR, "params_ensemble.json")).model).toBe("ensemble");
    const params = parseParams({
      ...loadParams(DEFAULT_PARAMS_FP),
      model: "linear",
      linear: { logistic: { C: 3 } },
    });
    expect(params.linear?.logistic).toMatchObject({ C: 3, classWeight: "balanced" });
    expect(() => parseParams({ ...params, model: "svm" })).toThrow(
      /model: invalid option: expected one of .*, got string "svm"/,
    );
    expect(() => parseParams({ ...params, ensemble_weight: 2 })).toThrow(
      /ensemble_weight: too big: .*, got number 2/,
    );
  });

  it("names an unknown key", () => {
    const params = { ...loadParams(DEFAULT_PARAMS_FP), embeding_dim: 3 };
    expect(() => parseParams(params)).toThrow(/embeding_dim: unknown key; did you mean embedding_dim\?/);
  });

  it("names a bad value and the key", () => {
    const params = { ...loadParams(DEFAULT_PARAMS_FP), dropout_p: 1.5 };
    expect(() => parseParams(params)).toThrow(/dropout_p: too big: .*, got number 1.5/);
    expect(() => parseParams({ ...params, dropout_p: 0.1, batch_size: "big" })).toThrow(
      /batch_size: expected number, got string "big"/,
    );
  });

  it("names a missing key", () => {
    const { lr: _lr, ...params } = loadParams(DEFAULT_PARAMS_FP);
    expect(() => parseParams(params)).toThrow(/lr: expected number, got missing/);
  });

  it("refuses a file that is not JSON or not there", () => {
    const dir = mkdtempSync(join(tmpdir(), "tagifai-params-"));
    const fp = join(dir, "bad.json");
    writeFileSync(fp, "{ seed: ");
    expect(() => loadParams(fp)).toThrow(/not valid JSON/);
    expect(() => loadParams(join(dir, "nope.json"))).toThrow(/Cannot read .*nope\.json: not found/);
  });
});
