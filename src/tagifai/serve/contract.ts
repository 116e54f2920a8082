/**
 * The API's contract, written once in zod: request limits, request parts, response data and the
 * envelope every response travels in. Route files turn these into JSON schemas with `routeSchema`.
 */
import { type ZodType, z } from "zod";
import { projectSchema, tagSchema } from "../data.js";
import { metricsSchema, performanceSchema } from "../eval/stored-performance.js";
import { validationReportSchema } from "../expectations/results.js";
import { paramsSchema } from "../params.js";
import { MAX_TEXT_LENGTH } from "../predict.js";
import { parseWith } from "../schema.js";
import { runStatusSchema, studyDirectionSchema, trialStateSchema } from "../tracking/records.js";
import { type JsonSchema, routeSchema } from "./zod-fastify.js";

/** Request limits of the API. */
export interface Limits {
  /** Most texts in one `POST /predict`. */
  maxTexts: number;
  /** Longest text, in characters (at most predict's MAX_TEXT_LENGTH). */
  maxTextLength: number;
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
}

/** The limits used when none are given. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxTexts: 100,
  maxTextLength: MAX_TEXT_LENGTH,
  maxBodyBytes: 1024 * 1024,
};

const limitsSchema = z
  .object({
    maxTexts: z.number().int().min(1),
    maxTextLength: z.number().int().min(1).max(MAX_TEXT_LENGTH),
    maxBodyBytes: z.number().int().min(1024),
  })
  .strict();

/**
 * The defaults overridden by `overrides`, checked.
 * @param overrides some limits
 * @returns every limit
 * @throws TagifaiError INVALID_INPUT naming a bad limit
 */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  return parseWith(
    limitsSchema,
    { ...DEFAULT_LIMITS, ...overrides },
    { code: "INVALID_INPUT", what: "server limits" },
  );
}

/**
 * Body of `POST /predict`: `{"texts": [{"text": "title description"}, …]}`.
 * @param limits how many texts and how long each may be
 */
export function predictBodySchema(limits: Limits) {
  const text = z
    .string()
    .max(limits.maxTextLength, `must have at most ${limits.maxTextLength} characters`)
    .regex(/\S/, "must not be empty")
    .meta({
      description: "A project's title and description",
      example: "Transfer learning with transformers: using transformers for text classification.",
    });
  return z
    .object({
      texts: z
        .array(z.object({ text }).strict())
        .min(1, "must hold at least one text")
        .max(limits.maxTexts, `must hold at most ${limits.maxTexts} texts`),
    })
    .strict();
}

/** A run id in a path: 32 lowercase hex characters. */
export const runIdParamsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "must be a run id (32 lowercase hex characters)")
      .meta({ example: "59b31a57e0f84c2a9d6b1c4e8f3a2d10" }),
  })
  .strict();

/** A study name in a path: what the tracking store accepts (not blank, at most 200 characters). */
export const studyNameParamsSchema = z
  .object({
    name: z
      .string()
      .regex(/\S/, "must not be blank")
      .max(200, "must have at most 200 characters")
      .meta({ example: "optimization" }),
  })
  .strict();

/** `/params/:param`: one of the training params' names. */
export const paramParamsSchema = z
  .object({ param: paramsSchema.keyof().meta({ example: "threshold" }) })
  .strict();

/** Sections of a performance report `GET /performance?filter=` can pick. */
export const performanceQuerySchema = z
  .object({ filter: z.enum(["overall", "class", "slices"]).optional() })
  .strict();

