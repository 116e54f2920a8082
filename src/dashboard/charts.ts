/**
 * Charts of the dashboard (chart.js, with only the pieces used registered): bars, lines and
 * scatters. Each chart comes with its data as a table in a `<details>` (for screen readers, the
 * keyboard and copying numbers). Charts are tracked so that the router can destroy them when it
 * leaves a page.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from "chart.js";
import { chartData, h, sig, table } from "./dom.js";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
);

/** The charts drawn and not yet destroyed. */
const active = new Set<Pick<Chart, "canvas" | "destroy">>();

/** Series colors, one per dataset (Tableau 10). */
export const COLORS = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
];

/** A number in a chart's data table. */
const cellValue = (value: number | string | null) =>
  typeof value === "number" ? sig(value) : (value ?? "–");

/** One series of a chart. */
export interface Series {
  label: string;
  data: (number | null)[];
}

/**
 * Draw a chart in a new canvas appended to `parent` (which must be in the document).
 * @param parent where the chart goes
 * @param type "bar" or "line"
 * @param labels x-axis labels
 * @param series the data series
 * @param options.horizontal bars along the y axis (long label lists)
 * @param options.title the chart's accessible name
 * @param options.x the x axis's title (e.g. "epoch")
 * @param options.y the y axis's title
 * @returns the chart
 */
export function drawChart(
  parent: HTMLElement,
  type: "bar" | "line",
  labels: (string | number)[],
  series: Series[],
  options: { horizontal?: boolean; title?: string; x?: string; y?: string } = {},
): Chart<"bar" | "line", (number | null)[], string | number> {
  const axisTitle = (text: string | undefined) =>
    text === undefined ? {} : { title: { display: true, text } };
  const height = options.horizontal ? Math.max(240, labels.length * 22) : 280;
  const config: ChartConfiguration<"bar" | "line", (number | null)[], string | number> = {
    type,
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.data,
        backgroundColor: COLORS[i % COLORS.length],
        borderColor: COLORS[i % COLORS.length],
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: options.horizontal ? "y" : "x",
      scales: {
        x: axisTitle(options.x),
        // Long label lists get one bar per label, so every label is shown.
        y: { ...axisTitle(options.y), ...(options.horizontal ? { ticks: { autoSkip: false } } : {}) },
      },
      plugins: { legend: { display: series.length > 1 } },
    },
  };
  const title = options.title ?? series.map((s) => s.label).join(", ");
  const rows = labels.map((label, i) => ({ label, values: series.map((s) => s.data[i]) }));
  const data = table(
    [
      { title: options.x ?? "", cell: (row: (typeof rows)[number]) => row.label },
      ...series.map((s, k) => ({
        title: s.label,
        cell: (row: (typeof rows)[number]) => cellValue(row.values[k]),
      })),
    ],
    rows,
  );
  return mount(parent, height, title, config, data);
}

/** A point of a scatter chart, at a numeric or categorical x. */
export interface ScatterPoint {
  x: number | string;
  y: number;
}

/** One series of a scatter chart. */
export interface ScatterSeries {
  label: string;
  points: ScatterPoint[];
  /** Join the points with a line (default: the chart's `lines` option). */
  line?: boolean;
  /** Draw the line dashed (e.g. a pruned trial). */
  dashed?: boolean;
}

/** The x axis of a scatter chart: linear, logarithmic, or these categories in this order. */
export type ScatterAxis = { type: "linear" | "logarithmic" } | { type: "category"; labels: string[] };

/**
 * Draw a scatter chart in a new canvas appended to `parent` (which must be in the document); the
 * canvas's `data-x-scale` names the x scale.
 * @param parent where the chart goes
 * @param series the point series (each its own color, with a legend)
 * @param options.title the chart's accessible name
 * @param options.x the x axis: its title and scale
 * @param options.y the y axis's title
 * @param options.lines join each series' points with a line (curves)
 * @returns the chart
 */
export function drawScatter(
  parent: HTMLElement,
  series: ScatterSeries[],
  options: { title: string; x: { title: string; axis: ScatterAxis }; y: { title: string }; lines?: boolean },
): Chart<"scatter", ScatterPoint[]> {
  const axisTitle = (text: string) => ({ display: true, text });
  const config: ChartConfiguration<"scatter", ScatterPoint[]> = {
    type: "scatter",
    data: {
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.points,
        backgroundColor: COLORS[i % COLORS.length],
        borderColor: COLORS[i % COLORS.length],
        pointRadius: (s.line ?? options.lines) ? 2 : 4,
        showLine: s.line ?? options.lines ?? false,
        borderDash: s.dashed ? [6, 4] : [],
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { ...options.x.axis, title: axisTitle(options.x.title) },
        y: { title: axisTitle(options.y.title) },
      },
    },
  };
  const rows = series.flatMap((s) => s.points.map((point) => ({ series: s.label, ...point })));
  const data = table(
    [
      { title: "series", cell: (row: (typeof rows)[number]) => row.series },
      { title: options.x.title, cell: (row: (typeof rows)[number]) => cellValue(row.x) },
      { title: options.y.title, cell: (row: (typeof rows)[number]) => cellValue(row.y) },
    ],
    rows,
  );
  const chart = mount(parent, 260, options.title, config, data);
  chart.canvas.dataset.xScale = options.x.axis.type;
  return chart;
}

/**
 * Make the chart in a new canvas of this height at the end of `parent`, followed by its data table
 * in a closed `<details>`; tracked for `destroyCharts`.
 */
function mount<T extends ChartType, D, L>(
  parent: HTMLElement,
  height: number,
  title: string,
  config: ChartConfiguration<T, D, L>,
  data: HTMLElement,
): Chart<T, D, L> {
  const canvas = h("canvas", { role: "img", "aria-label": title });
  const box = h("div", { class: "chart" }, canvas);
  // Set through the CSSOM: the Content-Security-Policy forbids inline style attributes.
  box.style.height = `${height}px`;
  parent.append(box, chartData(title, data));
  const chart = new Chart(canvas, config);
  active.add(chart);
  return chart;
}

/**
 * Destroy the charts drawn inside `within` (default: every chart, when leaving a page).
 * @param within only the charts whose canvas is inside this element
 */
export function destroyCharts(within?: HTMLElement): void {
  for (const chart of active) {
    if (within !== undefined && !within.contains(chart.canvas)) continue;
    chart.destroy();
    active.delete(chart);
  }
}
