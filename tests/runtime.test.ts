import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assertSupportedNode, isSupportedNode, SUPPORTED_NODE } from "../src/tagifai/runtime.js";

describe("supported Node.js lines", () => {
  it("are the maintained LTS lines 22 (from 22.12) and 24, as package.json declares", () => {
    expect(JSON.parse(readFileSync("package.json", "utf8")).engines.node).toBe(SUPPORTED_NODE);
    for (const version of ["22.12.0", "22.23.2", "24.0.0", "24.21.0"])
      expect(isSupportedNode(version)).toBe(true);
    for (const version of ["20.20.2", "22.11.0", "23.5.0", "26.1.0", "18.20.0"])
      expect(isSupportedNode(version)).toBe(false);
    expect(isSupportedNode(process.versions.node)).toBe(true);
  });

  it("refuses another one with a clear error naming the version", () => {
    expect(() => assertSupportedNode("20.20.2")).toThrow(/needs Node\.js 22\.12\+ or 24.*v20\.20\.2/);
    expect(() => assertSupportedNode("20.20.2")).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_RUNTIME" }),
    );
  });

  it("makes the CLI exit 1 with that message, no stack trace, under an unsupported Node", () => {
    // Pretend to be Node 20: the check reads process.versions.node before anything else runs.
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--import",
        "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.20.2'})",
        "src/cli.ts",
        "runs",
      ],
      { encoding: "utf8" },
    );
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/needs Node\.js 22\.12\+ or 24.*v20\.20\.2.*\[UNSUPPORTED_RUNTIME\]/);
    expect(child.stderr).not.toMatch(/\n\s+at /);
  });
});
