import { describe, expect, it } from "vitest";
import {
  type Direction,
  defaultGamma,
  type FrozenTrial,
  randomSampler,
  type Sampler,
  tpeSampler,
} from "../src/tagifai/optimize/samplers.js";
import { containsValue, type ParamValue, type SearchSpace } from "../src/tagifai/optimize/space.js";
import { createRng } from "../src/tagifai/random.js";

/** A 5-D space mixing a plain int, a stepped int, a float, a log-float and a categorical. */
const SPACE: SearchSpace = {
  embedding_dim: { type: "int", low: 128, high: 512 },
  num_filters: { type: "int", low: 16, high: 256, step: 16 },
  dropout_p: { type: "float", low: 0.3, high: 0.8 },
  lr: { type: "float", low: 1e-5, high: 1e-1, log: true },
  activation: { type: "categorical", choices: ["relu", "tanh", "gelu", "elu"] },
};

const ACTIVATION_COST: Record<string, number> = { relu: 0.5, tanh: 0.5, gelu: 0, elu: 1 };

/** A shifted bowl over SPACE (minimum 0 at embedding_dim 421, num_filters 80, dropout 0.42, lr 10^-3.5, gelu). */
function objective(p: Record<string, ParamValue>): number {
  return (
    (((p.embedding_dim as number) - 421) / 384) ** 2 +
    (((p.num_filters as number) - 80) / 240) ** 2 +
    (((p.dropout_p as number) - 0.42) / 0.5) ** 2 +
    ((Math.log10(p.lr as number) + 3.5) / 4) ** 2 +
    0.25 * ACTIVATION_COST[p.activation as string]
  );
}

/** Run a sequential study; return every proposal and the best value. */
function runStudy(sampler: Sampler, seed: number, nTrials: number, direction: Direction = "minimize") {
  const rng = createRng(seed);
  const sign = direction === "minimize" ? 1 : -1;
  const trials: FrozenTrial[] = [];
  for (let number = 0; number < nTrials; number++) {
    const params = sampler.sample(SPACE, trials, direction, rng);
    trials.push({ number, state: "COMPLETE", params, value: sign * objective(params), intermediate: {} });
  }
  const values = trials.map((t) => t.value!);
  return { trials, best: direction === "minimize" ? Math.min(...values) : Math.max(...values) };
}

/** Expect every proposal to set each parameter to a value of its distribution (ints as integers). */
function expectInSpace(proposals: readonly Record<string, ParamValue>[]): void {
  const outside = proposals.flatMap((params) =>
    Object.entries(SPACE)
      .filter(
        ([name, dist]) =>
          !containsValue(dist, params[name]) || (dist.type === "int" && !Number.isInteger(params[name])),
      )
      .map(([name]) => `${name} = ${params[name]}`),
  );
  expect(outside).toEqual([]);
  expect(proposals.every((params) => Object.keys(params).length === Object.keys(SPACE).length)).toBe(true);
}

/** Trials where a single float x took the given values, scored by `value(x)`. */
function trialsOf(xs: number[], value: (x: number) => number): FrozenTrial[] {
  return xs.map((x, number) => ({
    number,
    state: "COMPLETE",
    params: { x },
    value: value(x),
    intermediate: {},
  }));
}

const X_SPACE: SearchSpace = { x: { type: "float", low: 0, high: 1 } };
const GRID = Array.from({ length: 30 }, (_, i) => (i + 0.5) / 30);

