/**
 * Behavioral test suites (CheckList): their JSON schema and the report of a run.
 */
import { z } from "zod";

const text = z.string().trim().min(1, "must not be blank");
const tags = z.array(z.string().trim().min(1, "must not be blank"));

/** Built-in ways to perturb a text that should not change its tags. */
export const perturbationSchema = z.enum(["typo", "verb-swap"]);

/** A built-in perturbation's name. */
export type Perturbation = z.infer<typeof perturbationSchema>;

/** Minimum functionality: the text's predicted tags hold every `expected` tag and no `absent` tag. */
export const mftTestSchema = z
  .strictObject({
    type: z.literal("mft"),
    name: z.string().min(1).optional(),
    text,
    expected: tags.default([]),
    absent: tags.default([]),
  })
  .refine((test) => test.expected.length + test.absent.length > 0, {
    message: "needs at least one tag in expected or absent",
    path: ["expected"],
  });

/** Invariance: every perturbed text (given, or made by a built-in perturbation) keeps the tag set. */
export const invTestSchema = z
  .strictObject({
    type: z.literal("inv"),
    name: z.string().min(1).optional(),
    text,
    perturbed: z.array(text).default([]),
    perturbations: z.array(perturbationSchema).default([]),
  })
  .refine((test) => test.perturbed.length + test.perturbations.length > 0, {
    message: "needs at least one perturbed text or perturbation",
    path: ["perturbed"],
  });

/**
 * Directional expectation: going from `text` to `perturbed`, each `gained` tag is predicted for the
 * perturbed text but not the original, each `lost` tag the other way round; with neither, the tag set
 * must change.
 */
export const dirTestSchema = z.strictObject({
  type: z.literal("dir"),
  name: z.string().min(1).optional(),
  text,
  perturbed: text,
  gained: tags.default([]),
  lost: tags.default([]),
});

/** One behavioral test. */
export const behavioralTestSchema = z.discriminatedUnion("type", [
  mftTestSchema,
  invTestSchema,
  dirTestSchema,
]);

/** A behavioral test (defaults filled in). */
export type BehavioralTest = z.infer<typeof behavioralTestSchema>;

/** A behavioral test as written in a suite file (lists may be left out). */
export type BehavioralTestInput = z.input<typeof behavioralTestSchema>;

/** Schema of a suite file: `{"name"?: string, "tests": [...]}`. */
export const behavioralSuiteSchema = z.strictObject({
  name: z.string().min(1).optional(),
  tests: z.array(behavioralTestSchema).min(1, "must hold at least one test"),
});

/** A suite of behavioral tests. */
export type BehavioralSuite = z.infer<typeof behavioralSuiteSchema>;

/** Schema of one test's outcome. */
export const behavioralResultSchema = z.object({
  name: z.string(),
  type: z.enum(["mft", "inv", "dir"]),
  passed: z.boolean(),
  /** What was predicted and, on failure, what was wrong. */
  details: z.string(),
});

/** One test's outcome. */
export type BehavioralResult = z.infer<typeof behavioralResultSchema>;

/** Schema of a suite run's report. */
export const behavioralReportSchema = z.object({
  suite: z.string().optional(),
  /** `passed / total`, in [0, 1] (snake_case, like the rest of the stored performance). */
  pass_rate: z.number().min(0).max(1),
  total: z.number().int().positive(),
  passed: z.number().int().nonnegative(),
  results: z.array(behavioralResultSchema),
});

/** The outcome of running a suite. */
export type BehavioralReport = z.infer<typeof behavioralReportSchema>;
