import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { setDevice } from "../src/tagifai/device.js";
import type { Batch } from "../src/tagifai/families/cnn/batch.js";
import {
  charConvBackward,
  charConvForward,
  type LookupTables,
  tableBlocks,
  useConvHelper,
  warmUpHelper,
} from "../src/tagifai/families/cnn/charConv.js";
import { helperItemCount, threadHelper } from "../src/tagifai/families/cnn/workerPool.js";
import { createRng } from "../src/tagifai/random.js";
import { randomBatch } from "./helpers/batches.js";

function randomTables(
  maxFilterSize: number,
  vocabSize: number,
  numFilters: number,
  seed: number,
): LookupTables {
  const rng = createRng(seed);
  const data = Float32Array.from(
    { length: vocabSize * tableBlocks(maxFilterSize) * numFilters },
    () => rng() * 2 - 1,
  );
  return { data, vocabSize, numFilters, maxFilterSize };
}

/** The definition: same-padded conv by explicit sums (in float32), max over every position, first argmax. */
function referencePool(tables: LookupTables, batch: Batch) {
  const { numFilters: F } = tables;
  const maxF = tables.maxFilterSize;
  const rowLength = tableBlocks(maxF) * F;
  const [B, T] = batch.shape;
  const pooled = new Float32Array(B * maxF * F);
  const argmax = new Int32Array(B * maxF * F);
  for (let b = 0; b < B; b++)
    for (let f = 1; f <= maxF; f++)
      for (let k = 0; k < F; k++) {
        let best = Number.NEGATIVE_INFINITY;
        let bestT = 0;
        for (let t = 0; t < T; t++) {
          let sum = 0;
          for (let j = 0; j < f; j++) {
            const p = t + j - ((f - 1) >> 1);
            const id = p >= 0 && p < T ? batch.data[b * T + p] : 0;
            if (id !== 0)
              sum = Math.fround(sum + tables.data[id * rowLength + (tableBlocks(f - 1) + j) * F + k]);
          }
          if (sum > best) [best, bestT] = [sum, t];
        }
        pooled[(b * maxF + f - 1) * F + k] = best;
        argmax[(b * maxF + f - 1) * F + k] = bestT;
      }
  return { pooled, argmax };
}

beforeAll(async () => {
  await setDevice("wasm");
});

afterEach(() => {
  delete process.env.TAGIFAI_THREADS;
});

describe("charConvForward", () => {
  it.each([
    [3, 7, 5, 4, 9],
    [5, 11, 13, 3, 17],
    [10, 6, 9, 2, 30],
  ])("matches the definition (maxF=%i, V=%i, F=%i, B=%i, T=%i)", (maxF, V, F, B, T) => {
    const tables = randomTables(maxF, V, F, maxF);
    const batch = randomBatch(B, T, V, T);
    const result = charConvForward(tables, batch);
    const expected = referencePool(tables, batch);
    for (let i = 0; i < expected.pooled.length; i++)
      expect(result.pooled[i]).toBeCloseTo(expected.pooled[i], 5);
    expect(result.argmax).toEqual(expected.argmax);
  });

  it("gives 0 at the first all-padding position when every real position is negative", () => {
    const tables = { data: Float32Array.from([0, -1, -2]), vocabSize: 3, numFilters: 1, maxFilterSize: 1 };
    const result = charConvForward(tables, { data: Int32Array.from([1, 2, 0, 0]), shape: [1, 4] });
    expect(Array.from(result.pooled)).toEqual([0]);
    expect(Array.from(result.argmax)).toEqual([2]);
  });

  it("sees new tables even when a previous call left others resident", () => {
    const batch = randomBatch(2, 8, 5, 1);
    const first = charConvForward(randomTables(2, 5, 3, 1), batch);
    const second = charConvForward(randomTables(2, 5, 3, 2), batch);
    expect(second.pooled).not.toEqual(first.pooled);
  });
});

describe("charConvBackward", () => {
  it("sends each gradient to the table rows of its argmax window, never to the pad row", () => {
    const batch: Batch = { data: Int32Array.from([0, 2, 1, 0]), shape: [1, 4] };
    const argmax = Int32Array.from([2, 1]); // f=1: position 2 (id 1); f=2 (left 0): window 1..2 (ids 2, 1)
    const shape = { vocabSize: 3, numFilters: 1, maxFilterSize: 2 };
    const grad = charConvBackward(shape, batch, argmax, Float32Array.from([0.5, 2]));
    // rows: ids 0..2; columns: (f=1, j=0), (f=2, j=0), (f=2, j=1)
    expect(Array.from(grad)).toEqual([0, 0, 0, 0.5, 0, 2, 0, 2, 0]);
  });
});

describe("helper thread", () => {
  it("computes exactly what one thread without a helper computes (the browser's way)", async () => {
    const tables = randomTables(6, 40, 37, 3);
    const batch = randomBatch(24, 120, 40, 4);
    // No helper given yet: unshared memory, the calling thread alone.
    expect(await warmUpHelper()).toBe(false);
    const alone = charConvForward(tables, batch);
    useConvHelper(threadHelper);
    expect(await warmUpHelper()).toBe(true);
    const before = helperItemCount();
    let split = charConvForward(tables, batch);
    // The helper takes items only when it gets a core in time: retry a few times on a busy machine.
    for (let attempt = 0; attempt < 20 && helperItemCount() === before; attempt++)
      split = charConvForward(tables, batch);
    expect(helperItemCount()).toBeGreaterThan(before);
    process.env.TAGIFAI_THREADS = "1";
    const single = charConvForward(tables, batch);
    expect(split.pooled).toEqual(single.pooled);
    expect(split.argmax).toEqual(single.argmax);
    expect(single.pooled).toEqual(alone.pooled);
    expect(single.argmax).toEqual(alone.argmax);
  });

  it("runs under tsx in a child process, which then exits on its own", () => {
    const script = fileURLToPath(new URL("./fixtures/models-helper-child.ts", import.meta.url));
    const child = spawnSync(process.execPath, ["--import", "tsx", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe("helper=true same=true");
  });
});
