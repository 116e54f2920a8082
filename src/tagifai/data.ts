/**
 * The data stage: getting and validating the dataset, computing features, cleaning text, encoding
 * labels and tokens, and stratified splits.
 */
export {
  assertTwoClasses,
  type Dataset,
  type DatasetOptions,
  type DatasetRecord,
  datasetFromRaw,
  datasetOptionsSchema,
  datasetRecordSchema,
  loadDataset,
  type RawDataset,
  readRawDataset,
  recordLocation,
  type Task,
} from "./data/dataset.js";
export {
  type AnyLabelEncoder,
  encodeIndicators,
  type LabelEncoderJson,
  labelEncoderJsonSchema,
  loadLabelEncoder,
  MultiClassEncoder,
  MultiLabelEncoder,
} from "./data/encoders.js";
export { computeFeatures, prepare } from "./data/features.js";
export { DATASET_FILES, loadData, loadProjects, loadTags } from "./data/load.js";
export { type PreprocessParams, preprocess, preprocessWith } from "./data/preprocess.js";
export {
  type Feature,
  featureSchema,
  type Project,
  projectSchema,
  type Tag,
  tagSchema,
  validateProjects,
  validateTags,
} from "./data/record-schemas.js";
export { type DataSplit, getDataSplits, iterativeTrainTestSplit } from "./data/split.js";
export { padSequences, Tokenizer, type TokenizerJson, tokenizerJsonSchema } from "./data/tokenizer.js";
