/**
 * Checks on the label and probability matrices the metrics take (`rows × classes`): non-empty,
 * rectangular, of equal shapes, labels 0/1. Errors are INVALID_INPUT and say what is wrong where.
 */
import { TagifaiError } from "../errors.js";

/**
 * Check that two label matrices are non-empty, rectangular and of the same shape.
 * @returns their shape
 * @throws TagifaiError INVALID_INPUT naming both shapes
 */
export function assertSameShape(
  nameA: string,
  a: number[][],
  nameB: string,
  b: number[][],
): { rows: number; columns: number } {
  const shapeA = shapeOf(nameA, a);
  const shapeB = shapeOf(nameB, b);
  if (shapeA.rows !== shapeB.rows || shapeA.columns !== shapeB.columns)
    throw invalidInput(
      `${nameA} is ${shapeA.rows}×${shapeA.columns} but ${nameB} is ${shapeB.rows}×${shapeB.columns}`,
    );
  return shapeA;
}

/**
 * The shape of a label matrix.
 * @throws TagifaiError INVALID_INPUT when it has no rows or is ragged
 */
export function shapeOf(name: string, matrix: number[][]): { rows: number; columns: number } {
  if (matrix.length === 0) throw invalidInput(`${name} has no rows`);
  const columns = matrix[0].length;
  const raggedRow = matrix.findIndex((row) => row.length !== columns);
  if (raggedRow >= 0)
    throw invalidInput(
      `${name} is ragged: row 0 has ${columns} columns but row ${raggedRow} has ${matrix[raggedRow].length}`,
    );
  return { rows: matrix.length, columns };
}

/**
 * Check that every entry of a label matrix is 0 or 1.
 * @throws TagifaiError INVALID_INPUT naming the first other entry
 */
export function assertBinary(name: string, matrix: number[][]): void {
  matrix.forEach((row, i) => {
    const j = row.findIndex((value) => !isBinary(value));
    if (j >= 0) throw invalidInput(`${name}[${i}][${j}] is ${row[j]}, not 0 or 1`);
  });
}

/** Whether a label is 0 or 1. */
export function isBinary(value: number): boolean {
  return value === 0 || value === 1;
}

/** The error for bad metric inputs (INVALID_INPUT). */
export function invalidInput(message: string): TagifaiError {
  return new TagifaiError("INVALID_INPUT", message);
}
