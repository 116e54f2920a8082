/**
 * The character CNN's convolutions as table lookups. With a small vocabulary, the 'same'-padded conv1d
 * output of filter size f at position t is Σ_j P_{f,j}[x(t + j − left)], where P_{f,j} = E·W_f[j]
 * (a [V, F] table): so conv + global max-pool becomes "add f table rows, keep the max" per position.
 * The forward pass runs in a SIMD wasm kernel (charConvWasm.ts), split with a helper thread when one
 * is given ({@link useConvHelper}: Node's worker thread of workerPool.ts) and it pays; without one (the
 * browser) it runs on the calling thread alone, on unshared memory. The backward pass sends each
 * (sample, filter) gradient to its argmax position.
 */
import * as tf from "@tensorflow/tfjs-core";
import { TagifaiError } from "../../errors.js";
import { type Batch, sequenceLengths } from "./batch.js";
import { type AccumulateMax, HEADER, MAX_ITEMS, poolItems } from "./charConvLoop.js";
import { buildCharConvWasm, ROW_ALIGN_FLOATS } from "./charConvWasm.js";

/**
 * Lookup tables of every filter size, `[vocabSize, Σ_f f·numFilters]`: row v holds, for f = 1..maxF and
 * j = 0..f−1 in that order, the block (E·W_f[j])[v] of numFilters values (see lookupTables.ts).
 */
export type LookupTables = {
  readonly data: Float32Array;
  readonly vocabSize: number;
  readonly numFilters: number;
  readonly maxFilterSize: number;
};

/** Number of column blocks (one per (f, j)) of the tables: Σ_{f ≤ maxF} f. */
export function tableBlocks(maxFilterSize: number): number {
  return (maxFilterSize * (maxFilterSize + 1)) / 2;
}

/** Result of the forward pass: pooled conv outputs and the position each max came from. */
export type PoolResult = {
  /** `[batchSize, maxFilterSize · numFilters]`, filter sizes ascending (bias not added). */
  pooled: Float32Array;
  /** Same layout: the time step of each max. */
  argmax: Int32Array;
};

const PAGE_BYTES = 65536;
const MAX_PAGES = 16384; // 1 GiB of address space, reserved but only committed as it grows
/** Below this many float additions the helper's round trip costs more than it saves. */
const HELPER_MIN_WORK = 1_000_000;

type Arena = {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  accumulateMax: AccumulateMax;
  /** The tables currently copied into the memory, and where, to skip copying them again. */
  resident?: { tables: LookupTables; index: number; rowFloats: number };
  /** Generation of the current task (even; see HEADER.next). */
  generation: number;
};

/**
 * A second thread that takes items of each forward pass from the shared memory's header (see
 * charConvLoop.ts), so the calling thread computes only the rest.
 */
export interface ConvHelper {
  /** Whether it may be used at all (e.g. more than one core, not disabled). */
  allowed(): boolean;
  /** Whether it is running and can take work now. */
  ready(): boolean;
  /** Start it on this memory and kernel (once); resolves to true once ready, false if it cannot start. */
  start(memory: WebAssembly.Memory, module: WebAssembly.Module): Promise<boolean>;
  /** Wake it so that it takes items of the task just opened in the header (returns at once). */
  wake(): void;
  /**
   * After the caller ran out of items, block until the helper finished those it took.
   * @returns false if it failed (the caller then recomputes the task alone)
   */
  finish(header: Int32Array): boolean;
}

let helper: ConvHelper | undefined;
let arena: Arena | undefined;

/**
 * Let a helper thread share the forward pass from now on (its memory is then shared between threads).
 * @param next the helper (Node: workerPool.ts's `threadHelper`)
 */
export function useConvHelper(next: ConvHelper): void {
  if (helper === next) return;
  helper = next;
  arena = undefined;
}

function getArena(): Arena {
  if (!arena) {
    const shared = helper !== undefined;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared });
    const module = new WebAssembly.Module(buildCharConvWasm(MAX_PAGES, shared));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    arena = { memory, module, accumulateMax: instance.exports.accumulateMax as AccumulateMax, generation: 0 };
  }
  return arena;
}

/** Int32 offsets of everything one call puts in the shared memory. */
function layoutFor(tables: LookupTables, batch: Batch) {
  const [batchSize, seqLen] = batch.shape;
  const { maxFilterSize } = tables;
  const rowFloats = Math.ceil(tables.numFilters / ROW_ALIGN_FLOATS) * ROW_ALIGN_FLOATS;
  const align = (index: number) => Math.ceil(index / 4) * 4; // 16-byte alignment for v128 access
  const zeroRow = HEADER.size;
  const tablesIndex = align(zeroRow + rowFloats);
  const tableRows = tables.vocabSize * tableBlocks(maxFilterSize);
  const tokens = align(tablesIndex + tableRows * rowFloats);
  const lengths = tokens + batchSize * seqLen;
  const max = align(lengths + batchSize);
  const arg = max + batchSize * maxFilterSize * rowFloats;
  const end = arg + batchSize * maxFilterSize * rowFloats;
  return { zeroRow, tables: tablesIndex, tokens, lengths, max, arg, end, rowFloats, maxFilterSize };
}

