/**
 * The dashboard's entry point: a hash router (`#/data`, `#/performance`, `#/runs`, `#/optimization`,
 * `#/inference`) that renders one page at a time into `<main>`.
 */
import { destroyCharts } from "./charts.js";
import { errorBox, h } from "./dom.js";
import { renderDataPage } from "./pages/data.js";
import { renderInferencePage } from "./pages/inference.js";
import { renderOptimizationPage } from "./pages/optimization.js";
import { renderPerformancePage } from "./pages/performance.js";
import { renderRunsPage } from "./pages/runs.js";

const PAGES: Record<string, (root: HTMLElement) => void | Promise<void>> = {
  data: renderDataPage,
  performance: renderPerformancePage,
  runs: renderRunsPage,
  optimization: renderOptimizationPage,
  inference: renderInferencePage,
};

const main = document.getElementById("page") as HTMLElement;

async function route(): Promise<void> {
  const requested = location.hash.replace(/^#\/?/, "");
  const name = requested in PAGES ? requested : "data";
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a[data-page]")) {
    link.classList.toggle("active", link.dataset.page === name);
  }
  destroyCharts();
  // A fresh element per visit: a slow page left behind renders into a detached node, harmlessly.
  const root = h("div", { class: "page", "data-page": name });
  main.replaceChildren(root);
  try {
    await PAGES[name](root);
    root.dataset.ready = "true";
  } catch (error) {
    root.append(errorBox(error));
  }
}

window.addEventListener("hashchange", () => void route());
void route();
