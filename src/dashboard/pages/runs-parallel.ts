/**
 * The compared runs in parallel coordinates: one axis per numeric param whose value differs between
 * them (nested params as dotted keys) and one per chosen metric column that every one of them has;
 * one line per run, in the color of its validation-loss curve.
 */
import type { RunView } from "../../tagifai/serve/contract.js";
import { COLORS } from "../charts.js";
import { h } from "../dom.js";
import { flatParams } from "../flat-params.js";
import { type Dimension, parallelCoordinates } from "../parallel.js";
import { runNameAndId } from "../served.js";

/** A metric to plot: its key in the runs' metrics and its axis title. */
export interface PlottedMetric {
  key: string;
  title: string;
}

/**
 * The plot of the compared runs with a note on what it shows and leaves out (nothing below two runs).
 * @param runs the compared runs, in the order of their curves (named as the dashboard names runs)
 * @param metrics the metric columns chosen in the run table
 * @returns the note and the plot
 */
export function compareParallel(runs: readonly RunView[], metrics: readonly PlottedMetric[]): HTMLElement {
  const block = h("div", { id: "compare-parallel" });
  if (runs.length < 2) return block;
  const params = runs.map((run) => flatParams(run.params));
  const keys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
  const differs = (key: string) => new Set(params.map((p) => JSON.stringify(p[key]))).size > 1;
  const numeric = keys.filter((key) => params.every((p) => typeof p[key] === "number") && differs(key));
  const notNumeric = keys.filter((key) => !numeric.includes(key) && differs(key));
  const shared = metrics.filter((metric) => runs.every((run) => typeof run.metrics[metric.key] === "number"));
  const missing = metrics.filter((metric) => !shared.includes(metric));
  const dimensions: Dimension[] = [
    ...numeric.map((key) => ({ name: key, values: params.map((p) => p[key] as number) })),
    ...shared.map((metric) => ({ name: metric.title, values: runs.map((run) => run.metrics[metric.key]) })),
  ];
  const leftOut = [
    notNumeric.length === 0
      ? ""
      : ` Left out: ${notNumeric.join(", ")} (differing, but not a number in every compared run).`,
    missing.length === 0
      ? ""
      : ` Not every compared run has ${missing.map((metric) => metric.title).join(", ")}.`,
  ].join("");
  if (dimensions.length === 0) {
    block.append(
      h(
        "p",
        { class: "muted" },
        `No parallel coordinates: these runs differ in no numeric param and share none of the chosen metrics.${leftOut}`,
      ),
    );
    return block;
  }
  block.append(
    h(
      "p",
      { class: "muted" },
      `One line per compared run, in the color of its curve; one axis per numeric param that differs between them and per chosen metric (see Columns).${leftOut}`,
    ),
    parallelCoordinates(dimensions, {
      title: "Parallel coordinates of the compared runs",
      names: runs.map((run) => runNameAndId(run.name, run.run_id)),
      colors: { each: runs.map((_, i) => COLORS[i % COLORS.length]) },
    }),
  );
  return block;
}