function ensureCapacity(memory: WebAssembly.Memory, bytes: number): void {
  const missing = Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES);
  if (missing <= 0) return;
  if (memory.buffer.byteLength / PAGE_BYTES + missing > MAX_PAGES)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Batch needs ${Math.ceil(bytes / 2 ** 20)} MiB of convolution workspace (limit ${MAX_PAGES / 16} MiB); use smaller batches`,
    );
  memory.grow(missing);
}

/** The kernel wants block-major rows (row (q, v) = block q of vocabulary entry v), padded. */
function copyTables(heap: Float32Array, tables: LookupTables, index: number, rowFloats: number): void {
  const { data, vocabSize, numFilters, maxFilterSize } = tables;
  const blocks = tableBlocks(maxFilterSize);
  for (let v = 0; v < vocabSize; v++)
    for (let q = 0; q < blocks; q++) {
      const from = (v * blocks + q) * numFilters;
      heap.set(data.subarray(from, from + numFilters), index + (q * vocabSize + v) * rowFloats);
    }
}

/** Work of a task, in float additions (to decide whether waking the helper pays). */
function taskWork(lengths: Int32Array, seqLen: number, maxFilterSize: number, rowFloats: number): number {
  let positions = 0;
  for (const length of lengths)
    for (let filterSize = 1; filterSize <= maxFilterSize; filterSize++)
      positions += filterSize * Math.min(seqLen, length + ((filterSize - 1) >> 1));
  return positions * rowFloats;
}

/** Publish a task: its items become claimable by whichever thread asks (see HEADER.next). */
function openTask(current: Arena, header: Int32Array, itemCount: number): void {
  current.generation = (current.generation + 2) & 0x3fe;
  Atomics.store(header, HEADER.count, itemCount);
  Atomics.store(header, HEADER.completed, 0);
  Atomics.store(header, HEADER.next, (current.generation << 20) | (2 ** 20 - itemCount));
}

/**
 * Conv1d ('same' padding, no bias) + global max-pool over time for every filter size, by table lookup.
 * Pad ids (0) and positions outside the sequence contribute zero. Deterministic: the helper thread,
 * when used, computes exactly what the main thread would.
 * @param tables the lookup tables (their identity is used to skip re-copying unchanged tables)
 * @param batch token ids, validated against `tables.vocabSize`
 * @returns pooled maxima and their positions (the first position on ties)
 */
export function charConvForward(tables: LookupTables, batch: Batch): PoolResult {
  const current = getArena();
  const { memory, accumulateMax } = current;
  const layout = layoutFor(tables, batch);
  ensureCapacity(memory, layout.end * 4);
  const heap = new Int32Array(memory.buffer);
  const heapFloats = new Float32Array(memory.buffer);
  const resident = current.resident;
  if (
    resident?.tables !== tables ||
    resident.index !== layout.tables ||
    resident.rowFloats !== layout.rowFloats
  ) {
    heapFloats.fill(0, layout.zeroRow, layout.zeroRow + layout.rowFloats);
    copyTables(heapFloats, tables, layout.tables, layout.rowFloats);
    current.resident = { tables, index: layout.tables, rowFloats: layout.rowFloats };
  }
  const [batchSize, seqLen] = batch.shape;
  const lengths = sequenceLengths(batch);
  heap.set(batch.data, layout.tokens);
  heap.set(lengths, layout.lengths);
  heap.set(
    [
      layout.tables,
      layout.tokens,
      layout.lengths,
      seqLen,
      tables.vocabSize,
      layout.rowFloats,
      layout.maxFilterSize,
      layout.max,
      layout.arg,
      layout.zeroRow,
    ],
    HEADER.task,
  );

  const itemCount = batchSize * layout.maxFilterSize;
  if (itemCount > MAX_ITEMS)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Batch of ${batchSize} samples is too large (limit ${MAX_ITEMS} samples × filter sizes)`,
    );
  const header = heap.subarray(0, HEADER.size);
  openTask(current, header, itemCount);
  const work = taskWork(lengths, seqLen, layout.maxFilterSize, layout.rowFloats);
  const useHelper = helper?.allowed() === true && work >= HELPER_MIN_WORK;
  if (useHelper && !helper?.ready()) void helper?.start(memory, current.module);
  if (useHelper && helper?.ready()) helper.wake();
  poolItems(memory, accumulateMax, HEADER, HEADER.mainOffsets);
  // Wait even when not woken now: a helper still awake from an earlier task may have taken items.
  if (helper !== undefined && !helper.finish(header)) {
    openTask(current, header, itemCount);
    poolItems(memory, accumulateMax, HEADER, HEADER.mainOffsets);
  }

  return unpad(heapFloats, heap, layout, batchSize, tables.numFilters);
}

