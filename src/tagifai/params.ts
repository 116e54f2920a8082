/**
 * The training configuration (`config/params.json`): the keys every run has at the top level
 * (seed, data filtering and splitting, the decision threshold, the model family) and one section per
 * model family, named after its kind (`cnn`, `linear`, `ensemble`, …). The schema is composed from
 * the family registry (`families.ts`), so a registered family brings its section with it, and the
 * `Params` type is inferred from it.
 *
 * Every level refuses unknown keys, naming the path and the closest known key
 * (`linear.tfidf.min_df: unknown key; did you mean minDf?`, via schema.ts); a bad value is named
 * with its path and value. The original tagifai's flat form (the CNN's keys at the top level, and `ensemble_weight`)
 * still loads: each family says which flat keys are its own and how they become its section.
 */
import { z } from "zod";
import { TagifaiError } from "./errors.js";
import { FAMILIES, type FamilyConfig, findFamily, MODEL_KINDS, type ModelKind } from "./families.js";
import { readJsonFile } from "./files.js";
import { formatIssues, type Issue } from "./schema.js";

const positiveInt = z.number().int().positive();
const fraction = z.number().gt(0).lt(1);

/** Schema of the keys every run has, whatever its family. */
export const commonParamsSchema = z.strictObject({
  seed: z.number().int().nonnegative(),
  shuffle: z.boolean(),
  subset: positiveInt.nullable(),
  min_tag_freq: positiveInt,
  lower: z.boolean(),
  stem: z.boolean(),
  /** Remove NLTK's English stopwords before the model sees the text (the original's cleaning). */
  stopwords: z.boolean().default(true),
  /**
   * Remove links and every character but ASCII letters and digits (the original's cleaning); false
   * keeps the text's characters as they are, as a scikit-learn `TfidfVectorizer` is given them.
   */
  clean: z.boolean().default(true),
  train_size: fraction,
  /** The decision threshold; set by training to the mean of the model's tuned thresholds. */
  threshold: z.number().min(0).max(1),
  /** The model family (a registered kind); the original's CNN when absent. */
  model: z
    .enum(MODEL_KINDS as [ModelKind, ...ModelKind[]], {
      error: (issue) =>
        `unknown model family ${JSON.stringify(issue.input)}; registered: ${MODEL_KINDS.join(", ")}`,
    })
    .default("cnn"),
  /** Set by training: how many projects were left after filtering. */
  num_samples: positiveInt.optional(),
});

type FamilySectionShapes = { [K in ModelKind]: z.ZodOptional<z.ZodType<FamilyConfig<K>>> };

/** Schema of a params file: the common keys and an optional section per registered family. */
export const paramsSchema = commonParamsSchema.extend(
  Object.fromEntries(
    MODEL_KINDS.map((kind) => [kind, FAMILIES[kind].configSchema.optional()]),
  ) as FamilySectionShapes,
);

/** Hyperparameters and data settings of one training run. */
export type Params = z.infer<typeof paramsSchema>;

/**
 * Validate an untrusted value as `Params`: the flat form is nested first, and the sections of the
 * chosen family (and of the families it uses, e.g. an ensemble's members) get their defaults.
 * @param value parsed JSON (or any value)
 * @param source where it came from, for the error message
 * @returns the validated params
 * @throws TagifaiError INVALID_PARAMS naming each bad key by its path, with its value or the closest
 *   known key
 */
export function parseParams(value: unknown, source = "params"): Params {
  let nested: unknown;
  try {
    nested = nestFlatParams(value);
  } catch (error) {
    if (error instanceof TagifaiError)
      throw new TagifaiError(error.code, `Invalid ${source}: ${error.message}`);
    throw error;
  }
  const result = paramsSchema.safeParse(nested);
  if (result.success) return withFamilySections(result.data);
  const issues = result.error.issues.flatMap(pointToSection);
  throw new TagifaiError(
    "INVALID_PARAMS",
    `Invalid ${source}: ${formatIssues(issues, nested, paramsSchema)}`,
  );
}

/**
 * A top-level unknown key that is a family's flat key (`lr` in a file that has a `cnn` section)
 * gets its own issue saying which section it belongs in.
 */
