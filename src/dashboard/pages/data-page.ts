/**
 * Data page: the newest projects, the label distribution (how many projects carry each tag), the
 * distribution of text lengths, the data expectations report with its failing records, and a
 * searchable tag browser with each tag's aliases and parents.
 */
import type {
  DatasetData,
  ExpectationsData,
  ProjectsData,
  TagsData,
  TextLengthsData,
} from "../../tagifai/serve/contract.js";
import { getData } from "../api.js";
import { drawChart } from "../charts.js";
import { emptyState, h, section, table } from "../dom.js";
import type { PageContext } from "../page.js";

/** How many of the most used tags the bar chart shows. */
const CHART_TAGS = 30;

/**
 * Render the Data page.
 * @param root the page's element (in the document)
 */
export async function renderDataPage(root: HTMLElement, context: PageContext): Promise<void> {
  root.append(h("h1", {}, "Data"));
  const { dataset } = await getData<DatasetData>("/api/data");
  if (dataset === null) {
    root.append(
      emptyState(
        "No dataset yet: fetch it with `tagifai load-data` (or point `TAGIFAI_DATA_DIR` at a folder with projects.json and tags.json) where the server runs, then reload.",
        context.reload,
      ),
    );
    return;
  }
  const [{ projects }, { tags }, lengths, { report }] = await Promise.all([
    getData<ProjectsData>("/api/data/projects?limit=10"),
    getData<TagsData>("/api/data/tags"),
    getData<TextLengthsData>("/api/data/text-lengths"),
    getData<ExpectationsData>("/api/data/expectations"),
  ]);
  root.append(h("p", {}, `${dataset.projects} projects and ${dataset.tags} tags in the dataset.`));

  root.append(
    section(
      "Newest projects",
      table(
        [
          { title: "Created", cell: (p) => p.created_on.slice(0, 10) },
          { title: "Title", cell: (p) => p.title },
          { title: "Description", cell: (p) => h("span", { class: "clip text" }, p.description) },
          { title: "Tags", cell: (p) => p.tags.join(", ") },
        ],
        projects,
      ),
    ),
  );

  const counts = section(`Label distribution: projects per tag (top ${CHART_TAGS})`);
  root.append(counts);
  const top = tags.slice(0, CHART_TAGS);
  drawChart(
    counts,
    "bar",
    top.map((t) => t.tag),
    [{ label: "projects", data: top.map((t) => t.count) }],
    {
      horizontal: true,
      title: "Projects per tag",
    },
  );

  appendTextLengths(root, lengths);
  root.append(expectationsSection(report));

  const search = h("input", {
    type: "search",
    placeholder: "e.g. vision",
    id: "tag-filter",
  });
  const browser = h("div", { class: "scroll" });
  const show = () => {
    const query = search.value.trim().toLowerCase();
    const shown = tags.filter((t) =>
      [t.tag, ...t.aliases, ...t.parents].some((name) => name.includes(query)),
    );
    browser.replaceChildren(
      table(
        [
          { title: "Tag", cell: (t) => t.tag, sortKey: (t) => t.tag },
          { title: "Projects", cell: (t) => t.count, sortKey: (t) => t.count },
          { title: "Aliases", cell: (t) => t.aliases.join(", ") },
          { title: "Parents", cell: (t) => t.parents.join(", ") },
        ],
        shown,
      ),
    );
  };
  search.addEventListener("input", show);
  show();
  root.append(
    section(
      "Tag browser",
      h("label", { for: "tag-filter" }, "Filter tags, aliases or parents"),
      search,
      browser,
    ),
  );
}

/** Append the distribution of the texts' lengths: a summary and a histogram. */
function appendTextLengths(root: HTMLElement, lengths: TextLengthsData): void {
  const card = (label: string, value: number) =>
    h("div", { class: "card" }, h("span", {}, label), h("strong", {}, String(Math.round(value))));
  const block = section(
    "Text length (title + description, in characters)",
    h(
      "div",
      { class: "cards", id: "text-length-summary" },
      card("shortest", lengths.min),
      card("median", lengths.median),
      card("mean", lengths.mean),
      card("longest", lengths.max),
    ),
  );
  root.append(block);
  const shown = lengths.bins.slice(0, lastNonEmpty(lengths.bins) + 1);
  drawChart(
    block,
    "bar",
    shown.map((bin) => `${bin.from}–${bin.to - 1}`),
    [{ label: "projects", data: shown.map((bin) => bin.count) }],
    { title: "Projects by text length", x: "characters", y: "projects" },
  );
}

/** The index of the last bin holding a text. */
function lastNonEmpty(bins: TextLengthsData["bins"]): number {
  for (let i = bins.length - 1; i >= 0; i--) if (bins[i].count > 0) return i;
  return -1;
}

/** The data expectations: one row per expectation, with the records that fail it. */
function expectationsSection(report: ExpectationsData["report"]): HTMLElement {
  const failed = report.results.filter((r) => !r.success);
  const warnings = failed.filter((r) => r.severity === "warn").length;
  const errors = failed.length - warnings;
  const verdict = report.success
    ? h("strong", { class: "pass" }, "Training can go on")
    : h("strong", { class: "fail" }, "Training is blocked");
  type Result = (typeof report.results)[number];
  const outcome = (r: Result) =>
    r.success
      ? h("strong", { class: "pass" }, "passed")
      : h("strong", { class: "fail" }, r.severity === "warn" ? "warning" : "failed");
  const failures = (r: Result) =>
    r.details.failed === 0
      ? "–"
      : h(
          "details",
          { class: "failures" },
          h(
            "summary",
            {},
            r.details.failed > r.details.examples.length
              ? `first ${r.details.examples.length} of ${r.details.failed}`
              : `${r.details.failed} record${r.details.failed === 1 ? "" : "s"}`,
          ),
          h("ul", { class: "text" }, ...r.details.examples.map((example) => h("li", {}, example))),
        );
  return section(
    "Data expectations",
    h(
      "p",
      { id: "expectations-verdict" },
      verdict,
      ` — ${report.source ?? "the dataset"}: ${report.results.length - failed.length} of ${report.results.length} expectations hold, ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"} (a warning is reported, an error blocks training).`,
    ),
    h(
      "div",
      { id: "expectations" },
      table(
        [
          {
            title: "Result",
            cell: outcome,
            sortKey: (r) => (r.success ? 1 : r.severity === "warn" ? 0 : -1),
          },
          { title: "Expectation", cell: (r) => h("code", { class: "text" }, r.expectation) },
          { title: "What", cell: (r) => r.description },
          { title: "Checked", cell: (r) => r.details.checked, sortKey: (r) => r.details.checked },
          { title: "Failing", cell: (r) => r.details.failed, sortKey: (r) => r.details.failed },
          { title: "Failing records", cell: failures },
        ],
        report.results,
      ),
    ),
  );
}
