/**
 * Tiny DOM helpers for the dashboard: element creation, tables (optionally sortable by clicking a
 * header), number formatting and error boxes.
 */

type Child = Node | string | number | null | undefined;

/**
 * Create an element.
 * @param tag the tag name
 * @param attributes attributes to set (`class`, `data-*`, …)
 * @param children nodes or text
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A section with a heading. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", {}, h("h3", {}, title), ...children);
}

/** A column of a table over rows of type T. */
export interface Column<T> {
  title: string;
  cell: (row: T) => Child;
  /** Sort key; columns without one are not sortable. */
  sortKey?: (row: T) => number | string;
}

/**
 * A table; clicking the header of a column with a sort key sorts by it (again: reverses).
 * @param columns the columns
 * @param rows the rows
 * @param onRow called when a row is created, e.g. to make it clickable
 */
export function table<T>(
  columns: Column<T>[],
  rows: T[],
  onRow?: (tr: HTMLTableRowElement, row: T) => void,
): HTMLTableElement {
  const body = h("tbody");
  const fill = (ordered: T[]) => {
    body.replaceChildren(
      ...ordered.map((row) => {
        const tr = h("tr", {}, ...columns.map((column) => h("td", {}, column.cell(row))));
        onRow?.(tr, row);
        return tr;
      }),
    );
  };
  let sorted: { column: Column<T>; descending: boolean } | undefined;
  const header = h(
    "tr",
    {},
    ...columns.map((column) => {
      const th = h("th", column.sortKey ? { class: "sortable", title: "Sort" } : {}, column.title);
      const key = column.sortKey;
      if (key) {
        th.addEventListener("click", () => {
          const descending = sorted?.column === column ? !sorted.descending : true;
          sorted = { column, descending };
          const order = descending ? -1 : 1;
          fill([...rows].sort((a, b) => (key(a) < key(b) ? -order : key(a) > key(b) ? order : 0)));
          for (const cell of header.children) cell.removeAttribute("aria-sort");
          th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        });
      }
      return th;
    }),
  );
  fill(rows);
  return h("table", {}, h("thead", {}, header), body);
}

/**
 * A number with a fixed number of decimals ("–" when missing).
 * @param value the number
 * @param digits decimals
 */
export function fmt(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

/** A box showing what went wrong. */
export function errorBox(error: unknown): HTMLElement {
  return h("p", { class: "error", role: "alert" }, error instanceof Error ? error.message : String(error));
}
