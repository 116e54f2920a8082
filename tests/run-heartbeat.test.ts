/**
 * The heartbeat of a training run (src/tagifai/run-heartbeat.ts): while it beats, a reader with a
 * short timeout keeps seeing the run RUNNING long past that timeout; once stopped, the run reads
 * FAILED (lost) after the timeout — on SQLite and PostgreSQL, from its worker thread or, for a
 * store that cannot be reopened, from the main thread. The heartbeat beats from a worker
 * thread, so a main thread blocked by a synchronous step longer than the timeout (a linear fit on
 * a large dataset) does not make the run look lost to a reader in another process.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startRunHeartbeat } from "../src/tagifai/run-heartbeat.js";
import { openStore, TrackingStore } from "../src/tagifai/tracking.js";
import {
  BACKENDS,
  collectOutcome,
  type FreshStore,
  spawnFixture,
  waitForOutput,
} from "./fixtures/tracking/harness.js";

const TIMEOUT_S = 1.5;
/** How long the main thread is blocked: well past the timeout. */
const BLOCK_MS = 3500;

describe.each(BACKENDS)("run heartbeat on $name", (backend) => {
  let fresh: FreshStore;
  let writer: TrackingStore;
  let reader: TrackingStore;

  beforeAll(async () => {
    fresh = await backend.freshStore();
    writer = await openStore(fresh.uri, { runHeartbeatTimeoutS: TIMEOUT_S });
    reader = await openStore(fresh.uri, { runHeartbeatTimeoutS: TIMEOUT_S });
  });

  afterAll(async () => {
    await writer?.close();
    await reader?.close();
    await fresh?.cleanup();
  });

  // The main-thread fallback beats through the store's own methods, the same on both backends:
  // SQLite covers it (each case waits ~5 s).
  const fallback = {
    // Sharing the writer's connection, without a target to reopen it from.
    from: "the main thread (a store that cannot be reopened)",
    store: () => new TrackingStore(writer.uri, writer.database, writer.runHeartbeatTimeoutMs),
  };
  test.each([
    { from: "a worker thread", store: () => writer },
    ...(backend.name === "sqlite" ? [fallback] : []),
  ])(
    "beating from $from, a run stays RUNNING past the timeout; stopped, it reads FAILED (lost)",
    async ({ store }) => {
      const run = await writer.createRun({ experimentName: "beats", artifactRoot: "/tmp" });
      const stop = startRunHeartbeat(store(), run.id);
      try {
        for (let i = 0; i < 6; i++) {
          await sleep(500);
          expect((await reader.getRun(run.id)).status).toBe("RUNNING");
        }
      } finally {
        await stop();
      }
      await sleep(TIMEOUT_S * 1000 + 500);
      expect(await reader.getRun(run.id)).toMatchObject({ status: "FAILED", endReason: "lost" });
      // The writer cannot finish a run given up for dead.
      expect(await writer.endRun(run.id, "FINISHED", { ifRunning: true })).toBe(false);
    },
  );

  test("a run whose main thread is blocked past the timeout stays RUNNING for another process and ends FINISHED", async () => {
    const run = await writer.createRun({ experimentName: "blocked", artifactRoot: "/tmp" });
    const stop = startRunHeartbeat(writer, run.id);
    try {
      const watcher = spawnFixture("watch-run.ts", [fresh.uri, run.id, String(TIMEOUT_S), String(BLOCK_MS)]);
      const watched = collectOutcome(watcher);
      await Promise.race([waitForOutput(watcher, "ready\n"), watched]);
      // A synchronous stretch of training: no timer of this thread can fire.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS);
      const statuses = (await watched)
        .replace(/^ready\n/, "")
        .trim()
        .split("\n");
      expect(statuses.length).toBeGreaterThan(10);
      expect(new Set(statuses)).toEqual(new Set(["RUNNING"]));
    } finally {
      await stop();
    }
    expect(await writer.endRun(run.id, "FINISHED", { ifRunning: true })).toBe(true);
    expect((await reader.getRun(run.id)).status).toBe("FINISHED");
  });
});
