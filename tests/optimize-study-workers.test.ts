import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { BACKENDS, type FreshStore, runTogether } from "./fixtures/tracking/harness.js";

const WORKER = join(import.meta.dirname, "fixtures", "optimize", "worker.ts");

/** Start `worker.ts` (see there) without waiting for it. */
function startWorker(args: string[]): { child: ChildProcess; stdout: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.resume();
  return { child, stdout: () => stdout };
}

/** Resolve once a started worker has printed `text`. */
async function waitForText(worker: ReturnType<typeof startWorker>, text: string): Promise<void> {
  while (!worker.stdout().includes(text)) {
    if (worker.child.exitCode !== null) throw new Error(`worker exited before printing "${text}"`);
    await once(worker.child.stdout!, "data");
  }
}

/** Resolve with a worker's exit code (or signal). */
async function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  return child.exitCode ?? child.signalCode!;
}

describe.each(BACKENDS)("study workers as processes on $name", (backend) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });

  const trialsOf = async (study: string) =>
    (
      await backend.query(
        fresh!.uri,
        `SELECT t.number, t.state, r.status AS run_status FROM trials t JOIN studies s ON s.id = t.study_id
         LEFT JOIN runs r ON r.id = t.run_id WHERE s.name = '${study}' ORDER BY t.number`,
      )
    ).map((row) => ({ number: Number(row.number), state: row.state, runStatus: row.run_status }));

  test("3 worker processes finish a 12-trial study: each trial number taken once, exactly 12 finished", async () => {
    fresh = await backend.freshStore();
    const options = JSON.stringify({ steps: 3, stepMs: 25, barrier: true });
    const outputs = await runTogether(
      "../optimize/worker.ts",
      Array.from({ length: 3 }, () => [fresh!.uri, "shared", "12", options]),
    );

    const ran = outputs.map((out) => JSON.parse(/^ran (.*)$/m.exec(out)![1]) as number[]);
    expect(ran.every((numbers) => numbers.length > 0)).toBe(true);
    const all = ran.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const trials = await trialsOf("shared");
    expect(trials.map((t) => t.number)).toEqual(all);
    expect(trials.filter((t) => t.state === "COMPLETE" || t.state === "PRUNED")).toHaveLength(12);
  });

  test("a worker killed mid-trial: the rerun fails that trial once its heartbeat is stale, and completes the study", async () => {
    fresh = await backend.freshStore();
    const args = (stepMs: number) => [
      fresh!.uri,
      "killed",
      "4",
      JSON.stringify({ steps: 5, stepMs, staleAfterMs: 1500, heartbeatMs: 100 }),
    ];
    const first = startWorker(args(200));
    await waitForText(first, "started 1");
    first.child.kill("SIGKILL");
    expect(await exitOf(first.child)).toBe("SIGKILL");
    expect((await trialsOf("killed")).map((t) => t.state)).toEqual(["COMPLETE", "RUNNING"]);

    const rerun = startWorker(args(10));
    expect(await exitOf(rerun.child)).toBe(0);
    const trials = await trialsOf("killed");
    expect(trials[1]).toEqual({ number: 1, state: "FAILED", runStatus: "FAILED" });
    expect(trials.filter((t) => t.state === "COMPLETE" || t.state === "PRUNED")).toHaveLength(4);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4]);
  });

  test("SIGTERM marks the current trial FAILED and its run KILLED at once, then exits 143", async () => {
    fresh = await backend.freshStore();
    const worker = startWorker([fresh.uri, "stopped", "4", JSON.stringify({ steps: 5, stepMs: 200 })]);
    await waitForText(worker, "started 0");
    worker.child.kill("SIGTERM");
    expect(await exitOf(worker.child)).toBe(143);
    expect(await trialsOf("stopped")).toEqual([{ number: 0, state: "FAILED", runStatus: "KILLED" }]);
  });
});
