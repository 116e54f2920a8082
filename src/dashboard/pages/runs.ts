/**
 * Runs page: the tracked runs; tick two to compare their params and metrics; click one to see its
 * train and validation loss per epoch.
 */
import type { RunMetricsData, RunsData, RunView } from "../../tagifai/serve/schemas.js";
import { getData } from "../api.js";
import { destroyCharts, drawChart } from "../charts.js";
import { errorBox, fmt, h, section, table } from "../dom.js";

/**
 * Render the Runs page.
 * @param root the page's element (in the document)
 */
export async function renderRunsPage(root: HTMLElement): Promise<void> {
  const { runs } = await getData<RunsData>("/runs?limit=200");
  root.append(h("h2", {}, "Runs"));
  if (runs.length === 0) {
    root.append(h("p", {}, "No runs yet: train one with `tagifai train-model`."));
    return;
  }
  const compare = h("div", { id: "compare" }, h("p", { class: "muted" }, "Tick two runs to compare them."));
  const curves = h("div", { id: "curves" });
  const picked = new Set<RunView>();

  const runTable = table(
    [
      {
        title: "Compare",
        cell: (run) => {
          const box = h("input", { type: "checkbox", "aria-label": `compare ${run.name}` });
          box.addEventListener("click", (event) => event.stopPropagation());
          box.addEventListener("change", () => {
            if (box.checked) picked.add(run);
            else picked.delete(run);
            compare.replaceChildren(compareRuns([...picked]));
          });
          return box;
        },
      },
      { title: "Name", cell: (run) => run.name, sortKey: (run) => run.name },
      { title: "Run id", cell: (run) => h("code", {}, run.run_id.slice(0, 8)) },
      { title: "Experiment", cell: (run) => run.experiment, sortKey: (run) => run.experiment },
      { title: "Status", cell: (run) => run.status, sortKey: (run) => run.status },
      {
        title: "Started",
        cell: (run) => run.start_time.replace("T", " ").slice(0, 19),
        sortKey: (run) => run.start_time,
      },
      { title: "F1", cell: (run) => fmt(run.metrics.f1), sortKey: (run) => run.metrics.f1 ?? -1 },
      {
        title: "Best val loss",
        cell: (run) => fmt(run.metrics.best_val_loss),
        sortKey: (run) => run.metrics.best_val_loss ?? Number.POSITIVE_INFINITY,
      },
    ],
    runs,
    (tr, run) => {
      tr.classList.add("clickable");
      tr.dataset.runId = run.run_id;
      tr.addEventListener("click", () => {
        for (const row of runTable.querySelectorAll("tr.selected")) row.classList.remove("selected");
        tr.classList.add("selected");
        void showCurves(curves, run);
      });
    },
  );
  root.append(
    section("Tracked runs", runTable),
    section("Comparison", compare),
    section("Loss per epoch", curves),
  );
  await showCurves(curves, runs[0]);
}

/** Params and metrics of two runs side by side, differing values highlighted. */
function compareRuns(runs: RunView[]): HTMLElement {
  if (runs.length !== 2) return h("p", { class: "muted" }, `Tick exactly two runs (${runs.length} ticked).`);
  const [a, b] = runs;
  const rows = (kind: string, left: Record<string, unknown>, right: Record<string, unknown>) =>
    [...new Set([...Object.keys(left), ...Object.keys(right)])]
      .sort()
      .map((key) => ({ kind, key, left: left[key], right: right[key] }));
  const show = (value: unknown) =>
    typeof value === "number" ? String(Number(value.toPrecision(4))) : (JSON.stringify(value) ?? "–");
  const compared = table(
    [
      { title: "", cell: (row) => row.kind },
      { title: "Key", cell: (row) => row.key },
      { title: a.name, cell: (row) => show(row.left) },
      { title: b.name, cell: (row) => show(row.right) },
    ],
    [...rows("param", a.params, b.params), ...rows("metric", a.metrics, b.metrics)],
    (tr, row) => {
      if (show(row.left) !== show(row.right)) tr.classList.add("differs");
    },
  );
  return compared;
}

/** Replace the loss chart with the given run's train and validation loss per epoch. */
async function showCurves(parent: HTMLElement, run: RunView): Promise<void> {
  try {
    const { history } = await getData<RunMetricsData>(`/api/runs/${run.run_id}/metrics`);
    destroyCharts(parent);
    parent.replaceChildren(h("p", {}, "Run ", h("code", {}, run.name)));
    const epochs = history.train_loss.map((point) => point.step);
    const valueAt = (points: { step: number; value: number }[]) =>
      epochs.map((step) => points.find((point) => point.step === step)?.value ?? null);
    drawChart(parent, "line", epochs, [
      { label: "train loss", data: valueAt(history.train_loss) },
      { label: "validation loss", data: valueAt(history.val_loss) },
    ]);
  } catch (error) {
    parent.replaceChildren(errorBox(error));
  }
}
