/**
 * Tagifai's public API, what `import … from "tagifai"` gives: the operations the `tagifai` command
 * line runs (train, predict, evaluate, inspect and register runs), the stages they are built from
 * (training, prediction, artifacts, params), the tracking store, hyperparameter optimization and the
 * REST API's app factory, with their types. Everything else under `src/` is internal.
 *
 * Anything that builds or runs a model computes on tfjs: the first model fitted or loaded sets up
 * the wasm backend (cpu if wasm cannot start) unless {@link setDevice} chose one before, as the CLI's
 * `--device` does for the commands that use a model.
 *
 * @example
 * ```ts
 * import { loadArtifacts, predict, trainModel } from "tagifai";
 *
 * const { runId } = await trainModel({ paramsFp: "config/params_linear.json", experimentName: "baselines" });
 * const artifacts = await loadArtifacts(runId);
 * console.log(predict(["Transfer learning with transformers for text classification."], artifacts));
 * artifacts.model.dispose();
 * ```
 * @packageDocumentation
 */

export type { ArtifactReader, ArtifactWriter } from "./tagifai/artifact-io.js";
export { loadArtifactsFromDir, saveArtifacts } from "./tagifai/artifacts.js";
export {
  type BatchPredictOptions,
  type BatchPredictResult,
  type BatchProgress,
  batchPredict,
  type OnRecordError,
  type OutputFormat,
} from "./tagifai/batch-predict.js";
export type { DatasetFormat, InputFields, Task } from "./tagifai/data/dataset.js";
export type { AnyLabelEncoder, MultiClassEncoder, MultiLabelEncoder } from "./tagifai/data/encoders.js";
export { type Device, setDevice } from "./tagifai/device.js";
export { type ErrorCode, TagifaiError } from "./tagifai/errors.js";
export {
  getMetrics,
  getPerformanceReport,
  getSliceMetrics,
  MAX_CURVE_POINTS,
  type Metrics,
  metricsSchema,
  type Performance,
  performanceSchema,
  SLICES,
  type SliceFunction,
  type SliceRow,
} from "./tagifai/eval.js";
export type { EnsembleConfig } from "./tagifai/families/ensemble/loader.js";
export { AUTO_C_GRID } from "./tagifai/families/linear/classifier.js";
export {
  FAMILIES,
  type FamilyConfig,
  MODEL_KINDS,
  type ModelKind,
  type TrainedModel,
} from "./tagifai/families.js";
export type {
  DataShape,
  EpochMetrics,
  EstimateContext,
  FamilyFit,
  FamilyLoader,
  FitContext,
  LabelledSplit,
  LoadContext,
  MemoryTerm,
  ModelFamily,
  Scorer,
  TrainHooks,
} from "./tagifai/family.js";
export { folderReader, folderWriter } from "./tagifai/folder-io.js";
export { withStore } from "./tagifai/lifecycle.js";
export {
  collectGarbage,
  computeFeatures,
  type DatasetSource,
  type DiffRow,
  deleteExperiment,
  diffRuns,
  evaluateRun,
  getParams,
  getPerformance,
  loadArtifacts,
  loadData,
  predictTags,
  registerModel,
  type StoreOptions,
  type TrainModelOptions,
  type TrainModelResult,
  testModel,
  trainModel,
  validateData,
} from "./tagifai/operations.js";
export { searchSpaceSchema } from "./tagifai/optimize/space.js";
export {
  DEFAULT_SEARCH_SPACE,
  formatStudyReport,
  loadSearchSpace,
  type OptimizeOptions,
  type OptimizeResult,
  optimize,
  type SearchSpace,
  type TrialEvent,
} from "./tagifai/optimize.js";
export {
  loadParams,
  type Params,
  paramsSchema,
  parseParams,
} from "./tagifai/params.js";
export { MAX_TEXT_LENGTH, type Prediction, predict } from "./tagifai/predict.js";
export type { Rng } from "./tagifai/random.js";
export { type AppOptions, buildApp, type ServeApp } from "./tagifai/serve/app.js";
export {
  type ClusterOptions,
  type ClusterWorkerOptions,
  type RunningCluster,
  startCluster,
} from "./tagifai/serve/cluster.js";
export type { Limits } from "./tagifai/serve/contract.js";
export type { ReloadResult } from "./tagifai/serve/live-model.js";
export { type RunningServer, type ServerOptions, startServer } from "./tagifai/serve/server.js";
export type { Timeouts } from "./tagifai/serve/timeouts.js";
export {
  endStatusSchema,
  runStatusSchema,
  studyDirectionSchema,
  trialStateSchema,
} from "./tagifai/tracking/records.js";
export {
  type ClaimTrialOptions,
  type CreateRunOptions,
  DEFAULT_RUN_HEARTBEAT_TIMEOUT_S,
  type EndStatus,
  type Experiment,
  type ExperimentSummary,
  type GarbageEntry,
  type ListRunsOptions,
  type MetricPoint,
  type ModelVersion,
  type OpenStoreOptions,
  openStore,
  type Run,
  type RunStatus,
  type Study,
  type StudyBase,
  type StudyDefinition,
  type StudyDirection,
  TrackingStore,
  type Trial,
  type TrialClaim,
  type TrialOutcome,
  type TrialState,
} from "./tagifai/tracking.js";
export {
  type Artifacts,
  evaluateModel,
  referenceDataset,
  type TrainingDataset,
  type TrainOptions,
  type TrainResult,
  train,
} from "./tagifai/train.js";
