/**
 * What turns batches of texts into output lines for batch prediction: the model in this thread, or
 * a pool of worker threads that each load the model once (`predict-worker.ts`) and take one batch
 * at a time. Either answers batches in any order of completion; the caller keeps the input order.
 */
import type { Worker } from "node:worker_threads";
import { loadArtifactsFromDir } from "../artifacts.js";
import type { Device } from "../device.js";
import { type ErrorCode, TagifaiError } from "../errors.js";
import { predict } from "../predict.js";
import { startWorkerThread, workerEntry } from "../worker-thread.js";
import { formatPredictions, type OutputLayout } from "./format.js";

/** Predicts batches of texts, written as output lines. */
export interface BatchPredictor {
  /**
   * Predict one batch.
   * @param ids the records' ids
   * @param texts their texts
   * @returns the output lines of the batch
   */
  predict(ids: (string | number)[], texts: string[]): Promise<string>;
  /** Release the model (and stop the threads); batches still pending are rejected. */
  close(): Promise<void>;
}

/** What a worker thread is started with. */
export interface WorkerSetup {
  artifactDir: string;
  device: Device;
  layout: OutputLayout;
}

/** One batch sent to a worker thread. */
export interface WorkerTask {
  ids: (string | number)[];
  texts: string[];
}

/** What a worker thread answers: ready (model loaded), a batch's lines, or a failure. */
export type WorkerReply =
  | { type: "ready" }
  | { type: "done"; text: string }
  | { type: "failed"; code: string | undefined; message: string };

/**
 * Predict in this thread.
 * @param setup the run's artifact folder and the output layout (the device is the one already set)
 * @returns the predictor
 */
export async function inProcessPredictor(setup: Omit<WorkerSetup, "device">): Promise<BatchPredictor> {
  const artifacts = await loadArtifactsFromDir(setup.artifactDir);
  return {
    predict: async (ids, texts) => formatPredictions(ids, predict(texts, artifacts), setup.layout),
    close: async () => artifacts.model.dispose(),
  };
}

/** The worker program, next to this module (`.ts` when run from source). */
const WORKER_ENTRY = workerEntry("predict-worker", import.meta.url);

/** A worker thread running the worker program, its CNN convolution helper thread turned off. */
function startWorker(setup: WorkerSetup): Worker {
  return startWorkerThread(WORKER_ENTRY, {
    workerData: setup,
    env: { ...process.env, TAGIFAI_THREADS: "1" },
  });
}

interface PendingBatch extends WorkerTask {
  resolve(text: string): void;
  reject(error: Error): void;
}

/**
 * Predict on `threads` worker threads, each holding the model. Each thread computes alone (its
 * CNN convolution helper thread is turned off), so `threads` threads use `threads` cores.
 * @param setup the run's artifact folder, the device and the output layout
 * @param threads how many threads (≥ 1)
 * @returns the predictor, once every thread has loaded the model
 * @throws TagifaiError as loading the model does (relayed from the first thread that failed)
 */
export async function threadPredictor(setup: WorkerSetup, threads: number): Promise<BatchPredictor> {
  const queue: PendingBatch[] = [];
  const idle: Worker[] = [];
  const running = new Map<Worker, PendingBatch>();
  let broken: Error | undefined;

  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const batch = queue.shift()!;
      running.set(worker, batch);
      worker.postMessage({ ids: batch.ids, texts: batch.texts } satisfies WorkerTask);
    }
  };
  const breakAll = (error: Error) => {
    broken ??= error;
    for (const batch of [...running.values(), ...queue.splice(0)]) batch.reject(broken);
    running.clear();
  };

  const workers = Array.from({ length: threads }, () => startWorker(setup));
  const ready = workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.on("message", (reply: WorkerReply) => {
          if (reply.type === "ready") {
            idle.push(worker);
            resolve();
            return dispatch();
          }
          const batch = running.get(worker);
          running.delete(worker);
          if (reply.type === "done") batch?.resolve(reply.text);
          else {
            const error = relayed(reply);
            if (batch) batch.reject(error);
            else return reject(error);
          }
          idle.push(worker);
          dispatch();
        });
        worker.on("error", (error) => {
          reject(error);
          breakAll(error);
        });
        worker.on("exit", (code) => {
          const error = new TagifaiError("INVALID_INPUT", `a prediction thread stopped (exit code ${code})`);
          reject(error);
          breakAll(error);
        });
      }),
  );
  const close = async () => {
    breakAll(new TagifaiError("INVALID_INPUT", "the prediction threads were stopped"));
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
  try {
    await Promise.all(ready);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    predict: (ids, texts) =>
      new Promise<string>((resolve, reject) => {
        if (broken) return reject(broken);
        queue.push({ ids, texts, resolve, reject });
        dispatch();
      }),
    close,
  };
}

/** A worker's failure as an error of this thread: a TagifaiError keeps its code. */
function relayed(reply: Extract<WorkerReply, { type: "failed" }>): Error {
  return reply.code === undefined
    ? new Error(reply.message)
    : new TagifaiError(reply.code as ErrorCode, reply.message);
}
