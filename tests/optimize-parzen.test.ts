import { describe, expect, it } from "vitest";
import {
  logNormalCdf,
  logNormalMass,
  logSumExp,
  sampleTruncatedNormal,
} from "../src/tagifai/optimize/normal.js";
import {
  defaultWeights,
  fitParzenEstimator,
  neighbourBandwidths,
  type ParzenOptions,
} from "../src/tagifai/optimize/parzen.js";
import type { Distribution, IntDistribution } from "../src/tagifai/optimize/space.js";
import { createRng } from "../src/tagifai/random.js";

const OPTIONS: ParzenOptions = { priorWeight: 1, considerEndpoints: false, weights: defaultWeights };

describe("normal distribution in log space", () => {
  it("matches reference values of log Φ, deep into both tails", () => {
    // Reference: Python math.log(0.5 * math.erfc(-x / math.sqrt(2))).
    const reference: [number, number][] = [
      [0, -Math.LN2],
      [1.96, -0.025315649164282163],
      [-1, -1.8410216450092634],
      [-10, -53.23128515051246],
      [-30, -454.3212439563431],
      [5, -2.866516130081049e-7],
    ];
    for (const [x, expected] of reference) {
      expect(Math.abs(logNormalCdf(x) - expected)).toBeLessThan(2e-7 * Math.max(1, Math.abs(expected)));
    }
  });

  it("computes interval masses without cancellation, symmetric in the tails", () => {
    expect(logNormalMass(-1, 1)).toBeCloseTo(-0.38171514630212616, 6);
    expect(logNormalMass(-9, -8)).toBeCloseTo(-35.013618593437144, 5);
    expect(logNormalMass(8, 9)).toBeCloseTo(-35.013618593437144, 5);
    expect(logNormalMass(2, 2)).toBe(Number.NEGATIVE_INFINITY);
  });

  it("sums exponentials stably", () => {
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.log(2), 10);
    expect(logSumExp([Number.NEGATIVE_INFINITY])).toBe(Number.NEGATIVE_INFINITY);
  });

  it("draws truncated normals inside the interval with the right mean", () => {
    const rng = createRng(1);
    const draws = Array.from({ length: 4000 }, () => sampleTruncatedNormal(0, 2, rng));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(2);
    // Mean of N(0,1) truncated to [0, 2]: (φ(0) − φ(2)) / (Φ(2) − Φ(0)) = 0.7459.
    expect(draws.reduce((a, b) => a + b) / draws.length).toBeCloseTo(0.746, 1);
    expect(() => sampleTruncatedNormal(1, 2, rng)).toThrow(expect.objectContaining({ code: "STUDY_ERROR" }));
  });
});

describe("observation weights and bandwidths", () => {
  it("weights the 25 newest observations fully and ramps older ones (Optuna's default_weights)", () => {
    expect(defaultWeights(0)).toEqual([]);
    expect(defaultWeights(3)).toEqual([1, 1, 1]);
    expect(defaultWeights(26)).toEqual([1 / 26, ...Array(25).fill(1)]);
    const w = defaultWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBe(1);
    expect(w[2] - w[1]).toBeCloseTo(w[1] - w[0], 12);
  });

  it("uses the larger neighbour distance, the prior centre counting as a neighbour", () => {
    // Sorted centres 0.1, 0.2, (prior) 0.5, 0.9 between the ends 0 and 1: 0.2 is 0.1 from its left
    // neighbour and 0.3 from its right one; the outermost points use their inner neighbour.
    expect(neighbourBandwidths([0.9, 0.1, 0.2], 0, 1, false).map((s) => s.toFixed(6))).toEqual([
      "0.400000",
      "0.100000",
      "0.300000",
    ]);
  });

  it("ignores the range ends for the outermost points unless considerEndpoints", () => {
    expect(neighbourBandwidths([0.4, 0.45], 0, 1, false).map((s) => s.toFixed(6))).toEqual([
      "0.050000",
      "0.050000",
    ]);
    expect(neighbourBandwidths([0.4, 0.45], 0, 1, true).map((s) => s.toFixed(6))).toEqual([
      "0.400000",
      "0.050000",
    ]);
  });
});

