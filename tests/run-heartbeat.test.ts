/**
 * The heartbeat of a training run (src/tagifai/run-heartbeat.ts): while it beats, a reader with a
 * short timeout keeps seeing the run RUNNING long past that timeout; once stopped, the run reads
 * FAILED (lost) after the timeout — on SQLite and PostgreSQL.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startRunHeartbeat } from "../src/tagifai/run-heartbeat.js";
import { openStore, type TrackingStore } from "../src/tagifai/tracking.js";
import { BACKENDS, type FreshStore } from "./fixtures/tracking/harness.js";

const TIMEOUT_S = 1.5;

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

  test("a beating run stays RUNNING past the timeout; a stopped one reads FAILED (lost)", async () => {
    const run = await writer.createRun({ experimentName: "beats", artifactRoot: "/tmp" });
    const stop = startRunHeartbeat(writer, run.id);
    try {
      for (let i = 0; i < 6; i++) {
        await sleep(500);
        expect((await reader.getRun(run.id)).status).toBe("RUNNING");
      }
    } finally {
      stop();
    }
    await sleep(TIMEOUT_S * 1000 + 500);
    expect(await reader.getRun(run.id)).toMatchObject({ status: "FAILED", endReason: "lost" });
    // The writer cannot finish a run given up for dead.
    expect(await writer.endRun(run.id, "FINISHED", { ifRunning: true })).toBe(false);
  });
});
