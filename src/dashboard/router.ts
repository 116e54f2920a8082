/**
 * The dashboard's entry point: a hash router (`#/data`, `#/performance[/<run id>]`,
 * `#/runs[/<run id>]`, `#/optimization`, `#/models`, `#/inference`) that renders one page at a time into
 * `<main>`, gives each page its own document title, marks the current nav link, and shows in the
 * header which model the server answers with.
 */
import { destroyCharts } from "./charts.js";
import { errorBox, h } from "./dom.js";
import type { PageContext } from "./page.js";
import { renderDataPage } from "./pages/data-page.js";
import { renderInferencePage } from "./pages/inference-page.js";
import { renderModelsPage } from "./pages/models-page.js";
import { renderOptimizationPage } from "./pages/optimization-page.js";
import { renderPerformancePage } from "./pages/performance-page.js";
import { renderRunsPage } from "./pages/runs-page.js";
import { describeModel, servedModel } from "./served.js";

interface Page {
  title: string;
  render: (root: HTMLElement, context: PageContext) => void | Promise<void>;
}

const PAGES: Record<string, Page> = {
  data: { title: "Data", render: renderDataPage },
  performance: { title: "Performance", render: renderPerformancePage },
  runs: { title: "Runs", render: renderRunsPage },
  optimization: { title: "Optimization", render: renderOptimizationPage },
  models: { title: "Models", render: renderModelsPage },
  inference: { title: "Inference", render: renderInferencePage },
};

const main = document.getElementById("page") as HTMLElement;
const modelLine = document.getElementById("served-model") as HTMLElement;

async function route(): Promise<void> {
  const [requested, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const name = requested in PAGES ? requested : "data";
  const page = PAGES[name];
  document.title = `${page.title} · Tagifai`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a[data-page]")) {
    if (link.dataset.page === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  destroyCharts();
  // A fresh element per visit: a slow page left behind renders into a detached node, harmlessly.
  const root = h("div", { class: "page", "data-page": name });
  main.replaceChildren(root);
  const context: PageContext = {
    arg: rest.length > 0 ? decodeURIComponent(rest.join("/")) : undefined,
    reload: () => void route(),
  };
  await Promise.all([
    showServedModel(),
    (async () => {
      try {
        await page.render(root, context);
      } catch (error) {
        root.append(errorBox(error));
      }
      root.dataset.ready = "true";
    })(),
  ]);
}

/** Fill the header's line naming the model the server answers with. */
async function showServedModel(): Promise<void> {
  try {
    const model = await servedModel();
    modelLine.replaceChildren(
      model === null
        ? "No model is served yet"
        : h("span", {}, h("span", { class: "label" }, "Model answering: "), ...describeModel(model)),
    );
  } catch (error) {
    modelLine.replaceChildren(`Model unknown: ${error instanceof Error ? error.message : String(error)}`);
  }
}

document.getElementById("reload")?.addEventListener("click", () => void route());
window.addEventListener("hashchange", () => void route());
void route();
