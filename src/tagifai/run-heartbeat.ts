/**
 * The heartbeat of a run being trained: while a process trains in a run it records every so often
 * that it is alive, so that a run whose process was killed (`kill -9`, a crash, a power loss) can be
 * told apart from one still training — readers mark a RUNNING run FAILED (reason "lost") once its
 * heartbeat is older than the store's timeout (see `TrackingStore.expireLostRuns`). As with study
 * trials, a run given up for dead does not come back to life: its heartbeat and its FINISHED update
 * are refused.
 *
 * The timer is unref'd (it never keeps the process alive) and only fires when the event loop is
 * free, so the timeout must exceed the longest synchronous stretch of training.
 */
import { logger } from "../config/config.js";
import type { TrackingStore } from "./tracking.js";

/** Beat at least this often, however long the timeout. */
const MAX_INTERVAL_MS = 15_000;

/**
 * Start heartbeating a RUNNING run: every quarter of the store's heartbeat timeout (at most 15 s).
 * @param store the tracking store
 * @param runId the run
 * @returns stops the heartbeat (call it in a `finally`)
 */
export function startRunHeartbeat(store: TrackingStore, runId: string): () => void {
  const intervalMs = Math.min(MAX_INTERVAL_MS, store.runHeartbeatTimeoutMs / 4);
  let warned = false;
  let stopped = false;
  let beating: Promise<void> = Promise.resolve();
  const warnOnce = (message: string) => {
    if (!warned && !stopped) logger.warn(message);
    warned = true;
  };
  const timer = setInterval(() => {
    // One beat at a time; none once stopped (the store may be closing).
    beating = beating.then(async () => {
      if (stopped) return;
      try {
        if (!(await store.heartbeatRun(runId)))
          warnOnce(`Run ${runId} is no longer RUNNING (its heartbeat was missed): it will not be FINISHED`);
      } catch (error) {
        warnOnce(`Cannot record the heartbeat of run ${runId}: ${(error as Error).message}`);
      }
    });
  }, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
