/**
 * The tables of the tracking database, as Kysely sees them. Times are epoch milliseconds
 * (`bigint` columns, read back as numbers); params and tags are JSON text.
 */
import type { RunStatus } from "./types.js";

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
  schema_version: SchemaVersionTable;
}
