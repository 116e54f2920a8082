/**
 * Small shared helpers: seeded randomness, the compute device (tfjs backend), and JSON files
 * written atomically so that an interrupted write never leaves a half file behind.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import seedrandom from "seedrandom";

/** A seeded source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Make a deterministic random number generator.
 * @param seed any integer; the same seed gives the same sequence
 * @returns a function returning uniform numbers in [0, 1)
 */
export function createRng(seed: number): Rng {
  return seedrandom(String(seed));
}

/**
 * Draw a 32-bit integer seed from a generator (to seed tfjs ops such as initializers and dropout).
 * @param rng the generator to draw from
 */
export function nextSeed(rng: Rng): number {
  return Math.floor(rng() * 2 ** 31);
}

/**
 * Shuffle a copy of an array with a seeded generator (Fisher–Yates).
 * @param items the array (not modified)
 * @param rng the generator
 * @returns a new, shuffled array
 */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** tfjs backends Tagifai can compute on. */
export type Device = "wasm" | "cpu";

/**
 * Choose the compute device: the wasm backend by default, the plain cpu backend as fallback.
 * @param device the preferred backend
 * @returns the backend actually in use
 */
export async function setDevice(device: Device = "wasm"): Promise<Device> {
  if (tf.getBackend() === device) return device;
  const ok = await tf.setBackend(device).catch(() => false);
  if (!ok) await tf.setBackend("cpu");
  await tf.ready();
  return tf.getBackend() as Device;
}

/**
 * Read a JSON file.
 * @param filePath the file
 * @returns the parsed value (unvalidated: check it with a schema)
 */
export function loadJson(filePath: string): unknown {
  return JSON.parse(readFileSync(filePath, "utf8"));
}

/**
 * Write a value as pretty JSON, atomically (temp file, then rename), creating parent folders.
 * @param filePath the destination
 * @param value any JSON-serializable value
 */
export function saveJson(filePath: string, value: unknown): void {
  writeFileAtomic(filePath, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Write bytes or text atomically: a reader sees either the old file or the whole new one.
 * @param filePath the destination
 * @param data the content
 */
export function writeFileAtomic(filePath: string, data: string | Uint8Array): void {
  mkdirSync(dirname(filePath), { recursive: true });
  const tmp = `${filePath}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, filePath);
}
