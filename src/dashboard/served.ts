/**
 * Which model the server answers with: the run loaded by `GET /`, with its registered name, version
 * and aliases, its run name and its validation and test F1 from the tracking store, described in
 * one line for the header and the pages.
 */
import type { ModelsData, RunView } from "../tagifai/serve/contract.js";
import { getData } from "./api.js";
import { type Child, h, sig } from "./dom.js";

/** `data` of `GET /`. */
interface Health {
  model_loaded: boolean;
  run_id: string | null;
}

/** A registered version of a model. */
export interface RegisteredVersion {
  name: string;
  version: number;
  aliases: string[];
}

/** The served model: its run (null if the store no longer has it) and the registered versions of that run. */
export interface ServedModel {
  runId: string;
  run: RunView | null;
  versions: RegisteredVersion[];
}

/**
 * The model the server answers with, or null when none is loaded.
 * @returns its run id and run
 */
export async function servedModel(): Promise<ServedModel | null> {
  const health = await getData<Health>("/");
  if (!health.model_loaded || health.run_id === null) return null;
  const runId = health.run_id;
  const [run, { models }] = await Promise.all([
    getData<{ run: RunView }>(`/runs/${runId}`).then(
      (data) => data.run,
      () => null,
    ),
    getData<ModelsData>("/api/models"),
  ]);
  const versions = models.flatMap((model) =>
    model.versions
      .filter((version) => version.run_id === runId)
      .map((version) => ({ name: model.name, version: version.version, aliases: version.aliases })),
  );
  return { runId, run, versions };
}

/**
 * A registered version named for people: `tagifai v3 @production`.
 * @param version the version
 */
export function versionLabel(version: RegisteredVersion): string {
  return [`${version.name} v${version.version}`, ...version.aliases.map((alias) => `@${alias}`)].join(" ");
}

/**
 * A run named for people: its name, its short id and its test F1, e.g. "cnn-small · 1a2b3c4d · F1 0.712".
 * @param run the run
 */
export function runLabel(run: RunView): string {
  const f1 = run.metrics.f1 === undefined ? "" : ` · F1 ${sig(run.metrics.f1, 3)}`;
  return `${run.name} · ${run.run_id.slice(0, 8)}${f1}`;
}

/**
 * The served model in one line: its registered name, version and aliases (if any), run name linked
 * to its run, id, validation and test F1.
 * @param model the served model
 */
export function describeModel(model: ServedModel): Child[] {
  const { run, runId } = model;
  const metric = (label: string, value: number | undefined) =>
    value === undefined ? null : h("span", { class: "metric" }, `${label} ${sig(value, 3)}`);
  const registered = model.versions.map(versionLabel).join(", ");
  return [
    registered === "" ? null : h("a", { href: "#/models", class: "version" }, registered),
    registered === "" ? null : " · run ",
    h("a", { href: `#/runs/${runId}` }, run?.name ?? runId.slice(0, 8)),
    " ",
    h("code", {}, runId.slice(0, 8)),
    metric(" · val F1", run?.metrics.val_f1),
    metric(" · test F1", run?.metrics.f1),
  ];
}
