/**
 * Two machines sharing only a PostgreSQL tracking database: machine A trains and registers a model,
 * then its whole TAGIFAI_HOME is deleted; machine B (another TAGIFAI_HOME) predicts, evaluates and
 * serves that model from the artifacts stored in the database. Then the failures: artifacts deleted
 * elsewhere, an unreachable artifact store, a run without a model.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { buildApp } from "../src/tagifai/serve/app.js";
import { runCli } from "./helpers/cli.js";
import { createTestDatabase, queryDatabase, type TestDatabase } from "./helpers/postgres.js";
import { DATASET_DIR } from "./helpers/trained-run.js";

let database: TestDatabase;
let runId: string;
const machineA = mkdtempSync(join(tmpdir(), "tagifai-machine-a-"));
const machineB = mkdtempSync(join(tmpdir(), "tagifai-machine-b-"));

/** Run the CLI on a machine: its own home, the shared tracking database. */
function onMachine(home: string, args: string[]) {
  return runCli(["--tracking-uri", database.uri, ...args], {
    TAGIFAI_HOME: home,
    TAGIFAI_DATA_DIR: DATASET_DIR,
  });
}

const sql = (statement: string, values: unknown[] = []) => queryDatabase(database.uri, statement, values);

beforeAll(async () => {
  database = await createTestDatabase();
  const trained = await onMachine(machineA, [
    "train-model",
    "--params-fp",
    TEST_PARAMS_FP,
    "--experiment",
    "shared",
  ]);
  expect(trained.stderr).not.toContain("ERROR");
  expect(trained.code).toBe(0);
  runId = JSON.parse(trained.stdout).run_id;
  expect((await onMachine(machineA, ["register", "--run", runId, "--name", "tagifai"])).code).toBe(0);
  const alias = await onMachine(machineA, [
    "alias",
    "--name",
    "tagifai",
    "--version",
    "1",
    "--alias",
    "production",
  ]);
  expect(alias.code).toBe(0);
  rmSync(machineA, { recursive: true, force: true });
}, 120_000);

afterAll(async () => {
  await database.drop();
  rmSync(machineB, { recursive: true, force: true });
});

describe("a model trained on machine A, whose folder is gone", () => {
  it("records its artifacts in the tracking database, not in a folder of A", async () => {
    const { rows } = await sql("SELECT artifact_uri, status FROM runs WHERE id = $1", [runId]);
    expect(rows).toEqual([{ artifact_uri: `tracking-db:${runId}`, status: "FINISHED" }]);
    expect(existsSync(machineA)).toBe(false);
  });

  it("predicts and evaluates on machine B", async () => {
    const predicted = await onMachine(machineB, [
      "predict-tags",
      "--run",
      "tagifai@production",
      "a transformer for text",
    ]);
    expect(predicted.stderr).not.toContain("ERROR");
    expect(predicted.code).toBe(0);
    expect(JSON.parse(predicted.stdout).predicted_tags).toBeInstanceOf(Array);
    expect(existsSync(join(machineB, "stores", "cache", runId, "params.json"))).toBe(true);

    const dataset = join(DATASET_DIR, "projects.json");
    const evaluated = await onMachine(machineB, [
      "evaluate",
      "--run",
      "tagifai@production",
      "--dataset",
      dataset,
    ]);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout).overall.num_samples).toBeGreaterThan(0);
  }, 60_000);

  it("serves tagifai@production on machine B", async () => {
    const previousHome = process.env.TAGIFAI_HOME;
    process.env.TAGIFAI_HOME = machineB;
    rmSync(join(machineB, "stores", "cache"), { recursive: true, force: true });
    try {
      const { app } = await buildApp({ runRef: "tagifai@production", trackingUri: database.uri });
      try {
        const answer = await app.inject({
          method: "POST",
          url: "/predict",
          payload: { texts: [{ text: "object detection with yolo" }] },
        });
        expect(answer.statusCode).toBe(200);
        expect(answer.json().data.run_id).toBe(runId);
        const files = await app.inject({ method: "GET", url: `/api/runs/${runId}/artifacts` });
        expect(files.json().data.artifacts.map((file: { name: string }) => file.name)).toContain(
          "params.json",
        );
      } finally {
        await app.close();
      }
    } finally {
      if (previousHome === undefined) delete process.env.TAGIFAI_HOME;
      else process.env.TAGIFAI_HOME = previousHome;
    }
  }, 60_000);
});

describe("what fails, and how", () => {
  it("refuses an unreachable artifact store before creating a run", async () => {
    const result = await onMachine(machineB, [
      "train-model",
      "--params-fp",
      TEST_PARAMS_FP,
      "--experiment",
      "unreachable",
      "--artifact-uri",
      "postgresql://postgres@127.0.0.1:1/nowhere",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot reach the artifact store postgresql:\/\/postgres@127\.0\.0\.1:1\/nowhere/,
    );
    expect(result.stderr).toContain("[ARTIFACT_STORE_ERROR]");
    const { rows } = await sql("SELECT count(*)::int AS n FROM experiments WHERE name = 'unreachable'");
    expect(rows[0].n).toBe(0);
  });

  it("says a run has no model when it is not FINISHED", async () => {
    const killed = "f".repeat(32);
    await sql(
      "INSERT INTO runs (id, experiment_id, name, status, start_time, artifact_uri, params, tags) " +
        "SELECT $1, experiment_id, 'killed', 'KILLED', 0, $2, '{}', '{}' FROM runs WHERE id = $3",
      [killed, `tracking-db:${killed}`, runId],
    );
    const result = await onMachine(machineB, ["predict-tags", "--run", killed, "text"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Run ${killed} is KILLED: only a FINISHED run has a model to load`);
  });

  it("says a FINISHED run's artifacts were deleted elsewhere, and delete-experiment removes them all", async () => {
    const saved = await sql("SELECT count(*)::int AS n FROM artifact_files WHERE run_id = $1", [runId]);
    expect(saved.rows[0].n).toBeGreaterThan(0);
    await sql("CREATE TABLE kept AS SELECT * FROM artifact_files WHERE run_id = $1", [runId]);
    await sql("CREATE TABLE kept_chunks AS SELECT * FROM artifact_chunks WHERE run_id = $1", [runId]);
    await sql("DELETE FROM artifact_files WHERE run_id = $1", [runId]);
    const result = await onMachine(machineB, ["predict-tags", "--run", runId, "text"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Run ${runId} is FINISHED but its artifacts are missing`);
    await sql("INSERT INTO artifact_files SELECT * FROM kept");
    await sql("INSERT INTO artifact_chunks SELECT * FROM kept_chunks");

    const deleted = await onMachine(machineB, ["delete-experiment", "--experiment", "shared", "--force"]);
    expect(deleted.stderr).not.toContain("ERROR");
    expect(deleted.code).toBe(0);
    const left = await sql("SELECT count(*)::int AS n FROM artifact_chunks WHERE run_id = $1", [runId]);
    expect(left.rows[0].n).toBe(0);
    expect(existsSync(join(machineB, "stores", "cache", runId))).toBe(false);
  });
});
