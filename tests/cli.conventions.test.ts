/**
 * The CLI conventions (README "CLI conventions"): one run reference syntax everywhere, `--version`,
 * one JSON key style shared with the API (snake_case, ISO dates), the same ordering option in `runs`
 * and `best-run`, exit code 2 for usage errors and 1 for runtime errors, messages that echo what the
 * user typed, and no stack trace for a mistake a user can make.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/tagifai/tracking.js";
import { runView } from "../src/tagifai/views.js";
import { BACKENDS, type FreshStore } from "./fixtures/tracking/harness.js";
import { type CliResult, runCli } from "./helpers/cli.js";

const [sqlite] = BACKENDS;
let fresh: FreshStore;
/** Run ids by role: two that share the prefix "abcdef", and the registered `tagifai@production`. */
const ids = { a: "", b: "", production: "" };

/** `tagifai --tracking-uri <the test store> ...args`. */
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(["--tracking-uri", fresh.uri, ...args], env);

/** A failure a user caused: the expected exit code, the message, and no stack trace. */
function expectFailure(result: CliResult, code: number, message: string | RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toMatch(/NaN/);
}

beforeAll(async () => {
  fresh = await sqlite.freshStore();
  // Test F1 and validation F1 disagree on the best run: b has the best test F1, a the best validation F1.
  const f1s = { a: 0.5, b: 0.7, production: 0.6 };
  const valF1s = { a: 0.8, b: 0.55, production: 0.6 };
  const roles = ["a", "b", "production"] as const;
  let store = await openStore(fresh.uri);
  for (const role of roles) {
    const run = await store.createRun({ experimentName: "conventions", params: {}, artifactRoot: "/tmp" });
    ids[role] = run.id;
  }
  await store.close();
  // Give runs a and b ids with the same 6-character prefix (before anything refers to them).
  for (const role of ["a", "b"] as const) {
    const id = `abcdef${ids[role].slice(6)}`;
    await sqlite.query(fresh.uri, `UPDATE runs SET id = '${id}' WHERE id = '${ids[role]}'`);
    ids[role] = id;
  }
  store = await openStore(fresh.uri);
  try {
    for (const role of roles) {
      await store.logMetrics(ids[role], { f1: f1s[role], val_f1: valF1s[role], val_loss: 1 - f1s[role] });
      await store.endRun(ids[role], "FINISHED");
    }
    await store.registerModel(ids.production, "tagifai");
    await store.setAlias("tagifai", 1, "production");
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await fresh?.cleanup();
});

describe("tagifai CLI conventions", { timeout: 600_000 }, () => {
  it("prints its version", async () => {
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });

  it("accepts every form of run reference in --run / --run-id / --run-a", async () => {
    const resolve = async (ref: string) => {
      const result = await cli(["diff", "--run-a", ref, "--run-b", ids.production, "--json"]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout).a as string;
    };
    expect(await resolve(ids.a)).toBe(ids.a);
    expect(await resolve(ids.a.slice(0, 8))).toBe(ids.a);
    expect(await resolve("tagifai@production")).toBe(ids.production);
    expect(await resolve("models:/tagifai@production")).toBe(ids.production);
    expect(await resolve("models:/tagifai/1")).toBe(ids.production);
    // best: chooses by validation F1, never by test F1.
    expect(await resolve("best:conventions")).toBe(ids.a);
  });

  it("accepts the program options before or after the command name", async () => {
    const after = await runCli([
      "runs",
      "--experiment",
      "conventions",
      "--tracking-uri",
      fresh.uri,
      "--json",
    ]);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toHaveLength(3);
  });

  it("refuses short and ambiguous run id prefixes, naming the candidates", async () => {
    expectFailure(await cli(["params", "--run", "abcde"]), 2, /invalid run reference "abcde".*at least 6/);
    const ambiguous = await cli(["diff", "--run-a", "abcdef", "--run-b", ids.production]);
    expectFailure(ambiguous, 1, /run id prefix "abcdef" is ambiguous/);
    expect(ambiguous.stderr).toContain(ids.a);
    expect(ambiguous.stderr).toContain(ids.b);
  });

  it("prints runs, experiments and model versions with snake_case keys and ISO dates, like the API", async () => {
    const runs = JSON.parse((await cli(["runs", "--experiment", "conventions", "--json"])).stdout);
    const store = await openStore(fresh.uri);
    try {
      expect(runs).toEqual(
        await Promise.all(
          runs.map(async (run: { run_id: string }) => runView(await store.getRun(run.run_id))),
        ),
      );
    } finally {
      await store.close();
    }
    expect(runs[0].start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const [experiment] = JSON.parse((await cli(["experiments", "--json"])).stdout);
    expect(experiment).toMatchObject({ name: "conventions", run_count: 3 });
    expect(experiment.created_at).toMatch(/Z$/);
    const [version] = JSON.parse(
      (await cli(["alias", "--name", "tagifai", "--version", "1", "--alias", "staging", "--json"])).stdout,
    );
    expect(version).toMatchObject({ name: "tagifai", version: 1, run_id: ids.production });
    expect(version.aliases.sort()).toEqual(["production", "staging"]);
  });

  it("orders runs and picks the best run with the same --order-by", async () => {
    const order = async (orderBy: string) => {
      const runs = JSON.parse((await cli(["runs", "--order-by", orderBy, "--json"])).stdout);
      const best = JSON.parse(
        (await cli(["best-run", "--experiment", "conventions", "--order-by", orderBy])).stdout,
      );
      expect(best.run_id).toBe(runs[0].run_id);
      return best.run_id;
    };
    expect(await order("f1")).toBe(ids.b);
    expect(await order("-f1")).toBe(ids.a);
    expect(await order("val_loss")).toBe(ids.a);
    const best = await cli(["best-run", "--experiment", "conventions"]);
    expect(best.code, best.stderr).toBe(0);
    expect(JSON.parse(best.stdout).run_id).toBe(ids.a);
  });

  it("exits 2 for usage errors, echoing what was typed", async () => {
    expectFailure(
      await cli(["runs", "--limit", "abc"]),
      2,
      'invalid --limit "abc": expected a whole number ≥ 1',
    );
    expectFailure(await cli(["runs", "--limit", "0"]), 2, 'invalid --limit "0"');
    expectFailure(await cli(["serve", "--port", "abc"]), 2, 'invalid --port "abc"');
    expectFailure(
      await runCli(["--tracking-uri", "bogus://x", "runs"]),
      2,
      /unsupported tracking URI scheme "bogus:"/,
    );
    expectFailure(
      await cli(["runs"], { TAGIFAI_LOG_LEVEL: "bogus" }),
      2,
      'invalid TAGIFAI_LOG_LEVEL "bogus"',
    );
    expectFailure(await cli(["no-such-command"]), 2, /unknown command 'no-such-command'/);
    expectFailure(await cli(["runs", "--no-such-option"]), 2, /unknown option '--no-such-option'/);
    expectFailure(await cli(["best-run"]), 2, /required option '--experiment <name>'/);
  });

  it("refuses to order runs by a metric no run has logged, listing the ones that exist", async () => {
    const result = await cli(["runs", "--order-by", "-nosuchmetric"]);
    expectFailure(result, 2, /no run has logged the metric "nosuchmetric"/);
    expect(result.stderr).toMatch(/f1, val_f1, val_loss/);
    expect(result.stdout).toBe("");
    expectFailure(
      await cli(["runs", "--experiment", "conventions", "--order-by", "nosuchmetric", "--json"]),
      2,
      /logged: f1, val_f1, val_loss/,
    );
  });

  it("refuses to delete an experiment whose run is a registered model version unless --force", async () => {
    const store = await openStore(fresh.uri);
    let runId: string;
    try {
      const run = await store.createRun({ experimentName: "doomed", params: {}, artifactRoot: "/tmp" });
      runId = run.id;
      await store.endRun(run.id, "FINISHED");
      await store.registerModel(run.id, "doomed-model");
    } finally {
      await store.close();
    }
    const refused = await cli(["delete-experiment", "--experiment", "doomed"]);
    expectFailure(refused, 1, /MODEL_REGISTERED/);
    expect(refused.stderr).toContain("doomed-model version 1");
    expect(refused.stderr).toContain("--force");
    const runs = JSON.parse((await cli(["runs", "--experiment", "doomed", "--json"])).stdout);
    expect(runs.map((run: { run_id: string }) => run.run_id)).toEqual([runId]);
    const forced = await cli(["delete-experiment", "--experiment", "doomed", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ experiment: "doomed", run_ids: [runId] });
  });

  it("exits 1 for runtime errors, without a stack trace", async () => {
    expectFailure(await cli(["params", "--run", "0".repeat(32)]), 1, /RUN_NOT_FOUND/);
    expectFailure(await cli(["runs", "--experiment", "nope"]), 1, /EXPERIMENT_NOT_FOUND/);
  });

  it("names a port in use instead of a stack trace", async () => {
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(0, "127.0.0.1", listening));
    const { port } = blocker.address() as { port: number };
    try {
      // An empty store: the server starts without a model, then cannot listen.
      const empty = await sqlite.freshStore();
      const result = await runCli(["--tracking-uri", empty.uri, "serve", "--port", String(port)]);
      await empty.cleanup();
      expectFailure(result, 1, new RegExp(`port ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it("starts no compute backend for commands that do not use a model", async () => {
    const result = await cli(["runs"], { TAGIFAI_LOG_LEVEL: "debug" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Using the \w+ backend/);
  });
});
