/**
 * Charts of the dashboard (chart.js, with only the pieces used registered): bars, lines and scatters. Charts are tracked so
 * that the router can destroy them when it leaves a page.
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
import { h } from "./dom.js";

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

/** Series colors, one per dataset. */
const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"];

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
 * @returns the chart
 */
export function drawChart(
  parent: HTMLElement,
  type: "bar" | "line",
  labels: (string | number)[],
  series: Series[],
  options: { horizontal?: boolean; title?: string } = {},
): Chart<"bar" | "line", (number | null)[], string | number> {
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
      // Long label lists get one bar per label, so every label is shown.
      scales: options.horizontal ? { y: { ticks: { autoSkip: false } } } : {},
      plugins: { legend: { display: series.length > 1 } },
    },
  };
  return mount(parent, height, options.title ?? series.map((s) => s.label).join(", "), config);
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
 * @returns the chart
 */
export function drawScatter(
  parent: HTMLElement,
  series: ScatterSeries[],
  options: { title: string; x: { title: string; axis: ScatterAxis }; y: { title: string } },
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
        pointRadius: 4,
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
  const chart = mount(parent, 260, options.title, config);
  chart.canvas.dataset.xScale = options.x.axis.type;
  return chart;
}

/** Make the chart in a new canvas of this height at the end of `parent`, tracked for `destroyCharts`. */
function mount<T extends ChartType, D, L>(
  parent: HTMLElement,
  height: number,
  title: string,
  config: ChartConfiguration<T, D, L>,
): Chart<T, D, L> {
  const canvas = h("canvas", { role: "img", "aria-label": title });
  parent.append(h("div", { class: "chart", style: `height:${height}px` }, canvas));
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
