/**
 * Inference page: choose the model (default: the default model the server answers with, named by
 * registered name/version, run name, id, validation and test F1; or any registered version or
 * finished run, predicted with through `POST /api/runs/:id/predict`) and see its decision
 * threshold; type one project and see its tags and the most likely tags' probabilities; or paste
 * many texts (one a line) or drop a CSV/JSONL/JSON file (see batch-input.ts), predict them all and
 * download the predictions as CSV or JSONL in the format `tagifai predict` writes. The model runs on
 * the server or, switched (inference-switch.ts), in this browser, with the page reporting the
 * in-browser load time and every prediction's latency.
 */
import { formatPredictions, type OutputFormat, outputHeader } from "../../tagifai/batch/format.js";
import type { ModelsData, PredictData, RunsData, RunView } from "../../tagifai/serve/contract.js";
import { getData, postData } from "../api.js";
import { type BatchInput, readBatchFile, readPastedLines } from "../batch-input.js";
import { dataTable, emptyState, errorBox, fmt, h, section, sig } from "../dom.js";
import { type InferenceSwitch, inferenceSwitch } from "../inference-switch.js";
import type { PageContext } from "../page.js";
import {
  describeModel,
  runLabel,
  runNameAndId,
  type ServedModel,
  servedModel,
  versionLabel,
} from "../served.js";

/** How many of the most likely tags are shown with their probability. */
const SHOWN_PROBABILITIES = 10;

/** Texts sent per request of a batch: under the server's default limit of 100 texts a request. */
const CHUNK = 50;

/** How many finished runs the model picker offers besides the registered versions. */
const PICKER_RUNS = 100;

/**
 * Render the Inference page.
 * @param root the page's element (in the document)
 * @param context the page's reload
 */
export async function renderInferencePage(root: HTMLElement, context: PageContext): Promise<void> {
  root.append(h("h1", {}, "Inference"));
  const model = await servedModel();
  if (model === null) {
    root.append(
      emptyState(
        "No model is served yet: train one with `tagifai train-model`, then reload the server's model (`POST /reload`, or restart `tagifai serve`) and this page.",
        context.reload,
      ),
    );
    return;
  }
  const [{ models }, { runs }, { params }] = await Promise.all([
    getData<ModelsData>("/api/models"),
    getData<RunsData>(`/api/runs?status=FINISHED&limit=${PICKER_RUNS}`),
    getData<{ params: Record<string, unknown> }>("/params"),
  ]);
  const picker = modelPicker(model, models, runs);
  const summary = h("p", { id: "inference-model" });
  const family = (): string | undefined => {
    const chosen =
      picker.value === model.run_id ? params : runs.find((r) => r.run_id === picker.value)?.params;
    return typeof chosen?.model === "string" ? chosen.model : undefined;
  };
  const describe = () => {
    const runId = picker.value;
    const run = runs.find((r) => r.run_id === runId);
    summary.replaceChildren(
      h(
        "span",
        {},
        ...(runId === model.run_id
          ? ["Answered by the default model: ", ...describeModel(model)]
          : [
              "Answered by run ",
              h("a", { href: `#/runs/${runId}` }, run ? runLabel(run) : runId.slice(0, 8)),
            ]),
        thresholdText(runId === model.run_id ? params.threshold : run?.params.threshold),
        where.where() === "browser" ? " Computed in this browser." : " Computed on the server.",
      ),
    );
  };
  const where = inferenceSwitch({
    runId: () => picker.value,
    family,
    server: (runId, texts) => predictTexts(runId, model.run_id, texts),
    changed: describe,
  });
  picker.addEventListener("change", () => {
    describe();
    where.runChanged();
  });
  describe();
  root.append(
    section(
      "Model",
      h("label", { for: "inference-run" }, "Predict with"),
      h("div", { class: "picker" }, picker),
      summary,
      where.element,
    ),
  );
  root.append(singleProject(where), batchSection(where));
}

