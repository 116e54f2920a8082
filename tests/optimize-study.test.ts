import { tmpdir } from "node:os";
import { describe, expect, test } from "vitest";
import { nopPruner, type Pruner } from "../src/tagifai/optimize/pruners.js";
import { randomSampler } from "../src/tagifai/optimize/samplers.js";
import {
  type Objective,
  runStudy,
  type StudyOptions,
  type TrialEvent,
} from "../src/tagifai/optimize/study.js";
import { SPACE, syntheticObjective } from "./fixtures/optimize/synthetic.js";
import { BACKENDS } from "./fixtures/tracking/harness.js";
import { useFreshStore } from "./helpers/tracking-store.js";

describe.each(BACKENDS)("study loop on $name", (backend) => {
  const db = useFreshStore(backend);
  /** A study name no other test in this file uses. */
  const { unique } = db;

  /** Run a study with the synthetic objective, random sampling and no pruning, unless overridden. */
  const study = (overrides: Partial<StudyOptions> & { studyName: string }) =>
    runStudy({
      store: db.store,
      space: SPACE,
      direction: "maximize",
      reportDirection: "minimize",
      nTrials: 3,
      sampler: randomSampler(),
      pruner: nopPruner(),
      seed: 1,
      objective: syntheticObjective(),
      pollIntervalMs: 20,
      ...overrides,
    });

  /** Run raw SQL on the store's database, as a dead or rival worker would leave it. */
  const sqlForTrial = (studyName: string, number: number, set: string) =>
    backend.query(
      db.uri,
      `UPDATE trials SET ${set} WHERE number = ${number} AND study_id = (SELECT id FROM studies WHERE name = '${studyName}')`,
    );

  /** Create a 3-trial study and claim its trial 0 directly in the store, as another worker would. */
  const claimFirstTrialElsewhere = async (studyName: string) => {
    const created = await db.store.getOrCreateStudy({
      name: studyName,
      direction: "maximize",
      searchSpace: SPACE,
      seed: 1,
    });
    return db.store.claimTrial(created.id, {
      nTrials: 3,
      staleAfterMs: 60_000,
      propose: () => ({ x: 0.5, n: 2 }),
    });
  };

  test("runs exactly N trials; rerunning resumes the study, numbering on from where it stopped", async () => {
    const name = unique("resume");
    const first = await study({ studyName: name, nTrials: 4 });
    expect(first.trials.map((t) => [t.number, t.state])).toEqual([0, 1, 2, 3].map((n) => [n, "COMPLETE"]));
    expect(first.trials.every((t) => typeof t.value === "number" && t.attrs.threshold === 0.5)).toBe(true);
    expect(first.best!.value).toBe(Math.max(...first.trials.map((t) => t.value!)));

    const again = await study({ studyName: name, nTrials: 4 });
    expect(again.trials.map((t) => t.id)).toEqual(first.trials.map((t) => t.id));

    const more = await study({ studyName: name, nTrials: 6 });
    expect(more.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(more.trials.slice(0, 4)).toEqual(first.trials);
    expect(more.trials.every((t) => t.state === "COMPLETE")).toBe(true);
  });

  test("trial n's params depend only on the study seed and n (for a sampler that ignores history)", async () => {
    const a = await study({ studyName: unique("seeded"), seed: 11 });
    const b = await study({ studyName: unique("seeded"), seed: 11 });
    const c = await study({ studyName: unique("seeded"), seed: 12 });
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
  });

  test("pruned trials end PRUNED with their reports, tag their runs, and are never the best", async () => {
    const name = unique("pruning");
    // Prune odd trials at their second report; their objective would otherwise return the top value.
    const pruner: Pruner = {
      shouldPrune: (trial, step) =>
        trial.number % 2 === 1 && step === 2 && Object.keys(trial.intermediate).length === 2,
    };
    const objective: Objective = async (trial) => {
      const run = await db.store.createRun({ experimentName: name, artifactRoot: tmpdir() });
      await trial.attachRun(run.id);
      for (let step = 1; step <= 3; step++) await trial.report(step, 1 / step);
      return trial.number % 2 === 1 ? 100 : trial.number;
    };
    const events: TrialEvent[] = [];
    const result = await study({
      studyName: name,
      nTrials: 5,
      pruner,
      objective,
      onTrialEnd: (e) => events.push(e),
    });

    expect(result.trials.map((t) => t.state)).toEqual([
      "COMPLETE",
      "PRUNED",
      "COMPLETE",
      "PRUNED",
      "COMPLETE",
    ]);
    const pruned = result.trials.filter((t) => t.state === "PRUNED");
    expect(pruned.map((t) => [t.value, t.intermediate])).toEqual([
      [undefined, { 1: 1, 2: 0.5 }],
      [undefined, { 1: 1, 2: 0.5 }],
    ]);
    expect(result.best!.number).toBe(4);
    expect(events.map((e) => [e.number, e.state, e.finished, e.best?.number])).toEqual([
      [0, "COMPLETE", 1, 0],
      [1, "PRUNED", 2, 0],
      [2, "COMPLETE", 3, 2],
      [3, "PRUNED", 4, 2],
      [4, "COMPLETE", 5, 4],
    ]);
    const runs = await Promise.all(result.trials.map((t) => db.store.getRun(t.runId!)));
    expect(runs.map((run) => run.tags.state)).toEqual(result.trials.map((t) => t.state));
  });

  test("a trial whose objective throws is recorded FAILED and the study still reaches N", async () => {
    const result = await study({
      studyName: unique("failing"),
      objective: syntheticObjective({ failOn: [1] }),
    });
    expect(result.trials.map((t) => t.state)).toEqual(["COMPLETE", "FAILED", "COMPLETE", "COMPLETE"]);
    expect(result.trials[1].intermediate).toEqual({});
  });

  test("a worker stops with STUDY_ERROR after 3 failed trials in a row", async () => {
    const name = unique("broken");
    await expect(
      study({ studyName: name, objective: syntheticObjective({ failOn: [0, 1, 2, 3] }) }),
    ).rejects.toMatchObject({ code: "STUDY_ERROR", message: expect.stringContaining("broke on purpose") });
    const trials = await db.store.listTrials((await db.store.getStudy(name)).id);
    expect(trials.map((t) => t.state)).toEqual(["FAILED", "FAILED", "FAILED"]);
  });

  test("a RUNNING trial whose heartbeat is old is marked FAILED and replaced at once", async () => {
    const name = unique("stale");
    await claimFirstTrialElsewhere(name);
    await sqlForTrial(name, 0, `heartbeat_at = ${Date.now() - 120_000}`);

    const result = await study({ studyName: name, staleAfterMs: 60_000 });
    expect(result.trials.map((t) => [t.number, t.state])).toEqual([
      [0, "FAILED"],
      [1, "COMPLETE"],
      [2, "COMPLETE"],
      [3, "COMPLETE"],
    ]);
  });

  test("while the last trial runs elsewhere a worker waits; if that worker goes silent, it takes over", async () => {
    const name = unique("waiting");
    const claimed = await claimFirstTrialElsewhere(name);
    expect(claimed.status).toBe("claimed");

    const started = Date.now();
    const result = await study({ studyName: name, staleAfterMs: 400, heartbeatIntervalMs: 50 });
    expect(result.trials.map((t) => [t.number, t.state])).toEqual([
      [0, "FAILED"],
      [1, "COMPLETE"],
      [2, "COMPLETE"],
      [3, "COMPLETE"],
    ]);
    // Trial 0 was only given up once its heartbeat was 400 ms old.
    expect(result.trials[0].finishedAt! - result.trials[0].heartbeatAt).toBeGreaterThanOrEqual(400);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  test("two workers share a study; heartbeats keep trials that outlast the timeout alive", async () => {
    // Two workers in one process share the store (two SQLite connections in one thread would block
    // each other); the child-process tests cover separate processes.
    // Each trial takes ~240 ms, longer than the 150 ms timeout: only heartbeats keep it alive.
    const options = {
      studyName: unique("pair"),
      nTrials: 6,
      staleAfterMs: 150,
      heartbeatIntervalMs: 30,
      objective: syntheticObjective({ stepMs: 80 }),
    };
    const ran: number[][] = [[], []];
    const [a] = await Promise.all(
      ran.map((numbers) => study({ ...options, onTrialEnd: (event) => numbers.push(event.number) })),
    );
    expect(a.trials.map((t) => [t.number, t.state])).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n, "COMPLETE"]));
    expect(ran[0].length).toBeGreaterThan(0);
    expect(ran[1].length).toBeGreaterThan(0);
    expect([...ran[0], ...ran[1]].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("a trial marked FAILED behind its worker's back cannot report or complete", async () => {
    const name = unique("taken");
    const objective: Objective = async (trial) => {
      if (trial.number < 2) await sqlForTrial(name, trial.number, "state = 'FAILED'");
      if (trial.number === 0) await trial.report(1, 0.5);
      return 0.5;
    };
    const result = await study({ studyName: name, objective });
    expect(result.trials.map((t) => [t.number, t.state, t.value])).toEqual([
      [0, "FAILED", undefined],
      [1, "FAILED", undefined],
      [2, "COMPLETE", 0.5],
      [3, "COMPLETE", 0.5],
      [4, "COMPLETE", 0.5],
    ]);
    expect(result.trials[0].intermediate).toEqual({});
  });
});

describe.each(BACKENDS)("study records in the tracking store on $name", (backend) => {
  const db = useFreshStore(backend);
  const { unique } = db;
  const define = (name: string) => ({ name, direction: "minimize" as const, searchSpace: SPACE, seed: 3 });
  const propose = () => ({ x: 0.1, n: 1 });

  test("a study is created once; rejoining it needs the same direction and search space", async () => {
    const name = unique("defined");
    const created = await db.store.getOrCreateStudy(define(name));
    expect(await db.store.getOrCreateStudy({ ...define(name), seed: 99 })).toEqual(created);
    expect(created.seed).toBe(3);
    await expect(db.store.getOrCreateStudy({ ...define(name), direction: "maximize" })).rejects.toMatchObject(
      {
        code: "STUDY_ERROR",
        message: expect.stringContaining("created to minimize"),
      },
    );
    await expect(
      db.store.getOrCreateStudy({ ...define(name), searchSpace: { x: SPACE.x } }),
    ).rejects.toMatchObject({
      code: "STUDY_ERROR",
      message: expect.stringContaining("another search space"),
    });
    await expect(db.store.getStudy(unique("missing"))).rejects.toMatchObject({
      code: "STUDY_NOT_FOUND",
      message: expect.stringContaining("not found"),
    });
  });

  test("a study remembers its base params; resuming from other ones is refused naming both, writing nothing", async () => {
    const name = unique("based");
    const base = { params: { seed: 1, model: "linear", threshold: 0.5 }, source: "config/a.json" };
    const created = await db.store.getOrCreateStudy({ ...define(name), base });
    expect(created.base).toEqual({
      params: base.params,
      source: "config/a.json",
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The same params in another key order, from another file, are the same base params.
    const reordered = { params: { threshold: 0.5, model: "linear", seed: 1 }, source: "elsewhere.json" };
    expect(await db.store.getOrCreateStudy({ ...define(name), base: reordered })).toEqual(created);
    const other = { params: { ...base.params, threshold: 0.117 }, source: "config/b.json" };
    const refused = db.store.getOrCreateStudy({ ...define(name), base: other });
    await expect(refused).rejects.toMatchObject({ code: "STUDY_ERROR" });
    const message = await refused.catch((error: Error) => error.message);
    for (const part of [`"${name}"`, "config/a.json", created.base!.sha256.slice(0, 12), "config/b.json"])
      expect(message).toContain(part);
    expect(await db.store.getStudy(name)).toEqual(created);
    expect(await db.store.listTrials(created.id)).toEqual([]);
  });

  test("a study without base params (made before they were recorded) adopts the first ones it is resumed with", async () => {
    const name = unique("legacy");
    const created = await db.store.getOrCreateStudy(define(name));
    expect(created.base).toBeNull();
    const base = { params: { seed: 2 }, source: "p.json" };
    const resumed = await db.store.getOrCreateStudy({ ...define(name), base });
    expect(resumed.base?.params).toEqual({ seed: 2 });
    await expect(
      db.store.getOrCreateStudy({ ...define(name), base: { params: { seed: 3 }, source: "q.json" } }),
    ).rejects.toMatchObject({ code: "STUDY_ERROR" });
  });

  test("a study keeps the best params it found", async () => {
    const study = await db.store.getOrCreateStudy(define(unique("best-params")));
    expect(study.bestParams).toBeNull();
    await db.store.setStudyBestParams(study.id, { seed: 1, threshold: 0.3 });
    expect((await db.store.getStudy(study.name)).bestParams).toEqual({ seed: 1, threshold: 0.3 });
  });

  test("listStudies gives every study by name", async () => {
    const names = [unique("listed-b"), unique("listed-a")];
    const created = await Promise.all(names.map((name) => db.store.getOrCreateStudy(define(name))));
    const listed = (await db.store.listStudies()).filter((study) => names.includes(study.name));
    expect(listed).toEqual([created[1], created[0]]);
  });

  test("claims say wait while the target is reached only counting RUNNING trials, and done once it is", async () => {
    const study = await db.store.getOrCreateStudy(define(unique("claims")));
    const claim = () => db.store.claimTrial(study.id, { nTrials: 2, staleAfterMs: 60_000, propose });
    const first = await claim();
    const second = await claim();
    if (first.status !== "claimed" || second.status !== "claimed") throw new Error("expected two claims");
    expect([first.trial.number, second.trial.number]).toEqual([0, 1]);
    expect((await claim()).status).toBe("wait");
    expect(await db.store.finishTrial(first.trial.id, { state: "FAILED" })).toBe(true);
    const third = await claim();
    expect(third.status === "claimed" && third.trial.number).toBe(2);
    await db.store.finishTrial(second.trial.id, { state: "PRUNED" });
    if (third.status === "claimed")
      await db.store.finishTrial(third.trial.id, { state: "COMPLETE", value: 1 });
    expect((await claim()).status).toBe("done");
  });

  test("reports: a repeated step is ignored, NaN reads back as NaN, nothing is recorded once the trial ended", async () => {
    const study = await db.store.getOrCreateStudy(define(unique("reports")));
    const claim = await db.store.claimTrial(study.id, { nTrials: 1, staleAfterMs: 60_000, propose });
    if (claim.status !== "claimed") throw new Error("expected a claim");
    const id = claim.trial.id;
    expect(await db.store.reportTrialValue(id, 1, 0.5)).toBe(true);
    expect(await db.store.reportTrialValue(id, 1, 0.9)).toBe(true);
    expect(await db.store.reportTrialValue(id, 2, Number.NaN)).toBe(true);
    await expect(db.store.reportTrialValue(id, -1, 0.1)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(db.store.finishTrial(id, { state: "COMPLETE", value: Number.NaN })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("finite value"),
    });
    expect(
      await db.store.finishTrial(id, { state: "COMPLETE", value: 0.25, attrs: { threshold: 0.4 } }),
    ).toBe(true);
    expect(await db.store.reportTrialValue(id, 3, 0.1)).toBe(false);
    expect(await db.store.heartbeatTrial(id)).toBe(false);
    expect(await db.store.finishTrial(id, { state: "FAILED" })).toBe(false);

    const [trial] = await db.store.listTrials(study.id);
    expect(trial).toMatchObject({
      state: "COMPLETE",
      value: 0.25,
      attrs: { threshold: 0.4 },
      params: propose(),
    });
    expect(trial.intermediate).toEqual({ 1: 0.5, 2: Number.NaN });
  });
});
