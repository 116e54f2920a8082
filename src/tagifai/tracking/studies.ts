/**
 * Hyperparameter studies in the tracking store: a study row, its numbered trials and the values they
 * report while running. Claiming the next trial is one write transaction under a per-study lock
 * (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so any number of processes, on one
 * machine or several, can work on one study: each trial number is taken once, and a study never
 * starts more trials than it needs. Ending or heartbeating a trial only touches it while it is
 * RUNNING, so a trial that was given up for dead cannot come back to life.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { Kysely, Selectable } from "kysely";
import { TagifaiError } from "../errors.js";
import { parseWith } from "../schema.js";
import type { Connection } from "./connection.js";
import type { Database, StudyTable, TrialTable } from "./database.js";
import { assertPositiveInteger, assertRunId, newId } from "./ids.js";
import {
  type ClaimTrialOptions,
  paramsSchema,
  type Study,
  type StudyBase,
  type StudyDefinition,
  studyDirectionSchema,
  type Trial,
  type TrialClaim,
  type TrialState,
  trialStateSchema,
  trialValuesSchema,
} from "./records.js";
import { LOST, parseStoredColumn } from "./runs.js";

const ID = /^[0-9a-f]{32}$/;
const MAX_STUDY_NAME_LENGTH = 200;

/** Serializes the claims on one study (PostgreSQL; SQLite serializes all writes). */
const studyLock = (studyId: string) => `tagifai.tracking.study:${studyId}`;

/** A trial's final state and results. */
export interface TrialOutcome {
  state: Exclude<TrialState, "RUNNING">;
  /** Required (finite) for COMPLETE; ignored otherwise. */
  value?: number;
  attrs?: Record<string, number | string | boolean>;
}

/**
 * Get a study by name, creating it if needed (processes racing to create it all get the same row).
 * @param db the database
 * @param definition name, direction, search space and seed
 * @returns the study (an existing one keeps its own seed; one without base params adopts these)
 * @throws TagifaiError INVALID_INPUT (bad name, direction or seed), STUDY_ERROR if the study exists
 *   with another direction, search space or base params (naming both params' sources and hashes);
 *   nothing is written then
 */
export async function getOrCreateStudy(db: Kysely<Database>, definition: StudyDefinition): Promise<Study> {
  const name = assertStudyName(definition.name);
  const direction = parseWith(studyDirectionSchema, definition.direction, {
    code: "INVALID_INPUT",
    what: "study direction",
  });
  if (!Number.isSafeInteger(definition.seed) || definition.seed < 0) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `invalid study seed ${String(definition.seed)}: expected a whole number ≥ 0`,
    );
  }
  const searchSpace = JSON.stringify(definition.searchSpace);
  const base = definition.base === undefined ? undefined : baseColumns(definition.base);
  await db
    .insertInto("studies")
    .values({
      id: newId(),
      name,
      direction,
      search_space: searchSpace,
      seed: definition.seed,
      created_at: Date.now(),
      ...(base ?? {}),
    })
    .onConflict((conflict) => conflict.column("name").doNothing())
    .execute();
  const study = await findStudy(db, name);
  if (study.direction !== direction) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `study "${name}" was created to ${study.direction}, not to ${direction}: use another study name`,
    );
  }
  if (!isDeepStrictEqual(study.searchSpace, JSON.parse(searchSpace))) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `study "${name}" was created with another search space (${JSON.stringify(study.searchSpace)}): ` +
        "resume it with that space, or use another study name",
    );
  }
  if (base === undefined) return study;
  if (study.base === null) {
    // Made before base params were recorded: adopt these, unless another process just did.
    await db
      .updateTable("studies")
      .set(base)
      .where("id", "=", study.id)
      .where("base_params", "is", null)
      .execute();
    return getOrCreateStudy(db, definition);
  }
  if (study.base.sha256 !== base.base_params_sha256) {
    throw new TagifaiError(
      "STUDY_ERROR",
      `study "${name}" was started from the params of ${study.base.source} (sha256 ${study.base.sha256.slice(0, 12)}), ` +
        `not from those of ${base.base_params_source} (sha256 ${base.base_params_sha256.slice(0, 12)}): ` +
        "resume it with its own base params, or start another study (another --experiment)",
    );
  }
  return study;
}