/** Integrate exp(f) over [a, b] with the trapezoid rule. */
function integrate(f: (x: number) => number, a: number, b: number, n = 20_000): number {
  const h = (b - a) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) sum += (i === 0 || i === n ? 0.5 : 1) * Math.exp(f(a + i * h));
  return sum * h;
}

describe("Parzen estimator", () => {
  it("is a density on a real range, peaked at the observations", () => {
    const dist: Distribution = { type: "float", low: 0, high: 10 };
    const estimator = fitParzenEstimator(dist, [2, 2.5, 3], OPTIONS);
    expect(integrate((x) => estimator.logPdf(x), 0, 10)).toBeCloseTo(1, 3);
    expect(estimator.logPdf(2.5)).toBeGreaterThan(estimator.logPdf(8) + 1);
  });

  it("is a density in log space for a log-scaled parameter", () => {
    const dist: Distribution = { type: "float", low: 1e-5, high: 1e-1, log: true };
    const estimator = fitParzenEstimator(dist, [1e-4, 3e-4], OPTIONS);
    expect(integrate((u) => estimator.logPdf(Math.exp(u)), Math.log(1e-5), Math.log(1e-1))).toBeCloseTo(1, 3);
    expect(estimator.logPdf(2e-4)).toBeGreaterThan(estimator.logPdf(2e-2));
  });

  it.each<[string, IntDistribution, number[]]>([
    ["int", { type: "int", low: 128, high: 512 }, [200, 210, 500]],
    ["stepped int", { type: "int", low: 16, high: 256, step: 16 }, [16, 64]],
    ["log int", { type: "int", low: 1, high: 1000, log: true }, [3, 700]],
  ])("gives a %s parameter probabilities summing to 1 over its grid", (_, dist, observed) => {
    const estimator = fitParzenEstimator(dist, observed, OPTIONS);
    const step = dist.step ?? 1;
    let total = 0;
    for (let v = dist.low; v <= dist.high; v += step) total += Math.exp(estimator.logPdf(v));
    expect(total).toBeCloseTo(1, 5);
    expect(estimator.logPdf(observed[0])).toBeGreaterThan(estimator.logPdf(dist.high - step));
  });

  it("weights categorical counts plus a uniform prior", () => {
    const dist: Distribution = { type: "categorical", choices: ["a", "b", "c"] };
    const estimator = fitParzenEstimator(dist, ["a", "a", "b"], OPTIONS);
    const p = dist.choices.map((c) => Math.exp(estimator.logPdf(c)));
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    // Kernel weight 1/4 each; an observation's kernel is (1/4 + [observed]) / (3/4 + 1); prior 1/3.
    const kernel = (hit: boolean) => (0.25 + (hit ? 1 : 0)) / 1.75;
    expect(p[0]).toBeCloseTo(0.25 * (2 * kernel(true) + kernel(false)) + 0.25 / 3, 12);
    expect(p[2]).toBeCloseTo(0.25 * 3 * kernel(false) + 0.25 / 3, 12);
  });

  it("is the prior alone without observations", () => {
    const estimator = fitParzenEstimator({ type: "categorical", choices: [1, 2, 3, 4] }, [], OPTIONS);
    expect(Math.exp(estimator.logPdf(3))).toBeCloseTo(0.25, 12);
  });

  it("samples inside the range, mostly near the observations", () => {
    const dist: Distribution = { type: "int", low: 0, high: 100 };
    const estimator = fitParzenEstimator(dist, Array(20).fill(80), OPTIONS);
    const rng = createRng(3);
    const draws = Array.from({ length: 500 }, () => estimator.sample(rng) as number);
    expect(draws.every((v) => Number.isInteger(v) && v >= 0 && v <= 100)).toBe(true);
    expect(draws.filter((v) => Math.abs(v - 80) <= 10).length).toBeGreaterThan(400);
  });

  it("refuses a weights function returning unusable weights", () => {
    const dist: Distribution = { type: "float", low: 0, high: 1 };
    for (const weights of [() => [1], () => [-1, 1], () => [0, 0], () => [Number.NaN, 1]]) {
      expect(() => fitParzenEstimator(dist, [0.1, 0.2], { ...OPTIONS, weights })).toThrow(
        expect.objectContaining({ code: "STUDY_ERROR" }),
      );
    }
  });
});
