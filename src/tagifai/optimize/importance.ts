/**
 * Parameter importance of a study: how much of the spread of its COMPLETE trials' values each
 * parameter explains on its own.
 *
 * Method — a first-order (main effect) variance decomposition, the quantity fANOVA reports as a
 * parameter's importance, estimated without fANOVA's random forest: the trials are grouped by the
 * parameter's value (each category its own group; numbers cut into up to `MAX_BINS` groups of
 * near-equal size by rank, with two trials or more a group on average), and the importance is the share of the values' variance between the
 * groups, corrected for the share that chance alone gives with that many groups and trials
 * (epsilon-squared: `(SS_between − (k − 1)·MS_within) / SS_total`, clamped at 0). It ignores
 * interactions between parameters and is noisy with few trials (it needs at least 3 trials with
 * the parameter, 2 groups and more trials than groups; otherwise it is null). Importances are also given normalized to sum
 * to 1 over the parameters, as Optuna shows them. For a numeric parameter, Spearman's rank
 * correlation with the value says in which direction the value moves as the parameter grows.
 */

/** A parameter value of a trial. */
export type ParamValue = number | string | boolean;

/** A COMPLETE trial: its params and its value. */
export interface ScoredTrial {
  params: Record<string, ParamValue>;
  value: number;
}

/** The importance of one parameter. */
export interface ParamImportance {
  param: string;
  /** Share of the values' variance explained by the parameter alone (epsilon-squared), 0–1; null when it cannot be estimated. */
  explained: number | null;
  /** `explained` divided by the sum over the parameters (0 when they all explain nothing). */
  normalized: number | null;
  /** Spearman's rank correlation of a numeric parameter with the value; null for categories. */
  spearman: number | null;
  /** Trials with the parameter. */
  trials: number;
}

/** Most groups a numeric parameter is cut into. */
export const MAX_BINS = 5;

/**
 * The importance of every parameter of the trials, most important first (unknown last).
 * @param trials the COMPLETE trials with their values
 * @returns one entry per parameter name any trial has
 */
export function paramImportances(trials: readonly ScoredTrial[]): ParamImportance[] {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const raw = names.map((param) => {
    const withParam = trials.filter((t) => param in t.params);
    const values = withParam.map((t) => t.params[param]);
    const numeric = values.every((v) => typeof v === "number");
    const groups = numeric ? rankGroups(values as number[]) : values.map((v) => String(v));
    const ys = withParam.map((t) => t.value);
    return {
      param,
      explained: epsilonSquared(groups, ys),
      spearman: numeric ? spearman(values as number[], ys) : null,
      trials: withParam.length,
    };
  });
  const total = raw.reduce((sum, r) => sum + (r.explained ?? 0), 0);
  return raw
    .map((r) => ({
      ...r,
      normalized: r.explained === null ? null : total > 0 ? r.explained / total : 0,
    }))
    .sort((a, b) => (b.explained ?? -1) - (a.explained ?? -1) || a.param.localeCompare(b.param));
}

/** Each number's group: up to MAX_BINS groups of near-equal size by rank (ties kept together). */
function rankGroups(values: readonly number[]): string[] {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const bins = Math.max(1, Math.min(MAX_BINS, distinct.length, Math.floor(values.length / 2)));
  const ranks = averageRanks(values);
  return ranks.map((rank) => String(Math.min(bins - 1, Math.floor(((rank - 1) * bins) / values.length))));
}

/** Epsilon-squared of the values grouped as given; null with under 3 values, under 2 groups or no fewer groups than values. */
function epsilonSquared(groups: readonly string[], ys: readonly number[]): number | null {
  const n = ys.length;
  const byGroup = new Map<string, number[]>();
  for (const [i, g] of groups.entries()) byGroup.set(g, [...(byGroup.get(g) ?? []), ys[i]]);
  const k = byGroup.size;
  if (n < 3 || k < 2 || k >= n) return null;
  const mean = ys.reduce((s, y) => s + y, 0) / n;
  const total = ys.reduce((s, y) => s + (y - mean) ** 2, 0);
  if (total === 0) return 0;
  let between = 0;
  for (const members of byGroup.values()) {
    const m = members.reduce((s, y) => s + y, 0) / members.length;
    between += members.length * (m - mean) ** 2;
  }
  const within = total - between;
  const msWithin = within / (n - k);
  return Math.max(0, Math.min(1, (between - (k - 1) * msWithin) / total));
}

/** Ranks from 1, ties given their average rank. */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    for (let j = start; j <= end; j++) ranks[order[j].i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's rank correlation; null with under 3 pairs or a constant side. */
function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 3) return null;
  const [rx, ry] = [averageRanks(xs), averageRanks(ys)];
  const mean = (xs.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) ** 2;
    syy += (ry[i] - mean) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}
