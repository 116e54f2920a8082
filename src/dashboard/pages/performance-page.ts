/**
 * Performance page: the test metrics of a run the user picks by name (default: the served model):
 * overall, per class (with each class's decision threshold), slices, the precision-recall curve of
 * a chosen class with its threshold marked, the worst classes and the most confident mistakes.
 */
import type { Metrics, Performance } from "../../tagifai/eval.js";
import type { RunPerformanceData, RunView } from "../../tagifai/serve/contract.js";
import { getData } from "../api.js";
import { destroyCharts, drawChart, drawScatter } from "../charts.js";
import { type Column, emptyState, errorBox, fmt, h, section, sig, table } from "../dom.js";
import type { PageContext } from "../page.js";
import { runLabel, servedModel } from "../served.js";
import { loadAllRuns } from "./runs-page.js";

type Named = Metrics & { name: string };

/** Precision, recall, F1 and support columns, sortable. */
const METRIC_COLUMNS: Column<Named>[] = [
  { title: "Precision", cell: (m) => fmt(m.precision), sortKey: (m) => m.precision },
  { title: "Recall", cell: (m) => fmt(m.recall), sortKey: (m) => m.recall },
  { title: "F1", cell: (m) => fmt(m.f1), sortKey: (m) => m.f1 },
  { title: "Samples", cell: (m) => m.num_samples, sortKey: (m) => m.num_samples },
];

/** The key under which the performance report combines every slice. */
const SLICES_COMBINED = "overall";

/**
 * Render the Performance page.
 * @param root the page's element (in the document)
 * @param context the run to show (`#/performance/<id>`); default the served model
 */
export async function renderPerformancePage(root: HTMLElement, context: PageContext): Promise<void> {
  const [runs, served] = await Promise.all([
    loadAllRuns().then((all) => all.filter((run) => run.status === "FINISHED")),
    servedModel(),
  ]);
  root.append(h("h1", {}, "Performance"));
  if (runs.length === 0) {
    root.append(
      emptyState("No finished run yet: train one with `tagifai train-model`, then reload.", context.reload),
    );
    return;
  }
  const chosen =
    runs.find((run) => run.run_id === context.arg) ??
    runs.find((run) => run.run_id === served?.run_id) ??
    runs[0];
  const picker = h(
    "select",
    { id: "performance-run" },
    ...runs.map((run) =>
      h(
        "option",
        { value: run.run_id },
        run.run_id === served?.run_id ? `${runLabel(run)} (served)` : runLabel(run),
      ),
    ),
  );
  picker.value = chosen.run_id;
  const shown = h("div", { id: "performance-view" });
  picker.addEventListener("change", () => {
    history.replaceState(null, "", `#/performance/${picker.value}`);
    void showPerformance(shown, runs.find((run) => run.run_id === picker.value) ?? chosen);
  });
  root.append(
    h("p", { class: "picker" }, h("label", { for: "performance-run" }, "Run "), picker),
    h("p", { class: "muted" }, "Every figure is measured on the run's test split."),
    shown,
  );
  await showPerformance(shown, chosen);
}

/** Replace `parent`'s content with the run's performance report. */
async function showPerformance(parent: HTMLElement, run: RunView): Promise<void> {
  try {
    const data = await getData<RunPerformanceData>(`/api/runs/${run.run_id}/performance`);
    destroyCharts(parent);
    parent.replaceChildren();
    if (data.performance === null) {
      parent.append(
        h(
          "p",
          { class: "note" },
          `Run ${run.name} saved no performance report (it has no model artifacts). Pick another run.`,
        ),
      );
      return;
    }
    renderReport(parent, data.performance as Performance);
  } catch (error) {
    parent.replaceChildren(errorBox(error));
  }
}

/**
 * Append every section of a performance report: overall, per class, slices, PR curves, worst
 * classes, most confident mistakes.
 * @param parent where the sections go (in the document: charts measure it)
 * @param performance the report
 */
