/**
 * Benchmark: accuracy of every model configuration of ours side by side with a scikit-learn
 * reference, on the same rows, in one run (`npm run bench:quality`).
 *
 * Tasks:
 * - `reference`: the reference multi-label protocol (tags.json tags, not excluded, >= 30 projects;
 *   iterative stratified split 70/15/15 with the params' seed, 1234).
 * - `areas`: a single-label 4-class task derived from the reference projects, written as a CSV and
 *   loaded through the bring-your-own dataset path (`--dataset`). Rule: a project's label is the
 *   first that matches its tags, in this order: `computer-vision` (tagged computer-vision),
 *   `natural-language-processing` (tagged natural-language-processing), `mlops` (tagged any of
 *   {@link MLOPS_TAGS}), else `other` (2032 projects: 388 / 399 / 130 / 1115).
 * - `byo`: a bring-your-own CSV split, `--train FILE --holdout FILE` (default the demo fixture
 *   tests/fixtures/byo): models train on the train file (split train/val as usual, thresholds on
 *   val) and are scored on the holdout file, as `tagifai evaluate --dataset` does.
 * - `reference@seed`: the reference task on other split seeds (`--seeds`, default 1..5), for the
 *   configurations in `--seed-models` and the reference; their mean is printed too.
 *
 * Our models are the params files in {@link MODELS}; each trains through the same `prepareSplits` +
 * `fitModel` path as `tagifai train-model`. Each is scored on the validation split too (a family
 * that refits on train + validation is scored by its held-out validation probabilities, as
 * `train-model` logs it), and every task gets a row "ours (chosen on validation)": the test scores of
 * the configuration of ours with the best validation F1 on that task (the test split never chooses). Every split's rows (raw and preprocessed texts, 0/1
 * labels) are exported to a temp folder and bench/sklearn_reference.py (Debian's /usr/bin/python3
 * with python3-sklearn) fits the reference on the very same rows. Scores: weighted
 * precision/recall/F1 on the test split (the holdout file for `byo`), weighted F1 on the validation
 * split, fit seconds (wall clock).
 *
 * Usage: npm run bench:quality [-- --train a.csv --holdout b.csv --text-fields title,description
 *   --label-field tag --byo-params '{"min_tag_freq":5}' --models linear,default --seeds 1,2,3,4,5
 *   --seed-models linear,default --tasks reference,areas,byo,seeds --out results.json]
 * Data: `TAGIFAI_DATA_DIR` (default ../shared/datasets).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CONFIG_DIR } from "../src/config/config.js";
import { computeFeatures, loadDataset, loadProjects, loadTags, type Project } from "../src/tagifai/data.js";
import { setDevice } from "../src/tagifai/device.js";
import { precisionRecallFscoreSupport } from "../src/tagifai/eval.js";
import { fitModel, type LabelledSplit } from "../src/tagifai/families.js";
import { loadParams, type Params, parseParams } from "../src/tagifai/params.js";
import {
  knownLabelRows,
  type PreparedSplits,
  prepareSplits,
  referenceDataset,
  type TrainingDataset,
} from "../src/tagifai/train.js";
import { predictLabels } from "../src/tagifai/trained-model.js";

/** Our configurations, by the name the table shows: params files in config/. */
const MODELS: Record<string, string> = {
  default: "params.json",
  cnn: "params_cnn.json",
  linear: "params_linear.json",
  linear_stopwords_kept: "params_linear_stopwords_kept.json",
  linear_raw_text: "params_linear_raw_text.json",
  ensemble: "params_ensemble.json",
};

/** Tags that make a project's area `mlops` (when it is neither computer vision nor NLP). */
export const MLOPS_TAGS = [
  "mlops",
  "production",
  "serving",
  "deployment",
  "monitoring",
  "experiment-tracking",
  "testing",
  "unit-tests",
  "fastapi",
  "docker",
  "kubernetes",
  "devops",
  "api",
  "hyperparameter-optimization",
  "data-versioning",
  "reproducibility",
  "versioning",
];

const PYTHON = "/usr/bin/python3";

/** One row of the table. */
interface Score {
  task: string;
  model: string;
  precision: number;
  recall: number;
  f1: number;
  /** Weighted F1 on the validation split. */
  val_f1: number;
  fit_seconds: number;
  /** On the {@link CHOSEN} row: the configuration it is. */
  chosen?: string;
}

/** The name of the row that holds the configuration of ours chosen on validation. */
const CHOSEN = "ours (chosen on validation)";

/** The rows of one task, as exported to the reference script. */
interface TaskRows {
  name: string;
  task: "multi-label" | "multi-class";
  classes: string[];
  train: LabelledSplit & { raw: string[] };
  val: LabelledSplit & { raw: string[] };
  test: LabelledSplit & { raw: string[] };
}

