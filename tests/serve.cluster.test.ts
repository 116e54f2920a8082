/**
 * Serving on several worker processes (`startCluster`, `tagifai serve --workers N`): the workers
 * share the port and answer; a killed worker is replaced; a reload rolled through the workers under
 * a stream of requests fails none of them; workers that keep dying at start make the primary give
 * up with a clear error; a bad `--workers` is a usage error.
 */
import { renameSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { withStore } from "../src/tagifai/lifecycle.js";
import { type RunningCluster, startCluster } from "../src/tagifai/serve/cluster.js";
import { runCli } from "./helpers/cli.js";
import { type TrainedHome, trainTestRun } from "./helpers/trained-run.js";

const TOKEN = "reload-token-for-the-cluster-tests";
let trained: TrainedHome;
const running: RunningCluster[] = [];

beforeAll(async () => {
  trained = await trainTestRun();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((cluster) => cluster.close()));
});

async function start(workers = 2): Promise<RunningCluster> {
  const cluster = await startCluster({
    port: 0,
    trackingUri: trained.trackingUri,
    runRef: trained.runId,
    reloadToken: TOKEN,
    device: "wasm",
    workers,
  });
  running.push(cluster);
  return cluster;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** POST /predict until `stop()`; counts answers and failures (non-200 or a network error). */
function requestStream(url: string, concurrency = 4) {
  const counts = { ok: 0, failed: 0, errors: [] as string[] };
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        const response = await fetch(`${url}/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ texts: [{ text: "Object detection with YOLO in PyTorch." }] }),
        });
        await response.arrayBuffer();
        if (response.status === 200) counts.ok++;
        else {
          counts.failed++;
          counts.errors.push(String(response.status));
        }
      } catch (error) {
        counts.failed++;
        counts.errors.push(String(error));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    counts,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe("startCluster", () => {
  it("runs N workers that answer on one port, and shuts them all down", async () => {
    const cluster = await start(2);
    const pids = cluster.workerPids();
    expect(pids).toHaveLength(2);
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${cluster.url}/`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    await cluster.close();
    await cluster.done;
    expect(pids.filter(isAlive)).toEqual([]);
    await expect(fetch(`${cluster.url}/`)).rejects.toThrow();
  });

  it("replaces a worker that dies", async () => {
    const cluster = await start(2);
    const [victim, survivor] = cluster.workerPids();
    process.kill(victim, "SIGKILL");
    await expect
      .poll(() => cluster.workerPids(), { timeout: 90_000, interval: 200 })
      .toEqual([survivor, expect.any(Number)]);
    expect(cluster.workerPids()).not.toContain(victim);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => fetch(`${cluster.url}/`, { signal: AbortSignal.timeout(20_000) })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
  }, 120_000);

  it("rolls reloads through the workers under a stream of requests without failing one", async () => {
    const cluster = await start(2);
    const stream = requestStream(cluster.url);
    await expect.poll(() => stream.counts.ok, { timeout: 30_000 }).toBeGreaterThan(20);
    expect(await cluster.reload()).toMatchObject({ runId: trained.runId, previousRunId: trained.runId });
    const overHttp = await fetch(`${cluster.url}/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(overHttp.status).toBe(200);
    expect((await overHttp.json()).data).toMatchObject({ run_id: trained.runId, changed: false });
    const before = stream.counts.ok;
    await expect.poll(() => stream.counts.ok, { timeout: 30_000 }).toBeGreaterThan(before + 20);
    await stream.stop();
    expect(stream.counts).toMatchObject({ failed: 0, errors: [] });
  });

  it("refuses to start, leaving no worker, when a worker cannot start (a run not found)", async () => {
    await expect(
      startCluster({
        port: 0,
        trackingUri: trained.trackingUri,
        runRef: "f".repeat(32),
        device: "wasm",
        workers: 2,
      }),
    ).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });

  it("gives up with a clear error when replacements keep dying at start", async () => {
    const cluster = await start(1);
    const { artifactUri } = await withStore({ trackingUri: trained.trackingUri }, (store) =>
      store.getRun(trained.runId),
    );
    renameSync(artifactUri, `${artifactUri}.away`);
    try {
      process.kill(cluster.workerPids()[0], "SIGKILL");
      await expect(cluster.done).rejects.toMatchObject({
        code: "SERVER_FAILED",
        message: expect.stringMatching(/5 workers in a row died before they listened .*giving up/),
      });
      expect(cluster.workerPids()).toEqual([]);
    } finally {
      renameSync(`${artifactUri}.away`, artifactUri);
    }
  }, 120_000);
});

describe("tagifai serve --workers", () => {
  it("refuses 0 and a non-integer as usage errors", async () => {
    for (const value of ["0", "1.5"]) {
      const result = await runCli(["serve", "--workers", value]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`invalid --workers "${value}": expected a whole number ≥ 1`);
    }
  });
});
