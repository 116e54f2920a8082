/**
 * The internal coordinate of a numeric parameter, where samplers work: log-scaled parameters are
 * handled as their logarithm, and an integer's range is widened by half a step on each side so that
 * every grid point owns a cell of equal width (as Optuna does).
 */
import type { FloatDistribution, IntDistribution } from "./space.js";

/** A numeric parameter seen in internal coordinates. */
export interface NumericAxis {
  /** Lower end of the internal range. */
  low: number;
  /** Upper end of the internal range. */
  high: number;
  /** Map a parameter value to internal coordinates. */
  toInternal(value: number): number;
  /** Map an internal coordinate back to the nearest valid parameter value (rounded, clipped). */
  fromInternal(x: number): number;
  /** The internal interval of the cell owned by an integer value; undefined for a real parameter. */
  cell(value: number): [number, number] | undefined;
}

/**
 * Build the internal axis of a numeric distribution.
 * @param dist an int or float distribution
 * @returns its internal range and the maps to and from it
 */
export function numericAxis(dist: IntDistribution | FloatDistribution): NumericAxis {
  const transform = dist.log ? Math.log : (v: number) => v;
  const untransform = dist.log ? Math.exp : (x: number) => x;
  const clip = (v: number) => Math.min(dist.high, Math.max(dist.low, v));
  if (dist.type === "float") {
    return {
      low: transform(dist.low),
      high: transform(dist.high),
      toInternal: transform,
      fromInternal: (x) => clip(untransform(x)),
      cell: () => undefined,
    };
  }
  const step = dist.step ?? 1;
  const half = step / 2;
  return {
    low: transform(dist.low - half),
    high: transform(dist.high + half),
    toInternal: transform,
    fromInternal: (x) => clip(dist.low + Math.round((untransform(x) - dist.low) / step) * step),
    cell: (value) => [transform(value - half), transform(value + half)],
  };
}
