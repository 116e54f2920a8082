/**
 * A parallel coordinates plot in SVG (chart.js has none): one vertical axis per dimension, one
 * polyline per item across them, either colored from light to dark by the last dimension (e.g. a
 * trial's objective) or each item in its own color with a legend (e.g. compared runs); the
 * highlighted item drawn last, thick and in a contrasting color. Numbers are placed linearly
 * (logarithmically when positive and spanning more than a decade), other values as evenly spaced
 * categories. Like the other charts, its numbers come as a table in a `<details>`.
 */
import { chartData, h, sig, table } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

/** One dimension: its name and each item's value (undefined when the item has none). */
export interface Dimension {
  name: string;
  values: (number | string | boolean | undefined)[];
}

/** Geometry of the plot, in SVG user units (it scales to its box's width). */
const WIDTH = 900;
const HEIGHT = 320;
const TOP = 40;
const BOTTOM = 30;
const SIDE = 60;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** Where an axis puts each value, from 0 (bottom) to 1 (top), and its end labels. */
function scale(values: Dimension["values"]): {
  at: (v: Dimension["values"][number]) => number | null;
  ends: [string, string];
} {
  const present = values.filter((v) => v !== undefined);
  if (present.every((v) => typeof v === "number")) {
    const numbers = present as number[];
    const [low, high] = [Math.min(...numbers), Math.max(...numbers)];
    const log = low > 0 && high / low > 10;
    const f = (v: number) => (log ? Math.log10(v) : v);
    const span = f(high) - f(low);
    const label = (v: number) => String(Number(v.toPrecision(3)));
    return {
      at: (v) => (typeof v === "number" ? (span === 0 ? 0.5 : (f(v) - f(low)) / span) : null),
      ends: [`${label(low)}${log ? " (log)" : ""}`, label(high)],
    };
  }
  const categories = [...new Set(present.map(String))].sort();
  return {
    at: (v) =>
      v === undefined
        ? null
        : categories.length === 1
          ? 0.5
          : categories.indexOf(String(v)) / (categories.length - 1),
    ends: [categories[0] ?? "", categories.at(-1) ?? ""],
  };
}

/**
 * How the lines are colored: shaded by the last dimension, darker for better values, or each item
 * in its own color (named in a legend).
 */
export type LineColors = { higherIsBetter: boolean } | { each: readonly string[] };

/** How to draw the plot. */
export interface ParallelOptions {
  /** The plot's accessible name. */
  title: string;
  /** Each item's name, in the legend and the data table (e.g. "trial 3"). */
  names: readonly string[];
  /** How the lines are colored. */
  colors: LineColors;
  /** The index of the item to highlight (e.g. the best trial). */
  highlight?: number;
}

/**
 * Draw the plot.
 * @param dimensions the axes, left to right
 * @param options title, item names, line colors and the highlighted item
 * @returns a figure holding the SVG (and its legend when each item has its color), followed by
 *   its data table
 */
export function parallelCoordinates(dimensions: Dimension[], options: ParallelOptions): HTMLElement {
  const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": options.title });
  const scales = dimensions.map((d) => scale(d.values));
  const x = (i: number) =>
    SIDE + (dimensions.length === 1 ? 0 : (i * (WIDTH - 2 * SIDE)) / (dimensions.length - 1));
  const y = (t: number) => HEIGHT - BOTTOM - t * (HEIGHT - TOP - BOTTOM);
  const items = dimensions[0]?.values.length ?? 0;
  const colorBy = scales.at(-1);
  const last = dimensions.at(-1);
  const line = (item: number) => {
    const points: string[] = [];
    dimensions.forEach((d, i) => {
      const t = scales[i].at(d.values[item]);
      if (t !== null) points.push(`${x(i).toFixed(1)},${y(t).toFixed(1)}`);
    });
    return points.join(" ");
  };
  const colors = options.colors;
  const stroke = (item: number) => {
    if ("each" in colors) return colors.each[item % colors.each.length];
    const t = colorBy?.at(last?.values[item]) ?? 0.5;
    const shade = colors.higherIsBetter ? t : 1 - t;
    // From light blue-grey (worse) to dark blue (better).
    const mix = (a: number, b: number) => Math.round(a + (b - a) * shade);
    return `rgb(${mix(170, 23)}, ${mix(190, 64)}, ${mix(215, 128)})`;
  };
  const order = [...Array(items).keys()].filter((i) => i !== options.highlight);
  for (const item of order) {
    root.append(
      svg("polyline", {
        points: line(item),
        fill: "none",
        stroke: stroke(item),
        "stroke-width": "each" in colors ? 2.5 : 1.5,
        "stroke-opacity": 0.8,
        "data-item": item,
      }),
    );
  }
  if (options.highlight !== undefined) {
    root.append(
      svg("polyline", {
        points: line(options.highlight),
        fill: "none",
        stroke: "#c2410c",
        "stroke-width": 3,
        "data-item": options.highlight,
        class: "highlight",
      }),
    );
  }
  dimensions.forEach((d, i) => {
    root.append(
      svg("line", { x1: x(i), x2: x(i), y1: y(0), y2: y(1), stroke: "#1f2933", "stroke-width": 1 }),
    );
    const text = (content: string, yAt: number, weight = "normal") => {
      const label = svg("text", {
        x: x(i),
        y: yAt,
        "text-anchor": "middle",
        "font-size": 13,
        fill: "#1f2933",
        "font-weight": weight,
      });
      label.textContent = content;
      return label;
    };
    root.append(
      text(d.name, TOP - 22, "bold"),
      text(scales[i].ends[1], TOP - 6),
      text(scales[i].ends[0], HEIGHT - BOTTOM + 16),
    );
  });
  const legend =
    "each" in colors
      ? h(
          "ul",
          { class: "legend" },
          ...options.names.map((name, item) => {
            const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
            // Set through the CSSOM: the Content-Security-Policy forbids inline style attributes.
            swatch.style.background = stroke(item);
            return h("li", {}, swatch, name);
          }),
        )
      : null;
  const rows = options.names.map((name, item) => ({ name, item }));
  const data = table(
    [
      { title: "", cell: (row: (typeof rows)[number]) => row.name },
      ...dimensions.map((d) => ({
        title: d.name,
        cell: (row: (typeof rows)[number]) => {
          const value = d.values[row.item];
          return value === undefined ? "–" : typeof value === "number" ? sig(value) : String(value);
        },
      })),
    ],
    rows,
  );
  return h(
    "div",
    { class: "parallel-block" },
    h("figure", { class: "parallel" }, root, legend),
    chartData(options.title, data),
  );
}