function unpad(
  heapFloats: Float32Array,
  heap: Int32Array,
  layout: ReturnType<typeof layoutFor>,
  batchSize: number,
  numFilters: number,
): PoolResult {
  const items = batchSize * layout.maxFilterSize;
  const pooled = new Float32Array(items * numFilters);
  const argmax = new Int32Array(items * numFilters);
  for (let item = 0; item < items; item++) {
    const from = item * layout.rowFloats;
    pooled.set(heapFloats.subarray(layout.max + from, layout.max + from + numFilters), item * numFilters);
    argmax.set(heap.subarray(layout.arg + from, layout.arg + from + numFilters), item * numFilters);
  }
  return { pooled, argmax };
}

/**
 * Gradient of {@link charConvForward} w.r.t. the tables: each pooled gradient flows to the table rows
 * of the window at its argmax position (pad ids and out-of-range positions get nothing, so row 0 of
 * every table stays zero).
 * @param shape the tables' sizes
 * @param batch the forward pass's batch
 * @param argmax the forward pass's argmax
 * @param dPooled gradient w.r.t. the pooled output, `[batchSize, maxFilterSize · numFilters]`
 * @returns the gradient, laid out like the tables (`[vocabSize, Σ_f f·numFilters]`)
 */
export function charConvBackward(
  shape: { vocabSize: number; numFilters: number; maxFilterSize: number },
  batch: Batch,
  argmax: Int32Array,
  dPooled: Float32Array,
): Float32Array {
  const { vocabSize, numFilters, maxFilterSize } = shape;
  const [batchSize, seqLen] = batch.shape;
  const rowLength = tableBlocks(maxFilterSize) * numFilters;
  const grad = new Float32Array(vocabSize * rowLength);
  for (let b = 0; b < batchSize; b++) {
    for (let filterSize = 1; filterSize <= maxFilterSize; filterSize++) {
      const blockOffset = tableBlocks(filterSize - 1) * numFilters;
      const left = (filterSize - 1) >> 1;
      const itemAt = (b * maxFilterSize + filterSize - 1) * numFilters;
      for (let k = 0; k < numFilters; k++) {
        const g = dPooled[itemAt + k];
        if (g === 0) continue;
        const t = argmax[itemAt + k];
        for (let j = 0; j < filterSize; j++) {
          const p = t + j - left;
          if (p < 0 || p >= seqLen) continue;
          const id = batch.data[b * seqLen + p];
          if (id !== 0) grad[id * rowLength + blockOffset + j * numFilters + k] += g;
        }
      }
    }
  }
  return grad;
}

/**
 * The differentiable op: conv (by table lookup) + global max-pool over time, all filter sizes.
 * @param tables `[vocabSize, Σ_f f·numFilters]` (see {@link LookupTables})
 * @param batch token ids (already validated)
 * @param shape numFilters and maxFilterSize of the tables
 * @returns `[batchSize, maxFilterSize · numFilters]` pooled outputs (no bias); gradients flow to `tables`
 */
export function charConvMaxPool(
  tables: tf.Tensor2D,
  batch: Batch,
  shape: { numFilters: number; maxFilterSize: number },
): tf.Tensor2D {
  const { numFilters, maxFilterSize } = shape;
  const vocabSize = tables.shape[0];
  const op = tf.customGrad((...inputs) => {
    const data = (inputs[0] as tf.Tensor2D).dataSync() as Float32Array;
    const { pooled, argmax } = charConvForward({ data, vocabSize, numFilters, maxFilterSize }, batch);
    const value = tf.tensor2d(pooled, [batch.shape[0], maxFilterSize * numFilters]);
    const gradFunc = (dy: tf.Tensor) => {
      const dPooled = dy.dataSync() as Float32Array;
      const grad = charConvBackward({ vocabSize, numFilters, maxFilterSize }, batch, argmax, dPooled);
      return tf.tensor2d(grad, tables.shape);
    };
    return { value, gradFunc };
  });
  return op(tables) as tf.Tensor2D;
}

/**
 * Start the helper thread now (it otherwise starts on the first large batch, which then runs on one
 * thread). Useful before timing or testing.
 * @returns true if the helper is ready, false if there is none, it is disabled or could not start
 */
export async function warmUpHelper(): Promise<boolean> {
  if (helper === undefined || !helper.allowed()) return false;
  const { memory, module } = getArena();
  return helper.start(memory, module);
}