describe("randomSampler", () => {
  const rng = createRng(0);
  const draws = Array.from({ length: 4000 }, () => randomSampler().sample(SPACE, [], "minimize", rng));

  it("stays inside the bounds, on the integer grids and among the choices", () => {
    expectInSpace(draws);
  });

  it("is uniform in log space for log parameters (each decade about equally often)", () => {
    for (let decade = -5; decade < -1; decade++) {
      const share =
        draws.filter((p) => Math.floor(Math.log10(p.lr as number)) === decade).length / draws.length;
      expect(share).toBeGreaterThan(0.21);
      expect(share).toBeLessThan(0.29);
    }
  });

  it("is uniform over an int grid, endpoints included", () => {
    const counts = new Map<ParamValue, number>();
    for (const p of draws) counts.set(p.num_filters, (counts.get(p.num_filters) ?? 0) + 1);
    expect(counts.size).toBe(16);
    for (const count of counts.values()) expect(count / draws.length).toBeCloseTo(1 / 16, 1);
    expect(counts.get(16)! / draws.length).toBeGreaterThan(0.045);
    expect(counts.get(256)! / draws.length).toBeGreaterThan(0.045);
  });

  it("covers every decade of a log-scaled int", () => {
    const space: SearchSpace = { units: { type: "int", low: 1, high: 1000, log: true } };
    const units = Array.from(
      { length: 3000 },
      () => randomSampler().sample(space, [], "minimize", rng).units as number,
    );
    expect(units.every((u) => Number.isInteger(u) && u >= 1 && u <= 1000)).toBe(true);
    for (const [lo, hi] of [
      [1, 10],
      [10, 100],
      [100, 1001],
    ]) {
      expect(units.filter((u) => u >= lo && u < hi).length / units.length).toBeGreaterThan(0.25);
    }
  });

  it("is deterministic given the rng", () => {
    const a = randomSampler().sample(SPACE, [], "minimize", createRng(7));
    expect(randomSampler().sample(SPACE, [], "minimize", createRng(7))).toEqual(a);
    expect(randomSampler().sample(SPACE, [], "minimize", createRng(8))).not.toEqual(a);
  });
});

