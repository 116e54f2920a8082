/**
 * Optimization page: pick a hyperparameter study; see its trial counts and best trial, its
 * optimization history (each trial's value and the running best), its parameter importance (a
 * first-order variance decomposition with Spearman's direction: see optimize/importance.ts), a
 * parallel coordinates plot of its COMPLETE trials, the values its trials reported
 * per step with the pruned ones marked, the objective (named as the study's objective records it)
 * of its COMPLETE trials against each parameter, and its trials sorted by value, each linked to its
 * run.
 */
import { paramImportances } from "../../tagifai/optimize/importance.js";
import type { StudiesData, StudyTrialsData, StudyView, TrialView } from "../../tagifai/serve/contract.js";
import { getData } from "../api.js";
import { destroyCharts, drawChart, drawScatter, type ScatterAxis, type ScatterPoint } from "../charts.js";
import { type Column, emptyState, errorBox, fmt, h, section, sig, table } from "../dom.js";
import type { PageContext } from "../page.js";
import { parallelCoordinates } from "../parallel.js";

type ParamValue = TrialView["params"][string];

/**
 * Render the Optimization page.
 * @param root the page's element (in the document)
 */
export async function renderOptimizationPage(root: HTMLElement, context: PageContext): Promise<void> {
  const { studies } = await getData<StudiesData>("/api/studies");
  root.append(h("h1", {}, "Optimization"));
  if (studies.length === 0) {
    root.append(
      emptyState(
        "No study yet: tune the hyperparameters with `tagifai optimize --study-name optimization --num-trials 20` (against this server's tracking store), then reload.",
        context.reload,
      ),
    );
    return;
  }
  const picker = h(
    "select",
    { id: "study", "aria-label": "Study" },
    ...studies.map((study) => h("option", { value: study.name }, study.name)),
  );
  const shown = h("div", { id: "study-view" });
  picker.addEventListener("change", () => void showStudy(shown, picker.value));
  root.append(h("p", {}, h("label", { for: "study" }, "Study "), picker), shown);
  await showStudy(shown, studies[0].name);
}

/** Replace `parent`'s content with the study's summary, scatter charts and trial table. */
async function showStudy(parent: HTMLElement, name: string): Promise<void> {
  try {
    const { study, trials } = await getData<StudyTrialsData>(
      `/api/studies/${encodeURIComponent(name)}/trials`,
    );
    destroyCharts(parent);
    parent.replaceChildren(summary(study));
    const history = section("Optimization history");
    parent.append(history);
    drawHistory(history, study, trials);
    const complete = trials.filter((t) => t.value !== null);
    appendImportance(parent, study, complete);
    parent.append(parallelSection(study, complete));
    const reports = section(`${capitalize(study.reported ?? "reported value")} per step`);
    parent.append(reports);
    drawIntermediate(reports, study, trials);
    const charts = section(`${capitalize(objectiveName(study))} against each parameter`, notPlotted(study));
    charts.id = "param-charts";
    parent.append(charts);
    for (const param of paramNames(trials)) drawParamScatter(charts, study, complete, param);
    parent.append(section("Trials, best first", trialTable(study, trials)));
  } catch (error) {
    parent.replaceChildren(errorBox(error));
  }
}

/** Each COMPLETE trial's value by trial number, and the best value so far after each trial. */
function drawHistory(parent: HTMLElement, study: StudyView, trials: readonly TrialView[]): void {
  const complete = trials.filter((t) => t.value !== null).sort((a, b) => a.number - b.number);
  if (complete.length === 0) {
    parent.append(h("p", { class: "muted" }, "No trial is COMPLETE yet."));
    return;
  }
  const better = (a: number, b: number) => (study.direction === "maximize" ? a > b : a < b);
  let best: number | undefined;
  const running = complete.map((t) => {
    const value = t.value as number;
    if (best === undefined || better(value, best)) best = value;
    return { x: t.number, y: best };
  });
  drawScatter(
    parent,
    [
      { label: "trial value", points: complete.map((t) => ({ x: t.number, y: t.value as number })) },
      { label: "best so far", points: running, line: true },
    ],
    {
      title: `Optimization history of ${study.name}`,
      x: { title: "trial", axis: { type: "linear" } },
      y: { title: objectiveName(study) },
    },
  );
}

