/**
 * Performance page: the served run's test metrics overall, per class (sortable table and chart)
 * and on data slices.
 */
import type { Metrics, Performance } from "../../tagifai/eval.js";
import type { PerformanceData } from "../../tagifai/serve/schemas.js";
import { getData } from "../api.js";
import { drawChart } from "../charts.js";
import { type Column, fmt, h, section, table } from "../dom.js";

type Named = Metrics & { name: string };

/** Precision, recall, F1 and support columns, sortable. */
const METRIC_COLUMNS: Column<Named>[] = [
  { title: "Precision", cell: (m) => fmt(m.precision), sortKey: (m) => m.precision },
  { title: "Recall", cell: (m) => fmt(m.recall), sortKey: (m) => m.recall },
  { title: "F1", cell: (m) => fmt(m.f1), sortKey: (m) => m.f1 },
  { title: "Samples", cell: (m) => m.num_samples, sortKey: (m) => m.num_samples },
];

/**
 * Render the Performance page.
 * @param root the page's element (in the document)
 */
export async function renderPerformancePage(root: HTMLElement): Promise<void> {
  const data = await getData<PerformanceData>("/performance");
  const performance = data.performance as Performance;
  root.append(
    h("h2", {}, "Performance"),
    h("p", {}, "Test set metrics of the served run ", h("code", {}, data.run_id)),
  );

  const { overall } = performance;
  root.append(
    section(
      "Overall",
      h(
        "div",
        { class: "cards" },
        ...(["precision", "recall", "f1"] as const).map((key) =>
          h("div", { class: "card" }, h("span", {}, key), h("strong", {}, fmt(overall[key]))),
        ),
        h("div", { class: "card" }, h("span", {}, "samples"), h("strong", {}, overall.num_samples)),
      ),
    ),
  );

  const classes = named(performance.class).sort((a, b) => b.f1 - a.f1);
  const perClass = section(
    "Per class",
    table([{ title: "Tag", cell: (m) => m.name, sortKey: (m) => m.name }, ...METRIC_COLUMNS], classes),
  );
  root.append(perClass);
  drawChart(
    perClass,
    "bar",
    classes.map((m) => m.name),
    (["precision", "recall", "f1"] as const).map((key) => ({ label: key, data: classes.map((m) => m[key]) })),
    { horizontal: true, title: "Per-class precision, recall and F1" },
  );

  root.append(
    section(
      "Slices",
      table([{ title: "Slice", cell: (m) => m.name }, ...METRIC_COLUMNS], named(performance.slices)),
    ),
  );
}

function named(metrics: Record<string, Metrics>): Named[] {
  return Object.entries(metrics).map(([name, m]) => ({ name, ...m }));
}
