/**
 * Which model the server answers with: the run loaded by `GET /`, with its name and its validation
 * and test F1 from the tracking store, described in one line for the header and the pages.
 */
import type { RunView } from "../tagifai/serve/contract.js";
import { getData } from "./api.js";
import { type Child, h, sig } from "./dom.js";

/** `data` of `GET /`. */
interface Health {
  model_loaded: boolean;
  run_id: string | null;
}

/** The served model: its run (null if the store no longer has it). */
export interface ServedModel {
  runId: string;
  run: RunView | null;
}

/**
 * The model the server answers with, or null when none is loaded.
 * @returns its run id and run
 */
export async function servedModel(): Promise<ServedModel | null> {
  const health = await getData<Health>("/");
  if (!health.model_loaded || health.run_id === null) return null;
  const run = await getData<{ run: RunView }>(`/runs/${health.run_id}`).then(
    (data) => data.run,
    () => null,
  );
  return { runId: health.run_id, run };
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
 * The served model in one line: run name linked to its run, id, validation and test F1.
 * @param model the served model
 */
export function describeModel(model: ServedModel): Child[] {
  const { run, runId } = model;
  const metric = (label: string, value: number | undefined) =>
    value === undefined ? null : h("span", { class: "metric" }, `${label} ${sig(value, 3)}`);
  return [
    h("a", { href: `#/runs/${runId}` }, run?.name ?? runId.slice(0, 8)),
    " ",
    h("code", {}, runId.slice(0, 8)),
    metric(" · val F1", run?.metrics.val_f1),
    metric(" · test F1", run?.metrics.f1),
  ];
}
