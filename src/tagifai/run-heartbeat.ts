/**
 * The heartbeat of a run being trained: while a process trains in a run it records every so often
 * that it is alive, so that a run whose process was killed (`kill -9`, a crash, a power loss) can be
 * told apart from one still training — readers mark a RUNNING run FAILED (reason "lost") once its
 * heartbeat is older than the store's timeout (see `TrackingStore.expireLostRuns`). As with study
 * trials, a run given up for dead does not come back to life: its heartbeat and its FINISHED update
 * are refused.
 *
 * The heartbeat beats from a worker thread (`run-heartbeat-worker.ts`) with its own connection to
 * the store, so it goes on while training blocks the main thread (a linear fit on a large dataset
 * runs synchronously for as long as it needs). The worker is unref'd (it never keeps the process
 * alive), dies with the process (a killed process's run is still found lost) and is stopped when
 * the run ends. Its refused or failed beats are warned about on the main thread.
 *
 * Fallback: a store that cannot be reopened (one not opened by `openStore`, so without a
 * `reopenTarget`), or a worker thread that cannot start or open the store, beats from an unref'd
 * timer on the main thread instead — which only fires when the event loop is free, so the timeout
 * must then exceed the longest synchronous stretch of training.
 */
import type { Worker } from "node:worker_threads";
import { logger } from "../config/config.js";
import { type HeartbeatListener, heartbeatLoop } from "./heartbeat-loop.js";
import type { HeartbeatReply, HeartbeatSetup } from "./run-heartbeat-worker.js";
import type { TrackingStore } from "./tracking.js";
import { startWorkerThread, workerEntry } from "./worker-thread.js";

/** Beat at least this often, however long the timeout. */
const MAX_INTERVAL_MS = 15_000;
/** How long a stopped worker may take to close its connection before it is terminated. */
const STOP_GRACE_MS = 5_000;

/** The worker program, next to this module (`.ts` when run from source). */
const WORKER_ENTRY = workerEntry("run-heartbeat-worker", import.meta.url);

/** Warns once per heartbeat (and not once it is stopped) that a beat was refused or failed. */
interface Warner extends HeartbeatListener {
  stop(): void;
}

function warner(runId: string): Warner {
  let warned = false;
  let stopped = false;
  const warnOnce = (message: string) => {
    if (!warned && !stopped) logger.warn(message);
    warned = true;
  };
  return {
    refused: () =>
      warnOnce(`Run ${runId} is no longer RUNNING (its heartbeat was missed): it will not be FINISHED`),
    failed: (message) => warnOnce(`Cannot record the heartbeat of run ${runId}: ${message}`),
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * Start heartbeating a RUNNING run: at once (from a worker thread) and then every quarter of the
 * store's heartbeat timeout (at most 15 s), from a worker thread or, see the module's header, the
 * main thread.
 * @param store the tracking store
 * @param runId the run
 * @returns stops the heartbeat (await it in a `finally`); resolves once the worker has ended
 */
export function startRunHeartbeat(store: TrackingStore, runId: string): () => Promise<void> {
  const intervalMs = Math.min(MAX_INTERVAL_MS, store.runHeartbeatTimeoutMs / 4);
  const warn = warner(runId);
  const onMainThread = () => heartbeatLoop(() => store.heartbeatRun(runId), intervalMs, warn);
  const target = store.reopenTarget();
  if (target === undefined) {
    const loop = onMainThread();
    return async () => {
      warn.stop();
      await loop.stop();
    };
  }

  let stopped = false;
  let fallback: ReturnType<typeof heartbeatLoop> | undefined;
  let ready = false;
  const setup: HeartbeatSetup = { target, runId, intervalMs };
  const worker: Worker = startWorkerThread(WORKER_ENTRY, { workerData: setup });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (reply: HeartbeatReply) => {
    if (reply.type === "ready") ready = true;
    else if (reply.type === "refused") warn.refused();
    else warn.failed(reply.message);
  });
  worker.on("error", (error) => {
    if (stopped || fallback) return;
    logger.warn(
      `Cannot beat run ${runId} from a worker thread (${error.message}): beating from the main thread`,
    );
    fallback = onMainThread();
  });
  return async () => {
    stopped = true;
    warn.stop();
    await fallback?.stop();
    // A worker still starting has nothing to close: end it at once.
    if (!ready) await worker.terminate();
    else {
      worker.postMessage("stop");
      const grace = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
      await exited;
      clearTimeout(grace);
    }
  };
}
