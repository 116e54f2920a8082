/**
 * A parallel coordinates plot in SVG (chart.js has none): one vertical axis per dimension, one
 * polyline per item across them, colored from light to dark by the last dimension (e.g. a trial's
 * objective), the highlighted item drawn last, thick and in a contrasting color. Numbers are placed
 * linearly (logarithmically when positive and spanning more than a decade), other values as evenly
 * spaced categories.
 */
import { h } from "./dom.js";

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
 * Draw the plot.
 * @param dimensions the axes, left to right; the last one colors the lines
 * @param options.title the plot's accessible name
 * @param options.highlight the index of the item to highlight (e.g. the best trial)
 * @param options.higherIsBetter darker lines for higher last-dimension values (else lower)
 * @returns a figure holding the SVG
 */
export function parallelCoordinates(
  dimensions: Dimension[],
  options: { title: string; highlight?: number; higherIsBetter: boolean },
): HTMLElement {
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
  const order = [...Array(items).keys()].filter((i) => i !== options.highlight);
  for (const item of order) {
    const t = colorBy?.at(last?.values[item]) ?? 0.5;
    const shade = options.higherIsBetter ? t : 1 - t;
    // From light blue-grey (worse) to dark blue (better).
    const mix = (a: number, b: number) => Math.round(a + (b - a) * shade);
    root.append(
      svg("polyline", {
        points: line(item),
        fill: "none",
        stroke: `rgb(${mix(170, 23)}, ${mix(190, 64)}, ${mix(215, 128)})`,
        "stroke-width": 1.5,
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
  return h("figure", { class: "parallel" }, root);
}