const { values: args } = parseArgs({
  options: {
    train: { type: "string", default: "tests/fixtures/byo/train.csv" },
    holdout: { type: "string", default: "tests/fixtures/byo/holdout.csv" },
    "text-fields": { type: "string", default: "title,description" },
    "label-field": { type: "string", default: "tag" },
    "id-field": { type: "string" },
    "byo-params": { type: "string", default: '{"min_tag_freq":5}' },
    models: { type: "string", default: Object.keys(MODELS).join(",") },
    seeds: { type: "string", default: "1,2,3,4,5" },
    "seed-models": { type: "string", default: "linear,default" },
    tasks: { type: "string", default: "reference,areas,byo,seeds" },
    out: { type: "string" },
  },
});

const dataDir = resolve(process.env.TAGIFAI_DATA_DIR ?? "../shared/datasets");
const exportDir = mkdtempSync(join(tmpdir(), "tagifai-bench-quality-"));
const models = list(args.models).map((name) => {
  const file = MODELS[name];
  if (!file) usage(`unknown model "${name}" (known: ${Object.keys(MODELS).join(", ")})`);
  return { name, params: loadParams(join(CONFIG_DIR, file)) };
});
const seedModels = models.filter((model) => list(args["seed-models"]).includes(model.name));
const seeds = list(args.seeds).map(Number);
if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) usage(`bad --seeds "${args.seeds}"`);
const tasks = list(args.tasks);
await setDevice("wasm");

const projects = loadProjects(dataDir);
const reference = referenceDataset(computeFeatures(projects), loadTags(dataDir));
const scores: Score[] = [];
const exported: string[] = [];

if (tasks.includes("reference")) await runTask("reference", reference, models);
if (tasks.includes("areas")) await runTask("areas", areasDataset(projects), models);
if (tasks.includes("byo")) await runByo();
if (tasks.includes("seeds"))
  for (const seed of seeds) await runTask(`reference@${seed}`, reference, seedModels, { seed });

scores.push(...runReference(exported), ...chosenOnValidation(scores));
const taskOrder = [...new Set(scores.map((score) => score.task))];
scores.sort((a, b) => taskOrder.indexOf(a.task) - taskOrder.indexOf(b.task));
printTable(scores);
if (args.out)
  writeFileSync(args.out, `${JSON.stringify({ scores, seedMeans: seedMeans(scores) }, null, 2)}\n`);

/** Train every model on a dataset's splits and score it on the test split; export the rows. */
async function runTask(
  name: string,
  dataset: TrainingDataset,
  taskModels: typeof models,
  overrides: Partial<Params> = {},
  holdout?: (prepared: PreparedSplits, params: Params) => LabelledSplit & { raw: string[] },
): Promise<void> {
  let rows: TaskRows | undefined;
  for (const model of taskModels) {
    const params = parseParams({ ...model.params, ...overrides }, `${model.name} params`);
    const prepared = prepareSplits(params, dataset);
    const test = holdout ? holdout(prepared, params) : prepared.test;
    const current: TaskRows = {
      name,
      task: dataset.task,
      classes: prepared.labelEncoder.classes,
      train: prepared.train,
      val: prepared.val,
      test,
    };
    if (rows && !sameRows(rows, current))
      usage(`${model.name} splits the data differently (seed, shuffle, subset, min_tag_freq or train_size)`);
    rows ??= current;
    const start = performance.now();
    const { model: trained, valProba } = await fitModel({
      params,
      task: dataset.task,
      train: prepared.train,
      val: prepared.val,
      classWeights: prepared.classWeights,
      hooks: {},
      rng: prepared.rng,
    });
    const fitSeconds = (performance.now() - start) / 1000;
    const yPred = predictLabels(trained, trained.predictProba(test.texts));
    const valPred = predictLabels(trained, valProba ?? trained.predictProba(prepared.val.texts));
    trained.dispose();
    scores.push({
      task: name,
      model: model.name,
      ...weighted(test.y, yPred),
      val_f1: weighted(prepared.val.y, valPred).f1,
      fit_seconds: fitSeconds,
    });
    console.error(`${name} ${model.name}: ${JSON.stringify(scores.at(-1))}`);
  }
  if (rows) exported.push(exportRows(rows));
}

/** The bring-your-own task: train on `--train`, score on `--holdout` (records with known labels). */
async function runByo(): Promise<void> {
  const options = {
    textFields: list(args["text-fields"]),
    labelField: args["label-field"],
    ...(args["id-field"] ? { idField: args["id-field"] } : {}),
  };
  const trainFile = resolve(args.train);
  const holdoutFile = resolve(args.holdout);
  const dataset: TrainingDataset = { ...loadDataset(trainFile, options), source: trainFile };
  const holdout = loadDataset(holdoutFile, options);
  if (holdout.task !== dataset.task)
    usage(`${holdoutFile} is a ${holdout.task} dataset but ${trainFile} is ${dataset.task}`);
  await runTask("byo", dataset, models, JSON.parse(args["byo-params"]), (prepared, params) =>
    knownLabelRows(holdout.records, prepared.labelEncoder, params),
  );
}

