/**
 * Memory limits of a fit, checked before anything is allocated: the shape of the data (measured on
 * the texts), the budget, and the check that refuses a configuration whose estimate (the families'
 * `estimateMemory`) exceeds it, naming the params keys that drive the estimate and their values.
 *
 * Two limits apply. tfjs tensors (the CNN's weights, gradients, Adam moments and activations) live
 * in the wasm backend's heap, which cannot grow past 4 GiB − 64 KiB (tfjs-backend-wasm's
 * `getHeapMax`; past it training dies with "memory access out of bounds"). The tensor limit is
 * applied whatever the device (the check runs before the device is known, and wasm is the default):
 * on the cpu backend, whose tensors are plain typed arrays bounded only by the RAM, it is
 * conservative. Everything together must also stay within half of the machine's RAM
 * (`os.totalmem()`), leaving room for the process itself, the data and the rest of the system.
 */
import { totalmem } from "node:os";
import { TagifaiError } from "./errors.js";
import type { DataShape, MemoryTerm } from "./family.js";
import type { Params } from "./params.js";

/** The wasm backend's largest heap: tfjs-backend-wasm's `getHeapMax()` (4 GiB − one 64 KiB page). */
export const WASM_HEAP_BYTES = 4 * 2 ** 30 - 2 ** 16;

/** The share of the machine's RAM a fit may take. */
export const RAM_SHARE = 0.5;

/** How much memory a fit may take. */
export interface MemoryBudget {
  /** Everything the fit allocates. */
  totalBytes: number;
  /** Its tfjs tensors. */
  tensorBytes: number;
  /** Where the budget comes from, for messages. */
  reason: string;
}

/**
 * The budget on this machine: tensors within the wasm heap (4 GiB) and everything within half the RAM.
 * @returns the budget and why
 */
export function memoryBudget(): MemoryBudget {
  const ram = totalmem();
  const totalBytes = Math.floor(ram * RAM_SHARE);
  return {
    totalBytes,
    tensorBytes: Math.min(WASM_HEAP_BYTES, totalBytes),
    reason: `half of this machine's ${formatBytes(ram)} of RAM, and for tfjs tensors the wasm backend's ${formatBytes(WASM_HEAP_BYTES)} heap`,
  };
}

const WORD = /[\p{L}\p{N}_]+/gu;

/**
 * Measure the texts a model would be fitted on (one pass; see {@link DataShape}).
 * @param texts the texts
 * @param classes the number of classes
 * @returns their shape
 */
export function dataShape(texts: readonly string[], classes: number): DataShape {
  const chars = new Set<string>();
  const words = new Set<string>();
  let maxChars = 0;
  let totalChars = 0;
  let maxWords = 0;
  let totalWords = 0;
  for (const text of texts) {
    maxChars = Math.max(maxChars, text.length);
    totalChars += text.length;
    let count = 0;
    for (const [word] of text.matchAll(WORD)) {
      count++;
      words.add(word);
    }
    maxWords = Math.max(maxWords, count);
    totalWords += count;
    // Distinct characters: a text rarely brings new ones, so skip the scan once it has none.
    if (chars.size < 4096) for (const char of text) chars.add(char);
  }
  return {
    rows: texts.length,
    classes,
    maxChars,
    totalChars,
    maxWords,
    totalWords,
    distinctChars: chars.size,
    distinctWords: words.size,
  };
}

/**
 * Refuse a fit whose estimated memory exceeds the budget.
 * @param terms the estimate (see `estimateFitMemory`)
 * @param params the params (to echo the values of the keys named)
 * @param budget default this machine's (see {@link memoryBudget})
 * @throws TagifaiError INVALID_PARAMS naming the estimate, the budget, the largest parts and the
 *   params keys they grow with, with their values
 */
export function checkMemory(terms: readonly MemoryTerm[], params: Params, budget = memoryBudget()): void {
  const tensors = terms.filter((term) => term.tensors);
  const over = [
    { parts: terms, limit: budget.totalBytes, what: "" },
    { parts: tensors, limit: budget.tensorBytes, what: " of tfjs tensors" },
  ].find(({ parts, limit }) => sum(parts) > limit);
  if (over === undefined) return;
  const largest = [...over.parts].sort((a, b) => b.bytes - a.bytes).slice(0, 3);
  const keys = [...new Set(largest.flatMap((term) => term.keys))];
  const parts = largest.map((term) => `${term.what} ${formatBytes(term.bytes)}`).join(", ");
  throw new TagifaiError(
    "INVALID_PARAMS",
    `${keys.map((key) => `${key} = ${JSON.stringify(valueAt(params, key))}`).join(", ")}: training needs an estimated ${formatBytes(sum(over.parts))}${over.what}, more than the ${formatBytes(over.limit)} budget (${budget.reason}); largest parts: ${parts}. Lower these params.`,
  );
}

/**
 * A byte count for people: `512 B`, `3.2 MiB`, `1.1 TiB`.
 * @param bytes a count of bytes
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toPrecision(value >= 100 ? 4 : 3)} ${units[unit]}`;
}

function sum(terms: readonly MemoryTerm[]): number {
  return terms.reduce((total, term) => total + term.bytes, 0);
}

function valueAt(params: Params, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (node, key) =>
        typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined,
      params,
    );
}
