/**
 * Runs page: every tracked run (paged, filterable by experiment, status and text, sortable, with
 * the param and metric columns the user chooses — nested params as dotted keys, e.g. `cnn.lr`); tick
 * two or more to compare their params and metrics side by side, with their validation losses
 * overlaid and in parallel coordinates; a run's name opens its page (`#/runs/<id>`).
 */
import type { RunMetricsData, RunsData, RunView } from "../../tagifai/serve/contract.js";
import { getData } from "../api.js";
import { destroyCharts, drawChart } from "../charts.js";
import { type Column, dataTable, emptyState, errorBox, h, section, sig, table } from "../dom.js";
import { flatParams } from "../flat-params.js";
import type { PageContext } from "../page.js";
import { runNameAndId } from "../served.js";
import { renderRunPage, statusText } from "./run-page.js";
import { compareParallel } from "./runs-parallel.js";

/** Runs per page of the table. */
const PAGE_SIZE = 25;

/** Runs per API call when loading them all. */
const FETCH_SIZE = 1000;

/** The ticked runs, by id; kept while the page is left and shown again (e.g. to open a run). */
const picked = new Map<string, RunView>();

/** A param or metric column of the run table. */
interface ValueColumn {
  kind: "metric" | "param";
  key: string;
}

/** The chosen param and metric columns, in order; kept while the page is left. */
let chosen: ValueColumn[] = [
  { kind: "metric", key: "val_f1" },
  { kind: "metric", key: "f1" },
  { kind: "metric", key: "best_val_loss" },
];

/** Headings of the well-known metrics; other columns are headed by their key. */
const METRIC_TITLES: Record<string, string> = {
  val_f1: "Val F1",
  f1: "Test F1",
  best_val_loss: "Best val loss",
};

/**
 * Every run of the store, newest first, fetched page by page (no cap).
 * @returns the runs
 */
export async function loadAllRuns(): Promise<RunView[]> {
  const runs: RunView[] = [];
  for (;;) {
    const page = await getData<RunsData>(`/api/runs?limit=${FETCH_SIZE}&offset=${runs.length}`);
    runs.push(...page.runs);
    if (page.runs.length < FETCH_SIZE) return runs;
  }
}

/**
 * Render the Runs page.
 * @param root the page's element (in the document)
 * @param context the run to show (`#/runs/<id>`)
 */
export async function renderRunsPage(root: HTMLElement, context: PageContext): Promise<void> {
  if (context.arg !== undefined) return renderRunPage(root, context.arg);
  const runs = await loadAllRuns();
  root.append(h("h1", {}, "Runs"));
  if (runs.length === 0) {
    root.append(emptyState("No runs yet: train one with `tagifai train-model`.", context.reload));
    return;
  }
  const ids = new Set(runs.map((run) => run.run_id));
  for (const id of picked.keys()) if (!ids.has(id)) picked.delete(id);
  const compare = h("div", { id: "compare" });
  const curves = h("div", { id: "compare-curves" });
  const parallel = h("div");
  const showParallel = () => {
    const ticked = [...picked.values()];
    const metrics = chosen
      .filter((column) => column.kind === "metric")
      .map(({ key }) => ({ key, title: METRIC_TITLES[key] ?? key }));
    parallel.replaceChildren(compareParallel(ticked, metrics));
  };
  const showCompared = () => {
    const ticked = [...picked.values()];
    compare.replaceChildren(compareRuns(ticked));
    void overlayCurves(curves, ticked);
    showParallel();
  };

  let shown = runs;
  const filters = runFilters(runs, (matching) => {
    shown = matching;
    listing.replaceChildren(runTable(shown).element);
  });
  const listing = h("div", { id: "run-list" });
  const chooser = columnChooser(runs, () => {
    listing.replaceChildren(runTable(shown).element);
    showParallel();
  });
  const runTable = (rows: RunView[]) =>
    dataTable([...runColumns(showCompared), ...chosen.map(valueColumn)], rows, {
      pageSize: PAGE_SIZE,
      caption: "Tracked runs",
      onRow: (tr, run) => {
        tr.dataset.runId = run.run_id;
      },
    });
  listing.append(runTable(shown).element);
  root.append(
    section(`Tracked runs (${runs.length})`, filters, chooser, listing),
    section("Comparison", compare, curves, parallel),
  );
  showCompared();
}

