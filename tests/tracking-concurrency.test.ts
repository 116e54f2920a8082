import { afterEach, describe, expect, test } from "vitest";
import { SCHEMA_VERSION } from "../src/tagifai/tracking/migrations.js";
import { openStore } from "../src/tagifai/tracking.js";
import { BACKENDS, type FreshStore, runTogether } from "./fixtures/tracking/harness.js";

const PROCESSES = 4;
const METRICS_PER_PROCESS = 500;
/**
 * A bound for a hung test, not a speed target: 4 processes × 500 transactions took 48–63 s on the
 * shared 2-core machine under load (PostgreSQL), over the 60 s default.
 */
const SLOW_MACHINE_TIMEOUT_MS = 180_000;

describe.each(BACKENDS)("tracking store on $name, under concurrent processes", (backend) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });

  test(
    `${PROCESSES} processes logging ${METRICS_PER_PROCESS} metrics each to one run keep every row`,
    async () => {
      fresh = await backend.freshStore();
      const store = await openStore(fresh.uri);
      try {
        const run = await store.createRun({ experimentName: "concurrency", artifactRoot: "/tmp" });
        const args = [fresh.uri, run.id, String(METRICS_PER_PROCESS)];
        await runTogether(
          "log-metrics.ts",
          Array.from({ length: PROCESSES }, () => args),
        );

        const history = await store.getMetricHistory(run.id, "loss");
        expect(history).toHaveLength(PROCESSES * METRICS_PER_PROCESS);
        const perStep = new Map<number, number>();
        for (const point of history) perStep.set(point.step, (perStep.get(point.step) ?? 0) + 1);
        expect(perStep.size).toBe(METRICS_PER_PROCESS);
        expect([...perStep.values()].every((count) => count === PROCESSES)).toBe(true);
        expect((await store.getRun(run.id)).metrics.loss).toBe(METRICS_PER_PROCESS - 1);
      } finally {
        await store.close();
      }
    },
    SLOW_MACHINE_TIMEOUT_MS,
  );

  test(`${PROCESSES} processes opening a brand-new store at once all succeed and migrate it once`, async () => {
    fresh = await backend.freshStore();
    const ids = await runTogether(
      "open-store.ts",
      Array.from({ length: PROCESSES }, () => [fresh!.uri]),
    );

    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    const versions = await backend.query(fresh.uri, "SELECT version FROM schema_version ORDER BY version");
    expect(versions.map((row) => Number(row.version))).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });
});
