/**
 * `tagifai export --format onnx`: models trained on the small fixtures, exported, and served by
 * onnxruntime-node from the exported files alone (a client that reads tokenizer.json, tfidf.json and
 * serving.json), checked against tagifai's own probabilities; and the bad inputs refused with
 * nothing written.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { preprocess, preprocessWith } from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import { cnnGraph } from "../src/tagifai/export/cnnOnnx.js";
import { ONNX_EXPORT_FILES } from "../src/tagifai/export/onnx.js";
import { encodeModel } from "../src/tagifai/export/onnxGraph.js";
import { initializeCnn } from "../src/tagifai/families/cnn/model.js";
import { TfidfVectorizer } from "../src/tagifai/families/linear/tfidf.js";
import { exportModel, loadArtifacts, type TrainModelOptions, trainModel } from "../src/tagifai/operations.js";
import type { Params } from "../src/tagifai/params.js";
import { openStore } from "../src/tagifai/tracking.js";
import { randomBatch } from "./helpers/batches.js";
import { BYO_CNN_OVERRIDES, BYO_DIR, BYO_TRAIN_OVERRIDES } from "./helpers/byo.js";
import { runCli } from "./helpers/cli.js";
import { FIXTURE_DIR } from "./helpers/data.js";

const home = mkdtempSync(join(tmpdir(), "tagifai-onnx-"));
const trackingUri = `sqlite:${join(home, "stores", "tracking.db")}`;
const testParams = JSON.parse(readFileSync(TEST_PARAMS_FP, "utf8"));

/** The fixture projects (12, multi-label) as a dataset file. */
const PROJECTS = {
  file: join(FIXTURE_DIR, "projects.json"),
  textFields: ["title", "description"],
  labelField: "tags",
  idField: "id",
};
/** The BYO CSV (one label per row: multi-class). */
const BYO = { file: join(BYO_DIR, "train.csv"), textFields: ["title", "description"], labelField: "tag" };

let trainedRuns = 0;

/** Train one run in the shared home with the quick test params plus `overrides`. */
async function train(
  dataset: TrainModelOptions["dataset"],
  overrides: Record<string, unknown>,
  cnn: Record<string, unknown> = {},
): Promise<string> {
  const paramsFp = join(home, `params-${++trainedRuns}.json`);
  writeFileSync(
    paramsFp,
    JSON.stringify({
      ...testParams,
      subset: null,
      min_tag_freq: 2,
      ...overrides,
      cnn: { ...testParams.cnn, ...cnn },
    }),
  );
  const { runId } = await trainModel({ paramsFp, trackingUri, experimentName: "onnx", dataset });
  if (!runId) throw new Error("no run id");
  return runId;
}

/** 100 varied raw texts: fixture titles and descriptions, mixes, very short and very long ones. */
function varietyOfTexts(): string[] {
  const projects = JSON.parse(readFileSync(PROJECTS.file, "utf8")) as {
    title: string;
    description: string;
  }[];
  const csv = readFileSync(BYO.file, "utf8").split("\n").slice(1, 30);
  const long = projects.map((p) => `${p.title} ${p.description}`).join(" ");
  const texts = [
    ...projects.map((p) => `${p.title} ${p.description}`),
    ...projects.map((p) => p.title),
    ...csv.map((line) => line.replaceAll('"', "")),
    "ai",
    "x",
    "nlp",
    "GAN",
    "a b",
    "3d",
    "Q",
    "zz",
    "Transformers für Übersetzung — naïve café ✓",
    "https://example.com link only",
    `${long} ${long}`,
    long.split(" ").reverse().join(" "),
    long.slice(0, 300),
    "0123456789 ".repeat(40),
  ];
  for (let i = 0; texts.length < 100; i++) {
    const a = projects[i % projects.length];
    const b = projects[(i * 7 + 3) % projects.length];
    texts.push(`${a.title} with ${b.description.slice(0, 10 + ((i * 13) % 80))}`);
  }
  return texts.slice(0, 100);
}

/** Largest absolute difference between two equally shaped matrices. */
function maxAbsDifference(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  expect(b.length).toBe(a.length);
  return Math.max(...a.map((row, i) => Math.max(...row.map((value, c) => Math.abs(value - b[i][c])))));
}