/**
 * Record the best params a study found (the base params with its best trial's).
 * @param db the database
 * @param studyId the study
 * @param params the params
 * @throws TagifaiError STUDY_NOT_FOUND if there is no such study
 */
export async function setBestParams(
  db: Kysely<Database>,
  studyId: string,
  params: Record<string, unknown>,
): Promise<void> {
  assertId(studyId, "study id");
  const result = await db
    .updateTable("studies")
    .set({ best_params: JSON.stringify(params) })
    .where("id", "=", studyId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new TagifaiError("STUDY_NOT_FOUND", `study ${studyId} not found`);
}

/** The columns of a study's base params: canonical JSON (keys sorted, at every depth) and its SHA-256. */
function baseColumns(base: Omit<StudyBase, "sha256">) {
  const json = JSON.stringify(canonical(base.params));
  return {
    base_params: json,
    base_params_sha256: createHash("sha256").update(json).digest("hex"),
    base_params_source: base.source,
  };
}

/** A JSON value with the keys of every object sorted, so that equal params serialize alike. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

/**
 * Fetch a study by name.
 * @param db the database or a transaction
 * @param name the study name
 * @returns the study
 * @throws TagifaiError INVALID_INPUT for a bad name, STUDY_NOT_FOUND if there is no such study
 */
export async function findStudy(db: Kysely<Database>, name: string): Promise<Study> {
  const row = await db
    .selectFrom("studies")
    .selectAll()
    .where("name", "=", assertStudyName(name))
    .executeTakeFirst();
  if (row === undefined) throw new TagifaiError("STUDY_NOT_FOUND", `study "${name}" not found`);
  return toStudy(row);
}

/**
 * Every study, by name.
 * @param db the database
 * @returns the studies
 */
export async function listStudies(db: Kysely<Database>): Promise<Study[]> {
  const rows = await db.selectFrom("studies").selectAll().orderBy("name").execute();
  return rows.map(toStudy);
}

/**
 * Take the next trial of a study, in one write transaction under the study's lock: mark FAILED the
 * RUNNING trials whose heartbeat is older than `staleAfterMs` (and their RUNNING runs); then,
 * unless enough trials are COMPLETE or PRUNED (done) or would be once the RUNNING ones end (wait),
 * propose parameters and insert trial number max + 1 as RUNNING.
 * @param connection the open database
 * @param studyId the study
 * @param options target trial count, heartbeat timeout, and the proposal function
 * @returns the claimed trial, "wait" or "done", and the numbers of the trials found dead
 * @throws TagifaiError INVALID_INPUT (bad count or timeout, invalid proposal)
 */
export async function claimTrial(
  connection: Connection,
  studyId: string,
  options: ClaimTrialOptions,
): Promise<TrialClaim & { expired: number[] }> {
  assertId(studyId, "study id");
  assertPositiveInteger(options.nTrials, "number of trials");
  assertPositiveInteger(options.staleAfterMs, "heartbeat timeout (ms)");
  return connection.write(async (trx) => {
    const now = Date.now();
    const expired = await trx
      .updateTable("trials")
      .set({ state: "FAILED", finished_at: now })
      .where("study_id", "=", studyId)
      .where("state", "=", "RUNNING")
      .where("heartbeat_at", "<", now - options.staleAfterMs)
      .returning(["number", "run_id"])
      .execute();
    const deadRuns = expired.flatMap((row) => (row.run_id === null ? [] : [row.run_id]));
    if (deadRuns.length > 0) {
      await trx
        .updateTable("runs")
        .set({ status: "FAILED", end_time: now, end_reason: LOST })
        .where("id", "in", deadRuns)
        .where("status", "=", "RUNNING")
        .execute();
    }
    const expiredNumbers = expired.map((row) => row.number).sort((a, b) => a - b);
    const trials = await listTrials(trx, studyId);
    const finished = trials.filter((t) => t.state === "COMPLETE" || t.state === "PRUNED").length;
    const running = trials.filter((t) => t.state === "RUNNING").length;
    if (finished >= options.nTrials) return { status: "done", expired: expiredNumbers };
    if (finished + running >= options.nTrials) return { status: "wait", expired: expiredNumbers };
    const number = trials.length === 0 ? 0 : trials[trials.length - 1].number + 1;
    const params = parseWith(trialValuesSchema, options.propose(trials, number), {
      code: "INVALID_INPUT",
      what: "proposed trial params",
    });
    const row = {
      id: newId(),
      study_id: studyId,
      number,
      state: "RUNNING" as const,
      params: JSON.stringify(params),
      value: null,
      attrs: "{}",
      run_id: null,
      heartbeat_at: now,
      started_at: now,
      finished_at: null,
    };
    await trx.insertInto("trials").values(row).execute();
    return { status: "claimed", trial: toTrial(row, {}), expired: expiredNumbers };
  }, studyLock(studyId));
}

/**
 * Record that a RUNNING trial's worker is alive.
 * @param db the database
 * @param trialId the trial
 * @returns false if the trial is no longer RUNNING (e.g. marked FAILED for a missed heartbeat)
 */
export async function heartbeatTrial(db: Kysely<Database>, trialId: string): Promise<boolean> {
  assertId(trialId, "trial id");
  const result = await db
    .updateTable("trials")
    .set({ heartbeat_at: Date.now() })
    .where("id", "=", trialId)
    .where("state", "=", "RUNNING")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Record a value a RUNNING trial reports at a step (and a heartbeat). A second report at the same
 * step is ignored, as in Optuna.
 * @param connection the open database
 * @param trialId the trial
 * @param step a whole number ≥ 0 (e.g. the epoch)
 * @param value the value (NaN allowed)
 * @returns false, recording nothing, if the trial is no longer RUNNING
 * @throws TagifaiError INVALID_INPUT for a bad step or a non-number value
 */
export async function reportTrialValue(
  connection: Connection,
  trialId: string,
  step: number,
  value: number,
): Promise<boolean> {
  assertId(trialId, "trial id");
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `invalid trial step ${String(step)}: expected a whole number ≥ 0`,
    );
  }
  if (typeof value !== "number") {
    throw new TagifaiError(
      "INVALID_INPUT",
      `trial value at step ${step} is ${String(value)}: expected a number`,
    );
  }
  return connection.write(async (trx) => {
    if (!(await heartbeatTrial(trx, trialId))) return false;
    await trx
      .insertInto("trial_values")
      .values({ trial_id: trialId, step, value: Number.isNaN(value) ? null : value })
      .onConflict((conflict) => conflict.columns(["trial_id", "step"]).doNothing())
      .execute();
    return true;
  });
}

