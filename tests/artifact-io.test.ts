/**
 * Saved models go through artifact readers and writers (artifact-io.ts), not the file system: a run
 * trained on a small fixture, saved through an in-memory writer, loads back through an in-memory
 * reader to the same probabilities, for every family; errors name the file as the reader places it;
 * a reader's registry can leave a family out (the browser's); and the modules the dashboard bundles
 * for in-browser inference import nothing of Node.
 */
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import type { ArtifactReader, ArtifactWriter } from "../src/tagifai/artifact-io.js";
import { loadDataset, preprocess } from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import { FAMILY_REGISTRY, MODEL_KINDS } from "../src/tagifai/families.js";
import { loadParams, parseParams } from "../src/tagifai/params.js";
import { ARTIFACT_FILES, readArtifacts } from "../src/tagifai/read-artifacts.js";
import { train } from "../src/tagifai/train.js";
import { readTrainedModel } from "../src/tagifai/trained-model.js";
import { BYO_CNN_OVERRIDES, BYO_DIR, BYO_TRAIN_OVERRIDES } from "./helpers/byo.js";
import { rejectedBy } from "./helpers/data.js";
import { withCnn } from "./helpers/params.js";

/** Files kept in a map by path ("cnn/model.json" for a member's): a writer and a reader over it. */
function memoryStore(files = new Map<string, Uint8Array>(), prefix = "") {
  const writer: ArtifactWriter = {
    json: (name, value) => files.set(prefix + name, new TextEncoder().encode(JSON.stringify(value))),
    bytes: (name, data) => files.set(prefix + name, Uint8Array.from(data)),
    folder: (name) => memoryStore(files, `${prefix}${name}/`).writer,
  };
  const file = (name: string) => {
    const data = files.get(prefix + name);
    if (data === undefined)
      throw Object.assign(new Error(`memory:${prefix}${name} not found`), { code: "INVALID_ARTIFACTS" });
    return data;
  };
  const reader: ArtifactReader = {
    where: (name) => `memory:${prefix}${name}`,
    has: async (name) =>
      [...files.keys()].some((key) => key === prefix + name || key.startsWith(`${prefix}${name}/`)),
    json: async (name) => JSON.parse(new TextDecoder().decode(file(name))),
    bytes: async (name) => file(name),
    folder: (name) => memoryStore(files, `${prefix}${name}/`).reader,
  };
  return { files, writer, reader };
}

const dataset = loadDataset(join(BYO_DIR, "train.csv"), {
  textFields: ["title", "description"],
  labelField: "tag",
});
const holdout = loadDataset(join(BYO_DIR, "holdout.csv"), {
  textFields: ["title", "description"],
  labelField: "tag",
}).records.map((r) => preprocess(r.text, { lower: true, stem: false }));
const base = {
  ...withCnn(loadParams(TEST_PARAMS_FP), { ...BYO_CNN_OVERRIDES, num_epochs: 2 }),
  ...BYO_TRAIN_OVERRIDES,
};

beforeAll(async () => {
  await setDevice("wasm");
});

describe("artifact readers and writers", () => {
  it.each(MODEL_KINDS)(
    "a %s model saved through a writer loads through a reader, predicting the same",
    async (kind) => {
      const params = parseParams({ ...base, model: kind });
      const { artifacts } = await train(params, dataset);
      const store = memoryStore();
      artifacts.labelEncoder.save(store.writer, ARTIFACT_FILES.labelEncoder);
      await artifacts.model.save(store.writer);
      if (kind === "ensemble") expect(store.files.has("cnn/model.weights.bin")).toBe(true);
      const loaded = await readArtifacts(store.reader, params, FAMILY_REGISTRY);
      expect(loaded.model.kind).toBe(kind);
      expect(loaded.labelEncoder.classes).toEqual(artifacts.labelEncoder.classes);
      expect(loaded.model.predictProba(holdout)).toEqual(artifacts.model.predictProba(holdout));
      loaded.model.dispose();

      // A registry without the family (the browser's, for an ensemble) refuses it, naming family.json.
      const without = { get: () => undefined, kinds: () => ["other"] };
      const refused = await rejectedBy(readTrainedModel(store.reader, params, without));
      expect(refused).toMatchObject({ code: "INVALID_ARTIFACTS" });
      expect(refused.message).toBe(
        `memory:family.json: a model of family "${kind}" cannot be loaded here (families: other)`,
      );
      artifacts.model.dispose();
    },
    60_000,
  );

  it("names the file as the reader places it when it is corrupt", async () => {
    const params = parseParams({ ...base, model: "cnn" });
    const { artifacts } = await train(params, dataset);
    const store = memoryStore();
    artifacts.labelEncoder.save(store.writer, ARTIFACT_FILES.labelEncoder);
    await artifacts.model.save(store.writer);
    artifacts.model.dispose();
    store.files.set("model.weights.bin", new Uint8Array(10));
    expect((await rejectedBy(readArtifacts(store.reader, params, FAMILY_REGISTRY))).message).toMatch(
      /^Weights file memory:model\.weights\.bin has 10 bytes/,
    );
  }, 60_000);
});

/**
 * The modules a source file loads at run time: static imports and re-exports (not `import type` /
 * `export type`, which compile away) and dynamic imports; relative ones resolved to their `.ts` file.
 */
function importsOf(file: string): { local: string[]; bare: string[] } {
  const source = readFileSync(file, "utf8");
  const statics = [...source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s*"([^"]+)"/gms)];
  const dynamics = [...source.matchAll(/import\(\s*"([^"]+)"\s*\)/g)];
  const specifiers = [...statics, ...dynamics].map((m) => m[1]);
  const local = specifiers
    .filter((s) => s.startsWith("."))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")))
    .filter((path) => path.endsWith(".ts"));
  return { local, bare: specifiers.filter((s) => !s.startsWith(".")) };
}

describe("the dashboard's in-browser inference", () => {
  it("bundles model code that imports nothing of Node (no node:*, no built-in, no config.ts)", () => {
    const entry = resolve(import.meta.dirname, "../src/dashboard/inference-switch.ts");
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const { local, bare } = importsOf(file);
      for (const specifier of bare)
        if (specifier.startsWith("node:") || builtinModules.includes(specifier))
          offenders.push(`${file}: ${specifier}`);
      for (const path of local) {
        if (path.endsWith("config/config.ts")) offenders.push(`${file}: ${path}`);
        visit(path);
      }
    };
    visit(entry);
    expect([...seen].some((file) => file.endsWith("families/cnn/charConv.ts"))).toBe(true);
    expect([...seen].some((file) => file.endsWith("families/linear/model.ts"))).toBe(true);
    expect(offenders).toEqual([]);
  });
});