/** How many rows a listing returns. */
const limitSchema = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** `GET /api/runs?experiment=&status=&limit=&offset=`: one page of runs, newest first. */
export const runsQuerySchema = z
  .object({
    experiment: z.string().min(1).max(200).optional(),
    status: runStatusSchema.optional(),
    limit: limitSchema(100, 1000),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/** `GET /api/data/projects?limit=`. */
export const projectsQuerySchema = z.object({ limit: limitSchema(20, 1000) }).strict();

/** A registered version of a model: its name, version and aliases. */
export const registeredVersionSchema = z.object({
  name: z.string().meta({ example: "tagifai" }),
  version: z.number().int().meta({ example: 3 }),
  aliases: z.array(z.string()).meta({ example: ["production"] }),
});

/**
 * Which model a run is (see `modelIdentity` in lifecycle.ts): its registered versions, run id and
 * name, validation F1 (`val_f1`, what selection compares) and test F1 (`f1`); null when not logged.
 */
export const modelIdentitySchema = z.object({
  run_id: z.string().meta({ example: "59b31a57e0f84c2a9d6b1c4e8f3a2d10" }),
  run_name: z.string().meta({ example: "linear" }),
  registered: z.array(registeredVersionSchema),
  val_f1: z.number().nullable().meta({ example: 0.741 }),
  test_f1: z.number().nullable().meta({ example: 0.732 }),
});

/** Which model a run is, as the API shows it. */
export type ModelIdentity = z.infer<typeof modelIdentitySchema>;

/**
 * `GET /`: is a model loaded, which run, since when, and which model it is (null when none is
 * loaded, or its run is gone from the store).
 */
export const healthSchema = z.object({
  model_loaded: z.boolean(),
  run_id: z.string().nullable(),
  loaded_at: z.string().nullable(),
  uptime_s: z.number(),
  model: modelIdentitySchema.nullable(),
});

/** `data` of `GET /`. */
export type HealthData = z.infer<typeof healthSchema>;

/** One prediction, as `predict` returns it. */
export const predictionSchema = z.object({
  input_text: z.string(),
  preprocessed_text: z.string(),
  predicted_tags: z.array(z.string()).meta({ example: ["natural-language-processing", "transformers"] }),
  probabilities: z.record(z.string(), z.number()).meta({
    example: { "natural-language-processing": 0.962, transformers: 0.871, "computer-vision": 0.031 },
  }),
});

/** `POST /predict`: the run that predicted, and one prediction per text. */
export const predictDataSchema = z.object({ run_id: z.string(), predictions: z.array(predictionSchema) });

/** `GET /params` and `GET /params/:param`. */
export const paramsDataSchema = z.object({
  params: z
    .record(z.string(), z.unknown())
    .meta({ example: { model: "linear", seed: 1234, min_tag_freq: 30, lower: true, threshold: 0.5 } }),
});

/** Scores with a real example (the default linear model on the reference test split). */
const scoresExample = { precision: 0.7866, recall: 0.6981, f1: 0.7316, num_samples: 219 };

/** A performance report's example: its overall and per-class scores. */
const performanceExample = { overall: scoresExample, class: { mlops: scoresExample }, slices: {} };

/** `GET /performance`: the whole report, or the section the filter picked (`overall`: one set of scores; `class`, `slices`: scores by name). */
export const performanceDataSchema = z.object({
  run_id: z.string(),
  performance: z
    .union([performanceSchema, metricsSchema, z.record(z.string(), metricsSchema)])
    .meta({ example: performanceExample }),
});

/** `GET /api/runs/:id/performance`: a run's saved test performance, null when it saved none. */
export const runPerformanceDataSchema = z.object({
  run_id: z.string(),
  performance: performanceSchema.nullable().meta({ example: performanceExample }),
});

/** A run of the tracking store, as the API shows it. */
export const runSchema = z.object({
  run_id: z.string(),
  experiment: z.string(),
  name: z.string(),
  status: runStatusSchema,
  start_time: z.string(),
  end_time: z.string().nullable(),
  /** Why the run ended when its status alone does not say: "lost" (its process stopped heartbeating). */
  end_reason: z.string().nullable(),
  params: z
    .record(z.string(), z.unknown())
    .meta({ example: { model: "linear", seed: 1234, threshold: 0.5 } }),
  tags: z.record(z.string(), z.string()).meta({ example: {} }),
  metrics: z
    .record(z.string(), z.number())
    .meta({ example: { val_f1: 0.7049, f1: 0.7316, precision: 0.7866, recall: 0.6981 } }),
});

/** A run as the API shows it. */
export type RunView = z.infer<typeof runSchema>;

/** `GET /api/runs` data. */
export const runsDataSchema = z.object({ runs: z.array(runSchema) });

/** `GET /api/runs/:id`. */
export const runDataSchema = z.object({ run: runSchema });

const historySchema = z.array(z.object({ step: z.number(), value: z.number(), timestamp: z.number() }));

/** The metrics a run logs once per epoch (none for families trained in one pass, like linear). */
export const EPOCH_METRICS = ["train_loss", "val_loss", "val_f1", "lr"] as const;

/** `GET /api/runs/:id/metrics`: the history of each metric a run logs per epoch. */
export const runMetricsDataSchema = z.object({
  run_id: z.string(),
  history: z.object(
    Object.fromEntries(EPOCH_METRICS.map((key) => [key, historySchema])) as {
      [K in (typeof EPOCH_METRICS)[number]]: typeof historySchema;
    },
  ),
});

/** A trial's params (the default search space's dotted names), as in `config/params_cnn.json`'s tuning. */
const trialParamsExample = {
  "cnn.embedding_dim": 503,
  "cnn.num_filters": 269,
  "cnn.hidden_dim": 443,
  "cnn.dropout_p": 0.374,
  "cnn.lr": 0.000448,
};

/** The params a CNN study starts from, and the same with its best trial's params written in. */
const baseParamsExample = {
  model: "cnn",
  seed: 1234,
  shuffle: true,
  subset: null,
  min_tag_freq: 30,
  lower: true,
  stem: false,
  train_size: 0.7,
  threshold: 0.5,
  cnn: {
    char_level: true,
    max_filter_size: 10,
    batch_size: 128,
    embedding_dim: 128,
    num_filters: 128,
    hidden_dim: 128,
    dropout_p: 0.5,
    lr: 0.0002,
    num_epochs: 200,
    patience: 10,
  },
};
const bestParamsExample = {
  ...baseParamsExample,
  cnn: {
    ...baseParamsExample.cnn,
    embedding_dim: 503,
    num_filters: 269,
    hidden_dim: 443,
    dropout_p: 0.374,
    lr: 0.000448,
  },
};

const trialParamsSchema = z
  .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
  .meta({ example: trialParamsExample });

/** A trial of a study, as the API shows it: `value` is set only for COMPLETE trials. */
export const trialSchema = z.object({
  number: z.number().int(),
  state: trialStateSchema,
  params: trialParamsSchema,
  value: z.number().nullable(),
  run_id: z.string().nullable(),
  /** The values the trial reported while it ran (e.g. the validation loss per epoch), by step. */
  intermediate: z.array(z.object({ step: z.number().int(), value: z.number().nullable() })),
});

/** A study with how many of its trials are in each state, and its best COMPLETE trial. */
export const studySchema = z.object({
  name: z.string(),
  direction: studyDirectionSchema,
  /** What a trial's value measures, as its objective records it (attribute `objective`), if it does. */
  objective: z.string().nullable(),
  /** What the intermediate values measure (attribute `reported`), if the objective says. */
  reported: z.string().nullable(),
  created_at: z.string(),
  trial_counts: z
    .record(trialStateSchema, z.number().int())
    .meta({ example: { RUNNING: 0, COMPLETE: 5, PRUNED: 1, FAILED: 1 } }),
  best_trial: trialSchema.nullable(),
  /** The params every trial started from, where they came from and their SHA-256 (null for an old study). */
  base_params: z
    .object({
      source: z.string().meta({ example: "config/params_cnn.json" }),
      sha256: z
        .string()
        .meta({ example: "3f1c9a0e5b7d2c48a6e9f0b1d4c7a2e58b3f6d9c0a1e4b7d2f5a8c3e6b9d0f12" }),
      params: z.record(z.string(), z.unknown()).meta({ example: baseParamsExample }),
    })
    .nullable(),
  /** The base params with the best trial's (what `optimize --write-params FILE` writes), once recorded. */
  best_params: z.record(z.string(), z.unknown()).nullable().meta({ example: bestParamsExample }),
});

/** A trial as the API shows it. */
export type TrialView = z.infer<typeof trialSchema>;
/** A study as the API shows it. */
export type StudyView = z.infer<typeof studySchema>;

/** `GET /api/studies`. */
export const studiesDataSchema = z.object({ studies: z.array(studySchema) });

/** `GET /api/studies/:name/trials`: the study and its trials, oldest first. */
export const studyTrialsDataSchema = z.object({ study: studySchema, trials: z.array(trialSchema) });

/** Body of `POST /reload`: an empty JSON object (the JSON content type is what matters). */
export const reloadBodySchema = z.object({}).strict();

/** `POST /reload`: which run is loaded now, and which was before. */
export const reloadDataSchema = z.object({
  run_id: z.string(),
  previous_run_id: z.string().nullable(),
  changed: z.boolean(),
});

/** `GET /api/data/projects`: how many projects there are, and the newest ones. */
export const projectsDataSchema = z.object({ total: z.number().int(), projects: z.array(projectSchema) });

/**
 * `GET /api/data`: whether the server has a dataset, and its size; `dataset` is null before
 * `tagifai load-data` put projects.json and tags.json in its data folder.
 */
export const datasetDataSchema = z.object({
  dataset: z
    .object({
      projects: z.number().int().meta({ example: 2032 }),
      tags: z.number().int().meta({ example: 400 }),
    })
    .nullable(),
});

/** `GET /api/data/tags`: every tag with its aliases, parents and how many projects carry it. */
export const tagsDataSchema = z.object({
  tags: z.array(tagSchema.extend({ count: z.number().int() })),
});

/** `GET /api/data/text-lengths`: the distribution of the texts' lengths (title + " " + description). */
export const textLengthsDataSchema = z.object({
  unit: z.literal("characters"),
  count: z.number().int().meta({ example: 2032 }),
  min: z.number().int().meta({ example: 27 }),
  median: z.number().meta({ example: 134 }),
  mean: z.number().meta({ example: 136.1 }),
  max: z.number().int().meta({ example: 450 }),
  bins: z.array(
    z.object({
      from: z.number().int().meta({ example: 125 }),
      to: z.number().int().meta({ example: 150 }),
      count: z.number().int().meta({ example: 381 }),
    }),
  ),
});

/** `GET /api/data/expectations`: the data expectation suite's report over the projects, with failing records. */
export const expectationsDataSchema = z.object({ report: validationReportSchema });

/** `data` of `GET /api/data/text-lengths`. */
export type TextLengthsData = z.infer<typeof textLengthsDataSchema>;
/** `data` of `GET /api/data/expectations`. */
export type ExpectationsData = z.infer<typeof expectationsDataSchema>;

/**
 * The envelope every response travels in, as in the original FastAPI app.
 * @param data the schema of `data` (`z.null()` for errors)
 */
export function envelopeSchema<T extends ZodType>(data: T) {
  return z.object({
    message: z.string(),
    method: z.string(),
    "status-code": z.number().int(),
    timestamp: z.string(),
    url: z.string(),
    data,
  });
}

/** What an error looks like: the envelope with `data: null`. */
export const errorEnvelopeSchema = envelopeSchema(z.null());

const errorResponse = routeSchema(errorEnvelopeSchema, "output");

/** What a route takes and answers, in zod. */
export interface RouteContract {
  summary: string;
  /** OpenAPI tag grouping the route in the docs. */
  tag: string;
  body?: ZodType;
  params?: ZodType;
  querystring?: ZodType;
  /** Schema of `data` in a 200 response. */
  data: ZodType;
}

/**
 * A route's fastify schema: its request parts (validated by zod), its enveloped 200 response and
 * the error envelope of its 4xx/5xx responses.
 * @param contract the route's zod schemas and documentation
 */
export function routeSchemas(contract: RouteContract): Record<string, unknown> {
  const parts: Record<string, JsonSchema> = {};
  for (const part of ["body", "params", "querystring"] as const) {
    const schema = contract[part];
    if (schema !== undefined) parts[part] = routeSchema(schema);
  }
  return {
    summary: contract.summary,
    tags: [contract.tag],
    ...parts,
    response: {
      200: {
        description: "OK: the envelope, its `data` as below",
        ...routeSchema(envelopeSchema(contract.data), "output"),
      },
      "4xx": {
        description: "A request error: the envelope with `data: null` and a message saying what is wrong",
        ...errorResponse,
      },
      "5xx": {
        description: "A server error: the envelope with `data: null` and what went wrong",
        ...errorResponse,
      },
    },
  };
}

/** `data` of `POST /predict`. */
export type PredictData = z.infer<typeof predictDataSchema>;
/** `data` of `GET /performance`. */
export type PerformanceData = z.infer<typeof performanceDataSchema>;
/** `data` of `GET /api/runs/:id/performance`. */
export type RunPerformanceData = z.infer<typeof runPerformanceDataSchema>;
/** `data` of `GET /api/runs`. */
export type RunsData = z.infer<typeof runsDataSchema>;
/** `data` of `GET /api/runs/:id/metrics`. */
export type RunMetricsData = z.infer<typeof runMetricsDataSchema>;
/** `data` of `GET /api/data/projects`. */
export type ProjectsData = z.infer<typeof projectsDataSchema>;
/** `data` of `GET /api/data`. */
export type DatasetData = z.infer<typeof datasetDataSchema>;
/** `data` of `GET /api/data/tags`. */
export type TagsData = z.infer<typeof tagsDataSchema>;
/** `data` of `GET /api/studies`. */
export type StudiesData = z.infer<typeof studiesDataSchema>;
/** `data` of `GET /api/studies/:name/trials`. */
export type StudyTrialsData = z.infer<typeof studyTrialsDataSchema>;

/** A registered model's name in a path: what the registry accepts. */
export const modelNameParamsSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1-100 letters, digits, "_", "." or "-"')
      .meta({ example: "tagifai" }),
  })
  .strict();