/**
 * Link a trial to the tracking run that trains it.
 * @param db the database
 * @param trialId the trial
 * @param runId the run
 * @throws TagifaiError INVALID_RUN_ID, STUDY_ERROR if the trial does not exist
 */
export async function attachRun(db: Kysely<Database>, trialId: string, runId: string): Promise<void> {
  assertId(trialId, "trial id");
  assertRunId(runId);
  const result = await db
    .updateTable("trials")
    .set({ run_id: runId })
    .where("id", "=", trialId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new TagifaiError("STUDY_ERROR", `trial ${trialId} not found`);
}

/**
 * End a RUNNING trial.
 * @param db the database
 * @param trialId the trial
 * @param outcome its final state, value (COMPLETE) and attributes
 * @returns false, changing nothing, if the trial was not RUNNING any more
 * @throws TagifaiError INVALID_INPUT (a COMPLETE trial without a finite value, bad attributes)
 */
export async function finishTrial(
  db: Kysely<Database>,
  trialId: string,
  outcome: TrialOutcome,
): Promise<boolean> {
  assertId(trialId, "trial id");
  const state = parseWith(trialStateSchema.exclude(["RUNNING"]), outcome.state, {
    code: "INVALID_INPUT",
    what: "trial end state",
  });
  if (state === "COMPLETE" && !Number.isFinite(outcome.value)) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `a COMPLETE trial needs a finite value, not ${String(outcome.value)}`,
    );
  }
  const attrs = parseWith(trialValuesSchema, outcome.attrs ?? {}, {
    code: "INVALID_INPUT",
    what: "trial attributes",
  });
  const result = await db
    .updateTable("trials")
    .set({
      state,
      value: state === "COMPLETE" ? outcome.value! : null,
      attrs: JSON.stringify(attrs),
      finished_at: Date.now(),
    })
    .where("id", "=", trialId)
    .where("state", "=", "RUNNING")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Every trial of a study, oldest first, with its intermediate values.
 * @param db the database or a transaction
 * @param studyId the study
 * @returns the trials
 */
