/**
 * Peak memory of loading a dataset file: validating and loading a generated CSV must not take more
 * than 10× its size on top of what the process held before. It took ~60× when the CSV parser built
 * every field a character at a time, and ~12× with fields sliced but the file read twice (validate,
 * then load), every row of the whole text held at once, and each text and label copied per record.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "tagifai-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A CSV of about `megabytes` MB shaped like the reference projects (~250 bytes a row: a title, a
 * description of a few sentences, some with quotes, and `|`-separated tags).
 */
function generateCsv(megabytes: number): string {
  const topics = ["text classification", "image segmentation", "speech recognition", "graph networks"];
  const lines = ["title,description,tags"];
  let size = 0;
  for (let i = 0; size < megabytes * 1e6; i++) {
    const topic = topics[i % topics.length];
    const quote = i % 10 === 0 ? '""practical""' : "practical";
    const description = `A ${quote} look at ${topic}, with code, notebooks and benchmarks. It covers data preparation, training, evaluation and deployment of ${topic} models, with worked examples (variant ${(i * 7919) % 100003}).`;
    const line = `"${topic} project ${i}","${description}",${i % 2 ? "natural-language-processing|code" : "computer-vision|article|tutorial"}`;
    lines.push(line);
    size += line.length + 1;
  }
  const file = join(dir, `generated-${megabytes}mb.csv`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function measure(file: string): Promise<{ fileBytes: number; growth: number; records: number }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ["--import", "tsx", resolve("tests/fixtures/data/peak-memory.ts"), file, "tags"],
      { env: { ...process.env, TAGIFAI_LOG_LEVEL: "error" } },
      (error, stdout) => (error ? fail(error) : done(JSON.parse(stdout))),
    );
  });
}

describe("loading a dataset file", () => {
  it("peaks below 10× the file size", async () => {
    const result = await measure(generateCsv(16));
    expect(result.records).toBeGreaterThan(40_000);
    expect(result.growth / result.fileBytes).toBeLessThan(10);
  }, 120_000);
});
