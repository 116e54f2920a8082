/**
 * Inference page: says which model answers (run name, id, validation and test F1) and its decision
 * threshold; type a project's title and description, see the predicted tags and the probability of
 * the most likely tags.
 */
import type { PredictData } from "../../tagifai/serve/contract.js";
import { getData, postData } from "../api.js";
import { emptyState, errorBox, fmt, h, section, sig } from "../dom.js";
import type { PageContext } from "../page.js";
import { describeModel, type ServedModel, servedModel } from "../served.js";

/** How many of the most likely tags are shown with their probability. */
const SHOWN_PROBABILITIES = 10;

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
  root.append(section("Model", await modelSummary(model)));

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
    const text = `${title.value} ${description.value}`.trim();
    postData<PredictData>("/predict", { texts: [{ text }] })
      .then((data) => result.replaceChildren(showPrediction(data)))
      .catch((error: unknown) => result.replaceChildren(errorBox(error)));
  });
  root.append(section("Project", form), result);
}

/** Which model answers and the threshold it decides with. */
async function modelSummary(model: ServedModel): Promise<HTMLElement> {
  const { params } = await getData<{ params: Record<string, unknown> }>("/params");
  const threshold = params.threshold;
  return h(
    "p",
    { id: "inference-model" },
    "Answered by run ",
    ...describeModel(model),
    typeof threshold === "number"
      ? `; a tag is predicted when its probability is at least the threshold ${sig(threshold, 3)}.`
      : "; the most likely class is predicted.",
  );
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
