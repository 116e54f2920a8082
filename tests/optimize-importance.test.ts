/**
 * Parameter importance (first-order variance decomposition, epsilon-squared) and the Spearman
 * direction: a parameter that drives the value ranks first, one that does not explains ~nothing.
 */
import { describe, expect, it } from "vitest";
import { paramImportances } from "../src/tagifai/optimize/importance.js";
import { createRng } from "../src/tagifai/random.js";

describe("paramImportances", () => {
  it("ranks the parameter that drives the value first, with its direction; noise explains ~nothing", () => {
    const random = createRng(7);
    const trials = Array.from({ length: 60 }, () => {
      const lr = random();
      const noise = random();
      const kind = random() < 0.5 ? "a" : "b";
      return { params: { lr, noise, kind }, value: 2 * lr + (kind === "a" ? 0.3 : 0) + 0.05 * random() };
    });
    const [first, second, third] = paramImportances(trials);
    expect(first.param).toBe("lr");
    expect(first.explained).toBeGreaterThan(0.6);
    expect(first.spearman).toBeGreaterThan(0.9);
    expect(second.param).toBe("kind");
    expect(second.spearman).toBeNull();
    expect(third).toMatchObject({ param: "noise", trials: 60 });
    expect(third.explained).toBeLessThan(0.05);
    const sum = [first, second, third].reduce((s, r) => s + (r.normalized ?? 0), 0);
    expect(sum).toBeCloseTo(1, 10);
  });

  it("gives null when it cannot be estimated: too few trials, one value only, or a group per trial", () => {
    const few = paramImportances([
      { params: { x: 1 }, value: 1 },
      { params: { x: 2 }, value: 2 },
    ]);
    expect(few).toEqual([{ param: "x", explained: null, normalized: null, spearman: null, trials: 2 }]);
    const constant = paramImportances([1, 2, 3].map((value) => ({ params: { c: "same", x: value }, value })));
    expect(constant.find((r) => r.param === "c")?.explained).toBeNull();
    expect(constant.find((r) => r.param === "x")?.spearman).toBeCloseTo(1, 10);
    const eachOwn = paramImportances(["a", "b", "c", "d"].map((kind, i) => ({ params: { kind }, value: i })));
    expect(eachOwn[0].explained).toBeNull();
    // Five numbers make two groups (two trials or more each on average), never one per trial.
    const five = paramImportances([1, 2, 3, 4, 5].map((x) => ({ params: { x }, value: x })));
    expect(five[0].explained).toBeGreaterThan(0.5);
    expect(five[0].explained).toBeLessThan(1);
  });
});