/** What serving.json holds (the parts a client reads). */
interface Serving {
  kind: string;
  task: string;
  classes: string[];
  preprocess: { lower: boolean; stem: boolean; stopwords: string[]; clean: boolean };
  input: { name: string; pad_id: number; unknown_id: number; min_length?: number };
  output: { name: string };
  decision: { rule: string; thresholds?: number[] };
}

/** A client of an exported folder: reads only its files and runs the graph in onnxruntime-node. */
async function onnxClient(dir: string) {
  const serving = JSON.parse(readFileSync(join(dir, ONNX_EXPORT_FILES.serving), "utf8")) as Serving;
  const session = await ort.InferenceSession.create(join(dir, ONNX_EXPORT_FILES.model));
  const clean = (text: string) => preprocess(text, serving.preprocess);
  const run = async (input: ort.Tensor): Promise<number[][]> => {
    const output = (await session.run({ [serving.input.name]: input }))[serving.output.name];
    const [rows, classes] = output.dims;
    const data = output.data as Float32Array;
    return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * classes, (r + 1) * classes)));
  };
  return { serving, session, clean, run };
}

/** Token ids of each preprocessed text, as tokenizer.json says (unknown tokens: the unknown id). */
function tokenize(dir: string, texts: readonly string[]): number[][] {
  const { charLevel, tokens } = JSON.parse(readFileSync(join(dir, ONNX_EXPORT_FILES.tokenizer), "utf8")) as {
    charLevel: boolean;
    tokens: string[];
  };
  const index = new Map(tokens.map((token, i) => [token, i]));
  return texts.map((text) =>
    (charLevel ? Array.from(text) : text.split(" ")).map((token) => index.get(token) ?? 1),
  );
}

/** Right-pad rows with the pad id 0 to the longest one: an int64 `[rows, longest]` tensor. */
function paddedIds(rows: readonly number[][]): ort.Tensor {
  const width = Math.max(...rows.map((row) => row.length));
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    row.forEach((id, t) => {
      data[r * width + t] = BigInt(id);
    });
  });
  return new ort.Tensor("int64", data, [rows.length, width]);
}

/** Probabilities of `texts` from an exported CNN, in batches of `batchSize` padded as tagifai pads them. */
async function cnnOnnxProbabilities(
  dir: string,
  texts: readonly string[],
  batchSize: number,
): Promise<number[][]> {
  const client = await onnxClient(dir);
  const ids = tokenize(dir, texts.map(client.clean));
  const out: number[][] = [];
  for (let start = 0; start < ids.length; start += batchSize)
    out.push(...(await client.run(paddedIds(ids.slice(start, start + batchSize)))));
  return out;
}

/**
 * tagifai's own probabilities (the run's preprocessing, then `predictProba`) for each group of raw
 * texts, one `predictProba` call per group.
 */
async function tagifaiProbabilities(
  runId: string,
  groups: readonly (readonly string[])[],
): Promise<{ params: Params; probabilities: number[][][] }> {
  const artifacts = await loadArtifacts(runId, { trackingUri });
  try {
    const { params, model } = artifacts;
    const clean = (text: string) => preprocessWith(text, params);
    return { params, probabilities: groups.map((texts) => model.predictProba(texts.map(clean))) };
  } finally {
    artifacts.model.dispose();
  }
}

beforeAll(async () => {
  process.env.TAGIFAI_HOME = home;
  await setDevice("wasm");
});