/** Append the parameter importance: a bar per parameter and a table with the method's numbers. */
function appendImportance(parent: HTMLElement, study: StudyView, complete: readonly TrialView[]): void {
  const importances = paramImportances(complete.map((t) => ({ params: t.params, value: t.value as number })));
  const block = section(
    "Parameter importance",
    h(
      "p",
      { class: "muted" },
      `How much of the spread of the ${complete.length} COMPLETE trials' ${objectiveName(study)} each parameter explains on its own: a first-order variance decomposition (the share of variance between groups of trials with similar values of the parameter, corrected for chance — epsilon-squared), normalized to sum to 1; interactions are ignored and few trials make it noisy. Spearman's ρ says whether the value rises (+) or falls (−) as a numeric parameter grows.`,
    ),
  );
  block.id = "param-importance";
  parent.append(block);
  const known = importances.filter((r) => r.normalized !== null);
  if (known.length === 0) {
    block.append(
      h("p", {}, "Not enough COMPLETE trials to estimate it (at least 3 with two different values)."),
    );
    return;
  }
  drawChart(
    block,
    "bar",
    known.map((r) => r.param),
    [{ label: "importance", data: known.map((r) => r.normalized) }],
    { horizontal: true, title: `Parameter importance in ${study.name}`, x: "importance (sums to 1)" },
  );
  block.append(
    table(
      [
        { title: "Parameter", cell: (r) => h("code", {}, r.param) },
        { title: "Importance", cell: (r) => fmt(r.normalized), sortKey: (r) => r.normalized ?? -1 },
        {
          title: "Variance explained",
          cell: (r) => (r.explained === null ? "–" : `${(r.explained * 100).toFixed(1)}%`),
          sortKey: (r) => r.explained ?? -1,
        },
        { title: "Spearman ρ", cell: (r) => (r.spearman === null ? "–" : sig(r.spearman, 2)) },
        { title: "Trials", cell: (r) => r.trials },
      ],
      importances,
    ),
  );
}

/** The COMPLETE trials as lines across one axis per parameter and one for the value; the best stands out. */
function parallelSection(study: StudyView, complete: readonly TrialView[]): HTMLElement {
  const block = section("Parallel coordinates");
  block.id = "parallel";
  if (complete.length === 0) {
    block.append(h("p", { class: "muted" }, "No trial is COMPLETE yet."));
    return block;
  }
  const best = complete.findIndex((t) => t.number === study.best_trial?.number);
  block.append(
    h(
      "p",
      { class: "muted" },
      `One line per COMPLETE trial; darker lines have a ${study.direction === "maximize" ? "higher" : "lower"} (better) ${objectiveName(study)}, the best trial is the thick orange line. Its data table and the trial table below have the same numbers.`,
    ),
    parallelCoordinates(
      [
        ...paramNames(complete).map((param) => ({
          name: param,
          values: complete.map((t) => t.params[param]),
        })),
        { name: objectiveName(study), values: complete.map((t) => t.value as number) },
      ],
      {
        title: `Parallel coordinates of the COMPLETE trials of ${study.name}`,
        names: complete.map((t) => `trial ${t.number}`),
        colors: { higherIsBetter: study.direction === "maximize" },
        highlight: best < 0 ? undefined : best,
      },
    ),
  );
  return block;
}

/** The values each trial reported per step (e.g. per epoch), pruned trials named as such. */
function drawIntermediate(parent: HTMLElement, study: StudyView, trials: readonly TrialView[]): void {
  const reporting = trials.filter((t) => t.intermediate.length > 0);
  if (reporting.length === 0) {
    parent.append(h("p", { class: "muted" }, "No trial reported intermediate values."));
    return;
  }
  const pruned = reporting.filter((t) => t.state === "PRUNED").map((t) => t.number);
  parent.append(
    h(
      "p",
      { class: "muted" },
      pruned.length === 0
        ? "No trial was pruned."
        : `Pruned (stopped early): trial ${pruned.join(", ")} — their lines end where the pruner stopped them.`,
    ),
  );
  drawScatter(
    parent,
    reporting.map((t) => ({
      label: `trial ${t.number}${t.state === "PRUNED" ? " (pruned)" : t.state === "FAILED" ? " (failed)" : ""}`,
      points: t.intermediate
        .filter((p) => p.value !== null)
        .map((p) => ({ x: p.step, y: p.value as number })),
      line: true,
      dashed: t.state === "PRUNED",
    })),
    {
      title: `${capitalize(study.reported ?? "reported value")} per step of each trial of ${study.name}`,
      x: { title: "step", axis: { type: "linear" } },
      y: { title: study.reported ?? "reported value" },
    },
  );
}

/** Cards with the trial counts and the best value, and the best trial's params. */
function summary(study: StudyView): HTMLElement {
  const counts = study.trial_counts;
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const card = (label: string, value: string | number) =>
    h("div", { class: "card" }, h("span", {}, label), h("strong", {}, value));
  const best = study.best_trial;
  return section(
    `Study ${study.name} (${study.direction} ${objectiveName(study)})`,
    h(
      "div",
      { class: "cards" },
      card("trials", total),
      card("complete", counts.COMPLETE),
      card("pruned", counts.PRUNED),
      card("failed", counts.FAILED),
      ...(counts.RUNNING > 0 ? [card("running", counts.RUNNING)] : []),
      card("best value", fmt(best?.value, 4)),
    ),
    best === null
      ? h("p", { class: "muted" }, "No trial is COMPLETE yet.")
      : h(
          "p",
          { id: "best-trial" },
          `Best: trial ${best.number} with `,
          ...Object.entries(best.params).flatMap(([key, value], i) => [
            i > 0 ? ", " : "",
            h("code", {}, `${key}=${showValue(value)}`),
          ]),
        ),
  );
}

