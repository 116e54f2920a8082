import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { ensureDevice, setDevice } from "../src/tagifai/device.js";

/**
 * Import modules in a fresh Node process in which resolving any @tensorflow package throws.
 * @returns the child's exit status and error output
 */
function importWithoutTfjs(modules: readonly string[]): { status: number | null; stderr: string } {
  const script = modules.map((module) => `await import(${JSON.stringify(module)});`).join("\n");
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", "./tests/fixtures/refuse-tfjs.mjs", "--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  return { status: child.status, stderr: child.stderr };
}

describe("device", () => {
  it("uses the wasm backend by default and cpu on request", async () => {
    expect(await setDevice("cpu")).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(await setDevice()).toBe("wasm");
  });

  it("sets the default device when none was chosen, and keeps a chosen one", async () => {
    const fresh = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        'const { ensureDevice } = await import("./src/tagifai/device.ts"); console.log(await ensureDevice());',
      ],
      { encoding: "utf8" },
    );
    expect(fresh.stdout.trim()).toBe("wasm");
    await setDevice("cpu");
    expect(await ensureDevice()).toBe("cpu");
    await setDevice();
  });

  it("is the module that loads tfjs: the hook that refuses tfjs catches it", () => {
    const { status, stderr } = importWithoutTfjs(["./src/tagifai/device.ts"]);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/tfjs loaded: @tensorflow\/tfjs-core imported by .*device\.ts/);
  });

  it("is not loaded by modules that do not compute with a model", () => {
    const { status, stderr } = importWithoutTfjs([
      "./src/tagifai/data.ts",
      "./src/tagifai/eval.ts",
      "./src/tagifai/tracking.ts",
      "./src/tagifai/params.ts",
      "./src/tagifai/schema.ts",
      "./src/tagifai/files.ts",
      "./src/tagifai/random.ts",
      "./src/tagifai/expectations.ts",
      "./src/tagifai/optimize/space.ts",
      "./src/tagifai/optimize/samplers.ts",
      "./src/tagifai/optimize/pruners.ts",
    ]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });
});
