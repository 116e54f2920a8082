/**
 * Train/validation/test splits that keep every tag's share: iterative stratification (Sechidis,
 * Tsoumakas & Vlahavas 2011) of order 1, as scikit-multilearn's `IterativeStratification` does it.
 */
import { TagifaiError } from "../errors.js";
import { createRng, type Rng } from "../random.js";

/** Samples and their label rows. */
export interface DataSplit<T> {
  X: T[];
  y: number[][];
}

/**
 * Split samples in two, keeping each label's share in both parts close to the requested ratio.
 * @param y one row per sample, one column per label (nonzero = the sample has that label)
 * @param trainSize fraction of samples for the first part, in (0, 1)
 * @param rng random source, used only to break exact ties
 * @returns row indices of each part, each sorted ascending
 * @throws TagifaiError INVALID_INPUT for a `trainSize` outside (0, 1) or rows of different lengths
 */
export function iterativeTrainTestSplit(
  y: readonly (readonly number[])[],
  trainSize: number,
  rng: Rng,
): { train: number[]; test: number[] } {
  if (!(trainSize > 0 && trainSize < 1))
    throw new TagifaiError(
      "INVALID_INPUT",
      `trainSize must be between 0 and 1 (exclusive), got ${trainSize}`,
    );
  const width = y[0]?.length ?? 0;
  const badRow = y.findIndex((row) => row.length !== width);
  if (badRow >= 0)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Label row ${badRow} has ${y[badRow].length} columns, expected ${width} like row 0`,
    );
  // Fold 0 is the test part, as in scikit-multilearn's `sample_distribution_per_fold=[1 - train, train]`.
  const [test, train] = stratify(y, [1 - trainSize, trainSize], rng);
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/**
 * Split into train, validation and test parts like the original's `get_data_splits`: first train
 * vs the rest with `trainSize`, then the rest half and half into validation and test, both
 * stratified. The same seed gives the same splits.
 * @param X the samples
 * @param y their label rows (same length as `X`)
 * @param trainSize fraction of samples for training, in (0, 1)
 * @param seed seed of the tie-breaking random source
 * @returns the three parts, each keeping the input order
 * @throws TagifaiError INVALID_INPUT when `X` and `y` differ in length, or as `iterativeTrainTestSplit`;
 *   INVALID_DATA when a part would be empty (too few samples)
 */
export function getDataSplits<T>(
  X: readonly T[],
  y: readonly number[][],
  trainSize: number,
  seed: number,
): { train: DataSplit<T>; val: DataSplit<T>; test: DataSplit<T> } {
  if (X.length !== y.length)
    throw new TagifaiError("INVALID_INPUT", `X has ${X.length} samples but y has ${y.length} rows`);
  const rng = createRng(seed);
  const first = iterativeTrainTestSplit(y, trainSize, rng);
  const rest = first.test;
  const second = iterativeTrainTestSplit(
    rest.map((i) => y[i]),
    0.5,
    rng,
  );
  const take = (indices: number[]): DataSplit<T> => ({
    X: indices.map((i) => X[i]),
    y: indices.map((i) => y[i]),
  });
  const splits = {
    train: take(first.train),
    val: take(second.train.map((k) => rest[k])),
    test: take(second.test.map((k) => rest[k])),
  };
  const empty = (["train", "val", "test"] as const).find((name) => splits[name].X.length === 0);
  if (empty !== undefined) {
    const sizes = `${splits.train.X.length}/${splits.val.X.length}/${splits.test.X.length}`;
    throw new TagifaiError(
      "INVALID_DATA",
      `${X.length} records split into train/val/test ${sizes}: the ${empty} split is empty (use more data or another train_size)`,
    );
  }
  return splits;
}

/**
 * Distribute samples over folds. Desired samples per fold = n·ratio, per label per fold =
 * count(label)·ratio. Repeatedly take the label with the fewest unassigned samples (ties: first
 * seen) and give each of its unassigned samples, last first, to the fold that most desires that
 * label (ties: the fold desiring most samples overall, then random), updating the desires.
 * Unlabelled samples go to the fold desiring most samples overall (ties: random).
 */
function stratify(y: readonly (readonly number[])[], ratios: readonly number[], rng: Rng): number[][] {
  const foldDesire = ratios.map((ratio) => ratio * y.length);
  const labelsOfRow = y.map((row) => row.flatMap((value, label) => (value !== 0 ? [label] : [])));
  // Labels in order of first appearance, each with its samples in ascending order.
  const samplesOfLabel = new Map<number, number[]>();
  labelsOfRow.forEach((labels, row) => {
    for (const label of labels) {
      const rows = samplesOfLabel.get(label);
      if (rows) rows.push(row);
      else samplesOfLabel.set(label, [row]);
    }
  });
  const labelDesire = new Map(
    [...samplesOfLabel].map(([label, rows]) => [label, ratios.map((r) => rows.length * r)]),
  );
  const unassignedOfLabel = new Map([...samplesOfLabel].map(([label, rows]) => [label, rows.length]));
  const assigned = new Array<boolean>(y.length).fill(false);
  const folds = ratios.map((): number[] => []);

  const assign = (row: number, fold: number): void => {
    folds[fold].push(row);
    assigned[row] = true;
    foldDesire[fold] -= 1;
    for (const label of labelsOfRow[row]) {
      labelDesire.get(label)![fold] -= 1;
      unassignedOfLabel.set(label, unassignedOfLabel.get(label)! - 1);
    }
  };

  for (
    let label = rarestLabel(unassignedOfLabel);
    label !== undefined;
    label = rarestLabel(unassignedOfLabel)
  ) {
    const rows = samplesOfLabel.get(label)!;
    for (let k = rows.length - 1; k >= 0; k--) {
      if (assigned[rows[k]]) continue;
      assign(rows[k], pick(argmaxes(foldDesire, argmaxes(labelDesire.get(label)!)), rng));
    }
  }
  for (let row = y.length - 1; row >= 0; row--)
    if (!assigned[row]) assign(row, pick(argmaxes(foldDesire), rng));
  return folds;
}

/** The label with the fewest unassigned samples (but some), the first seen on ties. */
function rarestLabel(unassignedOfLabel: Map<number, number>): number | undefined {
  let rarest: number | undefined;
  for (const [label, count] of unassignedOfLabel)
    if (count > 0 && (rarest === undefined || count < unassignedOfLabel.get(rarest)!)) rarest = label;
  return rarest;
}

/** Positions (among `candidates`, default all) holding the largest value. */
function argmaxes(
  values: readonly number[],
  candidates: readonly number[] = values.map((_, i) => i),
): number[] {
  const best = Math.max(...candidates.map((i) => values[i]));
  return candidates.filter((i) => values[i] === best);
}

function pick(options: readonly number[], rng: Rng): number {
  return options.length === 1 ? options[0] : options[Math.floor(rng() * options.length)];
}
