/**
 * Batch prediction (`batchPredict`, `tagifai predict`): CSV, JSON and JSONL inputs streamed through
 * a trained run into JSONL or CSV, in input order, on worker threads or in process; a broken record
 * skipped (counted, logged with its line) or fatal; an existing output refused without --force and
 * nothing half-written on failure; and the read-ahead bounded by the writing (backpressure).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable, Writable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { batchPredict } from "../src/tagifai/batch-predict.js";
import { loadArtifacts } from "../src/tagifai/operations.js";
import { predict } from "../src/tagifai/predict.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/data.js";
import { type TrainedHome, trainTestRun } from "./helpers/trained-run.js";

const fields = { textFields: ["title", "description"] };
const TEXTS = [
  "Transfer learning with transformers for text classification.",
  "Object detection with YOLO in PyTorch.",
  "A production MLOps pipeline with Kubernetes and Docker.",
];

let trained: TrainedHome;
let dir: string;

beforeAll(async () => {
  trained = await trainTestRun();
  dir = tempDir();
});

/** Write a file into the test folder. @returns its path */
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const jsonl = (rows: object[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join("");
const records = (texts = TEXTS) => texts.map((text, i) => ({ key: `p${i}`, title: text, description: "" }));
const readJsonl = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { id: string | number; predicted_tags: string[] });

describe("batchPredict", () => {
  it("streams a JSONL file to JSONL in input order, on threads as in process, equal to predict", async () => {
    const texts = Array.from({ length: 300 }, (_, i) => `${TEXTS[i % 3]} number ${i}`);
    const input = file("many.jsonl", jsonl(records(texts)));
    const base = { input, fields: { ...fields, idField: "key" }, runRef: trained.runId, batchSize: 16 };
    const opts = { trackingUri: trained.trackingUri };
    const threaded = await batchPredict({ ...base, ...opts, output: join(dir, "t.jsonl"), threads: 2 });
    const inline = await batchPredict({ ...base, ...opts, output: join(dir, "i.jsonl"), threads: 0 });
    expect(threaded).toEqual({ runId: trained.runId, predicted: 300, skipped: 0 });
    expect(inline.predicted).toBe(300);
    expect(readFileSync(join(dir, "t.jsonl"), "utf8")).toBe(readFileSync(join(dir, "i.jsonl"), "utf8"));
    const artifacts = await loadArtifacts(trained.runId, opts);
    const expected = predict(texts, artifacts).map((p) => p.predicted_tags);
    artifacts.model.dispose();
    const written = readJsonl(join(dir, "t.jsonl"));
    expect(written.map((row) => row.id)).toEqual(texts.map((_, i) => `p${i}`));
    expect(written.map((row) => row.predicted_tags)).toEqual(expected);
  });

  it("reads CSV and JSON inputs and writes CSV with probabilities", async () => {
    const csv = file("in.csv", `title,description\n${TEXTS.map((t) => `"${t}",desc`).join("\n")}\n`);
    const json = file("in.json", JSON.stringify(records()));
    const options = { fields, runRef: trained.runId, trackingUri: trained.trackingUri, threads: 1 };
    await batchPredict({ ...options, input: csv, output: join(dir, "csv.csv"), probabilities: true });
    const lines = readFileSync(join(dir, "csv.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("id,predicted_tags,probabilities");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^0,[^,]*,"\{""/);
    const result = await batchPredict({ ...options, input: json, output: join(dir, "json.jsonl") });
    expect(result.predicted).toBe(3);
    expect(readJsonl(join(dir, "json.jsonl")).map((row) => row.id)).toEqual([0, 1, 2]);
  });

  it("skips a broken line when told to, counting it; fails on it by default, writing nothing", async () => {
    const input = file(
      "broken.jsonl",
      `${jsonl(records().slice(0, 2))}{"title": oops\n${jsonl([{ title: "" }])}`,
    );
    const options = { input, fields, runRef: trained.runId, trackingUri: trained.trackingUri, threads: 1 };
    const skipped = await batchPredict({ ...options, output: join(dir, "skip.jsonl"), onError: "skip" });
    expect(skipped).toMatchObject({ predicted: 2, skipped: 2 });
    expect(readJsonl(join(dir, "skip.jsonl"))).toHaveLength(2);

    const output = join(dir, "fail.jsonl");
    await expect(batchPredict({ ...options, output })).rejects.toMatchObject({
      code: "INVALID_DATA",
      message: expect.stringMatching(/broken\.jsonl line 3: not valid JSON/),
    });
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses an output file that exists unless forced, leaving it untouched", async () => {
    const input = file("one.jsonl", jsonl(records().slice(0, 1)));
    const output = file("exists.jsonl", "keep me\n");
    const options = {
      input,
      output,
      fields,
      runRef: trained.runId,
      trackingUri: trained.trackingUri,
      threads: 0,
    };
    await expect(batchPredict(options)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/exists\.jsonl already exists.*--force/),
    });
    expect(readFileSync(output, "utf8")).toBe("keep me\n");
    await batchPredict({ ...options, force: true });
    expect(readJsonl(output)).toHaveLength(1);
  });

  it("writes nothing when aborted midway", async () => {
    const input = file(
      "abort.jsonl",
      jsonl(records(Array.from({ length: 2000 }, (_, i) => `${TEXTS[i % 3]} ${i}`))),
    );
    const output = join(dir, "aborted.jsonl");
    const controller = new AbortController();
    await expect(
      batchPredict({
        input,
        output,
        fields,
        runRef: trained.runId,
        trackingUri: trained.trackingUri,
        batchSize: 50,
        signal: controller.signal,
        onProgress: ({ predicted }) => {
          if (predicted >= 100) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("reads no further ahead of a slow output than the batches in flight (backpressure)", async () => {
    const total = 20_000;
    let produced = 0;
    let written = 0;
    let maxAhead = 0;
    const input = Readable.from(
      (function* () {
        for (; produced < total; ) {
          produced++;
          yield `{"title": "a project about pytorch ${produced}", "description": ""}\n`;
        }
      })(),
      { objectMode: false, highWaterMark: 16 * 1024 },
    );
    const output = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString().split("\n").length - 1;
        maxAhead = Math.max(maxAhead, produced - written);
        setImmediate(done);
      },
    });
    const result = await batchPredict({
      input,
      inputFormat: "jsonl",
      output,
      fields,
      runRef: trained.runId,
      trackingUri: trained.trackingUri,
      threads: 1,
      batchSize: 100,
    });
    expect(result.predicted).toBe(total);
    expect(written).toBe(total);
    // 2 batches in flight + 1 being filled + what the input stream buffers: far less than the input.
    expect(maxAhead).toBeLessThan(2_000);
  });
});

describe("tagifai predict", () => {
  it("reads stdin and writes stdout with `-`, and reports a bad record and usage errors", async () => {
    const env = { TAGIFAI_HOME: trained.home };
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        resolve("src/cli.ts"),
        "predict",
        "--input",
        "-",
        "--output",
        "-",
        "--on-error",
        "skip",
      ],
      { env: { ...process.env, ...env } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.end(`${jsonl(records())}not json\n`);
    const code = await new Promise((done) => child.on("close", done));
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).id),
    ).toEqual([0, 1, 2]);
    expect(stderr).toMatch(/stdin line 4: not valid JSON.*skipped/);
    expect(stderr).toMatch(/Predicted 3 record\(s\) .* skipped 1 bad record/);

    const usage = await runCli(
      ["predict", "--input", "x.jsonl", "--output", "-", "--on-error", "ignore"],
      env,
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--on-error.*ignore/);
  });
});
