import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TagifaiError } from "../src/tagifai/errors.js";
import { readArtifactJson, readJsonFile, saveJson } from "../src/tagifai/files.js";

function thrownBy(fn: () => unknown): TagifaiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TagifaiError) return error;
    throw error;
  }
  throw new Error("expected a TagifaiError");
}

describe("files", () => {
  const dir = mkdtempSync(join(tmpdir(), "tagifai-files-"));

  it("saves JSON atomically and reads it back", () => {
    const fp = join(dir, "nested", "value.json");
    saveJson(fp, { a: [1, 2], b: "x" });
    expect(readArtifactJson(fp)).toEqual({ a: [1, 2], b: "x" });
    expect(readdirSync(join(dir, "nested"))).toEqual(["value.json"]);
    expect(existsSync(fp)).toBe(true);
  });

  it("names the file that is missing or not JSON, with the caller's codes", () => {
    const missing = thrownBy(() => readJsonFile(join(dir, "nope.json"), "INVALID_PARAMS", "Pass --params"));
    expect(missing.code).toBe("INVALID_PARAMS");
    expect(missing.message).toBe(`Cannot read ${join(dir, "nope.json")}: not found. Pass --params`);
    const fp = join(dir, "bad.json");
    writeFileSync(fp, "{");
    const invalid = thrownBy(() => readJsonFile(fp, { missing: "DATA_NOT_FOUND", invalid: "INVALID_DATA" }));
    expect(invalid.code).toBe("INVALID_DATA");
    expect(invalid.message).toMatch(
      new RegExp(`^${fp.replaceAll(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON: `),
    );
  });
});