/** A model's alias in a path. */
export const modelAliasParamsSchema = modelNameParamsSchema
  .extend({
    alias: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1-100 letters, digits, "_", "." or "-"')
      .meta({ example: "production" }),
  })
  .strict();

/** Body of `POST /api/models/:name/aliases`: point `alias` at `version`. */
export const setAliasBodySchema = z
  .object({
    alias: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1-100 letters, digits, "_", "." or "-"')
      .meta({ example: "production" }),
    version: z.number().int().min(1).meta({ example: 1 }),
  })
  .strict();

/** One version of a registered model: its aliases and the run that produced it, with its metrics. */
export const modelVersionSchema = z.object({
  version: z.number().int(),
  aliases: z.array(z.string()),
  created_at: z.string(),
  run_id: z.string(),
  /** Null when the run is gone from the store. */
  run_name: z.string().nullable(),
  run_status: runStatusSchema.nullable(),
  metrics: z.record(z.string(), z.number()).meta({ example: { val_f1: 0.7049, f1: 0.7316 } }),
});

/** A registered model with its versions, oldest first. */
export const registeredModelSchema = z.object({ name: z.string(), versions: z.array(modelVersionSchema) });

/** `GET /api/models`: every registered model, by name. */
export const modelsDataSchema = z.object({ models: z.array(registeredModelSchema) });

