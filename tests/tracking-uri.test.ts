import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { parseTrackingUri } from "../src/tagifai/tracking/connection.js";
import { openStore } from "../src/tagifai/tracking.js";

describe("parseTrackingUri", () => {
  test.each([
    ["sqlite:/abs/path.db", "/abs/path.db"],
    ["sqlite:relative.db", resolve("relative.db")],
    ["stores/plain.db", resolve("stores/plain.db")],
    ["/abs/plain.db", "/abs/plain.db"],
  ])("%s is the SQLite file %s", (uri, path) => {
    expect(parseTrackingUri(uri)).toEqual({ backend: "sqlite", location: path, display: `sqlite:${path}` });
  });

  test.each(["postgresql://u@db.example:5432/tracking", "postgres://u@db.example/tracking"])(
    "%s is PostgreSQL",
    (uri) => {
      expect(parseTrackingUri(uri)).toMatchObject({ backend: "postgres", location: uri });
    },
  );

  test("a password never shows in the display form", () => {
    const { display, location } = parseTrackingUri("postgresql://alice:s3cret@db.example:5432/tracking");
    expect(display).toBe("postgresql://alice:****@db.example:5432/tracking");
    expect(location).toContain("s3cret");
  });

  test.each([
    ["mysql://db/tracking", '"mysql:"'],
    ["", "empty"],
  ])("%j is refused with TRACKING_ERROR", (uri, text) => {
    expect(() => parseTrackingUri(uri)).toThrow(
      expect.objectContaining({ code: "TRACKING_ERROR", message: expect.stringContaining(text) }),
    );
  });
});

describe("openStore", () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "tagifai-home-"));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  test("defaults to TAGIFAI_TRACKING_URI, then <home>/stores/tracking.db, in WAL mode", async () => {
    vi.stubEnv("TAGIFAI_HOME", home);
    vi.stubEnv("TAGIFAI_TRACKING_URI", undefined);
    const defaultStore = await openStore();
    await defaultStore.close();
    const defaultPath = join(home, "stores", "tracking.db");
    expect(defaultStore.uri).toBe(`sqlite:${defaultPath}`);
    const db = new BetterSqlite3(defaultPath, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();

    const fromEnv = join(home, "env", "chosen.db");
    vi.stubEnv("TAGIFAI_TRACKING_URI", `sqlite:${fromEnv}`);
    await (await openStore()).close();
    expect(existsSync(fromEnv)).toBe(true);
  });

  test("a SQLite path that cannot be a database file is a TRACKING_ERROR naming it", async () => {
    const folder = join(home, "a-folder.db");
    mkdirSync(folder);
    await expect(openStore(`sqlite:${folder}`)).rejects.toMatchObject({
      code: "TRACKING_ERROR",
      message: expect.stringContaining(folder),
    });
  });

  test("an unreachable PostgreSQL server is a TRACKING_ERROR with the password masked", async () => {
    const error = await openStore("postgresql://postgres:hunter2@127.0.0.1:1/none").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TRACKING_ERROR", message: expect.stringContaining("127.0.0.1:1") });
    expect((error as Error).message).not.toContain("hunter2");
  });
});