/** The model choice: the served model first, then the registered versions, then the newest finished runs. */
function modelPicker(model: ServedModel, models: ModelsData["models"], runs: RunView[]): HTMLSelectElement {
  const served = model.registered.map(versionLabel).join(", ");
  const options = [
    h(
      "option",
      { value: model.run_id },
      `Default: ${served === "" ? "" : `${served} · `}${runNameAndId(model.run_name, model.run_id)}`,
    ),
  ];
  const listed = new Set([model.run_id]);
  for (const registered of models) {
    for (const version of [...registered.versions].reverse()) {
      if (listed.has(version.run_id)) continue;
      listed.add(version.run_id);
      const label = versionLabel({
        name: registered.name,
        version: version.version,
        aliases: version.aliases,
      });
      options.push(
        h(
          "option",
          { value: version.run_id },
          `${label} · ${runNameAndId(version.run_name, version.run_id)}`,
        ),
      );
    }
  }
  for (const run of runs) {
    if (listed.has(run.run_id)) continue;
    listed.add(run.run_id);
    options.push(h("option", { value: run.run_id }, runLabel(run)));
  }
  return h("select", { id: "inference-run" }, ...options) as HTMLSelectElement;
}

/** How the chosen model decides, in words. */
function thresholdText(threshold: unknown): string {
  return typeof threshold === "number"
    ? `; a tag is predicted when its probability is at least the threshold ${sig(threshold, 3)}.`
    : "; the most likely class is predicted.";
}

/** Predict with the served model (batched with other requests), or with another run's. */
function predictTexts(runId: string, servedRunId: string, texts: string[]): Promise<PredictData> {
  const body = { texts: texts.map((text) => ({ text })) };
  return runId === servedRunId
    ? postData<PredictData>("/predict", body)
    : postData<PredictData>(`/api/runs/${runId}/predict`, body);
}

/** The one-project form and its result. */
function singleProject(where: InferenceSwitch): HTMLElement {
  const title = h("input", {
    id: "title",
    name: "title",
    required: "",
    placeholder: "Transfer learning with transformers",
  });
  const description = h("textarea", {
    id: "description",
    name: "description",
    rows: "4",
    placeholder: "Using transformers for transfer learning on text classification tasks.",
  });
  const form = h(
    "form",
    { class: "predict" },
    h("label", { for: "title" }, "Title"),
    title,
    h("label", { for: "description" }, "Description"),
    description,
    h("button", { type: "submit" }, "Predict tags"),
  );
  const result = h("div", { id: "prediction", "aria-live": "polite" });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    result.replaceChildren(h("p", {}, "Predicting…"));
    where.begin();
    where
      .predict([`${title.value} ${description.value}`.trim()])
      .then((data) => result.replaceChildren(showPrediction(data)))
      .catch((error: unknown) => result.replaceChildren(errorBox(error)));
  });
  return h("div", {}, section("Project", form), result);
}

/** Many projects: pasted lines or a dropped file, predicted in chunks, shown and downloadable. */
function batchSection(where: InferenceSwitch): HTMLElement {
  const pasted = h("textarea", {
    id: "batch-texts",
    class: "wide-field",
    rows: "6",
    placeholder: "Object detection with YOLO\nBERT for text classification",
  });
  const file = h("input", { id: "batch-file", type: "file", accept: ".csv,.jsonl,.ndjson,.json" });
  const probabilities = h("input", { id: "batch-probabilities", type: "checkbox" });
  const status = h("p", { id: "batch-status", "aria-live": "polite" });
  const result = h("div", { id: "batch-result" });
  let input: BatchInput | null = null;
  const readFile = async (chosen: File) => {
    try {
      input = readBatchFile(chosen.name, await chosen.text());
      status.replaceChildren(`${chosen.name}: ${describeInput(input)}`);
    } catch (error) {
      input = null;
      status.replaceChildren(errorBox(error));
    }
  };
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (chosen !== undefined) void readFile(chosen);
  });
  pasted.addEventListener("input", () => {
    input = null;
    file.value = "";
  });
  const drop = h(
    "div",
    { class: "dropzone" },
    h("label", { for: "batch-texts", class: "block-label" }, "One project a line (title and description)"),
    pasted,
    h(
      "label",
      { for: "batch-file", class: "block-label" },
      "…or a CSV, JSONL or JSON file (drop it here): fields text, or title and description; id",
    ),
    file,
  );
  drop.addEventListener("dragover", (event) => event.preventDefault());
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    const dropped = event.dataTransfer?.files[0];
    if (dropped !== undefined) void readFile(dropped);
  });
  const button = h("button", { type: "button" }, "Predict all");
  button.addEventListener("click", () => {
    const batch = input ?? readPastedLines(pasted.value);
    if (batch.items.length === 0) {
      status.replaceChildren("Nothing to predict: paste texts, one a line, or choose a file.");
      return;
    }
    button.setAttribute("disabled", "");
    result.replaceChildren();
    where.begin();
    const place = where.where() === "browser" ? "in this browser" : "on the server";
    predictBatch(
      batch,
      (texts) => where.predict(texts),
      (done) => status.replaceChildren(`Predicting… ${done} of ${batch.items.length}`),
    )
      .then((data) => {
        const { items, skipped } = batch;
        status.replaceChildren(
          `Predicted ${describeInput({ items, skipped: [] })} with run ${data.run_id.slice(0, 8)} ${place}` +
            (skipped.length === 0 ? "." : `; skipped ${skipped.length}: ${skipped.join("; ")}.`),
        );
        result.replaceChildren(...batchResult(batch, data, () => probabilities.checked));
      })
      .catch((error: unknown) => status.replaceChildren(errorBox(error)))
      .finally(() => button.removeAttribute("disabled"));
  });
  return section(
    "Many projects",
    drop,
    h("label", { class: "check" }, probabilities, " Include every tag's probability in the download"),
    button,
    status,
    result,
  );
}