/** `POST`/`DELETE /api/models/:name/aliases…`: the model after the change. */
export const modelDataSchema = z.object({ model: registeredModelSchema });

/** `data` of `GET /api/models`. */
export type ModelsData = z.infer<typeof modelsDataSchema>;
/** `data` of the alias routes. */
export type ModelData = z.infer<typeof modelDataSchema>;
/** A registered model as the API shows it. */
export type RegisteredModelView = z.infer<typeof registeredModelSchema>;

/**
 * `GET /api/runs/:id/artifacts/:name`: a run id and a file of its artifact folder, maybe in a
 * sub-folder (`cnn/model.bin`, an ensemble's member; "/" sent as `%2F`); no part starts with "." (no `..`).
 */
export const runArtifactParamsSchema = z
  .object({
    id: runIdParamsSchema.shape.id,
    name: z
      .string()
      .regex(
        /^(?!\.)[A-Za-z0-9_.-]{1,200}(?:\/(?!\.)[A-Za-z0-9_.-]{1,200}){0,4}$/,
        'must be a file name of the run (letters, digits, "_", "." or "-"; "/" between sub-folder names)',
      )
      .meta({ example: "performance.json" }),
  })
  .strict();

/** `GET /api/runs/:id/artifacts`: the files of a run's artifact folder, by name, with their sizes. */
export const runArtifactsDataSchema = z.object({
  run_id: z.string(),
  artifacts: z.array(z.object({ name: z.string(), bytes: z.number().int() })),
});

/** `data` of `GET /api/runs/:id/artifacts`. */
export type RunArtifactsData = z.infer<typeof runArtifactsDataSchema>;
