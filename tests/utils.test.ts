import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { createRng, loadJson, saveJson, setDevice, shuffled } from "../src/tagifai/utils.js";

describe("utils", () => {
  it("makes the same random sequence for the same seed, another for another seed", () => {
    const a = createRng(1234);
    const b = createRng(1234);
    const c = createRng(42);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
  });

  it("shuffles a copy deterministically", () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const first = shuffled(items, createRng(1));
    expect(shuffled(items, createRng(1))).toEqual(first);
    expect(first).not.toEqual(items);
    expect([...first].sort((x, y) => x - y)).toEqual(items);
    expect(items[0]).toBe(0);
  });

  it("uses the wasm backend by default and cpu on request", async () => {
    expect(await setDevice("cpu")).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(await setDevice()).toBe("wasm");
  });

  it("saves JSON atomically and reads it back", () => {
    const dir = mkdtempSync(join(tmpdir(), "tagifai-utils-"));
    const fp = join(dir, "nested", "value.json");
    saveJson(fp, { a: [1, 2], b: "x" });
    expect(loadJson(fp)).toEqual({ a: [1, 2], b: "x" });
    expect(readdirSync(join(dir, "nested"))).toEqual(["value.json"]);
    expect(existsSync(fp)).toBe(true);
  });
});
