/**
 * The reference protocol that benchmarks and quality tests measure models on: the tags of tags.json,
 * not excluded, used by at least 30 projects; text lowercased, not stemmed; an iterative stratified
 * split 70/15/15 with seed 1234.
 */
import { EXCLUDED_TAGS } from "../../config/config.js";
import { MultiLabelEncoder } from "./encoders.js";
import { computeFeatures, prepare } from "./features.js";
import { loadProjects, loadTags } from "./load.js";
import { preprocess } from "./preprocess.js";
import { type DataSplit, getDataSplits } from "./split.js";

/**
 * Load a dataset folder and prepare, encode and split it as the reference protocol does.
 * @param dataDir folder with projects.json and tags.json
 * @returns the fitted label encoder, every label row, and the preprocessed train/val/test splits
 * @throws TagifaiError if the data files are missing or invalid
 */
export function referenceSplits(dataDir: string): {
  encoder: MultiLabelEncoder;
  y: number[][];
  train: DataSplit<string>;
  val: DataSplit<string>;
  test: DataSplit<string>;
} {
  const { features } = prepare(computeFeatures(loadProjects(dataDir)), {
    include: loadTags(dataDir).map((tag) => tag.tag),
    exclude: EXCLUDED_TAGS,
    minTagFreq: 30,
  });
  const encoder = new MultiLabelEncoder().fit(features.map((feature) => feature.tags));
  const y = encoder.encode(features.map((feature) => feature.tags));
  const texts = features.map((feature) => preprocess(feature.text, { lower: true, stem: false }));
  return { encoder, y, ...getDataSplits(texts, y, 0.7, 1234) };
}
