/**
 * Four processes upload to one PostgreSQL artifact store at once, each its own run and all the same
 * run: every own run comes back whole, exactly one upload of the shared run wins, the others are
 * refused, and the shared run holds the winner's files only (nothing torn, nothing lost).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openArtifactStore } from "../src/tagifai/artifact-store.js";
import { newId } from "../src/tagifai/tracking/ids.js";
import { openStore } from "../src/tagifai/tracking.js";
import { uploaderFiles } from "./fixtures/artifact-store/files.js";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres.js";

const UPLOADER = resolve("tests/fixtures/artifact-store/upload.ts");
const PROCESSES = 4;
let database: TestDatabase;
const previousHome = process.env.TAGIFAI_HOME;

beforeAll(async () => {
  database = await createTestDatabase();
  // Migrate once first, as any store in use already is.
  await (await openStore(database.uri)).close();
  process.env.TAGIFAI_HOME = mkdtempSync(join(tmpdir(), "tagifai-reader-"));
});

afterAll(async () => {
  await database.drop();
  if (previousHome === undefined) delete process.env.TAGIFAI_HOME;
  else process.env.TAGIFAI_HOME = previousHome;
});

it("4 concurrent uploaders: no torn or lost artifact", async () => {
  const shared = newId();
  const own = Array.from({ length: PROCESSES }, () => newId());
  const results = await Promise.all(
    own.map(async (runId, i) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", UPLOADER, database.uri, runId, shared, String(i + 1)],
        { env: { ...process.env, TAGIFAI_HOME: mkdtempSync(join(tmpdir(), `tagifai-uploader-${i}-`)) } },
      );
      return JSON.parse(stdout) as { own: string; shared: string };
    }),
  );
  expect(results.map((r) => r.own)).toEqual(Array(PROCESSES).fill("ok"));
  const winners = results.flatMap((r, i) => (r.shared === "ok" ? [i + 1] : []));
  expect(winners).toHaveLength(1);
  expect(results.filter((r) => r.shared !== "ok").map((r) => r.shared)).toEqual(
    Array(PROCESSES - 1).fill("INVALID_ARTIFACTS"),
  );

  const tracking = await openStore(database.uri);
  try {
    const store = await openArtifactStore(tracking);
    const expectFiles = async (runId: string, byte: number) => {
      const dir = (await store.fetch(runId)) as string;
      const files = uploaderFiles(byte);
      expect((await store.list(runId)).map((file) => file.name).sort()).toEqual(Object.keys(files).sort());
      for (const [name, content] of Object.entries(files)) {
        expect(readFileSync(join(dir, name)).equals(content), `${name} of uploader ${byte}`).toBe(true);
      }
    };
    for (const [i, runId] of own.entries()) await expectFiles(runId, i + 1);
    await expectFiles(shared, winners[0]);
  } finally {
    await tracking.close();
  }
}, 60_000);
