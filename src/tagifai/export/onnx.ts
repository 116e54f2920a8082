/**
 * Export a run's model as a folder that any ONNX Runtime can serve without tagifai:
 *
 * - `model.onnx`: the model as a standard ONNX graph (opset 13; see cnnOnnx.ts and linearOnnx.ts for
 *   the operators and the exact semantics they reproduce), with the run id in its metadata;
 * - `label_encoder.json`: the classes, in the order of the graph's output columns;
 * - `tokenizer.json` (CNN): the vocabulary in id order (0 = padding, 1 = unknown), or `tfidf.json`
 *   (linear): the TF-IDF options, and per block its terms (column order) and idf;
 * - `serving.json`: what a server needs around the graph: the input and output names and shapes, the
 *   pad id and padding rule, the preprocessing (lowercase, stem, stopwords, clean), and the decision rule
 *   (multi-label: each class's threshold from the model's `family.json`; multi-class: argmax).
 *
 * The CNN exports whole: token ids in, probabilities out. The linear family exports its classifier
 * only: no standard ONNX operator reproduces its TF-IDF tokenization, so the graph takes the TF-IDF
 * vector and the client computes it (linearOnnx.ts says why). An ensemble is refused rather than
 * exported as one of its members, which would predict differently from the run.
 *
 * The folder is written under a temporary name beside the destination and renamed into place when
 * complete; an existing destination is refused unless `force`, and then replaced only at that rename.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { loadArtifactsFromDir } from "../artifacts.js";
import { stopwordsOf } from "../data/preprocess.js";
import { Tokenizer } from "../data.js";
import { TagifaiError } from "../errors.js";
import { loadModel } from "../families/cnn/model.js";
import { loadLinearModel } from "../families/linear/model.js";
import { saveJson } from "../files.js";
import { folderReader, folderWriter } from "../folder-io.js";
import type { Params } from "../params.js";
import { CNN_ONNX_IO, cnnGraph } from "./cnnOnnx.js";
import { LINEAR_ONNX_IO, linearGraph } from "./linearOnnx.js";
import { encodeModel, ONNX_OPSET } from "./onnxGraph.js";

/** File names of an export folder. */
export const ONNX_EXPORT_FILES = {
  model: "model.onnx",
  serving: "serving.json",
  labelEncoder: "label_encoder.json",
  tokenizer: "tokenizer.json",
  tfidf: "tfidf.json",
} as const;

/** The CNN family's tokenizer file inside a run's artifact folder (see families/cnn/fit.ts). */
const RUN_TOKENIZER_FILE = "tokenizer.json";

/** What {@link exportOnnx} needs besides the folders. */
export interface OnnxExportOptions {
  /** The run being exported (stored in the model's metadata and in serving.json). */
  runId: string;
  /** Replace an existing destination folder. */
  force?: boolean;
}

/** What {@link exportOnnx} wrote. */
export interface OnnxExportResult {
  /** The destination folder (absolute). */
  dir: string;
  kind: string;
  task: "multi-label" | "multi-class";
  /** Each file written and its size in bytes. */
  files: Record<string, number>;
}

/**
 * Export the model in a run's artifact folder to an ONNX folder (see the module comment).
 * @param artifactDir the run's artifact folder
 * @param outputDir the destination folder
 * @param options run id, force
 * @returns the folder, the model's family and task, and the files written
 * @throws TagifaiError INVALID_INPUT when `outputDir` exists (and not `force`) or the run is an
 *   ensemble; INVALID_ARTIFACTS when the run's artifacts are missing or corrupt
 */