/** The note saying which trials have no objective value and are left out of the charts. */
function notPlotted({ trial_counts: counts }: StudyView): HTMLElement | null {
  const left = (["PRUNED", "FAILED", "RUNNING"] as const)
    .filter((state) => counts[state] > 0)
    .map((state) => `${counts[state]} ${state.toLowerCase()}`);
  if (left.length === 0) return null;
  return h(
    "p",
    { class: "muted" },
    `Only COMPLETE trials have an objective value: the ${left.join(", ")} trial(s) are not plotted.`,
  );
}

/** Every parameter name of the trials, sorted. */
function paramNames(trials: readonly TrialView[]): string[] {
  return [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
}

/** One scatter chart: the value of each COMPLETE trial against `param`, the best trial apart. */
function drawParamScatter(
  parent: HTMLElement,
  study: StudyView,
  complete: readonly TrialView[],
  param: string,
): void {
  const withParam = complete.filter((t) => param in t.params);
  const axis = xAxis(withParam.map((t) => t.params[param]));
  const point = (t: TrialView): ScatterPoint => {
    const x = t.params[param];
    return { x: typeof x === "number" ? x : String(x), y: t.value as number };
  };
  const bestNumber = study.best_trial?.number;
  drawScatter(
    parent,
    [
      { label: "complete trials", points: withParam.filter((t) => t.number !== bestNumber).map(point) },
      { label: "best trial", points: withParam.filter((t) => t.number === bestNumber).map(point) },
    ],
    {
      title: `${capitalize(objectiveName(study))} against ${param}`,
      x: { title: axis.type === "logarithmic" ? `${param} (log scale)` : param, axis },
      y: {
        title: `${objectiveName(study)} (${study.direction === "maximize" ? "higher" : "lower"} is better)`,
      },
    },
  );
}

/**
 * The x axis for a parameter's values: categories unless every value is a number; logarithmic when
 * the numbers are all positive and span more than a decade (learning rates, weight decays…).
 */
function xAxis(values: readonly ParamValue[]): ScatterAxis {
  if (!values.every((v) => typeof v === "number")) {
    return { type: "category", labels: [...new Set(values.map(String))].sort() };
  }
  const numbers = values as number[];
  const low = Math.min(...numbers);
  const spansDecades = low > 0 && Math.max(...numbers) / low > 10;
  return { type: spansDecades ? "logarithmic" : "linear" };
}

/** The trials sorted by value, best first (trials without a value last), with one column per param. */
function trialTable(study: StudyView, trials: readonly TrialView[]): HTMLElement {
  const sign = study.direction === "maximize" ? -1 : 1;
  const sortValue = (t: TrialView) => (t.value === null ? Number.POSITIVE_INFINITY : sign * t.value);
  const sorted = [...trials].sort((a, b) => sortValue(a) - sortValue(b) || a.number - b.number);
  const columns: Column<TrialView>[] = [
    { title: "Trial", cell: (t) => t.number, sortKey: (t) => t.number },
    { title: "State", cell: (t) => h("span", { class: "state" }, t.state), sortKey: (t) => t.state },
    {
      title: capitalize(objectiveName(study)),
      cell: (t) => fmt(t.value, 4),
      sortKey: (t) => t.value ?? Number.NEGATIVE_INFINITY,
    },
    ...paramNames(trials).map(
      (param): Column<TrialView> => ({
        title: param,
        cell: (t) => (param in t.params ? showValue(t.params[param]) : "–"),
      }),
    ),
    {
      title: "Run",
      cell: (t) =>
        t.run_id === null
          ? "–"
          : h(
              "a",
              { href: `#/runs/${t.run_id}`, "aria-label": `run of trial ${t.number}` },
              h("code", { class: "id" }, t.run_id.slice(0, 8)),
            ),
    },
  ];
  return table(columns, sorted, (tr, t) => {
    tr.dataset.trial = String(t.number);
    tr.classList.add(t.state.toLowerCase());
  });
}

/** What the study's value measures: the name its objective records, else "objective value". */
function objectiveName(study: StudyView): string {
  return study.objective ?? "objective value";
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A param value for people: numbers to 4 significant digits. */
function showValue(value: ParamValue): string {
  return typeof value === "number" ? String(Number(value.toPrecision(4))) : String(value);
}