/** "3 project(s); skipped 1: line 4: no text". */
function describeInput(input: BatchInput): string {
  const skipped =
    input.skipped.length === 0 ? "" : `; skipped ${input.skipped.length}: ${input.skipped.join("; ")}`;
  return `${input.items.length} project${input.items.length === 1 ? "" : "s"}${skipped}`;
}

/** Predict every item, CHUNK texts a request, one request at a time. */
async function predictBatch(
  batch: BatchInput,
  predictWith: (texts: string[]) => Promise<PredictData>,
  progress: (done: number) => void,
): Promise<PredictData> {
  const predictions: PredictData["predictions"] = [];
  let runId = "";
  for (let start = 0; start < batch.items.length; start += CHUNK) {
    progress(start);
    const data = await predictWith(batch.items.slice(start, start + CHUNK).map((item) => item.text));
    runId = data.run_id;
    predictions.push(...data.predictions);
  }
  return { run_id: runId, predictions };
}

/** The download buttons (probabilities included if `withProbabilities()` says so when clicked) and a paged table of the predictions. */
function batchResult(batch: BatchInput, data: PredictData, withProbabilities: () => boolean): HTMLElement[] {
  const ids = batch.items.map((item) => item.id);
  const download = (format: OutputFormat) => {
    const layout = { format, probabilities: withProbabilities() };
    const text = outputHeader(layout) + formatPredictions(ids, data.predictions, layout);
    const link = h("a", {
      href: URL.createObjectURL(
        new Blob([text], { type: format === "csv" ? "text/csv" : "application/x-ndjson" }),
      ),
      download: `predictions-${data.run_id.slice(0, 8)}.${format}`,
    });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
  };
  const buttons = (["csv", "jsonl"] as const).map((format) => {
    const button = h(
      "button",
      { type: "button", class: "secondary", id: `download-${format}` },
      `Download ${format.toUpperCase()}`,
    );
    button.addEventListener("click", () => download(format));
    return button;
  });
  const rows = batch.items.map((item, i) => ({ ...item, prediction: data.predictions[i] }));
  return [
    h("div", { class: "downloads" }, ...buttons),
    dataTable(
      [
        { title: "Id", cell: (row) => String(row.id) },
        { title: "Text", cell: (row) => h("span", { class: "clip text" }, row.text) },
        { title: "Predicted tags", cell: (row) => row.prediction.predicted_tags.join(", ") || "–" },
      ],
      rows,
      { pageSize: 20, caption: "Predictions" },
    ).element,
  ];
}

function showPrediction({ run_id, predictions: [prediction] }: PredictData): HTMLElement {
  const tags = prediction.predicted_tags;
  const top = Object.entries(prediction.probabilities).slice(0, SHOWN_PROBABILITIES);
  return section(
    "Predicted tags",
    tags.length > 0
      ? h("ul", { class: "tags" }, ...tags.map((tag) => h("li", { class: "tag" }, tag)))
      : h("p", {}, "No tag is above the threshold."),
    h("h3", {}, "Most likely tags"),
    h(
      "ul",
      { class: "probabilities" },
      ...top.map(([tag, p]) => {
        const fill = h("span", {});
        fill.style.width = `${(p * 100).toFixed(1)}%`;
        return h(
          "li",
          {},
          h("span", { class: "name" }, tag),
          h("span", { class: "bar", "aria-hidden": "true" }, fill),
          h("span", { class: "value" }, fmt(p)),
        );
      }),
    ),
    h(
      "p",
      { class: "muted text" },
      "Run ",
      h("code", {}, run_id),
      "; preprocessed text: ",
      prediction.preprocessed_text,
    ),
  );
}
