/**
 * DOM helpers for the dashboard: element creation, tables (sortable by header buttons, paged,
 * scrolling inside their card), number formatting, inline code in hints, and empty-state boxes.
 */

/** What an element can hold. */
export type Child = Node | string | number | null | undefined | false;

/**
 * Create an element.
 * @param tag the tag name
 * @param attributes attributes to set (`class`, `data-*`, …)
 * @param children nodes or text (null, undefined and false are skipped)
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false)
      element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A card: a section with a heading (h2, under the page's h1). */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", {}, h("h2", {}, title), ...children);
}

/**
 * Text where `backticked` parts become `<code>`, as in a Markdown hint.
 * @param text e.g. "train one with `tagifai train-model`"
 */
export function withCode(text: string): Node[] {
  return text
    .split("`")
    .map((part, i) => (i % 2 === 1 ? h("code", {}, part) : document.createTextNode(part)));
}

/** A column of a table over rows of type T. */
export interface Column<T> {
  title: string;
  cell: (row: T) => Child;
  /** Sort key; columns without one are not sortable. Text sorts A→Z first, numbers largest first. */
  sortKey?: (row: T) => number | string;
  /** Numbers sort smallest first on the first click (losses, ranks). */
  ascendingFirst?: boolean;
}

/** How a table behaves. */
export interface TableOptions<T> {
  /** Called when a row is created, e.g. to mark it. */
  onRow?: (tr: HTMLTableRowElement, row: T) => void;
  /** Rows per page; all rows on one page when omitted. */
  pageSize?: number;
  /** The table's accessible name. */
  caption?: string;
}

/** A table with its scrolling wrapper and the way to show a given row's page. */
export interface Table<T> {
  /** The wrapper to append (scrolls sideways inside its card, holds the pager). */
  element: HTMLElement;
  /** The table element. */
  table: HTMLTableElement;
  /** Go to the page holding the first row matching `match` (sorted order); false if none. */
  showRow(match: (row: T) => boolean): boolean;
}

/**
 * A table; a column with a sort key has a header button that sorts by it (pressed again: reverses).
 * Cells are rebuilt on every sort or page change, so cell builders read their state (e.g. whether a
 * box is ticked) from the page, not from the previous cell.
 * @param columns the columns
 * @param rows the rows
 * @param options row hook, page size, caption
 */
export function dataTable<T>(columns: Column<T>[], rows: T[], options: TableOptions<T> = {}): Table<T> {
  const body = h("tbody");
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  const pageSize = options.pageSize ?? Number.POSITIVE_INFINITY;
  let ordered = rows;
  let page = 0;
  const pages = () => Math.max(1, Math.ceil(ordered.length / pageSize));

  const fill = () => {
    const shown = Number.isFinite(pageSize) ? ordered.slice(page * pageSize, (page + 1) * pageSize) : ordered;
    body.replaceChildren(
      ...shown.map((row) => {
        const tr = h("tr", {}, ...columns.map((column) => h("td", {}, column.cell(row))));
        options.onRow?.(tr, row);
        return tr;
      }),
    );
    if (!Number.isFinite(pageSize) || ordered.length <= pageSize) {
      pager.replaceChildren();
      return;
    }
    const go = (label: string, to: number) => {
      const button = h("button", { type: "button", class: "secondary" }, label);
      if (to < 0 || to >= pages()) button.disabled = true;
      button.addEventListener("click", () => {
        page = to;
        fill();
      });
      return button;
    };
    const first = page * pageSize + 1;
    const last = Math.min(ordered.length, (page + 1) * pageSize);
    pager.replaceChildren(
      go("Previous", page - 1),
      h(
        "span",
        { class: "page-info" },
        `${first}–${last} of ${ordered.length} · page ${page + 1} of ${pages()}`,
      ),
      go("Next", page + 1),
    );
  };

  let sorted: { column: Column<T>; descending: boolean } | undefined;
  const header = h(
    "tr",
    {},
    ...columns.map((column) => {
      const th = h("th", { scope: "col" });
      const key = column.sortKey;
      if (!key) {
        th.append(column.title);
        return th;
      }
      const button = h("button", { type: "button", class: "sort" }, column.title);
      button.addEventListener("click", () => {
        const numeric = rows.length > 0 && typeof key(rows[0]) === "number";
        const firstDescending = numeric && !column.ascendingFirst;
        const descending = sorted?.column === column ? !sorted.descending : firstDescending;
        sorted = { column, descending };
        const order = descending ? -1 : 1;
        const compare = (a: T, b: T) => {
          const [x, y] = [key(a), key(b)];
          if (typeof x === "string" && typeof y === "string") return order * x.localeCompare(y);
          return x < y ? -order : x > y ? order : 0;
        };
        ordered = [...rows].sort(compare);
        page = 0;
        fill();
        for (const cell of header.children) cell.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
      th.append(button);
      return th;
    }),
  );
  fill();
  const table = h(
    "table",
    {},
    options.caption ? h("caption", { class: "visually-hidden" }, options.caption) : null,
    h("thead", {}, header),
    body,
  );
  return {
    element: h("div", { class: "table-block" }, h("div", { class: "table-scroll" }, table), pager),
    table,
    showRow(match) {
      const index = ordered.findIndex(match);
      if (index < 0) return false;
      if (Number.isFinite(pageSize)) page = Math.floor(index / pageSize);
      fill();
      return true;
    },
  };
}

/**
 * A table without paging, ready to append (see `dataTable`).
 * @param columns the columns
 * @param rows the rows
 * @param onRow called when a row is created
 */
export function table<T>(
  columns: Column<T>[],
  rows: T[],
  onRow?: (tr: HTMLTableRowElement, row: T) => void,
): HTMLElement {
  return dataTable(columns, rows, { onRow }).element;
}

/**
 * A number with a fixed number of decimals ("–" when missing).
 * @param value the number
 * @param digits decimals
 */
export function fmt(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

/**
 * A number to `digits` significant digits, in exponent form when very small or large ("–" when
 * missing): losses of 0.00812 and 0.00849 stay apart.
 * @param value the number
 * @param digits significant digits
 */
export function sig(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return "–";
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  return size < 1e-3 || size >= 1e6 ? value.toExponential(digits - 1) : value.toPrecision(digits);
}

/**
 * A chart's numbers for screen readers, the keyboard and copying: a closed `<details>` holding them.
 * @param title the chart's accessible name
 * @param data the table of its numbers
 */
export function chartData(title: string, data: HTMLElement): HTMLElement {
  return h("details", { class: "chart-data" }, h("summary", {}, `Data of “${title}”`), data);
}

/** A box showing what went wrong. */
export function errorBox(error: unknown): HTMLElement {
  return h("p", { class: "error", role: "alert" }, error instanceof Error ? error.message : String(error));
}

/**
 * What a page shows when it has nothing to show yet: what to do next (backticks become code) and
 * a button to look again.
 * @param text what is missing and how to get it, e.g. "No runs yet: train one with `tagifai train-model`."
 * @param reload what the Reload button does
 */
export function emptyState(text: string, reload: () => void): HTMLElement {
  const button = h("button", { type: "button", class: "secondary" }, "Reload");
  button.addEventListener("click", reload);
  return h("div", { class: "empty" }, h("p", {}, ...withCode(text)), button);
}
