/**
 * Where the Inference page predicts: on the server (`POST /predict` or `/api/runs/:id/predict`), or
 * in this browser (browser-model.ts, loaded on demand with tfjs). The switch shows the state of the
 * in-browser model (loading, loaded in how long, or why it cannot be loaded) and, after every
 * prediction, its latency: the compute time per text in the browser, the round trip per text on the
 * server.
 */
import type { PredictData } from "../tagifai/serve/contract.js";
import type { BrowserModel } from "./browser-model.js";
import { errorBox, h } from "./dom.js";

/** Where predictions are computed. */
export type InferenceWhere = "server" | "browser";

/** The switch, and predicting where it says. */
export interface InferenceSwitch {
  /** The switch (a select), the in-browser model's state and the latency line. */
  readonly element: HTMLElement;
  /** Where predictions are computed now. */
  where(): InferenceWhere;
  /** Start timing a new prediction (one text, or a batch predicted in several calls). */
  begin(): void;
  /**
   * Predict with the chosen run, where the switch says (loading the model into the browser first if
   * needed), and add the call to the latency line.
   * @param texts raw texts
   */
  predict(texts: string[]): Promise<PredictData>;
  /** The chosen run changed: load its model into the browser if predicting there. */
  runChanged(): void;
}

/** What the switch needs of the page. */
export interface SwitchOptions {
  /** The chosen run. */
  runId(): string;
  /** The chosen run's family, if known (to say at once that it cannot run in the browser). */
  family(): string | undefined;
  /** Predict on the server. */
  server(runId: string, texts: string[]): Promise<PredictData>;
  /** Called when the switch changes (the page describes the model again). */
  changed(): void;
}

/**
 * Build the switch.
 * @param options the page's model choice and server prediction
 * @returns the switch (initially: on the server)
 */
export function inferenceSwitch(options: SwitchOptions): InferenceSwitch {
  const select = h(
    "select",
    { id: "inference-where" },
    h("option", { value: "server" }, "on the server"),
    h("option", { value: "browser" }, "in this browser"),
  ) as HTMLSelectElement;
  const status = h("p", { id: "browser-model", "aria-live": "polite" });
  const latency = h("p", { id: "inference-latency", class: "muted", "aria-live": "polite" });
  const element = h(
    "div",
    {},
    h("label", { for: "inference-where" }, "Run the model"),
    h("div", { class: "picker" }, select),
    status,
    latency,
  );
  const where = (): InferenceWhere => (select.value === "browser" ? "browser" : "server");
  select.addEventListener("change", () => {
    options.changed();
    if (where() === "browser") void ensureLoaded().catch(() => undefined);
    else status.replaceChildren();
  });
  let loaded: { runId: string; model: Promise<BrowserModel> } | undefined;
  let timing = { texts: 0, ms: 0 };

  const ensureLoaded = (): Promise<BrowserModel> => {
    const runId = options.runId();
    if (loaded?.runId === runId) return loaded.model;
    if (loaded !== undefined) void loaded.model.then((model) => model.dispose()).catch(() => undefined);
    status.replaceChildren(`Loading run ${runId.slice(0, 8)} into this browser…`);
    const model = (async () => {
      const { loadBrowserModel, loadableInBrowser, BROWSER_FAMILIES } = await import("./browser-model.js");
      const family = options.family();
      if (family !== undefined && !loadableInBrowser(family))
        throw new Error(
          `The ${family} family is not available in the browser (only ${BROWSER_FAMILIES.kinds().join(", ")}): predict on the server.`,
        );
      return loadBrowserModel(runId);
    })();
    loaded = { runId, model };
    model.then(
      (ready) => {
        if (loaded?.model !== model) return;
        status.replaceChildren(
          `Loaded the ${ready.kind} model of run ${runId.slice(0, 8)} into this browser in ${Math.round(ready.loadMs)} ms (tfjs ${ready.device} backend).`,
        );
      },
      (error: unknown) => {
        if (loaded?.model === model) status.replaceChildren(errorBox(error));
      },
    );
    return model;
  };

  const show = (place: InferenceWhere) => {
    const perText = timing.ms / timing.texts;
    latency.replaceChildren(
      place === "browser"
        ? `In this browser: ${timing.texts} text${timing.texts === 1 ? "" : "s"} in ${timing.ms.toFixed(1)} ms, ${perText.toFixed(2)} ms per text.`
        : `On the server: ${timing.texts} text${timing.texts === 1 ? "" : "s"} in ${timing.ms.toFixed(1)} ms round trip, ${perText.toFixed(2)} ms per text.`,
    );
  };

  return {
    element,
    where,
    begin() {
      timing = { texts: 0, ms: 0 };
      latency.replaceChildren();
    },
    async predict(texts) {
      const place = where();
      const runId = options.runId();
      let data: PredictData;
      let ms: number;
      if (place === "browser") {
        const model = await ensureLoaded();
        const result = model.predict(texts);
        data = { run_id: runId, predictions: result.predictions };
        ms = result.ms;
      } else {
        const start = performance.now();
        data = await options.server(runId, texts);
        ms = performance.now() - start;
      }
      timing = { texts: timing.texts + texts.length, ms: timing.ms + ms };
      show(place);
      return data;
    },
    runChanged() {
      if (where() === "browser") void ensureLoaded().catch(() => undefined);
    },
  };
}
