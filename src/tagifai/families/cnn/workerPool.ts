/**
 * One persistent helper thread for the lookup-table convolution, driven synchronously through the
 * shared memory's header (see {@link HEADER}): the main thread posts an item range, computes its own
 * range, then blocks (Atomics.wait) until the helper is done. The helper starts lazily, is `unref()`'d so
 * it never keeps the process alive, and is built from source text (`eval`), so it runs the same way
 * from the TypeScript sources (vitest, tsx) and from the compiled JavaScript. `TAGIFAI_THREADS=1`
 * disables it; any failure to start or run it falls back to the main thread alone. Node only: the
 * CNN family hands {@link threadHelper} to the convolution (charConv.ts's `useConvHelper`).
 */
import { availableParallelism } from "node:os";
import { type MessagePort, Worker } from "node:worker_threads";
import { logger } from "../../../config/config.js";
import type { ConvHelper } from "./charConv.js";
import { type AccumulateMax, HEADER, poolItems } from "./charConvLoop.js";

type HelperData = { memory: WebAssembly.Memory; module: WebAssembly.Module; header: typeof HEADER };

/** The helper thread's whole program (shipped as source: self-contained, no nested functions). */
function helperMain(data: HelperData, pool: typeof poolItems, port: MessagePort): void {
  const { memory, module, header: layout } = data;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const kernel = instance.exports.accumulateMax as AccumulateMax;
  const header = new Int32Array(memory.buffer, 0, layout.size);
  let seen = Atomics.load(header, layout.wake);
  port.postMessage("ready");
  for (;;) {
    Atomics.wait(header, layout.wake, seen);
    seen = Atomics.load(header, layout.wake);
    try {
      Atomics.add(header, layout.helperItems, pool(memory, kernel, layout, layout.helperOffsets));
    } catch {
      Atomics.store(header, layout.failed, 1);
      Atomics.notify(header, layout.completed);
      return;
    }
  }
}

const HELPER_SOURCE = [
  // esbuild (tsx, vitest) may wrap named functions in __name(); make that helper a no-op here.
  "var __name = (fn) => fn;",
  'const { workerData, parentPort } = require("node:worker_threads");',
  `const poolItems = ${poolItems.toString()};`,
  `(${helperMain.toString()})(workerData, poolItems, parentPort);`,
].join("\n");

/** A task not finished within this time is given up on (and recomputed by the caller). */
const FINISH_TIMEOUT_MS = 60_000;

type HelperState =
  | { kind: "idle" }
  | { kind: "starting"; ready: Promise<boolean> }
  | { kind: "ready"; worker: Worker; header: Int32Array }
  | { kind: "unavailable" };

let state: HelperState = { kind: "idle" };

/** Whether the helper may be used at all: more than one core and `TAGIFAI_THREADS` not set to 1. */
function helperAllowed(): boolean {
  return process.env.TAGIFAI_THREADS !== "1" && availableParallelism() > 1;
}

/**
 * Start the helper (once; later calls return the same answer).
 * @param memory the shared memory the kernel runs on
 * @param module the compiled kernel module
 * @returns resolves to true once the helper is ready, false if it could not start
 */
function startHelper(memory: WebAssembly.Memory, module: WebAssembly.Module): Promise<boolean> {
  if (state.kind === "starting") return state.ready;
  if (state.kind !== "idle") return Promise.resolve(state.kind === "ready");
  const header = new Int32Array(memory.buffer, 0, HEADER.size);
  const ready = new Promise<boolean>((resolve) => {
    const fail = (error: unknown) => {
      logger.warn({ err: error }, "charConv helper thread unavailable; using one thread");
      state = { kind: "unavailable" };
      resolve(false);
    };
    try {
      const workerData: HelperData = { memory, module, header: HEADER };
      const worker = new Worker(HELPER_SOURCE, { eval: true, workerData });
      worker.unref();
      worker.once("message", () => {
        state = { kind: "ready", worker, header };
        resolve(true);
      });
      worker.once("error", fail);
    } catch (error) {
      fail(error);
    }
  });
  state = { kind: "starting", ready };
  return ready;
}

/** Whether the helper is running and can take work now. */
function helperReady(): boolean {
  return state.kind === "ready";
}

/** How many work items the helper thread has computed since it started (0 if it is not running). */
export function helperItemCount(): number {
  return state.kind === "ready" ? Atomics.load(state.header, HEADER.helperItems) : 0;
}

/** Wake the helper so that it takes items of the task just opened in the header (returns at once). */
function helperWake(): void {
  if (state.kind !== "ready") return;
  Atomics.add(state.header, HEADER.wake, 1);
  Atomics.notify(state.header, HEADER.wake);
}

/**
 * After the caller ran out of items: block until the helper has finished the items it took (returns at
 * once when it took none).
 * @param header int32 view of the shared memory's header
 * @returns true when all `count` items are done; false if the helper failed or timed out (it is then
 *   retired, and the caller must recompute the task alone)
 */
function helperFinish(header: Int32Array): boolean {
  const count = header[HEADER.count];
  const deadline = Date.now() + FINISH_TIMEOUT_MS;
  for (;;) {
    const done = Atomics.load(header, HEADER.completed);
    if (done >= count) return true;
    if (Atomics.load(header, HEADER.failed) === 1 || Date.now() > deadline) break;
    Atomics.wait(header, HEADER.completed, done, 1000);
  }
  logger.warn("charConv helper thread failed or timed out; using one thread");
  if (state.kind === "ready") void state.worker.terminate();
  state = { kind: "unavailable" };
  return false;
}

/** The helper thread as the convolution takes it (see charConv.ts's `useConvHelper`). */
export const threadHelper: ConvHelper = {
  allowed: helperAllowed,
  ready: helperReady,
  start: startHelper,
  wake: helperWake,
  finish: helperFinish,
};