/** The filters above the run table: experiment, status and text; `show` gets the matching runs. */
function runFilters(runs: RunView[], show: (runs: RunView[]) => void): HTMLElement {
  const choice = (id: string, label: string, values: string[]) => {
    const select = h(
      "select",
      { id },
      h("option", { value: "" }, "all"),
      ...[...new Set(values)].sort().map((value) => h("option", { value }, value)),
    );
    return { select, field: h("label", { for: id, class: "field" }, label, select) };
  };
  const experiment = choice(
    "run-experiment",
    "Experiment",
    runs.map((run) => run.experiment),
  );
  const status = choice(
    "run-status",
    "Status",
    runs.map((run) => run.status),
  );
  const text = h("input", { type: "search", id: "run-text", placeholder: "name, id, param…" });
  const apply = () => {
    const query = text.value.trim().toLowerCase();
    show(
      runs.filter(
        (run) =>
          (experiment.select.value === "" || run.experiment === experiment.select.value) &&
          (status.select.value === "" || run.status === status.select.value) &&
          (query === "" ||
            [run.name, run.run_id, JSON.stringify(run.params), JSON.stringify(run.tags)].some((value) =>
              value.toLowerCase().includes(query),
            )),
      ),
    );
  };
  for (const control of [experiment.select, status.select]) control.addEventListener("change", apply);
  text.addEventListener("input", apply);
  return h(
    "div",
    { class: "filters" },
    experiment.field,
    status.field,
    h("label", { for: "run-text", class: "field" }, "Search", text),
  );
}

/** The run table's columns: a compare box (its state kept in `picked`), name link, id, metrics. */
function runColumns(changed: () => void): Column<RunView>[] {
  return [
    {
      title: "Compare",
      cell: (run) => {
        const box = h("input", {
          type: "checkbox",
          "aria-label": `compare ${run.name} (${run.run_id.slice(0, 8)})`,
        });
        box.checked = picked.has(run.run_id);
        box.addEventListener("change", () => {
          if (box.checked) picked.set(run.run_id, run);
          else picked.delete(run.run_id);
          changed();
        });
        return box;
      },
    },
    {
      title: "Name",
      cell: (run) => h("a", { href: `#/runs/${run.run_id}` }, run.name),
      sortKey: (run) => run.name,
    },
    {
      title: "Run id",
      cell: (run) => h("code", { class: "id" }, run.run_id.slice(0, 8)),
      sortKey: (run) => run.run_id,
    },
    { title: "Experiment", cell: (run) => run.experiment, sortKey: (run) => run.experiment },
    {
      title: "Status",
      cell: (run) => h("span", { class: "state" }, statusText(run)),
      sortKey: (run) => run.status,
    },
    {
      title: "Started",
      cell: (run) => run.start_time.replace("T", " ").slice(0, 19),
      sortKey: (run) => run.start_time,
    },
  ];
}

/** A chosen param or metric as a sortable column; losses sort smallest first, missing values last. */
function valueColumn({ kind, key }: ValueColumn): Column<RunView> {
  if (kind === "metric") {
    const loss = key.includes("loss");
    return {
      title: METRIC_TITLES[key] ?? key,
      cell: (run) => sig(run.metrics[key]),
      sortKey: (run) => run.metrics[key] ?? (loss ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY),
      ascendingFirst: loss,
    };
  }
  return {
    title: key,
    cell: (run) => showValue(flatParams(run.params)[key]),
    sortKey: (run) => {
      const value = flatParams(run.params)[key];
      if (value === undefined) return Number.NEGATIVE_INFINITY; // missing sorts last, largest first
      return typeof value === "number" ? value : showValue(value);
    },
  };
}

/**
 * The column chooser: a checkbox for every metric and param key any run has; `changed` redraws the
 * table with the chosen columns.
 */
