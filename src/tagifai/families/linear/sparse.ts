/**
 * Sparse vectors and matrices for the linear models: a row is its nonzero columns (ascending) and
 * their values; a matrix packs rows in compressed sparse row (CSR) form for fast passes.
 */

/** One sparse row: `indices` (ascending column numbers) and their `values`, same length. */
export interface SparseRow {
  indices: Int32Array;
  values: Float32Array;
}

/** Rows in CSR form: row `i`'s entries are `indices/values[indptr[i] .. indptr[i + 1])`. */
export interface SparseMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/**
 * Pack sparse rows into one CSR matrix.
 * @param rows the rows (their columns must be below `cols`)
 * @param cols the number of columns
 * @returns the matrix, sharing no memory with the rows
 */
export function toCsr(rows: readonly SparseRow[], cols: number): SparseMatrix {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((row, i) => {
    indptr[i + 1] = indptr[i] + row.indices.length;
  });
  const indices = new Int32Array(indptr[rows.length]);
  const values = new Float32Array(indptr[rows.length]);
  rows.forEach((row, i) => {
    indices.set(row.indices, indptr[i]);
    values.set(row.values, indptr[i]);
  });
  return { rows: rows.length, cols, indptr, indices, values };
}

/**
 * Product with a dense matrix, `X·W`.
 * @param X the sparse matrix
 * @param W a dense `X.cols × width` matrix, row-major (entry (j, c) at `j · width + c`); extra
 *   trailing entries are ignored
 * @param width the number of columns of `W`
 * @param out where to write the dense `X.rows × width` result, row-major (overwritten)
 * @returns `out`
 */
export function multiplyDense(
  X: SparseMatrix,
  W: Float64Array,
  width: number,
  out: Float64Array,
): Float64Array {
  const { indptr, indices, values } = X;
  out.fill(0);
  for (let i = 0; i < X.rows; i++) {
    const outBase = i * width;
    const end = indptr[i + 1];
    for (let k = indptr[i]; k < end; k++) {
      const value = values[k];
      const base = indices[k] * width;
      for (let c = 0; c < width; c++) out[outBase + c] += value * W[base + c];
    }
  }
  return out;
}

/**
 * Transposed product with a dense matrix, `Xᵀ·R`.
 * @param X the sparse matrix
 * @param R a dense `X.rows × width` matrix, row-major
 * @param width the number of columns of `R`
 * @param out where to write the dense `X.cols × width` result, row-major, into its first
 *   `X.cols · width` entries (overwritten; later entries are left alone)
 * @returns `out`
 */
export function multiplyDenseTransposed(
  X: SparseMatrix,
  R: Float64Array,
  width: number,
  out: Float64Array,
): Float64Array {
  const { indptr, indices, values } = X;
  out.fill(0, 0, X.cols * width);
  for (let i = 0; i < X.rows; i++) {
    const rBase = i * width;
    const end = indptr[i + 1];
    for (let k = indptr[i]; k < end; k++) {
      const value = values[k];
      const base = indices[k] * width;
      for (let c = 0; c < width; c++) out[base + c] += value * R[rBase + c];
    }
  }
  return out;
}
