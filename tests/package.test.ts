/**
 * The published package as a user gets it: `npm pack` (which builds it), the tarball installed into an
 * empty ESM project, imported there by name, a consumer type-checked with `tsc` against the shipped
 * declarations and run (train a quick model, load it, predict), and the `tagifai` bin started. Slow (a
 * build and an install), so everything happens once, in `beforeAll`.
 *
 * The package is built and packed from a copy of the sources, so this checkout's `dist/` (which the
 * dashboard test rebuilds) is left alone. The install takes the dependencies from the npm cache
 * (`--prefer-offline`) and skips install scripts (none is needed: better-sqlite3 ships prebuilt
 * Node-API binaries).
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATASET_DIR } from "./helpers/data.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
/** What a pack must not see: installs, builds, local state, generated docs. */
const NOT_COPIED = new Set([
  "node_modules",
  ".git",
  "dist",
  "stores",
  "data",
  "coverage",
  ".tmp",
  join("docs", "api"),
]);

/** A consumer of the package: every import is by the package's name. */
const CONSUMER_TS = `
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadArtifacts,
  openStore,
  type Prediction,
  predict,
  type Run,
  TagifaiError,
  train,
  trainModel,
  type TrainModelResult,
} from "tagifai";

const home = mkdtempSync(join(tmpdir(), "tagifai-consumer-"));
process.env.TAGIFAI_HOME = home;
const trackingUri = \`sqlite:\${join(home, "tracking.db")}\`;

// No setDevice(): a library caller that never chooses a device gets the default one.
const trained: TrainModelResult = await trainModel({
  paramsFp: process.argv[2],
  experimentName: "consumer",
  trackingUri,
});
const artifacts = await loadArtifacts(trained.runId, { trackingUri });
const predictions: Prediction[] = predict(["Transfer learning with transformers for text classification."], artifacts);
artifacts.model.dispose();
const store = await openStore(trackingUri);
const runs: Run[] = await store.listRuns({ experimentName: "consumer" });
await store.close();
const error = new TagifaiError("INVALID_INPUT", "a consumer's error");
console.log(
  JSON.stringify({
    train: typeof train,
    runId: trained.runId,
    f1: trained.performance.overall.f1,
    predictedRunId: artifacts.runId,
    tags: predictions[0].predicted_tags,
    runs: runs.map((run) => [run.id, run.status]),
    errorCode: error instanceof Error ? error.code : null,
  }),
);
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: false,
    types: ["node"],
    outDir: "out",
  },
  files: ["consumer.ts"],
};

let work: string;
let consumer: string;
let tarball: string;

/** Run a command to completion; a failure's message carries its output. */
function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(file, args, {
      cwd,
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

/** Run npm, and the scripts it starts, with the Node that runs the tests. */
function npm(args: string[], cwd: string): string {
  return run("npm", args, cwd, { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "tagifai-package-"));
  const stage = join(work, "stage");
  cpSync(PACKAGE_DIR, stage, {
    recursive: true,
    filter: (source) => {
      const path = relative(PACKAGE_DIR, source);
      return !NOT_COPIED.has(path) && !path.split(sep).includes("node_modules");
    },
  });
  symlinkSync(join(PACKAGE_DIR, "node_modules"), join(stage, "node_modules"), "dir");
  npm(["pack", "--pack-destination", work, "--loglevel=error"], stage);
  tarball = join(work, readdirSync(work).find((name) => name.endsWith(".tgz"))!);

  consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  const typesNode = JSON.parse(
    readFileSync(join(PACKAGE_DIR, "node_modules", "@types", "node", "package.json"), "utf8"),
  );
  npm(
    [
      "install",
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarball,
      `@types/node@${typesNode.version}`,
    ],
    consumer,
  );
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tagifai package", () => {
  it("ships the built library, its declarations, the CLI, the configs and the dashboard, and no sources or tests", () => {
    const listing = run("tar", ["-tzf", tarball], work).split("\n").filter(Boolean);
    for (const file of [
      "package/package.json",
      "package/README.md",
      "package/dist/index.js",
      "package/dist/index.d.ts",
      "package/dist/cli.js",
      "package/config/params.json",
      "package/dist/dashboard/index.html",
    ]) {
      expect(listing).toContain(file);
    }
    expect(listing.filter((file) => /^package\/(src|tests|bench|tools)\//.test(file))).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(consumer, "node_modules", "tagifai", "package.json"), "utf8"),
    );
    for (const target of [
      manifest.main,
      manifest.types,
      manifest.bin.tagifai,
      ...Object.values(manifest.exports["."]),
    ]) {
      expect(listing).toContain(join("package", target as string));
    }
  });

  it("type-checks a TypeScript consumer against the shipped declarations, which then trains, loads and predicts", () => {
    writeFileSync(join(consumer, "consumer.ts"), CONSUMER_TS);
    writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG));
    const tsc = join(PACKAGE_DIR, "node_modules", "typescript", "bin", "tsc");
    const checked = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], {
      cwd: consumer,
      encoding: "utf8",
    });
    // Type errors inside other packages' declarations (tfjs's, @webgpu/types') are theirs; any in the
    // consumer or in tagifai's own declarations fail the test.
    const errors = checked.stdout
      .split("\n")
      .filter((line) => line.includes("error TS") && /^(consumer\.ts|node_modules\/tagifai\/)/.test(line));
    expect(errors).toEqual([]);

    const testParams = join(consumer, "node_modules", "tagifai", "config", "test_params.json");
    const stdout = run(process.execPath, [join("out", "consumer.js"), testParams], consumer, {
      TAGIFAI_DATA_DIR: DATASET_DIR,
      TAGIFAI_LOG_LEVEL: "warn",
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(result.train).toBe("function");
    expect(result.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(result.predictedRunId).toBe(result.runId);
    expect(result.f1).toBeGreaterThan(0);
    expect(Array.isArray(result.tags)).toBe(true);
    expect(result.runs).toEqual([[result.runId, "FINISHED"]]);
    expect(result.errorCode).toBe("INVALID_INPUT");
  }, 300_000);

  it("imports by name from plain ESM JavaScript", () => {
    const stdout = run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const t = await import("tagifai"); console.log(Object.keys(t).sort().join(","));',
      ],
      consumer,
    );
    expect(stdout.trim().split(",")).toEqual(
      expect.arrayContaining(["openStore", "predict", "train", "trainModel"]),
    );
  });

  it("installs a working tagifai command", () => {
    const bin = join(consumer, "node_modules", ".bin", "tagifai");
    expect(run(bin, ["--help"], consumer)).toContain("Usage: tagifai");
  });
});
