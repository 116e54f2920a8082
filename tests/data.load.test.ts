import { createHash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logger } from "../src/config/config.js";
import { DATASET_FILES, loadData, loadProjects, loadTags } from "../src/tagifai/data.js";
import { DATASET_DIR, FIXTURE_DIR, tempDir, thrownBy } from "./helpers/data.js";

const fileNames = [DATASET_FILES.projects.fileName, DATASET_FILES.tags.fileName];

/** A fetch that serves the reference files (or the given overrides) by URL. */
function fakeFetch(overrides: Record<string, string> = {}): typeof fetch {
  const bodies: Record<string, string> = {
    [DATASET_FILES.projects.url]: readFileSync(join(DATASET_DIR, "projects.json"), "utf8"),
    [DATASET_FILES.tags.url]: readFileSync(join(DATASET_DIR, "tags.json"), "utf8"),
    ...overrides,
  };
  return (async (input: string | URL | Request) => {
    const body = bodies[String(input)];
    return body ? new Response(body) : new Response("missing", { status: 404, statusText: "Not Found" });
  }) as typeof fetch;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("DATASET_FILES", () => {
  it("pins checksums that match the reference dataset", () => {
    for (const file of Object.values(DATASET_FILES)) {
      const bytes = readFileSync(join(DATASET_DIR, file.fileName));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
      expect(file.url).toMatch(/07389b7750ba14336fdaef89eaf1babbbee0a3d7\/datasets\//);
    }
  });
});

describe("loadData from a local copy", () => {
  it("copies both files byte for byte and reports the source", async () => {
    const dest = tempDir();
    const { source } = await loadData(dest, { sourceDir: FIXTURE_DIR, allowModified: true });
    expect(source).toBe(FIXTURE_DIR);
    for (const name of fileNames)
      expect(readFileSync(join(dest, name))).toEqual(readFileSync(join(FIXTURE_DIR, name)));
  });

  it("takes the source from TAGIFAI_DATA_DIR, never fetching", async () => {
    vi.stubEnv("TAGIFAI_DATA_DIR", FIXTURE_DIR);
    const fetchSpy = vi.fn();
    const dest = tempDir();
    await loadData(dest, { fetch: fetchSpy as unknown as typeof fetch, allowModified: true });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(loadProjects(dest)).toHaveLength(12);
  });

  it("checks a local copy against the pinned sha256: the reference copy loads, a modified one is refused", async () => {
    const dest = tempDir();
    await loadData(dest, { sourceDir: DATASET_DIR });
    expect(loadProjects(dest)).toHaveLength(2032);

    const modified = tempDir();
    cpSync(join(DATASET_DIR, "projects.json"), join(modified, "projects.json"));
    const tags = `${readFileSync(join(DATASET_DIR, "tags.json"), "utf8")}\n`;
    writeFileSync(join(modified, "tags.json"), tags);
    const actual = createHash("sha256").update(tags).digest("hex");
    const refusedDest = tempDir();
    const error = await loadData(refusedDest, { sourceDir: modified }).catch((e) => e);
    expect(error).toMatchObject({ code: "CHECKSUM_MISMATCH" });
    expect(error.message).toContain(join(modified, "tags.json"));
    expect(error.message).toContain(actual);
    expect(error.message).toContain(DATASET_FILES.tags.sha256);
    expect(error.message).toContain("--allow-modified");
    expect(readdirSync(refusedDest)).toEqual([]);
    vi.stubEnv("TAGIFAI_DATA_DIR", modified);
    await expect(loadData(refusedDest)).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH" });
    expect(readdirSync(refusedDest)).toEqual([]);
  });

  it("loads a modified local copy when allowed, with a warning naming the file", async () => {
    const warn = vi.spyOn(logger, "warn");
    const dest = tempDir();
    await loadData(dest, { sourceDir: FIXTURE_DIR, allowModified: true });
    expect(loadProjects(dest)).toHaveLength(12);
    const warned = warn.mock.calls.map((call) => call.map(String).join(" ")).join("\n");
    expect(warned).toContain(join(FIXTURE_DIR, "projects.json"));
    expect(warned).toMatch(/differs from the pinned dataset/);
    warn.mockRestore();
  });

  it("names a missing folder or file", async () => {
    const missing = join(tempDir(), "nowhere");
    await expect(loadData(tempDir(), { sourceDir: missing })).rejects.toMatchObject({
      code: "DATA_NOT_FOUND",
      message: expect.stringContaining(missing),
    });
    const partial = tempDir();
    cpSync(join(FIXTURE_DIR, "projects.json"), join(partial, "projects.json"));
    await expect(loadData(tempDir(), { sourceDir: partial })).rejects.toMatchObject({
      code: "DATA_NOT_FOUND",
      message: expect.stringContaining(join(partial, "tags.json")),
    });
  });

  it("writes nothing when a file is invalid", async () => {
    const source = tempDir();
    cpSync(join(FIXTURE_DIR, "projects.json"), join(source, "projects.json"));
    writeFileSync(join(source, "tags.json"), '[{"tag": "x", "aliases": []}]');
    const dest = tempDir();
    await expect(loadData(dest, { sourceDir: source, allowModified: true })).rejects.toMatchObject({
      code: "INVALID_DATA",
      message: `${join(source, "tags.json")} record 0 (tag "x"): parents: expected array, got missing`,
    });
    expect(readdirSync(dest)).toEqual([]);
  });
});

describe("loadData by download", () => {
  it("downloads, verifies and writes both files", async () => {
    vi.stubEnv("TAGIFAI_DATA_DIR", "");
    const dest = tempDir();
    const { source } = await loadData(dest, { fetch: fakeFetch() });
    expect(source).toMatch(/^https:\/\/raw\.githubusercontent\.com\//);
    expect(loadProjects(dest)).toHaveLength(2032);
    expect(loadTags(dest)).toHaveLength(400);
    expect(readdirSync(dest).sort()).toEqual(fileNames.sort());
  });

  it("refuses bytes whose checksum differs, naming file, expected and actual", async () => {
    vi.stubEnv("TAGIFAI_DATA_DIR", "");
    const tampered = readFileSync(join(FIXTURE_DIR, "tags.json"), "utf8");
    const actual = createHash("sha256").update(tampered).digest("hex");
    const dest = tempDir();
    const error = await loadData(dest, { fetch: fakeFetch({ [DATASET_FILES.tags.url]: tampered }) }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: "CHECKSUM_MISMATCH" });
    expect(error.message).toContain("tags.json");
    expect(error.message).toContain(DATASET_FILES.tags.sha256);
    expect(error.message).toContain(actual);
    expect(readdirSync(dest)).toEqual([]);
  });

  it("turns a network error or an HTTP error into DOWNLOAD_FAILED with the local-copy hint", async () => {
    vi.stubEnv("TAGIFAI_DATA_DIR", "");
    const offline = (async () => {
      throw new TypeError("fetch failed", {
        cause: new Error("getaddrinfo ENOTFOUND raw.githubusercontent.com"),
      });
    }) as typeof fetch;
    const dest = tempDir();
    const error = await loadData(dest, { fetch: offline }).catch((e) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED" });
    expect(error.message).toContain("ENOTFOUND");
    expect(error.message).toContain("--data-dir DIR");
    expect(error.message).toContain("TAGIFAI_DATA_DIR=DIR");
    expect(readdirSync(dest)).toEqual([]);

    const notFound = fakeFetch({});
    const missingTags = (async (input: string | URL | Request) =>
      String(input) === DATASET_FILES.tags.url
        ? new Response("", { status: 404 })
        : notFound(input)) as typeof fetch;
    await expect(loadData(dest, { fetch: missingTags })).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      message: expect.stringContaining("HTTP 404"),
    });
  });
});

describe("loadProjects / loadTags", () => {
  it("read and validate the fixture files", () => {
    const projects = loadProjects(FIXTURE_DIR);
    expect(projects).toHaveLength(12);
    expect(projects[5]).toMatchObject({ id: 6, description: "" });
    expect(loadTags(FIXTURE_DIR).map((t) => t.tag)).toContain("transformers");
  });

  it("hint at `tagifai load-data` when a file is missing", () => {
    const error = thrownBy(() => loadProjects(tempDir()));
    expect(error.code).toBe("DATA_NOT_FOUND");
    expect(error.message).toMatch(/projects\.json: not found\. Run `tagifai load-data` first/);
  });

  it("name a file that is not JSON", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tags.json"), "[{");
    const error = thrownBy(() => loadTags(dir));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toContain(`${join(dir, "tags.json")} is not valid JSON`);
  });
});
