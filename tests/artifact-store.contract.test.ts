/**
 * The artifact store contract, run on both backends: a local folder, and PostgreSQL (the tracking
 * database of a fresh test database). Then what only the PostgreSQL store has: chunks, checksums
 * checked on read, the local cache, and an unreachable store.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHUNK_BYTES,
  openPostgresArtifactStore,
} from "../src/tagifai/artifact-store/postgres/postgres-artifacts.js";
import {
  type ArtifactStore,
  openArtifactStore,
  openRunArtifactStore,
} from "../src/tagifai/artifact-store.js";
import { newId } from "../src/tagifai/tracking/ids.js";
import { openStore, type Run, type TrackingStore } from "../src/tagifai/tracking.js";
import { createTestDatabase, queryDatabase, type TestDatabase } from "./helpers/postgres.js";

/** A run's files: small JSON, a file in a subfolder (as an ensemble's members), and one of 2.5 chunks. */
function sampleFiles(): Record<string, Buffer> {
  return {
    "params.json": Buffer.from('{"model":"cnn"}\n'),
    "cnn/model.json": Buffer.from('{"layers":[]}\n'),
    "model.weights.bin": randomBytes(Math.floor(CHUNK_BYTES * 2.5)),
  };
}

function writer(files: Record<string, Buffer>): (dir: string) => Promise<void> {
  return async (dir) => {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
  };
}

function expectSameFiles(dir: string, files: Record<string, Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    expect(readFileSync(join(dir, name)).equals(content), name).toBe(true);
  }
}

interface Backend {
  name: string;
  open(): Promise<{ store: ArtifactStore; close(): Promise<void> }>;
}

let database: TestDatabase;
let otherDatabase: TestDatabase;
const previousHome = process.env.TAGIFAI_HOME;

beforeAll(async () => {
  process.env.TAGIFAI_HOME = mkdtempSync(join(tmpdir(), "tagifai-artifact-store-"));
  database = await createTestDatabase();
  otherDatabase = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
  await otherDatabase.drop();
  if (previousHome === undefined) delete process.env.TAGIFAI_HOME;
  else process.env.TAGIFAI_HOME = previousHome;
});

const BACKENDS: Backend[] = [
  {
    name: "local folder",
    open: async () => {
      const tracking = await openStore(
        `sqlite:${join(mkdtempSync(join(tmpdir(), "tagifai-local-")), "t.db")}`,
      );
      const store = await openArtifactStore(tracking);
      return { store, close: () => tracking.close() };
    },
  },
  {
    name: "postgres",
    open: async () => {
      const tracking = await openStore(database.uri);
      const store = await openArtifactStore(tracking);
      return { store, close: () => tracking.close() };
    },
  },
  {
    name: "postgres, another database than the tracking store's",
    open: async () => {
      const tracking = await openStore(
        `sqlite:${join(mkdtempSync(join(tmpdir(), "tagifai-other-")), "t.db")}`,
      );
      const store = await openArtifactStore(tracking, otherDatabase.uri);
      return { store, close: () => tracking.close() };
    },
  },
];

