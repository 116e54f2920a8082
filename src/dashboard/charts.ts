/**
 * Charts of the dashboard (chart.js, with only the pieces used registered). Charts are tracked so
 * that the router can destroy them when it leaves a page.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
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
  PointElement,
  Tooltip,
);

const active = new Set<Chart>();

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
): Chart {
  const canvas = h("canvas", {
    role: "img",
    "aria-label": options.title ?? series.map((s) => s.label).join(", "),
  });
  const height = options.horizontal ? Math.max(240, labels.length * 22) : 280;
  parent.append(h("div", { class: "chart", style: `height:${height}px` }, canvas));
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
