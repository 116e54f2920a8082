/**
 * The hyperparameter search space of `tagifai optimize`: one zod schema from which every type is
 * inferred. A space maps each tuned parameter to the distribution its values are drawn from, like
 * Optuna's `IntDistribution`, `FloatDistribution` and `CategoricalDistribution`.
 */
import { z } from "zod";
import { readJsonFile } from "../files.js";
import { parseWith } from "../schema.js";

/** A value a parameter can take. */
export type ParamValue = number | string | boolean;

const intDistributionSchema = z
  .object({
    type: z.literal("int"),
    low: z.number().int(),
    high: z.number().int(),
    log: z.boolean().optional(),
    step: z.number().int().positive().optional(),
  })
  .strict();

const floatDistributionSchema = z
  .object({
    type: z.literal("float"),
    low: z.number(),
    high: z.number(),
    log: z.boolean().optional(),
  })
  .strict();

const categoricalDistributionSchema = z
  .object({
    type: z.literal("categorical"),
    choices: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
  })
  .strict();

/** Schema of one parameter's distribution, with the checks that relate its fields. */
export const distributionSchema = z
  .discriminatedUnion("type", [intDistributionSchema, floatDistributionSchema, categoricalDistributionSchema])
  .superRefine((dist, ctx) => {
    const problem = distributionProblem(dist);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Schema of a search space: parameter name → distribution (at least one parameter). */
export const searchSpaceSchema = z
  .record(z.string(), distributionSchema)
  .refine((space) => Object.keys(space).length > 0, { message: "the search space has no parameters" });

/** How one parameter is sampled. */
export type Distribution = z.infer<typeof distributionSchema>;
/** An integer parameter: `low`..`high` inclusive on a grid of `step` (default 1), optionally log-scaled. */
export type IntDistribution = z.infer<typeof intDistributionSchema>;
/** A real parameter in [`low`, `high`], optionally log-scaled. */
export type FloatDistribution = z.infer<typeof floatDistributionSchema>;
/** A parameter taking one of a list of choices. */
export type CategoricalDistribution = z.infer<typeof categoricalDistributionSchema>;
/** Parameter name → distribution. */
export type SearchSpace = z.infer<typeof searchSpaceSchema>;

/**
 * The space the original tagifai tuned with Optuna: the CNN's sizes, dropout and (log-scaled)
 * learning rate. Names are dotted paths into the nested params.
 */
export const DEFAULT_SEARCH_SPACE: SearchSpace = {
  "cnn.embedding_dim": { type: "int", low: 128, high: 512 },
  "cnn.num_filters": { type: "int", low: 128, high: 512 },
  "cnn.hidden_dim": { type: "int", low: 128, high: 512 },
  "cnn.dropout_p": { type: "float", low: 0.3, high: 0.8 },
  "cnn.lr": { type: "float", low: 5e-5, high: 5e-4, log: true },
};

/**
 * Say what is wrong with a distribution whose fields each have the right type.
 * @param dist the distribution
 * @returns a sentence naming the problem, or undefined when it is sound
 */
function distributionProblem(dist: Distribution): string | undefined {
  if (dist.type === "categorical") {
    return new Set(dist.choices).size === dist.choices.length ? undefined : "choices must be distinct";
  }
  if (!(dist.low < dist.high)) return `low (${dist.low}) must be below high (${dist.high})`;
  if (dist.log && dist.low <= 0) return `low (${dist.low}) must be positive when log is true`;
  if (dist.type === "int" && dist.step !== undefined) {
    if (dist.log && dist.step !== 1) return `step (${dist.step}) must be 1 when log is true`;
    if ((dist.high - dist.low) % dist.step !== 0)
      return `high - low (${dist.high - dist.low}) must be a multiple of step (${dist.step})`;
  }
  return undefined;
}

/**
 * Tell whether a value is one the distribution can produce (inside the bounds, on the integer grid,
 * or among the choices).
 * @param dist the distribution
 * @param value any parameter value, e.g. from an earlier trial
 * @returns true when the value belongs to the distribution
 */
export function containsValue(dist: Distribution, value: ParamValue): boolean {
  if (dist.type === "categorical") return dist.choices.includes(value);
  if (typeof value !== "number" || !(dist.low <= value && value <= dist.high)) return false;
  return dist.type === "float" || Number.isInteger((value - dist.low) / (dist.step ?? 1));
}

/**
 * Validate an untrusted value as a search space.
 * @param value parsed JSON (or any value)
 * @param source where it came from, for the error message
 * @returns the validated search space
 * @throws TagifaiError INVALID_PARAMS naming each bad parameter and what is wrong with it
 */
export function parseSearchSpace(value: unknown, source = "search space"): SearchSpace {
  return parseWith(searchSpaceSchema, value, { code: "INVALID_PARAMS", what: source });
}

/**
 * Read and validate a search-space JSON file.
 * @param filePath path to the JSON file
 * @returns the validated search space
 * @throws TagifaiError INVALID_PARAMS when the file is missing, not JSON, or invalid
 */
export function loadSearchSpace(filePath: string): SearchSpace {
  return parseSearchSpace(readJsonFile(filePath, "INVALID_PARAMS"), `search space file ${filePath}`);
}