function pointToSection(issue: Issue): Issue[] {
  if (issue.code !== "unrecognized_keys" || issue.path.length > 0) return [issue];
  const owner = (key: string) => MODEL_KINDS.find((kind) => FAMILIES[kind].flat?.keys.includes(key));
  const unknown = issue.keys.filter((key) => owner(key) === undefined);
  const moved: Issue[] = issue.keys
    .filter((key) => owner(key) !== undefined)
    .map((key) => ({
      code: "custom",
      path: [key],
      input: undefined,
      message: `unknown key; it belongs in the ${owner(key)} section: did you mean ${owner(key)}.${key}?`,
    }));
  return [...(unknown.length > 0 ? [{ ...issue, keys: unknown }] : []), ...moved];
}

/**
 * Read and validate a params JSON file.
 * @param filePath path to the JSON file
 * @returns the validated params
 * @throws TagifaiError INVALID_PARAMS when the file is missing, not JSON, or invalid
 */
export function loadParams(filePath: string): Params {
  return parseParams(readJsonFile(filePath, "INVALID_PARAMS"), `params file ${filePath}`);
}

/**
 * The params with the sections of the chosen family, and of the families it uses, filled with
 * defaults where absent (so that a run's logged params say every value it trained with).
 * @param params validated params
 * @returns a copy with those sections present
 */
export function withFamilySections(params: Params): Params {
  const out: Record<string, unknown> = { ...params };
  const visit = (kind: string, seen: Set<string>) => {
    const family = findFamily(kind);
    if (family === undefined || seen.has(kind)) return;
    seen.add(kind);
    out[kind] ??= family.configSchema.parse({});
    for (const used of family.uses?.(out[kind]) ?? []) visit(used, seen);
  };
  visit(params.model, new Set());
  return out as Params;
}

/**
 * Map the original's flat params (a family's own keys at the top level) to the nested form. A value
 * that already has a family's section keeps its top-level keys (they are then unknown keys).
 * @param value parsed JSON
 * @returns the nested value (the same value when there is nothing to map)
 * @throws TagifaiError INVALID_PARAMS when a flat value cannot be mapped
 */
export function nestFlatParams(value: unknown): unknown {
  if (!isRecord(value)) return value;
  let out = value;
  for (const kind of MODEL_KINDS) {
    const flat = FAMILIES[kind].flat;
    if (flat === undefined || Object.hasOwn(value, kind)) continue;
    const present = flat.keys.filter((key) => Object.hasOwn(value, key));
    if (present.length === 0) continue;
    out = Object.fromEntries(Object.entries(out).filter(([key]) => !present.includes(key)));
    out[kind] = flat.toSection(Object.fromEntries(present.map((key) => [key, value[key]])));
  }
  return out;
}

/**
 * Where a tunable param lives: a dotted path into the nested params (`cnn.lr`), a common key
 * (`threshold`), or a flat name of the original (`lr`, `embedding_dim`, … → `cnn.lr`, …).
 * @param name the name a search space uses
 * @returns the path, or undefined when the name is no param (or names a whole section)
 */
export function paramPath(name: string): string[] | undefined {
  if (Object.hasOwn(commonParamsSchema.shape, name)) return [name];
  const flatOwner = MODEL_KINDS.find((kind) => FAMILIES[kind].flat?.keys.includes(name));
  const [kind, ...rest] = flatOwner === undefined ? name.split(".") : [flatOwner, name];
  const family = findFamily(kind);
  if (family === undefined || rest.length === 0) return undefined;
  // Every key of a section has a default, so the default section shows every path it has.
  let node: unknown = family.configSchema.parse({});
  for (const key of rest) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return isRecord(node) ? undefined : [kind, ...rest];
}

/**
 * Read a param by the name a search space uses (see {@link paramPath}).
 * @param params the params
 * @param name `cnn.lr`, `threshold`, `lr`, …
 * @returns its value, or undefined when absent
 */
export function getParam(params: Params, name: string): unknown {
  return (paramPath(name) ?? [name]).reduce<unknown>(
    (node, key) => (isRecord(node) ? node[key] : undefined),
    params,
  );
}

/**
 * Set params by the names a search space uses (see {@link paramPath}); the result is not validated.
 * @param params the base params (not modified)
 * @param values name → value
 * @returns a copy with the values set (sections created as needed)
 * @throws TagifaiError INVALID_PARAMS for a name that is no param
 */
export function setParams(params: Params, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(params);
  for (const [name, value] of Object.entries(values)) {
    const path = paramPath(name);
    if (path === undefined) throw new TagifaiError("INVALID_PARAMS", `${name}: not a param`);
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (!isRecord(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
