/**
 * The tables of the tracking database, as Kysely sees them. Times are epoch milliseconds
 * (`bigint` columns, read back as numbers); params and tags are JSON text.
 */
import type { RunStatus, StudyDirection, TrialState } from "./records.js";

/** Named groups of runs; a deleted experiment keeps its row with `deleted_at` set. */
export interface ExperimentTable {
  id: string;
  name: string;
  created_at: number;
  deleted_at: number | null;
}

/** One row per run. */
export interface RunTable {
  id: string;
  experiment_id: string;
  name: string;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  artifact_uri: string;
  params: string;
  tags: string;
  /** Last sign of life of the process training a RUNNING run (null for runs from before heartbeats). */
  heartbeat_at: number | null;
  /** Why a run ended, when its status alone does not say: "lost" (its heartbeat stopped). */
  end_reason: string | null;
}

/** Every logged metric value (the full history). */
export interface MetricTable {
  run_id: string;
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/** Model names of the registry. */
export interface RegisteredModelTable {
  name: string;
  created_at: number;
}

/** Versions 1, 2, 3… of each model, each pointing at the run that produced it. */
export interface ModelVersionTable {
  name: string;
  version: number;
  run_id: string;
  created_at: number;
}

/** Movable names (`production`, `staging`…) for one version of a model. */
export interface ModelAliasTable {
  name: string;
  alias: string;
  version: number;
}

/** Hyperparameter studies (`tagifai optimize`): what they tune and which way is better. */
export interface StudyTable {
  id: string;
  name: string;
  direction: StudyDirection;
  /** The search space, as JSON text. */
  search_space: string;
  /** Base seed of the samplers' random sources (each trial's is derived from it and its number). */
  seed: number;
  created_at: number;
  /** The params every trial starts from, as canonical JSON (null: made before they were recorded). */
  base_params: string | null;
  /** SHA-256 (hex) of `base_params`. */
  base_params_sha256: string | null;
  /** Where the base params came from (e.g. the params file), for messages. */
  base_params_source: string | null;
  /** The base params with the best trial's, as JSON, once the study has a best trial. */
  best_params: string | null;
}

/** The trials of every study, numbered 0, 1, … within their study. */
export interface TrialTable {
  id: string;
  study_id: string;
  number: number;
  state: TrialState;
  /** The sampled parameters, as JSON text. */
  params: string;
  /** The objective value, once COMPLETE. */
  value: number | null;
  /** Extra results of the trial (e.g. the tuned threshold), as JSON text. */
  attrs: string;
  /** The tracking run that trained this trial, if any. */
  run_id: string | null;
  /** Last sign of life from the worker running the trial. */
  heartbeat_at: number;
  started_at: number;
  finished_at: number | null;
}

/** Values a trial reported while it ran (e.g. validation loss per epoch); NaN is stored as null. */
export interface TrialValueTable {
  trial_id: string;
  step: number;
  value: number | null;
}

/** One row per file of a run's artifacts in the database (see `artifact-store/postgres`). */
export interface ArtifactFileTable {
  run_id: string;
  /** The file's name in the run's artifact folder. */
  name: string;
  bytes: number;
  /** SHA-256 (hex) of the whole file, checked on read. */
  sha256: string;
  /** How many rows of `artifact_chunks` hold its bytes (seq 0 … chunks − 1). */
  chunks: number;
  created_at: number;
}

/** The bytes of an artifact file, in order of `seq`. */
export interface ArtifactChunkTable {
  run_id: string;
  name: string;
  seq: number;
  data: Buffer;
}

/** One row per applied migration. */
export interface SchemaVersionTable {
  version: number;
  applied_at: number;
}

/** The whole tracking database. */
export interface Database {
  experiments: ExperimentTable;
  runs: RunTable;
  metrics: MetricTable;
  registered_models: RegisteredModelTable;
  model_versions: ModelVersionTable;
  model_aliases: ModelAliasTable;
  studies: StudyTable;
  trials: TrialTable;
  trial_values: TrialValueTable;
  artifact_files: ArtifactFileTable;
  artifact_chunks: ArtifactChunkTable;
  schema_version: SchemaVersionTable;
}
