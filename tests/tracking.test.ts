import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ErrorCode } from "../src/tagifai/errors.js";
import { SCHEMA_VERSION } from "../src/tagifai/tracking/migrations.js";
import {
  assertRunId,
  DEFAULT_RUN_HEARTBEAT_TIMEOUT_S,
  openStore,
  type Run,
  type TrackingStore,
} from "../src/tagifai/tracking.js";
import { BACKENDS, type FreshStore } from "./fixtures/tracking/harness.js";

const UNKNOWN_RUN_ID = "0123456789abcdef0123456789abcdef";
const TRAVERSAL_RUN_ID = "../../etc";

/** Expect a promise to reject with a TagifaiError of this code whose message contains `text`. */
async function expectError(promise: Promise<unknown>, code: ErrorCode, text = ""): Promise<void> {
  await expect(promise).rejects.toMatchObject({
    name: "TagifaiError",
    code,
    message: expect.stringContaining(text),
  });
}

describe.each(BACKENDS)("tracking store on $name", (backend) => {
  let fresh: FreshStore;
  let store: TrackingStore;
  let artifactRoot: string;
  let counter = 0;
  /** A name no other test in this file uses. */
  const unique = (label: string) => `${label}-${++counter}`;

  /** Create a run, optionally log metrics at step 0 and end it; runs start ≥ 2 ms apart. */
  async function makeRun(
    experimentName: string,
    options: { metrics?: Record<string, number>; end?: "FINISHED" | "FAILED" } = {},
  ): Promise<Run> {
    await sleep(2);
    const run = await store.createRun({ experimentName, artifactRoot });
    if (options.metrics) await store.logMetrics(run.id, options.metrics);
    if (options.end) await store.endRun(run.id, options.end);
    return run;
  }

  beforeAll(async () => {
    fresh = await backend.freshStore();
    store = await openStore(fresh.uri);
    artifactRoot = mkdtempSync(join(tmpdir(), "tagifai-artifacts-"));
  });

  afterAll(async () => {
    await store?.close();
    await fresh?.cleanup();
    if (artifactRoot) rmSync(artifactRoot, { recursive: true, force: true });
  });

  test("opening applies each migration once; reopening keeps the data and adds nothing", async () => {
    const experiment = await store.getOrCreateExperiment(unique("kept"));
    const again = await openStore(fresh.uri);
    try {
      expect(again.uri).toBe(store.uri);
      expect(await again.getExperiment(experiment.name)).toEqual(experiment);
    } finally {
      await again.close();
    }
    const versions = await backend.query(fresh.uri, "SELECT version FROM schema_version ORDER BY version");
    expect(versions.map((row) => Number(row.version))).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });

  test("a store whose schema is newer than the code is refused with SCHEMA_TOO_NEW naming both versions", async () => {
    const newer = await backend.freshStore();
    try {
      await (await openStore(newer.uri)).close();
      await backend.query(
        newer.uri,
        `UPDATE schema_version SET version = 99 WHERE version = ${SCHEMA_VERSION}`,
      );
      await expectError(openStore(newer.uri), "SCHEMA_TOO_NEW", "schema version 99");
      await expectError(openStore(newer.uri), "SCHEMA_TOO_NEW", `up to version ${SCHEMA_VERSION}`);
    } finally {
      await newer.cleanup();
    }
  });

  test("getOrCreateExperiment returns one row per name; listExperiments counts runs", async () => {
    const name = unique("exp");
    const created = await store.getOrCreateExperiment(name);
    expect(await store.getOrCreateExperiment(name)).toEqual(created);
    expect(await store.getExperiment(name)).toEqual(created);
    expect(created.createdAt).toBeGreaterThan(Date.UTC(2020, 0, 1));
    await makeRun(name);
    await makeRun(name);
    const summary = (await store.listExperiments()).find((e) => e.name === name);
    expect(summary).toEqual({ ...created, runCount: 2 });
    await expectError(
      store.getExperiment("no-such-experiment"),
      "EXPERIMENT_NOT_FOUND",
      "no-such-experiment",
    );
    await expectError(store.getOrCreateExperiment("  "), "INVALID_INPUT", "experiment name");
  });

  test("createRun starts a RUNNING run whose artifact folder is <root>/<id>", async () => {
    const experimentName = unique("create");
    const run = await store.createRun({
      experimentName,
      runName: "first",
      params: { lr: 0.001, layers: [1, 2] },
      tags: { owner: "me" },
      artifactRoot,
    });
    expect(run.id).toMatch(/^[0-9a-f]{32}$/);
    expect(run).toMatchObject({
      experimentName,
      name: "first",
      status: "RUNNING",
      endTime: null,
      endReason: null,
      artifactUri: join(artifactRoot, run.id),
      params: { lr: 0.001, layers: [1, 2] },
      tags: { owner: "me" },
      metrics: {},
    });
    expect(run.experimentId).toBe((await store.getExperiment(experimentName)).id);
    expect(await store.getRun(run.id)).toEqual(run);
    const unnamed = await store.createRun({ experimentName, artifactRoot });
    expect(unnamed.name).toBe(unnamed.id.slice(0, 8));
    await expectError(store.createRun({ experimentName, artifactRoot: "" }), "INVALID_INPUT", "artifactRoot");
  });

  test("logParams and setTags merge into what the run has", async () => {
    const run = await store.createRun({
      experimentName: unique("merge"),
      params: { a: 1, b: 2 },
      tags: { x: "1" },
      artifactRoot,
    });
    await store.logParams(run.id, { b: 3, c: { nested: true } });
    await store.setTags(run.id, { y: "2" });
    await store.setTags(run.id, { x: "changed" });
    const stored = await store.getRun(run.id);
    expect(stored.params).toEqual({ a: 1, b: 3, c: { nested: true } });
    expect(stored.tags).toEqual({ x: "changed", y: "2" });
    await expectError(store.setTags(run.id, { bad: 3 as unknown as string }), "INVALID_INPUT", "bad");
    expect((await store.getRun(run.id)).tags).toEqual({ x: "changed", y: "2" });
  });

  test("logMetrics keeps every value; the run shows the latest (highest step, then newest)", async () => {
    const run = await makeRun(unique("metrics"));
    await store.logMetrics(run.id, { loss: 3, acc: 0.25 });
    await store.logMetrics(run.id, { loss: 1 }, 2);
    await store.logMetrics(run.id, { loss: 2 }, 1);
    expect((await store.getRun(run.id)).metrics).toEqual({ loss: 1, acc: 0.25 });
    await sleep(2);
    await store.logMetrics(run.id, { loss: 0.5 }, 2);

    const history = await store.getMetricHistory(run.id, "loss");
    expect(history.map((point) => [point.step, point.value])).toEqual([
      [0, 3],
      [1, 2],
      [2, 1],
      [2, 0.5],
    ]);
    expect(history.every((point) => typeof point.timestamp === "number" && point.timestamp > 0)).toBe(true);
    expect((await store.getRun(run.id)).metrics).toEqual({ loss: 0.5, acc: 0.25 });
    expect(await store.getMetricHistory(run.id, "never-logged")).toEqual([]);
  });

  test("logMetrics refuses non-finite values and bad steps, naming them, and writes nothing", async () => {
    const run = await makeRun(unique("bad-metrics"));
    await expectError(store.logMetrics(run.id, { fine: 1, broken: Number.NaN }), "INVALID_INPUT", '"broken"');
    await expectError(
      store.logMetrics(run.id, { huge: Number.POSITIVE_INFINITY }),
      "INVALID_INPUT",
      '"huge"',
    );
    await expectError(store.logMetrics(run.id, { fine: 1 }, -1), "INVALID_INPUT", "step -1");
    await expectError(store.logMetrics(run.id, { fine: 1 }, 1.5), "INVALID_INPUT", "step 1.5");
    expect(await store.getMetricHistory(run.id, "fine")).toEqual([]);
  });

  test("endRun sets the final status and the end time", async () => {
    const run = await makeRun(unique("end"));
    await store.endRun(run.id, "FAILED");
    const ended = await store.getRun(run.id);
    expect(ended.status).toBe("FAILED");
    expect(ended.endTime).toBeGreaterThanOrEqual(ended.startTime);
    await expectError(store.endRun(run.id, "RUNNING" as "FINISHED"), "INVALID_INPUT", "end status");
    expect((await store.getRun(run.id)).status).toBe("FAILED");
  });

  const runIdOperations: [string, (store: TrackingStore, runId: string) => Promise<unknown>][] = [
    ["getRun", (s, id) => s.getRun(id)],
    ["logParams", (s, id) => s.logParams(id, { a: 1 })],
    ["setTags", (s, id) => s.setTags(id, { a: "1" })],
    ["logMetrics", (s, id) => s.logMetrics(id, { a: 1 })],
    ["getMetricHistory", (s, id) => s.getMetricHistory(id, "a")],
    ["endRun", (s, id) => s.endRun(id, "FINISHED")],
    ["registerModel", (s, id) => s.registerModel(id, "some-model")],
    ["resolveModelUri", (s, id) => s.resolveModelUri(id)],
  ];

  test.each(runIdOperations)(
    "%s rejects malformed run ids (INVALID_RUN_ID) and unknown ones (RUN_NOT_FOUND)",
    async (_, operation) => {
      for (const bad of [TRAVERSAL_RUN_ID, UNKNOWN_RUN_ID.toUpperCase(), `${UNKNOWN_RUN_ID}0`, ""]) {
        await expectError(operation(store, bad), "INVALID_RUN_ID", JSON.stringify(bad));
      }
      await expectError(operation(store, UNKNOWN_RUN_ID), "RUN_NOT_FOUND", UNKNOWN_RUN_ID);
    },
  );

  test("listRuns: newest first, filtered by experiment and status, limited", async () => {
    const experimentName = unique("list");
    const first = await makeRun(experimentName, { end: "FINISHED" });
    const second = await makeRun(experimentName);
    const third = await makeRun(experimentName, { end: "FINISHED" });
    await makeRun(unique("other-list"));
    const ids = (runs: Run[]) => runs.map((run) => run.id);

    expect(ids(await store.listRuns({ experimentName }))).toEqual([third.id, second.id, first.id]);
    expect(ids(await store.listRuns({ experimentName, status: "FINISHED" }))).toEqual([third.id, first.id]);
    expect(ids(await store.listRuns({ experimentName, limit: 2 }))).toEqual([third.id, second.id]);
    const all = await store.listRuns();
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((run) => run.startTime)).toEqual(
      [...all.map((run) => run.startTime)].sort((a, b) => b - a),
    );
    await expectError(
      store.listRuns({ experimentName: "no-such-list" }),
      "EXPERIMENT_NOT_FOUND",
      "no-such-list",
    );
    await expectError(store.listRuns({ limit: 0 }), "INVALID_INPUT", "limit");
  });

  test("listRuns by a metric's latest value puts runs lacking it last, in both directions", async () => {
    const experimentName = unique("order");
    const low = await makeRun(experimentName, { metrics: { f1: 0.5 } });
    const high = await makeRun(experimentName, { metrics: { f1: 0.9 } });
    const none = await makeRun(experimentName, { metrics: { loss: 1 } });
    const middle = await makeRun(experimentName, { metrics: { f1: 0.95 } });
    await store.logMetrics(middle.id, { f1: 0.7 }, 1);
    const order = async (ascending: boolean) =>
      (await store.listRuns({ experimentName, orderBy: { metric: "f1", ascending } })).map((run) => run.id);

    expect(await order(false)).toEqual([high.id, middle.id, low.id, none.id]);
    expect(await order(true)).toEqual([low.id, middle.id, high.id, none.id]);
    const [best] = await store.listRuns({ experimentName, orderBy: { metric: "f1" }, limit: 1 });
    expect(best.metrics).toEqual({ f1: 0.9 });
  });

  test("latestRun and bestRun consider FINISHED runs only (by default)", async () => {
    const experimentName = unique("best");
    const good = await makeRun(experimentName, { metrics: { f1: 0.8 }, end: "FINISHED" });
    const poor = await makeRun(experimentName, { metrics: { f1: 0.6 }, end: "FINISHED" });
    const running = await makeRun(experimentName, { metrics: { f1: 0.99 } });
    await makeRun(experimentName, { metrics: { f1: 0.01 }, end: "FAILED" });
    const newest = await makeRun(experimentName, { end: "FINISHED" });

    expect((await store.latestRun({ experimentName })).id).toBe(newest.id);
    expect((await store.latestRun({ experimentName, status: "RUNNING" })).id).toBe(running.id);
    expect((await store.latestRun()).status).toBe("FINISHED");
    expect((await store.bestRun(experimentName, "f1")).id).toBe(good.id);
    expect((await store.bestRun(experimentName, "f1", "min")).id).toBe(poor.id);
    await expectError(store.bestRun(experimentName, "recall"), "RUN_NOT_FOUND", '"recall"');

    const empty = unique("empty");
    await makeRun(empty, { metrics: { f1: 1 } });
    await expectError(
      store.latestRun({ experimentName: empty }),
      "RUN_NOT_FOUND",
      `no FINISHED run in experiment "${empty}"`,
    );
    await expectError(store.bestRun(empty, "f1"), "RUN_NOT_FOUND", `"${empty}"`);
  });

  test("registry: versions count up per name, aliases move, model URIs resolve to runs", async () => {
    const experimentName = unique("registry");
    const model = unique("tagger");
    const [one, two] = [
      await makeRun(experimentName, { end: "FINISHED" }),
      await makeRun(experimentName, { end: "FINISHED" }),
    ];

    expect(await store.registerModel(one.id, model)).toEqual({ name: model, version: 1 });
    expect(await store.registerModel(two.id, model)).toEqual({ name: model, version: 2 });
    expect(await store.registerModel(two.id, unique("other-model"))).toMatchObject({ version: 1 });
    await store.setAlias(model, 1, "production");
    await store.setAlias(model, 1, "staging");
    expect(await store.resolveModelUri(`models:/${model}@production`)).toBe(one.id);
    await store.setAlias(model, 2, "production");

    expect(await store.resolveModelUri(`models:/${model}@production`)).toBe(two.id);
    expect(await store.resolveModelUri(`models:/${model}@staging`)).toBe(one.id);
    expect(await store.resolveModelUri(`models:/${model}/1`)).toBe(one.id);
    expect(await store.resolveModelUri(`models:/${model}`)).toBe(two.id);
    expect(await store.resolveModelUri(one.id)).toBe(one.id);
    const versions = await store.listModelVersions(model);
    expect(versions.map(({ version, runId, aliases }) => ({ version, runId, aliases }))).toEqual([
      { version: 1, runId: one.id, aliases: ["staging"] },
      { version: 2, runId: two.id, aliases: ["production"] },
    ]);
    expect(versions.every((v) => v.name === model && v.createdAt > 0)).toBe(true);

    await store.deleteAlias(model, "staging");
    expect((await store.listModelVersions(model))[0].aliases).toEqual([]);
    await expectError(store.resolveModelUri(`models:/${model}@staging`), "MODEL_NOT_FOUND", '"staging"');
  });

  test("registry errors: unfinished runs, unknown models, versions and aliases, malformed names", async () => {
    const experimentName = unique("registry-errors");
    const running = await makeRun(experimentName);
    const finished = await makeRun(experimentName, { end: "FINISHED" });
    const model = unique("model");
    await expectError(store.registerModel(running.id, model), "INVALID_INPUT", "RUNNING");
    await store.registerModel(finished.id, model);

    await expectError(store.listModelVersions("unknown-model"), "MODEL_NOT_FOUND", "unknown-model");
    await expectError(store.resolveModelUri("models:/unknown-model"), "MODEL_NOT_FOUND", "unknown-model");
    await expectError(store.resolveModelUri(`models:/${model}/7`), "MODEL_NOT_FOUND", "version 7");
    await expectError(store.resolveModelUri(`models:/${model}@nope`), "MODEL_NOT_FOUND", '"nope"');
    await expectError(store.setAlias(model, 7, "prod"), "MODEL_NOT_FOUND", "version 7");
    await expectError(store.deleteAlias(model, "nope"), "MODEL_NOT_FOUND", '"nope"');

    await expectError(store.registerModel(finished.id, "bad name"), "INVALID_INPUT", '"bad name"');
    await expectError(store.registerModel(finished.id, "x".repeat(101)), "INVALID_INPUT", "model name");
    await expectError(store.setAlias(model, 1, "../up"), "INVALID_INPUT", '"../up"');
    await expectError(store.setAlias(model, 0, "prod"), "INVALID_INPUT", "version 0");
    await expectError(store.resolveModelUri(`models:/${model}/one`), "INVALID_INPUT", '"one"');
    await expectError(store.resolveModelUri("models:/a/b/c"), "INVALID_INPUT", "malformed model URI");
    await expectError(store.resolveModelUri("models:/bad name@prod"), "INVALID_INPUT", '"bad name"');
  });

  test("a RUNNING run whose heartbeat is older than the timeout reads FAILED (lost) to every reader", async () => {
    const experimentName = unique("lost");
    const lost = await makeRun(experimentName);
    const alive = await makeRun(experimentName);
    const legacy = await makeRun(experimentName);
    const finished = await makeRun(experimentName, { end: "FINISHED" });
    const longAgo = Date.now() - 10 * 60_000;
    await backend.query(
      fresh.uri,
      `UPDATE runs SET heartbeat_at = ${longAgo} WHERE id IN ('${lost.id}', '${finished.id}')`,
    );
    // A run from before heartbeats: no heartbeat, started long ago.
    await backend.query(
      fresh.uri,
      `UPDATE runs SET heartbeat_at = NULL, start_time = ${longAgo} WHERE id = '${legacy.id}'`,
    );

    const listed = await store.listRuns({ experimentName });
    const byId = new Map(listed.map((run) => [run.id, run]));
    expect(byId.get(lost.id)).toMatchObject({ status: "FAILED", endReason: "lost" });
    expect(byId.get(legacy.id)).toMatchObject({ status: "FAILED", endReason: "lost" });
    expect(byId.get(alive.id)).toMatchObject({ status: "RUNNING", endReason: null, endTime: null });
    expect(byId.get(finished.id)).toMatchObject({ status: "FINISHED", endReason: null });
    expect(byId.get(lost.id)!.endTime).toBeGreaterThan(longAgo);
    const stored = await backend.query(
      fresh.uri,
      `SELECT status, end_reason FROM runs WHERE id = '${lost.id}'`,
    );
    expect(stored).toEqual([{ status: "FAILED", end_reason: "lost" }]);

    // A lost run stays lost: its heartbeat and its FINISHED update are refused.
    expect(await store.heartbeatRun(lost.id)).toBe(false);
    expect(await store.endRun(lost.id, "FINISHED", { ifRunning: true })).toBe(false);
    expect(await store.heartbeatRun(alive.id)).toBe(true);

    // getRun marks too, and a store opened with a short timeout expires a run that stopped beating.
    const quiet = await makeRun(experimentName);
    await backend.query(
      fresh.uri,
      `UPDATE runs SET heartbeat_at = ${Date.now() - 5_000} WHERE id = '${quiet.id}'`,
    );
    expect((await store.getRun(quiet.id)).status).toBe("RUNNING");
    const impatient = await openStore(fresh.uri, { runHeartbeatTimeoutS: 2 });
    try {
      expect(await impatient.getRun(quiet.id)).toMatchObject({ status: "FAILED", endReason: "lost" });
      expect((await impatient.getRun(alive.id)).status).toBe("RUNNING");
    } finally {
      await impatient.close();
    }
  });

  test("the run heartbeat timeout comes from TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S; a bad value is refused", async () => {
    const previous = process.env.TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S;
    try {
      process.env.TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S = "abc";
      await expectError(openStore(fresh.uri), "INVALID_INPUT", 'TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S "abc"');
      process.env.TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S = "3";
      const envStore = await openStore(fresh.uri);
      try {
        expect(envStore.runHeartbeatTimeoutMs).toBe(3000);
      } finally {
        await envStore.close();
      }
    } finally {
      if (previous === undefined) delete process.env.TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S;
      else process.env.TAGIFAI_RUN_HEARTBEAT_TIMEOUT_S = previous;
    }
    expect(store.runHeartbeatTimeoutMs).toBe(DEFAULT_RUN_HEARTBEAT_TIMEOUT_S * 1000);
  });

  test("collectGarbage removes orphaned partial folders and the folders of runs that no longer exist", async () => {
    const root = mkdtempSync(join(tmpdir(), "tagifai-gc-"));
    try {
      const experimentName = unique("gc");
      const finished = await store.createRun({ experimentName, artifactRoot: root });
      await store.endRun(finished.id, "FINISHED");
      const running = await store.createRun({ experimentName, artifactRoot: root });
      const folder = (name: string, withParams = true) => {
        mkdirSync(join(root, name));
        if (withParams) writeFileSync(join(root, name, "params.json"), "{}");
        return join(root, name);
      };
      const kept = [
        folder(finished.id),
        folder(`.partial-${running.id}-1-2`),
        folder("abcdef0123456789abcdef0123456789", false), // not an artifact folder
        folder("notes"),
        folder(`.partial-${process.pid}-1`), // legacy name, its process is alive
      ];
      const orphans = [
        folder(`.partial-${finished.id}-99999999-1`),
        folder(UNKNOWN_RUN_ID),
        folder(".partial-99999999-1"), // legacy name, no such process
      ];

      const dry = await store.collectGarbage({ artifactRoots: [root], dryRun: true });
      expect(dry.removed.map((entry) => entry.path).sort()).toEqual([...orphans].sort());
      for (const path of [...kept, ...orphans]) expect(existsSync(path)).toBe(true);

      const result = await store.collectGarbage({ artifactRoots: [root, join(root, "missing")] });
      expect(result.removed.map((entry) => entry.path).sort()).toEqual([...orphans].sort());
      expect(result.removed.find((entry) => entry.path === join(root, UNKNOWN_RUN_ID))).toMatchObject({
        kind: "artifacts",
        runId: UNKNOWN_RUN_ID,
      });
      for (const path of orphans) expect(existsSync(path)).toBe(false);
      for (const path of kept) expect(existsSync(path)).toBe(true);

      // Once the running run is lost, its partial folder is an orphan too.
      await backend.query(fresh.uri, `UPDATE runs SET heartbeat_at = 0 WHERE id = '${running.id}'`);
      const later = await store.collectGarbage({ artifactRoots: [root] });
      expect(later.removed).toEqual([
        expect.objectContaining({ path: kept[1], kind: "partial", runId: running.id }),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("deleteExperiment removes the partial folders its runs left behind", async () => {
    const doomed = unique("partials");
    const run = await makeRun(doomed, { end: "FAILED" });
    const other = await makeRun(unique("partials-kept"));
    const partial = join(artifactRoot, `.partial-${run.id}-123-456`);
    const otherPartial = join(artifactRoot, `.partial-${other.id}-123-456`);
    for (const folder of [partial, otherPartial]) mkdirSync(folder);
    await store.deleteExperiment(doomed);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(otherPartial)).toBe(true);
  });

  test("deleteExperiment refuses while a run of it is a registered model version, naming them, unless forced", async () => {
    const doomed = unique("registered");
    const model = unique("in-use");
    const registered = await makeRun(doomed, { metrics: { f1: 0.5 }, end: "FINISHED" });
    const other = await makeRun(doomed, { end: "FINISHED" });
    await store.registerModel(registered.id, model);
    await store.registerModel(registered.id, model);
    mkdirSync(registered.artifactUri, { recursive: true });

    await expectError(store.deleteExperiment(doomed), "MODEL_REGISTERED", `${model} version 1`);
    await expectError(store.deleteExperiment(doomed), "MODEL_REGISTERED", `${model} version 2`);
    await expectError(store.deleteExperiment(doomed), "MODEL_REGISTERED", registered.id);
    expect((await store.getRun(other.id)).status).toBe("FINISHED");
    expect(await store.listModelVersions(model)).toHaveLength(2);
    expect(existsSync(registered.artifactUri)).toBe(true);

    const { runIds } = await store.deleteExperiment(doomed, { force: true });
    expect(runIds.sort()).toEqual([registered.id, other.id].sort());
    expect(existsSync(registered.artifactUri)).toBe(false);
    expect(await store.listModelVersions(model)).toEqual([]);
  });

  test("deleteExperiment removes its runs, metrics, model versions, aliases and artifact folders only", async () => {
    const doomed = unique("doomed");
    const kept = unique("kept");
    const model = unique("shared-model");
    const registered = await makeRun(doomed, { metrics: { f1: 0.5 }, end: "FINISHED" });
    const tampered = await makeRun(doomed);
    const survivor = await makeRun(kept, { end: "FINISHED" });
    await store.registerModel(registered.id, model);
    await store.registerModel(survivor.id, model);
    await store.setAlias(model, 1, "production");
    for (const run of [registered, tampered, survivor]) {
      mkdirSync(run.artifactUri, { recursive: true });
      writeFileSync(join(run.artifactUri, "model.json"), "{}");
    }
    const victim = join(artifactRoot, "victim");
    mkdirSync(victim);
    await backend.query(fresh.uri, `UPDATE runs SET artifact_uri = '${victim}' WHERE id = '${tampered.id}'`);

    const { runIds } = await store.deleteExperiment(doomed, { force: true });

    expect(runIds.sort()).toEqual([registered.id, tampered.id].sort());
    expect(existsSync(registered.artifactUri)).toBe(false);
    expect(existsSync(victim)).toBe(true);
    expect(existsSync(survivor.artifactUri)).toBe(true);
    await expectError(store.getRun(registered.id), "RUN_NOT_FOUND");
    await expectError(store.getExperiment(doomed), "EXPERIMENT_NOT_FOUND", doomed);
    const metricRows = await backend.query(
      fresh.uri,
      `SELECT * FROM metrics WHERE run_id = '${registered.id}'`,
    );
    expect(metricRows).toEqual([]);
    expect((await store.listModelVersions(model)).map((v) => [v.version, v.runId])).toEqual([
      [2, survivor.id],
    ]);
    await expectError(store.resolveModelUri(`models:/${model}@production`), "MODEL_NOT_FOUND");
    expect((await store.listExperiments()).map((e) => e.name)).not.toContain(doomed);
    await expectError(store.deleteExperiment(doomed), "EXPERIMENT_NOT_FOUND", doomed);

    await store.getOrCreateExperiment(doomed);
    expect((await store.listExperiments()).find((e) => e.name === doomed)?.runCount).toBe(0);
  });
});

test("assertRunId returns a valid id and rejects anything else, showing it", () => {
  expect(assertRunId(UNKNOWN_RUN_ID)).toBe(UNKNOWN_RUN_ID);
  expect(() => assertRunId(TRAVERSAL_RUN_ID)).toThrow(
    expect.objectContaining({ code: "INVALID_RUN_ID", message: expect.stringContaining(TRAVERSAL_RUN_ID) }),
  );
});