function columnChooser(runs: RunView[], changed: () => void): HTMLElement {
  const keys = (pick: (run: RunView) => Record<string, unknown>) =>
    [...new Set(runs.flatMap((run) => Object.keys(pick(run))))].sort();
  const toggle = h("button", {
    type: "button",
    class: "secondary",
    "aria-expanded": "false",
    "aria-controls": "run-columns-panel",
  });
  const count = () => toggle.replaceChildren(`Columns: ${chosen.length} params and metrics chosen`);
  const group = (kind: ValueColumn["kind"], legend: string, names: string[]) =>
    h(
      "fieldset",
      {},
      h("legend", {}, legend),
      ...names.map((key) => {
        const box = h("input", { type: "checkbox", "data-column": `${kind}:${key}` });
        box.checked = chosen.some((c) => c.kind === kind && c.key === key);
        box.addEventListener("change", () => {
          chosen = box.checked
            ? [...chosen, { kind, key }]
            : chosen.filter((c) => !(c.kind === kind && c.key === key));
          count();
          changed();
        });
        return h("label", { class: "check" }, box, ` ${key}`);
      }),
    );
  count();
  const panel = h(
    "div",
    { id: "run-columns-panel", hidden: "" },
    group(
      "metric",
      "Metrics",
      keys((run) => run.metrics),
    ),
    group(
      "param",
      "Params",
      keys((run) => flatParams(run.params)),
    ),
  );
  toggle.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
  });
  return h("div", { id: "run-columns", class: "columns-chooser" }, toggle, panel);
}

/** A value of a param or metric for the comparison table. */
function showValue(value: unknown): string {
  if (value === undefined) return "–";
  return typeof value === "number" ? sig(value) : JSON.stringify(value);
}

/**
 * Params and metrics of the ticked runs side by side, one column per run; rows whose values differ
 * are marked.
 * @param runs the ticked runs, in the order they were ticked
 */
export function compareRuns(runs: RunView[]): HTMLElement {
  if (runs.length < 2)
    return h(
      "p",
      { class: "muted" },
      `Tick two or more runs in the table to compare them (${runs.length} ticked).`,
    );
  const keys = (pick: (run: RunView) => Record<string, unknown>) =>
    [...new Set(runs.flatMap((run) => Object.keys(pick(run))))].sort();
  const rows = [
    ...keys((run) => run.params).map((key) => ({
      kind: "param",
      key,
      values: runs.map((run) => run.params[key]),
    })),
    ...keys((run) => run.metrics).map((key) => ({
      kind: "metric",
      key,
      values: runs.map((run) => run.metrics[key]),
    })),
  ];
  return table(
    [
      { title: "Kind", cell: (row) => row.kind },
      { title: "Key", cell: (row) => row.key },
      ...runs.map((run, i) => ({
        title: runNameAndId(run.name, run.run_id),
        cell: (row: (typeof rows)[number]) => showValue(row.values[i]),
      })),
    ],
    rows,
    (tr, row) => {
      if (new Set(row.values.map(showValue)).size > 1) {
        tr.classList.add("differs");
        tr.cells[1].append(h("span", { class: "badge" }, "differs"));
      }
    },
  );
}

/** Replace `parent`'s chart with the ticked runs' validation loss per epoch, one line per run. */
async function overlayCurves(parent: HTMLElement, runs: RunView[]): Promise<void> {
  destroyCharts(parent);
  parent.replaceChildren();
  if (runs.length < 2) return;
  try {
    const histories = await Promise.all(
      runs.map((run) =>
        getData<RunMetricsData>(`/api/runs/${run.run_id}/metrics`).then((data) => data.history),
      ),
    );
    // The ticks may have changed while loading: only the latest call draws.
    if (runs.some((run) => !picked.has(run.run_id)) || picked.size !== runs.length) return;
    const epochs = [...new Set(histories.flatMap((history) => history.val_loss.map((p) => p.step)))].sort(
      (a, b) => a - b,
    );
    destroyCharts(parent);
    if (epochs.length === 0) {
      parent.replaceChildren(h("p", { class: "muted" }, "None of these runs logged per-epoch metrics."));
      return;
    }
    parent.replaceChildren();
    drawChart(
      parent,
      "line",
      epochs,
      runs.map((run, i) => ({
        label: runNameAndId(run.name, run.run_id),
        data: epochs.map((step) => histories[i].val_loss.find((p) => p.step === step)?.value ?? null),
      })),
      { title: "Validation loss per epoch of the compared runs", x: "epoch", y: "validation loss" },
    );
  } catch (error) {
    parent.replaceChildren(errorBox(error));
  }
}
