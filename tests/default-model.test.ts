/**
 * The default model (issue 10, item 3): the version registered as `tagifai@production` if there is
 * one, else the newest FINISHED run that is not a study trial — never a trial that happens to be
 * newer; the facts that say which model it is, and the one line made of them.
 */
import { describe, expect, test } from "vitest";
import { describeModel, modelIdentity, resolveRun } from "../src/tagifai/lifecycle.js";
import type { Run, TrackingStore } from "../src/tagifai/tracking.js";
import { BACKENDS } from "./fixtures/tracking/harness.js";
import { useFreshStore } from "./helpers/tracking-store.js";

describe.each(BACKENDS)("the default model on $name", (backend) => {
  const db = useFreshStore(backend);

  test("production alias first, else the newest finished run outside studies; named on one line", async () => {
    const { store } = db;
    const finished = async (experimentName: string, metrics: Record<string, number>) => {
      const run = await store.createRun({ experimentName, params: {}, artifactRoot: "/tmp" });
      await store.logMetrics(run.id, metrics);
      await store.endRun(run.id, "FINISHED");
      return run;
    };
    await expect(resolveRun(store)).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    const baseline = await finished("baselines", { val_f1: 0.741, f1: 0.732 });
    // A study trial, newer than the baseline, is never the default.
    const study = await store.getOrCreateStudy({
      name: "s",
      direction: "maximize",
      searchSpace: {},
      seed: 1,
    });
    const claim = await store.claimTrial(study.id, { nTrials: 1, staleAfterMs: 60_000, propose: () => ({}) });
    if (claim.status !== "claimed") throw new Error("expected a claim");
    const trialRun = await finished("s", { val_f1: 0.449, f1: 0.44 });
    await store.attachRunToTrial(claim.trial.id, trialRun.id);
    expect((await resolveRun(store)).id).toBe(baseline.id);
    expect(await lineOf(store, await store.getRun(baseline.id))).toBe(
      `model: run ${baseline.id.slice(0, 8)}… · val f1 0.741 · test f1 0.732`,
    );
    // Once a version is registered as tagifai@production, it is the default, even if older.
    const newer = await finished("baselines", { val_f1: 0.8 });
    expect((await resolveRun(store)).id).toBe(newer.id);
    await store.registerModel(baseline.id, "tagifai");
    await store.setAlias("tagifai", 1, "production");
    const chosen = await resolveRun(store);
    expect(chosen.id).toBe(baseline.id);
    expect(await modelIdentity(store, chosen)).toEqual({
      run_id: baseline.id,
      run_name: baseline.name,
      registered: [{ name: "tagifai", version: 1, aliases: ["production"] }],
      val_f1: 0.741,
      test_f1: 0.732,
    });
    expect(await lineOf(store, chosen)).toBe(
      `model: tagifai v1 (production) · run ${baseline.id.slice(0, 8)}… · val f1 0.741 · test f1 0.732`,
    );
    expect(await lineOf(store, await store.getRun(newer.id))).toBe(
      `model: run ${newer.id.slice(0, 8)}… · val f1 0.800 · test f1 n/a`,
    );
  });
});

/** The one line naming a run's model. */
async function lineOf(store: TrackingStore, run: Run): Promise<string> {
  return describeModel(await modelIdentity(store, run));
}
