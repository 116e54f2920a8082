/**
 * Run page (`#/runs/<id>`): everything about one run — what it is, its params and final metrics,
 * every per-epoch metric (train and validation loss, validation F1, learning rate), its test
 * performance report, its behavioral test report, and its artifact files to download.
 */
import type { Performance } from "../../tagifai/eval.js";
import type {
  RunArtifactsData,
  RunMetricsData,
  RunPerformanceData,
  RunView,
} from "../../tagifai/serve/contract.js";
import { getData } from "../api.js";
import { drawChart } from "../charts.js";
import { h, section, sig, table } from "../dom.js";
import { flatParams } from "../flat-params.js";
import { renderReport } from "./performance-page.js";

type History = RunMetricsData["history"];

/**
 * Render the page of one run.
 * @param root the page's element (in the document)
 * @param runId the run
 */
export async function renderRunPage(root: HTMLElement, runId: string): Promise<void> {
  const [{ run }, { history }, { performance }, { artifacts }] = await Promise.all([
    getData<{ run: RunView }>(`/api/runs/${runId}`),
    getData<RunMetricsData>(`/api/runs/${runId}/metrics`),
    getData<RunPerformanceData>(`/api/runs/${runId}/performance`),
    getData<RunArtifactsData>(`/api/runs/${runId}/artifacts`),
  ]);
  document.title = `Run ${run.name} · Tagifai`;
  root.append(
    h("p", { class: "crumbs" }, h("a", { href: "#/runs" }, "Runs"), " / "),
    h("h1", {}, `Run ${run.name}`),
    summary(run),
  );

  const values = (record: Record<string, unknown>) =>
    Object.entries(record)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({
        key,
        value: typeof value === "number" ? sig(value) : JSON.stringify(value),
      }));
  const keyValue = (rows: { key: string; value: string }[]) =>
    table(
      [
        { title: "Key", cell: (row: { key: string }) => h("span", { class: "key" }, row.key) },
        { title: "Value", cell: (row: { value: string }) => h("code", {}, row.value) },
      ],
      rows,
    );
  root.append(
    h(
      "div",
      { class: "columns" },
      section("Params", keyValue(values(flatParams(run.params)))),
      section("Metrics (final values)", keyValue(values(run.metrics))),
    ),
  );

  const epochs = section("Per-epoch metrics");
  root.append(epochs);
  drawEpochs(epochs, run, history);

  if (performance === null) {
    root.append(
      section("Test performance", h("p", { class: "note" }, "This run saved no performance report.")),
    );
  } else {
    const report = performance as Performance;
    root.append(behavioral(report));
    const holder = h("div", { class: "report" }, h("h2", { class: "band" }, "Test performance"));
    root.append(holder);
    renderReport(holder, report);
  }
  root.append(artifactList(run, artifacts));
}

/** What the run is: id, experiment, status, times, tags, and where its performance is. */
function summary(run: RunView): HTMLElement {
  const seconds =
    run.end_time === null ? null : (Date.parse(run.end_time) - Date.parse(run.start_time)) / 1000;
  const tags = Object.entries(run.tags);
  return h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Run id"),
    h("dd", {}, h("code", {}, run.run_id)),
    h("dt", {}, "Experiment"),
    h("dd", {}, run.experiment),
    h("dt", {}, "Status"),
    h("dd", {}, statusText(run)),
    h("dt", {}, "Started"),
    h("dd", {}, run.start_time.replace("T", " ").slice(0, 19)),
    h("dt", {}, "Duration"),
    h("dd", {}, seconds === null ? "still running" : `${sig(seconds, 3)} s`),
    tags.length === 0 ? null : h("dt", {}, "Tags"),
    tags.length === 0 ? null : h("dd", {}, tags.map(([key, value]) => `${key}=${value}`).join(", ")),
  );
}

/** Charts of the losses, validation F1 and learning rate per epoch, or a note that there are none. */
function drawEpochs(parent: HTMLElement, run: RunView, history: History): void {
  const epochs = [...new Set(Object.values(history).flatMap((points) => points.map((p) => p.step)))].sort(
    (a, b) => a - b,
  );
  if (epochs.length === 0) {
    parent.append(
      h(
        "p",
        { class: "note" },
        "This run logged no per-epoch metrics: its model family trains in one pass (like the linear family), so there is no loss curve.",
      ),
    );
    return;
  }
  const at = (points: History["train_loss"]) =>
    epochs.map((step) => points.find((point) => point.step === step)?.value ?? null);
  const charts: [string, string, { label: string; data: (number | null)[] }[]][] = [
    [
      "Loss",
      "loss",
      [
        { label: "train loss", data: at(history.train_loss) },
        { label: "validation loss", data: at(history.val_loss) },
      ],
    ],
    ["Validation F1", "F1", [{ label: "validation F1", data: at(history.val_f1) }]],
    ["Learning rate", "learning rate", [{ label: "learning rate", data: at(history.lr) }]],
  ];
  for (const [title, y, series] of charts) {
    if (series.every((s) => s.data.every((value) => value === null))) continue;
    drawChart(parent, "line", epochs, series, { title: `${title} per epoch of ${run.name}`, x: "epoch", y });
  }
}

/** The behavioral test report (`tagifai test-model`), or how to make one. */
function behavioral(performance: Performance): HTMLElement {
  const report = performance.behavioral;
  if (report === undefined) {
    return section(
      "Behavioral tests",
      h("p", { class: "muted" }, "Not run yet: ", h("code", {}, "tagifai test-model --run-id <run id>"), "."),
    );
  }
  return section(
    "Behavioral tests",
    h(
      "p",
      { id: "behavioral-summary" },
      `${report.passed} of ${report.total} passed (${(report.pass_rate * 100).toFixed(1)}%)`,
      report.suite === undefined ? "" : ` — suite ${report.suite}`,
    ),
    table(
      [
        { title: "Test", cell: (r) => r.name },
        { title: "Type", cell: (r) => r.type.toUpperCase() },
        {
          title: "Result",
          cell: (r) => h("strong", { class: r.passed ? "pass" : "fail" }, r.passed ? "pass" : "FAIL"),
        },
        { title: "Details", cell: (r) => h("span", { class: "text" }, r.details) },
      ],
      [...report.results].sort((a, b) => Number(a.passed) - Number(b.passed)),
    ),
  );
}

/** The run's artifact files with their sizes and download links. */
function artifactList(run: RunView, artifacts: RunArtifactsData["artifacts"]): HTMLElement {
  if (artifacts.length === 0)
    return section("Artifacts", h("p", { class: "note" }, "This run saved no artifacts."));
  const size = (bytes: number) =>
    bytes < 1024
      ? `${bytes} B`
      : bytes < 1024 ** 2
        ? `${sig(bytes / 1024, 3)} KiB`
        : `${sig(bytes / 1024 ** 2, 3)} MiB`;
  return section(
    "Artifacts",
    table(
      [
        {
          title: "File",
          cell: (a) =>
            h(
              "a",
              { href: `/api/runs/${run.run_id}/artifacts/${encodeURIComponent(a.name)}`, download: a.name },
              a.name,
            ),
        },
        { title: "Size", cell: (a) => size(a.bytes) },
      ],
      artifacts,
      (tr, a) => tr.setAttribute("data-artifact", a.name),
    ),
  );
}

/**
 * A run's status as shown, with the reason when the status alone does not say ("FAILED (lost)").
 * @param run the run
 */
export function statusText(run: RunView): string {
  return run.end_reason === null ? run.status : `${run.status} (${run.end_reason})`;
}
