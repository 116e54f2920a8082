/** Sparse rows written densely, and the small problem the linear family's tests fit, for those tests. */
import type { SparseRow } from "../../src/tagifai/families/linear/sparse.js";

/**
 * @param rows dense rows
 * @returns the same rows as sparse ones, zeros left out
 */
export function sparseRows(rows: readonly (readonly number[])[]): SparseRow[] {
  return rows.map((row) => {
    const indices = row.flatMap((value, j) => (value === 0 ? [] : [j]));
    return { indices: Int32Array.from(indices), values: Float32Array.from(indices, (j) => row[j]) };
  });
}

/** Seven rows of four features: the problem the classifiers' scikit-learn comparisons fit. */
export const FOUR_FEATURE_ROWS: readonly (readonly number[])[] = [
  [1, 0, 0.5, 0],
  [0.8, 0.2, 0, 0],
  [0, 1, 0, 0.3],
  [0, 0.7, 0.1, 0],
  [0, 0, 1, 0.6],
  [0.2, 0, 0.9, 0],
  [0.1, 0.1, 0, 1],
];
