/**
 * Models page: the model registry — every registered model with its versions, their aliases, the
 * run behind each and its validation and test F1 — and the way to promote (point an alias at a
 * version) or demote (remove an alias). Changing an alias needs the server's token, kept for the
 * browser tab only (sessionStorage).
 */
import type { ModelData, ModelsData, RegisteredModelView } from "../../tagifai/serve/contract.js";
import { changeData, getData } from "../api.js";
import { dataTable, emptyState, errorBox, h, section, sig } from "../dom.js";
import type { PageContext } from "../page.js";

/** Where the token is kept for the tab's lifetime. */
const TOKEN_KEY = "tagifai.token";

type Version = RegisteredModelView["versions"][number];

/**
 * Render the Models page.
 * @param root the page's element (in the document)
 * @param context the page's reload
 */
export async function renderModelsPage(root: HTMLElement, context: PageContext): Promise<void> {
  const { models } = await getData<ModelsData>("/api/models");
  root.append(h("h1", {}, "Models"));
  if (models.length === 0) {
    root.append(
      emptyState(
        "No registered model yet: register a run with `tagifai register --run-id <run id> --name tagifai`, then reload.",
        context.reload,
      ),
    );
    return;
  }
  root.append(
    h(
      "p",
      { class: "muted" },
      "Commands and the server resolve ",
      h("code", {}, "models:/<name>@<alias>"),
      " to the version an alias names; the production alias names the default model.",
    ),
    tokenField(),
  );
  for (const model of models) {
    const holder = h("div", { class: "model", "data-model": model.name });
    holder.append(modelSection(model, holder));
    root.append(holder);
  }
}

/** The token field: what the server wants before it changes an alias. */
function tokenField(): HTMLElement {
  const input = h("input", { type: "password", id: "token", autocomplete: "off", spellcheck: "false" });
  input.value = sessionStorage.getItem(TOKEN_KEY) ?? "";
  input.addEventListener("change", () => sessionStorage.setItem(TOKEN_KEY, input.value.trim()));
  return section(
    "Changing aliases",
    h("label", { for: "token" }, "Server token"),
    input,
    h(
      "p",
      { class: "muted" },
      "The token the server was started with (",
      h("code", {}, "TAGIFAI_RELOAD_TOKEN"),
      "); it stays in this browser tab only.",
    ),
  );
}

/** A model's versions table and its alias form; changes re-render the section in `holder`. */
function modelSection(model: RegisteredModelView, holder: HTMLElement): HTMLElement {
  const status = h("p", { class: "status", role: "status" });
  const change = (method: "POST" | "DELETE", path: string, body: unknown, done: string) => {
    status.replaceChildren("Saving…");
    changeData<ModelData>(method, path, body, sessionStorage.getItem(TOKEN_KEY) ?? "")
      .then(({ model: changed }) => {
        const fresh = modelSection(changed, holder);
        holder.replaceChildren(fresh);
        fresh.querySelector(".status")?.replaceChildren(done);
      })
      .catch((error: unknown) => status.replaceChildren(errorBox(error)));
  };
  const base = `/api/models/${encodeURIComponent(model.name)}/aliases`;

  const aliasCell = (version: Version) =>
    h(
      "span",
      { class: "aliases" },
      ...version.aliases.map((alias) => {
        const remove = h(
          "button",
          {
            type: "button",
            class: "secondary small",
            "aria-label": `Remove alias ${alias} from version ${version.version}`,
          },
          "×",
        );
        remove.addEventListener("click", () =>
          change("DELETE", `${base}/${encodeURIComponent(alias)}`, {}, `Removed alias ${alias}.`),
        );
        return h("span", { class: "alias" }, `@${alias}`, remove);
      }),
    );
  const versions = [...model.versions].reverse();
  const listing = dataTable(
    [
      { title: "Version", cell: (v: Version) => `v${v.version}`, sortKey: (v: Version) => v.version },
      { title: "Aliases", cell: aliasCell },
      {
        title: "Run",
        cell: (v: Version) => h("a", { href: `#/runs/${v.run_id}` }, v.run_name ?? v.run_id.slice(0, 8)),
        sortKey: (v: Version) => v.run_name ?? v.run_id,
      },
      { title: "Status", cell: (v: Version) => v.run_status ?? "deleted" },
      {
        title: "Val F1",
        cell: (v: Version) => sig(v.metrics.val_f1, 3),
        sortKey: (v: Version) => v.metrics.val_f1 ?? -1,
      },
      {
        title: "Test F1",
        cell: (v: Version) => sig(v.metrics.f1, 3),
        sortKey: (v: Version) => v.metrics.f1 ?? -1,
      },
      { title: "Registered", cell: (v: Version) => v.created_at.replace("T", " ").slice(0, 16) },
    ],
    versions,
    {
      caption: `Versions of ${model.name}`,
      onRow: (tr, v) => tr.setAttribute("data-version", String(v.version)),
    },
  );

  const id = (what: string) => `${what}-${model.name}`;
  const alias = h("input", {
    id: id("alias"),
    value: "production",
    required: "",
    pattern: "[A-Za-z0-9_.\\-]{1,100}",
  });
  const version = h(
    "select",
    { id: id("version") },
    ...versions.map((v) => h("option", { value: String(v.version) }, `v${v.version}`)),
  );
  const form = h(
    "form",
    { class: "alias-form" },
    h("label", { for: id("alias"), class: "field" }, "Alias", alias),
    h("label", { for: id("version"), class: "field" }, "Version", version),
    h("button", { type: "submit" }, "Point alias"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = alias.value.trim();
    change(
      "POST",
      base,
      { alias: name, version: Number(version.value) },
      `@${name} now names v${version.value}.`,
    );
  });
  return section(model.name, listing.element, form, status);
}
