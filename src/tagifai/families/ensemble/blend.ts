/**
 * An ensemble's probabilities: the weighted mean of its members' probabilities.
 */
import { TagifaiError } from "../../errors.js";

/** One member's probabilities and its weight in the blend. */
export interface BlendMember {
  /** `rows × classes` probabilities. */
  probabilities: readonly (readonly number[])[];
  /** Non-negative; weights are divided by their sum. */
  weight: number;
}

/**
 * Blend members' probabilities.
 * @param members each member's probabilities (all of the same shape) and weight
 * @returns `Σ wᵢ·pᵢ / Σ wᵢ`, element-wise
 * @throws TagifaiError INVALID_INPUT for no members, different shapes, a negative weight or weights
 *   summing to 0
 */
export function blendProbabilities(members: readonly BlendMember[]): number[][] {
  if (members.length === 0) throw new TagifaiError("INVALID_INPUT", "Cannot blend zero members");
  const total = members.reduce((sum, { weight }) => sum + weight, 0);
  if (!members.every(({ weight }) => weight >= 0) || !(total > 0))
    throw new TagifaiError(
      "INVALID_INPUT",
      `Ensemble weights must be non-negative with a positive sum, got ${members.map((m) => m.weight).join(", ")}`,
    );
  const [first, ...others] = members;
  others.forEach(({ probabilities }, m) => {
    if (probabilities.length !== first.probabilities.length)
      throw new TagifaiError(
        "INVALID_INPUT",
        `Cannot blend ${first.probabilities.length} rows of probabilities with ${probabilities.length} (member ${m + 1})`,
      );
    probabilities.forEach((row, i) => {
      if (row.length !== first.probabilities[i].length)
        throw new TagifaiError(
          "INVALID_INPUT",
          `Row ${i} has ${first.probabilities[i].length} probabilities in member 0 but ${row.length} in member ${m + 1}`,
        );
    });
  });
  return first.probabilities.map((row, i) =>
    row.map((_, c) => members.reduce((sum, m) => sum + m.weight * m.probabilities[i][c], 0) / total),
  );
}

/**
 * Blend members' probabilities given as parallel lists (see `blendProbabilities`).
 * @param weights one weight per member
 * @param probabilities each member's `rows × classes` probabilities, in the same order
 * @returns the weighted mean, element-wise
 */
export function blendWith(weights: readonly number[], probabilities: readonly number[][][]): number[][] {
  return blendProbabilities(probabilities.map((rows, i) => ({ probabilities: rows, weight: weights[i] })));
}
