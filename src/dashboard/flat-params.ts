/**
 * A run's params as one flat record: nested objects become dotted keys (`cnn.lr`), as the run table's
 * param columns and the comparison's parallel coordinates name them.
 */

/**
 * Flatten a run's params.
 * @param params the params as logged (nested objects allowed)
 * @param prefix put before every key (used when recursing)
 * @returns the params with dotted keys; arrays and other values unchanged
 */
export function flatParams(params: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      Object.assign(flat, flatParams(value as Record<string, unknown>, `${prefix}${key}.`));
    else flat[`${prefix}${key}`] = value;
  }
  return flat;
}