describe("ONNX export of a multi-label CNN", () => {
  let runId: string;
  let dir: string;
  const texts = varietyOfTexts();

  beforeAll(async () => {
    runId = await train(PROJECTS, {}, { num_epochs: 3, batch_size: 16 });
    dir = join(home, "exports", "cnn");
    const result = await exportModel(runId, { trackingUri, output: dir });
    expect(result).toMatchObject({ runId, dir, kind: "cnn", task: "multi-label" });
  }, 120_000);

  it("gives tagifai's probabilities to 1e-5 on 100 texts in onnxruntime-node, batched as tagifai batches", async () => {
    const { params, probabilities } = await tagifaiProbabilities(runId, [texts]);
    const [expected] = probabilities;
    const actual = await cnnOnnxProbabilities(dir, texts, params.cnn!.batch_size);
    expect(texts.some((text) => preprocessWith(text, params).length < params.cnn!.max_filter_size)).toBe(
      true,
    );
    expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-5);
  });

  it("pads inputs shorter than max_filter_size inside the graph (one text per batch)", async () => {
    const short = ["ai", "x", "GAN", "nlp", "3d tensors"];
    const { probabilities } = await tagifaiProbabilities(
      runId,
      short.map((text) => [text]),
    );
    const expected = probabilities.map(([row]) => row);
    const actual = await cnnOnnxProbabilities(dir, short, 1);
    expect(tokenize(dir, ["x"])[0]).toHaveLength(1);
    expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-5);
  });

  it("writes the tokenizer, label encoder and the decision thresholds of the run beside the graph", async () => {
    expect(readdirSync(dir).sort()).toEqual(
      ["label_encoder.json", "model.onnx", "serving.json", "tokenizer.json"].sort(),
    );
    const { serving, session } = await onnxClient(dir);
    const artifacts = await loadArtifacts(runId, { trackingUri });
    artifacts.model.dispose();
    expect(serving).toMatchObject({
      kind: "cnn",
      task: "multi-label",
      classes: artifacts.labelEncoder.classes,
      input: {
        name: "token_ids",
        pad_id: 0,
        unknown_id: 1,
        min_length: artifacts.params.cnn!.max_filter_size,
      },
      output: { name: "probabilities" },
      decision: { rule: "threshold", thresholds: [...artifacts.model.thresholds] },
    });
    expect(session.inputNames).toEqual(["token_ids"]);
    expect(session.outputNames).toEqual(["probabilities"]);
    const tokenizer = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
    expect(tokenizer.tokens.slice(0, 2)).toEqual(["<PAD>", "<UNK>"]);
  });

  it("refuses an existing output folder unless --force, leaving it untouched", async () => {
    const before = readFileSync(join(dir, "model.onnx"));
    writeFileSync(join(dir, "keep.txt"), "mine");
    await expect(exportModel(runId, { trackingUri, output: dir })).rejects.toThrow(
      /Output folder .*cnn already exists; .*--force/,
    );
    expect(readFileSync(join(dir, "keep.txt"), "utf8")).toBe("mine");
    await exportModel(runId, { trackingUri, output: dir, force: true });
    expect(existsSync(join(dir, "keep.txt"))).toBe(false);
    expect(readFileSync(join(dir, "model.onnx"))).toEqual(before);
    expect(readdirSync(join(home, "exports")).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("exports from the command line, printing what it wrote", async () => {
    const output = join(home, "exports", "cli");
    const args = ["--tracking-uri", trackingUri, "export", "--run", runId, "--output", output];
    const result = await runCli(args, { TAGIFAI_HOME: home });
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed).toMatchObject({ run_id: runId, format: "onnx", dir: output, kind: "cnn" });
    expect(printed.files["model.onnx"]).toBeGreaterThan(1000);
    expect(existsSync(join(output, "serving.json"))).toBe(true);
  }, 60_000);
});

describe("the CNN graph", () => {
  it.each([
    { route: "embedding Gather", vocabSize: 3000, embeddingDim: 8, convPath: "dense" as const },
    { route: "one-hot with folded kernels", vocabSize: 20, embeddingDim: 32, convPath: "lookup" as const },
  ])("matches predictProba through the $route route at every padded length", async (shape) => {
    const { vocabSize, embeddingDim, convPath } = shape;
    const config = { vocabSize, embeddingDim, convPath, numClasses: 4, numFilters: 6, maxFilterSize: 4 };
    const model = initializeCnn({ ...config, hiddenDim: 5, dropoutP: 0.5 }, 11);
    try {
      const spec = { name: "cnn", docString: "", metadata: {}, ...cnnGraph(model) };
      const session = await ort.InferenceSession.create(encodeModel(spec));
      for (const seqLen of [4, 7, 31]) {
        const batch = randomBatch(5, seqLen, vocabSize, seqLen);
        const input = new ort.Tensor("int64", BigInt64Array.from(batch.data, BigInt), batch.shape);
        const data = (await session.run({ token_ids: input })).probabilities.data as Float32Array;
        const actual = Array.from({ length: 5 }, (_, r) => Array.from(data.subarray(r * 4, r * 4 + 4)));
        expect(maxAbsDifference(actual, model.predictProba(batch))).toBeLessThan(1e-5);
      }
    } finally {
      model.dispose();
    }
  });
});

