import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import "../src/tagifai/families/cnn/model.js";
import { setDevice } from "../src/tagifai/device.js";

/** Plain matrix product of nested arrays, the reference for the registered gradients. */
function product(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, value, k) => sum + value * b[k][j], 0)));
}

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.flat().forEach((value, i) => {
    expect(value).toBeCloseTo(expected.flat()[i], 4);
  });
}

function transpose(m: number[][]): number[][] {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

describe("registered MatMul gradient", () => {
  beforeAll(async () => {
    await setDevice("wasm");
  });

  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])(
    "matches d/da, d/db of sum(R ⊙ op(a)·op(b)) with transposeA=%s, transposeB=%s",
    (transposeA, transposeB) => {
      const a = tf.randomNormal(transposeA ? [4, 3] : [3, 4], 0, 1, "float32", 1) as tf.Tensor2D;
      const b = tf.randomNormal(transposeB ? [5, 4] : [4, 5], 0, 1, "float32", 2) as tf.Tensor2D;
      const r = tf.randomNormal([3, 5], 0, 1, "float32", 3) as tf.Tensor2D;
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(r, tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, transposeA, transposeB))),
      )([a, b]);
      const A = a.arraySync();
      const B = b.arraySync();
      const R = r.arraySync();
      const opA = transposeA ? transpose(A) : A;
      const opB = transposeB ? transpose(B) : B;
      const dOpA = product(R, transpose(opB));
      const dOpB = product(transpose(opA), R);
      const expectedA = transposeA ? transpose(dOpA) : dOpA;
      const expectedB = transposeB ? transpose(dOpB) : dOpB;
      expectClose(da.arraySync() as number[][], expectedA);
      expectClose(db.arraySync() as number[][], expectedB);
    },
  );
});