describe.each(BACKENDS)("artifact store contract: $name", (backend) => {
  let store: ArtifactStore;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ store, close } = await backend.open());
  });
  afterAll(async () => {
    await store.close();
    await close();
  });

  it("saves a run's files and hands them back, whole, in a local folder", async () => {
    const runId = newId();
    const files = sampleFiles();
    await store.save(runId, writer(files));
    const dir = await store.fetch(runId);
    expect(dir).toBeDefined();
    expectSameFiles(dir as string, files);
    expect(await store.list(runId)).toEqual(
      Object.entries(files)
        .map(([name, content]) => ({ name, bytes: content.length }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
  });

  it("refuses to save a run twice, keeping the first", async () => {
    const runId = newId();
    const files = sampleFiles();
    await store.save(runId, writer(files));
    await expect(store.save(runId, writer(sampleFiles()))).rejects.toMatchObject({
      code: "INVALID_ARTIFACTS",
      message: expect.stringContaining(runId),
    });
    expectSameFiles((await store.fetch(runId)) as string, files);
  });

  it("keeps nothing of a save whose writer fails or whose signal is aborted", async () => {
    const failed = newId();
    const failing = async (dir: string) => {
      writeFileSync(join(dir, "params.json"), "{}");
      throw new Error("disk full");
    };
    await expect(store.save(failed, failing)).rejects.toThrow("disk full");
    expect(await store.fetch(failed)).toBeUndefined();
    expect(await store.list(failed)).toEqual([]);

    const aborted = newId();
    const controller = new AbortController();
    controller.abort();
    await expect(store.save(aborted, writer(sampleFiles()), controller.signal)).rejects.toThrow();
    expect(await store.fetch(aborted)).toBeUndefined();
  });

  it("replaces one file, and deletes a run's artifacts", async () => {
    const runId = newId();
    const files = sampleFiles();
    await store.save(runId, writer(files));
    await store.replace(runId, "params.json", '{"model":"linear"}\n');
    const dir = (await store.fetch(runId)) as string;
    expect(readFileSync(join(dir, "params.json"), "utf8")).toBe('{"model":"linear"}\n');
    expectSameFiles(dir, { "model.weights.bin": files["model.weights.bin"] });

    expect(await store.delete(runId)).toBe(true);
    expect(await store.fetch(runId)).toBeUndefined();
    expect(await store.list(runId)).toEqual([]);
    expect(await store.delete(runId)).toBe(false);
    await expect(store.replace(runId, "params.json", "{}")).rejects.toMatchObject({
      code: "INVALID_ARTIFACTS",
    });
  });

  it("knows nothing of a run it never saved", async () => {
    expect(await store.fetch(newId())).toBeUndefined();
  });
});

describe("postgres artifact store", () => {
  let tracking: TrackingStore;
  let store: ArtifactStore;

  beforeAll(async () => {
    tracking = await openStore(database.uri);
    store = await openArtifactStore(tracking);
  });
  afterAll(async () => {
    await tracking.close();
  });

  const sql = (statement: string, values: unknown[] = []) => queryDatabase(database.uri, statement, values);

  it("stores files in 1 MiB chunks with their sha256, in the tracking database", async () => {
    const runId = newId();
    await store.save(runId, writer(sampleFiles()));
    expect(store.runUri(runId)).toBe(`tracking-db:${runId}`);
    const { rows } = await sql(
      "SELECT name, chunks, length(sha256) AS hex FROM artifact_files WHERE run_id = $1 ORDER BY name",
      [runId],
    );
    expect(rows).toEqual([
      { name: "cnn/model.json", chunks: 1, hex: 64 },
      { name: "model.weights.bin", chunks: 3, hex: 64 },
      { name: "params.json", chunks: 1, hex: 64 },
    ]);
  });

  it("refuses a corrupted chunk, naming the file and the run, and leaves no cached copy", async () => {
    const runId = newId();
    await store.save(runId, writer(sampleFiles()));
    await sql(
      "UPDATE artifact_chunks SET data = set_byte(data, 7, 255 - get_byte(data, 7)) WHERE run_id = $1 AND seq = 1",
      [runId],
    );
    rmSync(join(process.env.TAGIFAI_HOME as string, "stores", "cache", runId), { recursive: true });
    await expect(store.fetch(runId)).rejects.toMatchObject({
      code: "CHECKSUM_MISMATCH",
      message: expect.stringMatching(new RegExp(`model\\.weights\\.bin of run ${runId} is corrupt`)),
    });
    const cached = readdirSync(join(process.env.TAGIFAI_HOME as string, "stores", "cache"));
    expect(cached.filter((name) => name === runId || name.startsWith(".partial-"))).toEqual([]);
  });

  it("fetches again a cached copy that no longer matches the store", async () => {
    const runId = newId();
    const files = sampleFiles();
    await store.save(runId, writer(files));
    const dir = (await store.fetch(runId)) as string;
    writeFileSync(join(dir, "params.json"), "tampered");
    expectSameFiles((await store.fetch(runId)) as string, files);
  });

  it("records another database without its password, and a run recorded there opens it", async () => {
    const uri = new URL(otherDatabase.uri);
    uri.password = "secret";
    const other = await openArtifactStore(tracking, uri.toString());
    const runId = newId();
    try {
      expect(other.runUri(runId)).toBe(`${otherDatabase.uri}#${runId}`);
      await other.save(runId, writer({ "params.json": Buffer.from("{}") }));
    } finally {
      await other.close();
    }
    const run = { id: runId, artifactUri: `${otherDatabase.uri}#${runId}` } as Run;
    const reopened = await openRunArtifactStore(tracking, run);
    try {
      expect(await reopened.list(runId)).toEqual([{ name: "params.json", bytes: 2 }]);
    } finally {
      await reopened.close();
    }
  });

  it("reports an unreachable store as ARTIFACT_STORE_ERROR, naming it", async () => {
    await expect(
      openPostgresArtifactStore("postgresql://postgres@127.0.0.1:1/nowhere"),
    ).rejects.toMatchObject({
      code: "ARTIFACT_STORE_ERROR",
      message: expect.stringContaining("127.0.0.1:1/nowhere"),
    });
  });
});
