/** Sparse rows written densely, for the linear family's tests. */
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
