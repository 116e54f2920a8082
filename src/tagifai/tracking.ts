/**
 * Experiment tracking and model registry (Tagifai's replacement for MLflow): a SQLite file by
 * default, or a PostgreSQL database shared by a team, chosen by a tracking URI.
 */

export type { GarbageEntry } from "./tracking/garbage.js";
export { assertRunId } from "./tracking/ids.js";
export type {
  ClaimTrialOptions,
  CreateRunOptions,
  EndStatus,
  Experiment,
  ExperimentSummary,
  ListRunsOptions,
  MetricPoint,
  ModelVersion,
  Run,
  RunStatus,
  Study,
  StudyBase,
  StudyDefinition,
  StudyDirection,
  Trial,
  TrialClaim,
  TrialState,
} from "./tracking/records.js";
export {
  DEFAULT_RUN_HEARTBEAT_TIMEOUT_S,
  type OpenStoreOptions,
  openStore,
  TrackingStore,
} from "./tracking/store.js";
export type { TrialOutcome } from "./tracking/studies.js";
export { formatTable } from "./tracking/table.js";