/**
 * The `areas` task as a CSV (id, title, description, tag) written to the export folder and loaded
 * back through the bring-your-own dataset path.
 */
function areasDataset(all: readonly Project[]): TrainingDataset {
  const mlops = new Set(MLOPS_TAGS);
  const area = (tags: readonly string[]) =>
    tags.includes("computer-vision")
      ? "computer-vision"
      : tags.includes("natural-language-processing")
        ? "natural-language-processing"
        : tags.some((tag) => mlops.has(tag))
          ? "mlops"
          : "other";
  const quote = (value: string | number) => `"${String(value).replaceAll('"', '""')}"`;
  const lines = all.map((p) => [p.id, p.title, p.description, area(p.tags)].map(quote).join(","));
  const file = join(exportDir, "areas.csv");
  writeFileSync(file, `id,title,description,tag\n${lines.join("\n")}\n`);
  const options = { textFields: ["title", "description"], labelField: "tag", idField: "id" };
  return { ...loadDataset(file, options), source: file };
}

/** Write a task's rows for the reference script; returns the file. */
function exportRows(rows: TaskRows): string {
  const file = join(exportDir, `${rows.name.replace(/[^\w-]/g, "_")}.json`);
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

/** Fit and score the scikit-learn reference on every exported task. */
function runReference(files: string[]): Score[] {
  if (files.length === 0) return [];
  const output = execFileSync(PYTHON, [join(import.meta.dirname, "sklearn_reference.py"), ...files], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(output) as (Score & { threshold: number | null })[]).map(
    ({ task, precision, recall, f1, val_f1, fit_seconds }) => ({
      task,
      model: "sklearn",
      precision,
      recall,
      f1,
      val_f1,
      fit_seconds,
    }),
  );
}

/** Whether two configurations split the same records (their preprocessing may differ). */
function sameRows(a: TaskRows, b: TaskRows): boolean {
  return (["train", "val", "test"] as const).every(
    (split) =>
      JSON.stringify(a[split].raw) === JSON.stringify(b[split].raw) &&
      JSON.stringify(a[split].y) === JSON.stringify(b[split].y),
  );
}

/**
 * Per task, the row of the configuration of ours with the best validation F1 (the first on a tie),
 * renamed {@link CHOSEN} and naming the configuration it is; the test split plays no part.
 */
function chosenOnValidation(all: Score[]): Score[] {
  const best = new Map<string, Score>();
  for (const score of all) {
    if (score.model === "sklearn") continue;
    const current = best.get(score.task);
    if (!current || score.val_f1 > current.val_f1) best.set(score.task, score);
  }
  return [...best.values()].map((score) => ({ ...score, model: CHOSEN, chosen: score.model }));
}

function weighted(yTrue: number[][], yPred: number[][]): { precision: number; recall: number; f1: number } {
  const { precision, recall, f1 } = precisionRecallFscoreSupport(yTrue, yPred, "weighted");
  return { precision, recall, f1 };
}

/** Mean weighted F1 over the `reference@seed` tasks, per model. */
function seedMeans(all: Score[]): Record<string, { f1: number; seeds: number }> {
  const byModel = new Map<string, number[]>();
  for (const score of all)
    if (score.task.startsWith("reference@"))
      byModel.set(score.model, [...(byModel.get(score.model) ?? []), score.f1]);
  return Object.fromEntries(
    [...byModel].map(([model, f1s]) => [
      model,
      { f1: f1s.reduce((a, b) => a + b, 0) / f1s.length, seeds: f1s.length },
    ]),
  );
}

function printTable(all: Score[]): void {
  const fixed = (x: number) => x.toFixed(4);
  const lines = [
    "| task | model | val F1 | test precision | test recall | test F1 | fit s |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...all
      .filter((s) => !s.task.startsWith("reference@"))
      .map(
        (s) =>
          `| ${s.task} | ${modelLabel(s)} | ${fixed(s.val_f1)} | ${fixed(s.precision)} | ${fixed(s.recall)} | ${fixed(s.f1)} | ${s.fit_seconds.toFixed(1)} |`,
      ),
  ];
  const means = Object.entries(seedMeans(all));
  if (means.length > 0) {
    lines.push("", `| reference, split seeds ${seeds.join(",")} | mean test F1 |`, "| --- | ---: |");
    for (const [model, { f1 }] of means) lines.push(`| ${model} | ${fixed(f1)} |`);
    const picks = all.filter((s) => s.task.startsWith("reference@") && s.model === CHOSEN);
    if (picks.length > 0)
      lines.push("", `${CHOSEN} per seed: ${picks.map((s) => `${s.task} ${modelLabel(s)}`).join("; ")}`);
  }
  console.log(lines.join("\n"));
  console.log(`\nRows exported to ${exportDir}`);
}

/** A row's model; the chosen row names the configuration it is. */
function modelLabel(score: Score): string {
  return score.chosen ? `${score.model}: ${score.chosen}` : score.model;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function usage(message: string): never {
  console.error(`bench:quality: ${message}`);
  process.exit(2);
}