describe("tpeSampler", () => {
  it("beats random search with the same budget (10 seeds × 60 trials, shifted 5-D bowl)", () => {
    const seeds = Array.from({ length: 10 }, (_, i) => 100 + i);
    const meanBest = (make: () => Sampler) =>
      seeds.reduce((sum, seed) => sum + runStudy(make(), seed, 60).best, 0) / seeds.length;
    const tpe = meanBest(() => tpeSampler());
    const random = meanBest(() => randomSampler());
    expect(tpe).toBeLessThan(0.5 * random);
  });

  it("also optimizes when maximizing", () => {
    const seeds = [1, 2, 3, 4, 5];
    const meanBest = (make: () => Sampler) =>
      seeds.reduce((sum, seed) => sum + runStudy(make(), seed, 50, "maximize").best, 0) / seeds.length;
    expect(meanBest(() => tpeSampler())).toBeGreaterThan(meanBest(() => randomSampler()));
  });

  it("only proposes values inside the space", () => {
    const { trials } = runStudy(tpeSampler({ nStartupTrials: 3 }), 11, 60);
    expectInSpace(trials.map((t) => t.params));
  });

  it("is deterministic given the rng", () => {
    const a = runStudy(tpeSampler(), 5, 25).trials.map((t) => t.params);
    const b = runStudy(tpeSampler(), 5, 25).trials.map((t) => t.params);
    const c = runStudy(tpeSampler(), 6, 25).trials.map((t) => t.params);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("samples randomly until nStartupTrials trials are COMPLETE (PRUNED and FAILED do not count)", () => {
    const nine = trialsOf(GRID.slice(0, 9), (x) => x);
    const others: FrozenTrial[] = [
      { number: 9, state: "PRUNED", params: { x: 0.5 }, intermediate: { 0: 1 } },
      { number: 10, state: "FAILED", params: { x: 0.6 }, intermediate: {} },
      { number: 11, state: "RUNNING", params: { x: 0.7 }, intermediate: {} },
    ];
    const random = randomSampler().sample(X_SPACE, [], "minimize", createRng(3));
    expect(tpeSampler().sample(X_SPACE, [...nine, ...others], "minimize", createRng(3))).toEqual(random);
    const ten = trialsOf(GRID.slice(0, 10), (x) => x);
    expect(tpeSampler().sample(X_SPACE, ten, "minimize", createRng(3))).not.toEqual(random);
  });

  it("follows the direction: proposals gather where the values are best", () => {
    const propose = (direction: Direction) => {
      const trials = trialsOf(GRID, (x) => x);
      const xs = Array.from(
        { length: 30 },
        (_, seed) => tpeSampler().sample(X_SPACE, trials, direction, createRng(seed)).x as number,
      );
      return xs.reduce((a, b) => a + b) / xs.length;
    };
    expect(propose("minimize")).toBeLessThan(0.25);
    expect(propose("maximize")).toBeGreaterThan(0.75);
  });

  it("counts PRUNED trials in gamma's n, and FAILED or RUNNING ones nowhere", () => {
    const seen: number[] = [];
    const gamma = (n: number) => {
      seen.push(n);
      return defaultGamma(n);
    };
    const complete = trialsOf(GRID, (x) => x);
    const others: FrozenTrial[] = [
      { number: 30, state: "PRUNED", params: { x: 0.5 }, intermediate: { 0: 0 } },
      { number: 31, state: "FAILED", params: { x: 0.5 }, intermediate: {} },
      { number: 32, state: "RUNNING", params: { x: 0.5 }, intermediate: {} },
    ];
    tpeSampler({ gamma }).sample(X_SPACE, [...complete, ...others], "minimize", createRng(1));
    expect(seen).toEqual([31]);
    const propose = (trials: FrozenTrial[]) => tpeSampler().sample(X_SPACE, trials, "minimize", createRng(9));
    expect(propose([...complete, ...others.slice(1)])).toEqual(propose(complete));
  });

  it("treats PRUNED trials as bad examples: proposals move away from them", () => {
    const complete = trialsOf(GRID, (x) => Math.abs(x - 0.5));
    const pruned: FrozenTrial[] = Array.from({ length: 40 }, (_, i) => ({
      number: 30 + i,
      state: "PRUNED",
      params: { x: 0.45 + (0.1 * i) / 40 },
      intermediate: { 0: 0 },
    }));
    const meanDistanceFromCentre = (trials: FrozenTrial[]) =>
      Array.from({ length: 40 }, (_, seed) =>
        Math.abs(
          (tpeSampler({ gamma: () => 3 }).sample(X_SPACE, trials, "minimize", createRng(seed)).x as number) -
            0.5,
        ),
      ).reduce((a, b) => a + b) / 40;
    expect(meanDistanceFromCentre([...complete, ...pruned])).toBeGreaterThan(
      1.5 * meanDistanceFromCentre(complete),
    );
  });

  it("skips trials whose value for a parameter is missing or outside its distribution", () => {
    const trials: FrozenTrial[] = [
      ...trialsOf(GRID, (x) => x),
      { number: 30, state: "COMPLETE", params: { x: 7 }, value: -1, intermediate: {} },
      { number: 31, state: "COMPLETE", params: {}, value: -2, intermediate: {} },
    ];
    const x = tpeSampler().sample(X_SPACE, trials, "minimize", createRng(1)).x as number;
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(1);
  });

  it("refuses invalid options", () => {
    for (const options of [
      { nStartupTrials: -1 },
      { nEiCandidates: 0 },
      { priorWeight: 0 },
      { nStartupTrials: 1.5 },
    ]) {
      expect(() => tpeSampler(options)).toThrow(expect.objectContaining({ code: "STUDY_ERROR" }));
    }
    const badGamma = tpeSampler({ gamma: () => -1 });
    expect(() =>
      badGamma.sample(
        X_SPACE,
        trialsOf(GRID, (x) => x),
        "minimize",
        createRng(1),
      ),
    ).toThrow(/gamma\(n\)/);
  });
});
