/**
 * Data page: the newest projects, how many projects carry each tag, and a searchable tag browser
 * with each tag's aliases and parents.
 */
import type { ProjectsData, TagsData } from "../../tagifai/serve/contract.js";
import { getData, isNotFound } from "../api.js";
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
  let loaded: [ProjectsData, TagsData];
  try {
    loaded = await Promise.all([
      getData<ProjectsData>("/api/data/projects?limit=10"),
      getData<TagsData>("/api/data/tags"),
    ]);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    root.append(
      emptyState(
        "No dataset yet: fetch it with `tagifai load-data` (or point `TAGIFAI_DATA_DIR` at a folder with projects.json and tags.json) where the server runs, then reload.",
        context.reload,
      ),
    );
    return;
  }
  const [{ total, projects }, { tags }] = loaded;
  root.append(h("p", {}, `${total} projects and ${tags.length} tags in the dataset.`));

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

  const counts = section(`Projects per tag (top ${CHART_TAGS})`);
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