export async function listTrials(db: Kysely<Database>, studyId: string): Promise<Trial[]> {
  assertId(studyId, "study id");
  const rows = await db
    .selectFrom("trials")
    .selectAll()
    .where("study_id", "=", studyId)
    .orderBy("number")
    .execute();
  const values = await db
    .selectFrom("trial_values")
    .innerJoin("trials", "trials.id", "trial_values.trial_id")
    .select(["trial_values.trial_id", "trial_values.step", "trial_values.value"])
    .where("trials.study_id", "=", studyId)
    .execute();
  const intermediate = new Map<string, Record<number, number>>(rows.map((row) => [row.id, {}]));
  for (const { trial_id, step, value } of values) intermediate.get(trial_id)![step] = value ?? Number.NaN;
  return rows.map((row) => toTrial(row, intermediate.get(row.id)!));
}

/** Turn a study row into a `Study`. */
function toStudy(row: Selectable<StudyTable>): Study {
  return {
    id: row.id,
    name: row.name,
    direction: row.direction,
    searchSpace: parseStoredColumn(row.search_space, paramsSchema, `study "${row.name}"`),
    seed: row.seed,
    createdAt: row.created_at,
    base:
      row.base_params === null
        ? null
        : {
            params: parseStoredColumn(row.base_params, paramsSchema, `study "${row.name}"`),
            source: row.base_params_source ?? "",
            sha256: row.base_params_sha256 ?? "",
          },
    bestParams:
      row.best_params === null
        ? null
        : parseStoredColumn(row.best_params, paramsSchema, `study "${row.name}"`),
  };
}

/**
 * Turn a trial row into a `Trial`.
 * @param row the row
 * @param intermediate the trial's reported values by step
 */
function toTrial(row: Selectable<TrialTable>, intermediate: Record<number, number>): Trial {
  const what = `trial ${row.number}`;
  return {
    id: row.id,
    number: row.number,
    state: row.state,
    params: parseStoredColumn(row.params, trialValuesSchema, what),
    ...(row.value === null ? {} : { value: row.value }),
    intermediate,
    attrs: parseStoredColumn(row.attrs, trialValuesSchema, what),
    runId: row.run_id,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Check a study name: non-blank, at most 200 characters (it also names the study's experiment).
 * @param name the candidate name
 * @returns the same name
 * @throws TagifaiError INVALID_INPUT naming the bad value
 */
function assertStudyName(name: string): string {
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_STUDY_NAME_LENGTH) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `invalid study name ${JSON.stringify(name)}: use 1-${MAX_STUDY_NAME_LENGTH} characters`,
    );
  }
  return name;
}

/**
 * Check a study or trial id (32 lowercase hex characters, as the store makes them).
 * @param id the candidate
 * @param what "study id" or "trial id", for the message
 */
function assertId(id: string, what: string): void {
  if (typeof id !== "string" || !ID.test(id)) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `invalid ${what} ${JSON.stringify(id)}: expected 32 lowercase hex characters`,
    );
  }
}
