/**
 * The driver loop of the lookup-table convolution, shared by the main thread and the helper thread.
 *
 * `poolItems` is shipped to the helper thread as source text (`poolItems.toString()`), so it must stay
 * self-contained: no imports, no module constants, no nested functions. Results do not depend on
 * which thread computes which item.
 */

/** The wasm export (see charConvWasm.ts); every argument is a byte address or a byte count. */
export type AccumulateMax = (
  offsets: number,
  offsetBytes: number,
  rowBytes: number,
  maxPtr: number,
  argPtr: number,
  position: number,
) => void;

/**
 * Int32 slots at the start of the shared memory. Work is handed out item by item from a shared counter
 * (`next`), so a thread that is late or busy elsewhere simply takes fewer items. `next` holds a task
 * generation (bits 20+, even while items remain) and a position (bits 0–19) that starts at 2^20 − count:
 * a claim is valid while the generation bit 20 is clear; the claim after the last item carries into it.
 * The task slots hold, in this order: tables, tokens, lengths (int32 indices into the memory), seqLen,
 * vocabSize, rowFloats (padded row length), maxFilterSize, max, arg, zeroRow (int32 indices).
 */
export const HEADER = {
  /** Bumped to wake the helper thread. */
  wake: 0,
  /** Set to 1 by the helper thread if it failed. */
  failed: 1,
  next: 2,
  completed: 3,
  count: 4,
  /** Items computed by the helper thread so far (for tests and benchmarks). */
  helperItems: 5,
  task: 8,
  taskLength: 10,
  /** Scratch for the row addresses of one position, one slot per thread (≤ 64 filter rows each). */
  mainOffsets: 32,
  helperOffsets: 96,
  size: 160,
} as const;

/** Largest number of items (samples × filter sizes) of one task. */
export const MAX_ITEMS = 2 ** 19;

/**
 * Take items of the current task from the shared counter until none are left, and run the convolution
 * + max-pool over time for each. Item i is sample ⌊i / maxFilterSize⌋ with filter size
 * (i mod maxFilterSize) + 1. For every position t of the sample, the rows `table_f[j][x[t + j − left]]`
 * of the valid, non-pad window entries are summed and folded into the item's running max/argmax
 * (`max[i]`, `arg[i]`, rowFloats each). Positions past the last real token (window all padding) are
 * worth 0 and are folded in once, at the first such position.
 * @param memory the shared memory (header, tables, tokens, outputs)
 * @param accumulateMax the wasm kernel instantiated on that memory
 * @param layout {@link HEADER}
 * @param offsetsIndex this thread's scratch for row addresses
 * @returns how many items this call computed
 */
export function poolItems(
  memory: WebAssembly.Memory,
  accumulateMax: AccumulateMax,
  layout: typeof HEADER,
  offsetsIndex: number,
): number {
  const header = new Int32Array(memory.buffer, 0, layout.size);
  const positionBits = 0x100000;
  const negativeInfinityBits = -8388608; // 0xff800000, the float32 -Infinity
  const offsetsBytes = offsetsIndex * 4;
  for (let taken = 0; ; taken++) {
    const claim = Atomics.add(header, layout.next, 1);
    if (claim & positionBits) return taken;
    const heap = new Int32Array(memory.buffer);
    const item = (claim & (positionBits - 1)) - (positionBits - heap[layout.count]);
    const task = layout.task;
    const tablesIndex = heap[task];
    const tokensIndex = heap[task + 1];
    const lengthsIndex = heap[task + 2];
    const seqLen = heap[task + 3];
    const vocabSize = heap[task + 4];
    const rowFloats = heap[task + 5];
    const maxFilterSize = heap[task + 6];
    const maxIndex = heap[task + 7];
    const argIndex = heap[task + 8];
    const zeroRowBytes = heap[task + 9] * 4;
    const rowBytes = rowFloats * 4;
    const sample = Math.floor(item / maxFilterSize);
    const filterSize = item - sample * maxFilterSize + 1;
    const left = (filterSize - 1) >> 1;
    const tableBytes = (tablesIndex + vocabSize * rowFloats * ((filterSize * (filterSize - 1)) >> 1)) * 4;
    const maxAt = maxIndex + item * rowFloats;
    const argAt = argIndex + item * rowFloats;
    heap.fill(negativeInfinityBits, maxAt, maxAt + rowFloats);
    heap.fill(0, argAt, argAt + rowFloats);
    const tokensAt = tokensIndex + sample * seqLen;
    const end = Math.min(seqLen, heap[lengthsIndex + sample] + left);
    for (let t = 0; t < end; t++) {
      let count = 0;
      for (let j = 0; j < filterSize; j++) {
        const p = t + j - left;
        if (p < 0 || p >= seqLen) continue;
        const id = heap[tokensAt + p];
        if (id !== 0) heap[offsetsIndex + count++] = tableBytes + (j * vocabSize + id) * rowBytes;
      }
      if (count === 0) heap[offsetsIndex + count++] = zeroRowBytes;
      accumulateMax(offsetsBytes, count * 4, rowBytes, maxAt * 4, argAt * 4, t);
    }
    if (end < seqLen) {
      heap[offsetsIndex] = zeroRowBytes;
      accumulateMax(offsetsBytes, 4, rowBytes, maxAt * 4, argAt * 4, end);
    }
    Atomics.add(header, layout.completed, 1);
    Atomics.notify(header, layout.completed);
  }
}
