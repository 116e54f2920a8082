/**
 * The distribution of text lengths in a dataset, for the dashboard's Data page: a histogram of
 * equal-width bins over `[0, upper)` (the upper edge is the longest text rounded up to a round
 * number, so bin edges read well), with the shortest, median, mean and longest length.
 */

/** One bin of the histogram: lengths in `[from, to)`. */
export interface LengthBin {
  from: number;
  to: number;
  count: number;
}

/** The length distribution of some texts, in characters. */
export interface TextLengths {
  count: number;
  min: number;
  median: number;
  mean: number;
  max: number;
  bins: LengthBin[];
}

/** A round upper edge at or above `value`: 1, 2 or 5 times a power of ten. */
function roundUp(value: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  return [1, 2, 5, 10].map((step) => step * power).find((edge) => edge >= value) ?? 10 * power;
}

/**
 * The histogram and summary of the texts' lengths (in characters, as JavaScript counts them).
 * @param texts the texts
 * @param binCount how many equal-width bins (at least 1)
 * @returns the distribution; no texts give zero counts and no bins
 */
export function textLengths(texts: readonly string[], binCount = 20): TextLengths {
  const lengths = texts.map((text) => text.length).sort((a, b) => a - b);
  const count = lengths.length;
  if (count === 0) return { count: 0, min: 0, median: 0, mean: 0, max: 0, bins: [] };
  const max = lengths[count - 1];
  const middle = Math.floor(count / 2);
  const median = count % 2 === 1 ? lengths[middle] : (lengths[middle - 1] + lengths[middle]) / 2;
  const upper = roundUp(max + 1);
  const width = Math.max(1, Math.ceil(upper / binCount));
  const bins = Array.from({ length: Math.ceil(upper / width) }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width,
    count: 0,
  }));
  for (const length of lengths) bins[Math.floor(length / width)].count++;
  const mean = lengths.reduce((sum, length) => sum + length, 0) / count;
  return { count, min: lengths[0], median, mean, max, bins };
}
