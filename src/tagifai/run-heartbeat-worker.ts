/**
 * The worker thread of a run's heartbeat (see `run-heartbeat.ts`): opens its own connection to the
 * tracking store and records the run's heartbeat at once and then every `intervalMs`, on its own
 * event loop, whatever the main thread is doing. It tells the main thread when it is ready and
 * when a beat is refused (the run is no longer RUNNING) or fails; on any message ("stop") it
 * closes its connection and ends.
 */
import { parentPort, workerData } from "node:worker_threads";
import { heartbeatLoop } from "./heartbeat-loop.js";
import { openConnection, type TrackingTarget } from "./tracking/connection.js";
import { heartbeatRun } from "./tracking/runs.js";

/** What the worker is started with. */
export interface HeartbeatSetup {
  /** The store's database (its real connection string: never logged). */
  target: TrackingTarget;
  runId: string;
  intervalMs: number;
}

/** What the worker tells the main thread. */
export type HeartbeatReply = { type: "ready" } | { type: "refused" } | { type: "failed"; message: string };

const port = parentPort!;
const { target, runId, intervalMs } = workerData as HeartbeatSetup;
const tell = (reply: HeartbeatReply) => port.postMessage(reply);

const connection = openConnection(target);
const loop = heartbeatLoop(() => heartbeatRun(connection.db, runId), intervalMs, {
  refused: () => tell({ type: "refused" }),
  failed: (message) => tell({ type: "failed", message }),
});
// The open port keeps this thread alive (the loop's timer does not) until "stop".
port.once("message", async () => {
  await loop.stop();
  await connection.db.destroy();
  port.close();
});
loop.beatNow();
tell({ type: "ready" });