export function renderReport(parent: HTMLElement, performance: Performance): void {
  const { overall } = performance;
  const card = (label: string, value: string | number) =>
    h("div", { class: "card" }, h("span", {}, label), h("strong", {}, value));
  parent.append(
    section(
      "Overall (weighted over classes)",
      h(
        "div",
        { class: "cards" },
        ...(["precision", "recall", "f1"] as const).map((key) => card(key, fmt(overall[key]))),
        card("samples", overall.num_samples),
        performance.accuracy === undefined ? null : card("accuracy", fmt(performance.accuracy)),
      ),
    ),
  );

  const thresholds = performance.thresholds;
  const classes = named(performance.class).sort((a, b) => b.f1 - a.f1);
  const perClass = section(
    "Per class",
    table(
      [
        { title: "Tag", cell: (m) => m.name, sortKey: (m) => m.name },
        ...METRIC_COLUMNS,
        ...(thresholds === undefined
          ? []
          : [
              {
                title: "Threshold",
                cell: (m: Named) => sig(thresholds[m.name], 3),
                sortKey: (m: Named) => thresholds[m.name] ?? 0,
              },
            ]),
      ],
      classes,
    ),
  );
  parent.append(perClass);
  drawChart(
    perClass,
    "bar",
    classes.map((m) => m.name),
    (["precision", "recall", "f1"] as const).map((key) => ({ label: key, data: classes.map((m) => m[key]) })),
    { horizontal: true, title: "Per-class precision, recall and F1", y: "tag" },
  );

  const slices = named(performance.slices).filter((m) => m.name !== SLICES_COMBINED);
  const combined = performance.slices[SLICES_COMBINED];
  if (slices.length > 0) {
    parent.append(
      section(
        "Slices",
        h("p", { class: "muted" }, "Micro-averaged metrics on the test projects each slice selects."),
        table(
          [{ title: "Slice", cell: (m) => m.name }, ...METRIC_COLUMNS],
          [...slices, ...(combined === undefined ? [] : [{ ...combined, name: "all slices together" }])],
        ),
      ),
    );
  }
  if (performance.pr_curves !== undefined) {
    const curves = curvesSection(performance);
    parent.append(curves.element);
    curves.draw();
  }
  if (performance.worst_classes !== undefined) {
    parent.append(
      section(
        "Worst classes (lowest F1)",
        table(
          [{ title: "Tag", cell: (m) => m.name }, ...METRIC_COLUMNS],
          performance.worst_classes.map((m) => ({ ...m, name: m.class })),
        ),
      ),
    );
  }
  if (performance.confident_mistakes !== undefined) {
    parent.append(
      section(
        "Most confident mistakes",
        h("p", { class: "muted" }, "The wrong predictions the model was surest of, surest first."),
        table(
          [
            { title: "Text", cell: (m) => h("span", { class: "text" }, m.text) },
            { title: "True tags", cell: (m) => m.true.join(", ") },
            { title: "Predicted", cell: (m) => m.predicted.join(", ") || "(none)" },
            { title: "Sureness", cell: (m) => fmt(m.probability) },
          ],
          performance.confident_mistakes,
        ),
      ),
    );
  }
}

/**
 * The precision-recall curve of a chosen class, its decision threshold marked; `draw` draws it
 * once the section is in the document (chart.js measures its parent).
 */
function curvesSection(performance: Performance): { element: HTMLElement; draw: () => void } {
  const curves = performance.pr_curves ?? {};
  const names = Object.keys(curves).sort();
  const picker = h("select", { id: "pr-class" }, ...names.map((name) => h("option", { value: name }, name)));
  const chart = h("div", { id: "pr-curve" });
  const show = () => {
    destroyCharts(chart);
    chart.replaceChildren();
    const name = picker.value;
    const curve = curves[name];
    const points = curve.recall.map((recall, i) => ({ x: recall, y: curve.precision[i] }));
    const threshold = performance.thresholds?.[name];
    const series = [{ label: `precision-recall of ${name}`, points }];
    if (threshold !== undefined) {
      // The curve's point whose threshold is closest to the chosen one.
      const i = curve.thresholds.reduce(
        (best, t, k) => (Math.abs(t - threshold) < Math.abs(curve.thresholds[best] - threshold) ? k : best),
        0,
      );
      series.push({ label: `threshold ${sig(threshold, 3)}`, points: [points[i]] });
      chart.append(
        h(
          "p",
          { class: "muted" },
          `Decision threshold ${sig(threshold, 3)}: precision ${fmt(curve.precision[i])}, recall ${fmt(curve.recall[i])} at the nearest point of the curve.`,
        ),
      );
    }
    drawScatter(chart, series, {
      title: `Precision-recall curve of ${name}`,
      x: { title: "recall", axis: { type: "linear" } },
      y: { title: "precision" },
      lines: true,
    });
  };
  picker.addEventListener("change", show);
  const element = section(
    "Precision-recall curves",
    h("p", { class: "picker" }, h("label", { for: "pr-class" }, "Tag "), picker),
    chart,
  );
  return { element, draw: show };
}

function named(metrics: Record<string, Metrics>): Named[] {
  return Object.entries(metrics).map(([name, m]) => ({ name, ...m }));
}
