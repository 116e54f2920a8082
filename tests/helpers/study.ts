/**
 * Test helper: a small real study in a tracking store, run with the cheap synthetic objective over a
 * space that adds a log-scaled learning rate; trial 2 fails and trial 3 is pruned, so every final
 * state is there.
 */
import type { Pruner } from "../../src/tagifai/optimize/pruners.js";
import { randomSampler } from "../../src/tagifai/optimize/samplers.js";
import { runStudy, type StudyResult } from "../../src/tagifai/optimize/study.js";
import { openStore } from "../../src/tagifai/tracking.js";
import { SPACE, syntheticObjective } from "../fixtures/optimize/synthetic.js";

/** The synthetic space plus `lr`, drawn log-uniformly over three decades. */
export const STUDY_SPACE = { ...SPACE, lr: { type: "float", low: 1e-5, high: 1e-2, log: true } } as const;

const pruneTrial3: Pruner = { shouldPrune: (trial, step) => trial.number === 3 && step === 1 };

/**
 * Run a study of 6 COMPLETE + PRUNED trials in a store: 7 trials, 5 COMPLETE, 1 PRUNED, 1 FAILED.
 * @param trackingUri the store
 * @param studyName the study's name
 * @returns the study and its trials
 */
export async function runTestStudy(trackingUri: string, studyName: string): Promise<StudyResult> {
  const store = await openStore(trackingUri);
  try {
    return await runStudy({
      store,
      studyName,
      space: STUDY_SPACE,
      direction: "maximize",
      reportDirection: "minimize",
      nTrials: 6,
      sampler: randomSampler(),
      pruner: pruneTrial3,
      seed: 1,
      objective: syntheticObjective({ failOn: [2] }),
      pollIntervalMs: 20,
    });
  } finally {
    await store.close();
  }
}