export async function exportOnnx(
  artifactDir: string,
  outputDir: string,
  options: OnnxExportOptions,
): Promise<OnnxExportResult> {
  const dir = resolve(outputDir);
  refuseExisting(dir, options.force);
  const artifacts = await loadArtifactsFromDir(artifactDir);
  const { params, labelEncoder } = artifacts;
  const { kind, task, thresholds } = artifacts.model;
  artifacts.model.dispose();
  if (kind === "ensemble")
    throw new TagifaiError(
      "INVALID_INPUT",
      `Run ${options.runId} is an ensemble (CNN + linear): only cnn and linear runs can be exported, ` +
        "and exporting one member alone would predict differently from the run",
    );

  const partial = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}-${Date.now()}`);
  mkdirSync(partial, { recursive: true });
  try {
    const graph =
      kind === "cnn" ? await cnnPart(artifactDir, partial) : await linearPart(artifactDir, partial, task);
    const model = encodeModel({
      ...graph.spec,
      name: `tagifai_${kind}`,
      docString: `tagifai ${kind} model (${task}) of run ${options.runId}`,
      metadata: { run_id: options.runId, kind, task },
    });
    writeFileSync(join(partial, ONNX_EXPORT_FILES.model), model);
    labelEncoder.save(folderWriter(partial), ONNX_EXPORT_FILES.labelEncoder);
    saveJson(join(partial, ONNX_EXPORT_FILES.serving), {
      format: "tagifai-onnx",
      format_version: 1,
      run_id: options.runId,
      kind,
      task,
      model: ONNX_EXPORT_FILES.model,
      opset: ONNX_OPSET,
      label_encoder: ONNX_EXPORT_FILES.labelEncoder,
      classes: labelEncoder.classes,
      preprocess: preprocessing(params),
      input: graph.input,
      output: {
        name: graph.output,
        type: "float32",
        shape: ["batch", labelEncoder.classes.length],
        activation: graph.activation,
      },
      decision:
        task === "multi-label"
          ? {
              rule: "threshold",
              description: "predict every class whose probability ≥ its threshold",
              thresholds,
            }
          : { rule: "argmax", description: "predict the most probable class (ties: the first)" },
    });
    replaceFolder(partial, dir, options.force);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  return { dir, kind, task, files: fileSizes(dir) };
}

/** A family's graph and what serving.json says about its input. */
interface ExportedGraph {
  spec: ReturnType<typeof cnnGraph>;
  input: Record<string, unknown>;
  output: string;
  activation: string;
}

async function cnnPart(artifactDir: string, partial: string): Promise<ExportedGraph> {
  const tokenizer = await Tokenizer.load(folderReader(artifactDir), RUN_TOKENIZER_FILE);
  const cnn = await loadModel(folderReader(artifactDir));
  try {
    tokenizer.save(folderWriter(partial), ONNX_EXPORT_FILES.tokenizer);
    const { maxFilterSize } = cnn.config;
    return {
      spec: cnnGraph(cnn),
      input: {
        name: CNN_ONNX_IO.input,
        type: "int64",
        shape: ["batch", "sequence"],
        tokenizer: ONNX_EXPORT_FILES.tokenizer,
        level: tokenizer.charLevel ? "character" : "word",
        pad_id: 0,
        unknown_id: 1,
        min_length: maxFilterSize,
        padding:
          `Tokenize each preprocessed text (characters, or words split on single spaces; a token outside ` +
          `the vocabulary is id 1), then right-pad every row of a batch with 0 to the batch's longest ` +
          `row. The graph itself pads shorter inputs to ${maxFilterSize} (the widest filter), as training ` +
          `did. As in the original model, padding positions take part in the max-pool, so a text's ` +
          `probabilities can shift slightly with the padded length: tagifai pads each batch of ` +
          `batch_size texts to its longest; send texts one per batch for batch-independent results.`,
      },
      output: CNN_ONNX_IO.output,
      activation: cnn.config.output === "softmax" ? "softmax" : "sigmoid",
    };
  } finally {
    cnn.dispose();
  }
}

async function linearPart(
  artifactDir: string,
  partial: string,
  task: "multi-label" | "multi-class",
): Promise<ExportedGraph> {
  const linear = await loadLinearModel(folderReader(artifactDir));
  saveJson(join(partial, ONNX_EXPORT_FILES.tfidf), linear.vectorizer.toJSON());
  return {
    spec: linearGraph(linear.classifier, task),
    input: {
      name: LINEAR_ONNX_IO.input,
      type: "float32",
      shape: ["batch", linear.classifier.numFeatures],
      vectorizer: ONNX_EXPORT_FILES.tfidf,
      features:
        "Computed by the client (standard ONNX has no operator for this tokenization): per block of " +
        "tfidf.json (word n-grams first, then character n-grams), count the block's terms in the " +
        "preprocessed text (words: lowercased runs of 2+ letters, digits or _; char_wb: n-grams of each " +
        "lowercased whitespace-separated word padded with one space on each side, a padded word shorter " +
        "than n counting once as itself), weight = (1 + ln count if sublinearTf, else count) × idf, " +
        "L2-normalize the block (when the options' norm is \"row\", also scale it by 1/√(number of blocks)), and place it at the block's column " +
        "offset; terms outside the vocabulary are ignored.",
    },
    output: LINEAR_ONNX_IO.output,
    activation:
      linear.classifier.output === "softmax"
        ? "softmax"
        : task === "multi-class"
          ? "sigmoid, normalized to sum to 1"
          : "sigmoid",
  };
}

/** The cleaning a client applies to raw text before tokenizing, as the run's params set it. */
function preprocessing(params: Params) {
  return {
    text: "title + ' ' + description",
    lower: params.lower,
    stem: params.stem,
    clean: params.clean,
    steps:
      "lowercase (if lower); remove links (http\\S+, if clean); remove the stopwords listed here (whole words, with " +
      "the whitespace after them; none when the list is empty); if clean: space out the punctuation -;.,!?<=>, replace every run of characters other than " +
      "A-Z a-z 0-9 by a space, collapse spaces and trim; Porter-stem each space-separated word (if stem)",
    stopwords: stopwordsOf(params),
  };
}

function refuseExisting(dir: string, force: boolean | undefined): void {
  if (!existsSync(dir) || force) return;
  throw new TagifaiError(
    "INVALID_INPUT",
    `Output folder ${dir} already exists; choose another --output or pass --force to replace it`,
  );
}

/** Move the finished folder into place; with `force`, an existing destination is swapped out first. */
function replaceFolder(partial: string, dir: string, force: boolean | undefined): void {
  refuseExisting(dir, force);
  if (!existsSync(dir)) {
    renameSync(partial, dir);
    return;
  }
  const replaced = `${partial}.replaced`;
  renameSync(dir, replaced);
  renameSync(partial, dir);
  rmSync(replaced, { recursive: true, force: true });
}

function fileSizes(dir: string): Record<string, number> {
  return Object.fromEntries(
    Object.values(ONNX_EXPORT_FILES)
      .filter((name) => existsSync(join(dir, name)))
      .map((name) => [name, statSync(join(dir, name)).size]),
  );
}
