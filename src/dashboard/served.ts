/**
 * Which model the server answers with: the facts `GET /` gives about the loaded run (its registered
 * name, version and aliases, run id and name, validation and test F1 — see `modelIdentity` in
 * lifecycle.ts), described in one line for the header and the pages.
 */
import type { HealthData, ModelIdentity, RunView } from "../tagifai/serve/contract.js";
import { getData } from "./api.js";
import { type Child, h, sig } from "./dom.js";

/** The served model, as `GET /` names it. */
export type ServedModel = ModelIdentity;

/** A registered version of a model. */
export type RegisteredVersion = ModelIdentity["registered"][number];

/**
 * The model the server answers with, or null when none is loaded.
 * @returns which model it is; a loaded run the store no longer has is named by its id alone
 */
export async function servedModel(): Promise<ServedModel | null> {
  const health = await getData<HealthData>("/");
  if (!health.model_loaded || health.run_id === null) return null;
  return (
    health.model ?? {
      run_id: health.run_id,
      run_name: health.run_id.slice(0, 8),
      registered: [],
      val_f1: null,
      test_f1: null,
    }
  );
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
  return `${runNameAndId(run.name, run.run_id)}${f1}`;
}

/**
 * A run's name and short id, e.g. "cnn-small · 1a2b3c4d"; the short id alone when the run is named
 * by its id (the store's default name) or has no name.
 * @param name the run's name
 * @param runId the run's id
 */
export function runNameAndId(name: string | null | undefined, runId: string): string {
  const short = runId.slice(0, 8);
  return name == null || namedById(name, runId) ? short : `${name} · ${short}`;
}

/**
 * Whether a run's name is just its id (or the id's start, the store's default name), so that
 * showing both would say the same thing twice.
 * @param name the run's name
 * @param runId the run's id
 */
function namedById(name: string, runId: string): boolean {
  return name !== "" && runId.startsWith(name);
}

/**
 * The served model in one line: its registered name, version and aliases (if any), run name linked
 * to its run, id, validation and test F1.
 * @param model the served model
 */
export function describeModel(model: ServedModel): Child[] {
  const metric = (label: string, value: number | null) =>
    value === null ? null : h("span", { class: "metric" }, `${label} ${sig(value, 3)}`);
  const registered = model.registered.map(versionLabel).join(", ");
  return [
    registered === "" ? null : h("a", { href: "#/models", class: "version" }, registered),
    registered === "" ? null : " · run ",
    h("a", { href: `#/runs/${model.run_id}` }, model.run_name),
    ...(namedById(model.run_name, model.run_id) ? [] : [" ", h("code", {}, model.run_id.slice(0, 8))]),
    metric(" · val F1", model.val_f1),
    metric(" · test F1", model.test_f1),
  ];
}