describe("ONNX export of a multi-class CNN (softmax)", () => {
  it("gives tagifai's probabilities to 1e-5, rows summing to 1, and an argmax decision", async () => {
    const runId = await train(BYO, BYO_TRAIN_OVERRIDES, { ...BYO_CNN_OVERRIDES, num_epochs: 3 });
    const dir = join(home, "exports", "multi-class");
    await exportModel(runId, { trackingUri, output: dir });
    const texts = varietyOfTexts();
    const [expected] = (await tagifaiProbabilities(runId, [texts])).probabilities;
    const actual = await cnnOnnxProbabilities(dir, texts, BYO_CNN_OVERRIDES.batch_size);
    expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-5);
    for (const row of actual) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const { serving } = await onnxClient(dir);
    expect(serving).toMatchObject({ task: "multi-class", decision: { rule: "argmax" } });
  }, 120_000);
});

describe("ONNX export of a linear model (the classifier; the client computes TF-IDF)", () => {
  it("gives tagifai's probabilities to 1e-5 from TF-IDF vectors computed with tfidf.json (raw text kept)", async () => {
    const runId = await train(PROJECTS, { model: "linear", clean: false, stopwords: false });
    const dir = join(home, "exports", "linear");
    const result = await exportModel(runId, { trackingUri, output: dir });
    expect(result.kind).toBe("linear");
    expect(readdirSync(dir).sort()).toEqual(
      ["label_encoder.json", "model.onnx", "serving.json", "tfidf.json"].sort(),
    );
    const texts = varietyOfTexts();
    const client = await onnxClient(dir);
    const vectorizer = TfidfVectorizer.fromJSON(JSON.parse(readFileSync(join(dir, "tfidf.json"), "utf8")));
    const rows = vectorizer.transform(texts.map(client.clean));
    const dense = new Float32Array(rows.length * vectorizer.numFeatures);
    rows.forEach((row, r) => {
      row.indices.forEach((column, k) => {
        dense[r * vectorizer.numFeatures + column] = row.values[k];
      });
    });
    const actual = await client.run(new ort.Tensor("float32", dense, [rows.length, vectorizer.numFeatures]));
    const [expected] = (await tagifaiProbabilities(runId, [texts])).probabilities;
    expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-5);
    expect(client.serving).toMatchObject({
      kind: "linear",
      input: { name: "tfidf" },
      preprocess: { clean: false, stopwords: [] },
    });
  }, 120_000);
});

describe("tagifai export: bad input", () => {
  const env = { TAGIFAI_HOME: home };

  it("refuses an ensemble, naming why, and writes nothing", async () => {
    const runId = await train(PROJECTS, { model: "ensemble" });
    const output = join(home, "exports", "ensemble");
    await expect(exportModel(runId, { trackingUri, output })).rejects.toThrow(
      new RegExp(`Run ${runId} is an ensemble .*only cnn and linear runs can be exported`),
    );
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(join(home, "exports")).filter((name) => name.startsWith("."))).toEqual([]);
  }, 120_000);

  it("exits 1 for a KILLED run (no model) and for an unknown run, writing nothing", async () => {
    const store = await openStore(trackingUri);
    const killed = await store.createRun({
      experimentName: "onnx",
      artifactRoot: join(home, "stores", "model"),
    });
    await store.endRun(killed.id, "KILLED");
    await store.close();
    const output = join(home, "exports", "bad");
    const args = ["--tracking-uri", trackingUri, "export", "--format", "onnx", "--output", output];
    const killedResult = await runCli([...args, "--run", killed.id], env);
    expect(killedResult.code).toBe(1);
    expect(killedResult.stderr).toContain(
      `Run ${killed.id} is KILLED: only a FINISHED run has a model to export`,
    );
    const unknown = "0".repeat(32);
    const unknownResult = await runCli([...args, "--run-id", unknown], env);
    expect(unknownResult.code).toBe(1);
    expect(unknownResult.stderr).toContain(unknown);
    expect(unknownResult.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(output)).toBe(false);
  }, 60_000);
});
