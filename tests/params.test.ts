import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_DIR, DEFAULT_PARAMS_FP, TEST_PARAMS_FP } from "../src/config/config.js";
import { MODEL_KINDS } from "../src/tagifai/families.js";
import { getParam, loadParams, paramPath, parseParams, setParams } from "../src/tagifai/params.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "params");
/** The original's CNN configuration (config/params_cnn.json). */
const reference = () => loadParams(join(CONFIG_DIR, "params_cnn.json"));

/** The message parseParams throws for a value. */
function refusal(value: unknown): string {
  try {
    parseParams(value);
  } catch (error) {
    expect(error).toMatchObject({ code: "INVALID_PARAMS" });
    return (error as Error).message;
  }
  throw new Error("expected the params to be refused");
}

describe("params", () => {
  it("loads the reference configuration: common keys on top, the CNN's in its section", () => {
    const params = reference();
    expect(params).toMatchObject({ seed: 1234, min_tag_freq: 30, model: "cnn" });
    expect(params.cnn).toMatchObject({ max_filter_size: 10, embedding_dim: 503, lr: 4.48e-4 });
    expect(params.subset).toBeNull();
    const linear = loadParams(join(CONFIG_DIR, "params_linear.json"));
    expect(loadParams(DEFAULT_PARAMS_FP)).toEqual(parseParams({ ...linear, linear: { refit: true } }));
  });

  it("loads the quick test configuration", () => {
    const params = loadParams(TEST_PARAMS_FP);
    expect(params.cnn?.num_epochs).toBe(1);
    expect(params.subset).toBeGreaterThan(0);
  });

  it("loads the original's flat params.json (CNN keys at the top level) as the nested form", () => {
    const flat = join(FIXTURES, "original-flat.json");
    expect(JSON.parse(readFileSync(flat, "utf8"))).toHaveProperty("embedding_dim", 503);
    expect(loadParams(flat)).toEqual(reference());
    const ensemble = loadParams(join(FIXTURES, "original-flat-ensemble.json"));
    expect(ensemble).toEqual(loadParams(join(CONFIG_DIR, "params_ensemble.json")));
    const weighted = parseParams({ ...JSON.parse(readFileSync(flat, "utf8")), ensemble_weight: 0.3 });
    expect(weighted.ensemble?.members).toEqual([
      { model: "cnn", weight: 0.3 },
      { model: "linear", weight: 0.7 },
    ]);
  });

  it("chooses the model family from its files and fills the chosen family's section with defaults", () => {
    const linear = loadParams(join(CONFIG_DIR, "params_linear.json"));
    expect(linear.model).toBe("linear");
    expect(linear.linear?.logistic).toMatchObject({ C: 10, classWeight: "balanced" });
    expect(linear.cnn).toBeUndefined();
    const ensemble = loadParams(join(CONFIG_DIR, "params_ensemble.json"));
    expect(ensemble.model).toBe("ensemble");
    expect(Object.keys(ensemble)).toEqual(expect.arrayContaining(["cnn", "linear", "ensemble"]));
    const { cnn: _cnn, ...common } = reference();
    expect(parseParams(common).model).toBe("cnn");
    expect(parseParams({ ...common, model: undefined }).cnn).toEqual(reference().cnn);
  });

  it("allows another family's params only in that family's section", () => {
    const params = parseParams({ ...reference(), linear: { logistic: { C: 3 } } });
    expect(params.model).toBe("cnn");
    expect(params.linear?.logistic).toMatchObject({ C: 3, classWeight: "balanced" });
    expect(refusal({ ...reference(), C: 3 })).toBe("Invalid params: C: unknown key");
    expect(refusal({ ...reference(), lr: 0.1 })).toContain(
      "lr: unknown key; it belongs in the cnn section: did you mean cnn.lr?",
    );
  });

  it("names an unknown family and lists the registered ones", () => {
    const message = refusal({ ...reference(), model: "foo" });
    expect(message).toContain(`model: unknown model family "foo"; registered: ${MODEL_KINDS.join(", ")}`);
  });

  it.each([
    [{ linear: { tfidf: { min_df: 50 } } }, "linear.tfidf.min_df: unknown key; did you mean minDf?"],
    [{ linear: { C: -1 } }, "linear.C: unknown key"],
    [{ linear: { logistic: { c: 0.01 } } }, "linear.logistic.c: unknown key; did you mean C?"],
    [
      { linear: { logistic: { C: -1 } } },
      "linear.logistic.C: too small: expected number to be >0, got number -1",
    ],
    [
      { cnn: { ...reference().cnn, embeding_dim: 3 } },
      "cnn.embeding_dim: unknown key; did you mean embedding_dim?",
    ],
    [{ cnn: { dropout_p: 1.5 } }, "cnn.dropout_p: too big: expected number to be <1, got number 1.5"],
    [{ cnn: { batch_size: "big" } }, 'cnn.batch_size: expected number, got string "big"'],
    [{ cnn: { zzz: 1 } }, "cnn.zzz: unknown key"],
    [
      { ensemble: { members: [{ model: "svm", weight: 1 }] } },
      'ensemble.members[0].model: unknown model family "svm"; an ensemble member is one of: cnn, linear',
    ],
    [
      { ensemble: { members: [{ model: "cnn", wieght: 1 }] } },
      "ensemble.members[0].wieght: unknown key; did you mean weight?",
    ],
    [
      { ensemble: { members: [{ model: "ensemble", weight: 1 }] } },
      "an ensemble member is one of: cnn, linear",
    ],
    [
      { ensemble_weight: 2 },
      "ensemble_weight: expected a number in [0, 1] (the CNN's share of the blend), got 2",
    ],
  ])("refuses %j naming the path", (section, expected) => {
    const { cnn: _cnn, ...common } = reference();
    const value =
      "cnn" in section || "ensemble_weight" in section
        ? { ...common, ...section }
        : { ...reference(), ...section };
    expect(refusal(value)).toContain(expected);
  });

  it("reads stopwords as a boolean, true (the original's cleaning) when absent", () => {
    expect(reference().stopwords).toBe(true);
    expect(loadParams(join(CONFIG_DIR, "params_linear_stopwords_kept.json")).stopwords).toBe(false);
    expect(refusal({ ...reference(), stopwords: "no" })).toContain(
      'stopwords: expected boolean, got string "no"',
    );
  });

  it("reads clean as a boolean, true (the original's cleaning) when absent", () => {
    expect(reference().clean).toBe(true);
    const raw = loadParams(join(CONFIG_DIR, "params_linear_raw_text.json"));
    expect([raw.clean, raw.stopwords, raw.lower, raw.stem]).toEqual([false, false, true, false]);
    expect(refusal({ ...reference(), clean: "no" })).toContain('clean: expected boolean, got string "no"');
  });

  it("names a bad or missing common key", () => {
    expect(refusal({ ...reference(), train_size: 1.5 })).toContain(
      "train_size: too big: expected number to be <1, got number 1.5",
    );
    const { seed: _seed, ...params } = reference();
    expect(refusal(params)).toContain("seed: expected number, got missing");
  });

  it("resolves tunable names: dotted paths, common keys and the original's flat names", () => {
    expect(paramPath("cnn.lr")).toEqual(["cnn", "lr"]);
    expect(paramPath("lr")).toEqual(["cnn", "lr"]);
    expect(paramPath("threshold")).toEqual(["threshold"]);
    expect(paramPath("linear.logistic.C")).toEqual(["linear", "logistic", "C"]);
    for (const name of ["momentum", "cnn", "linear.logistic", "cnn.nope", "ensemble_weight"])
      expect(paramPath(name)).toBeUndefined();
    const tuned = parseParams(setParams(reference(), { lr: 0.01, "linear.logistic.C": 2, threshold: 0.4 }));
    expect(getParam(tuned, "cnn.lr")).toBe(0.01);
    expect(getParam(tuned, "lr")).toBe(0.01);
    expect(tuned.linear?.logistic.C).toBe(2);
    expect(tuned.threshold).toBe(0.4);
  });

  it("refuses a file that is not JSON or not there", () => {
    const dir = mkdtempSync(join(tmpdir(), "tagifai-params-"));
    const fp = join(dir, "bad.json");
    writeFileSync(fp, "{ seed: ");
    expect(() => loadParams(fp)).toThrow(/not valid JSON/);
    expect(() => loadParams(join(dir, "nope.json"))).toThrow(/Cannot read .*nope\.json: not found/);
  });
});
