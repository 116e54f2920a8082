/**
 * Inference page: type a project's title and description, see the predicted tags and the
 * probability of the most likely tags.
 */
import type { PredictData } from "../../tagifai/serve/schemas.js";
import { postData } from "../api.js";
import { errorBox, fmt, h, section } from "../dom.js";

/** How many of the most likely tags are shown with their probability. */
const SHOWN_PROBABILITIES = 10;

/**
 * Render the Inference page.
 * @param root the page's element (in the document)
 */
export function renderInferencePage(root: HTMLElement): void {
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
  const result = h("div", { id: "prediction" });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    result.replaceChildren(h("p", {}, "Predicting…"));
    const text = `${title.value} ${description.value}`.trim();
    postData<PredictData>("/predict", { texts: [{ text }] })
      .then((data) => result.replaceChildren(showPrediction(data)))
      .catch((error: unknown) => result.replaceChildren(errorBox(error)));
  });
  root.append(h("h2", {}, "Inference"), section("Project", form), result);
}

function showPrediction({ run_id, predictions: [prediction] }: PredictData): HTMLElement {
  const tags = prediction.predicted_tags;
  const top = Object.entries(prediction.probabilities).slice(0, SHOWN_PROBABILITIES);
  return section(
    "Predicted tags",
    tags.length > 0
      ? h("ul", { class: "tags" }, ...tags.map((tag) => h("li", { class: "tag" }, tag)))
      : h("p", {}, "No tag is above the threshold."),
    h("h4", {}, "Most likely tags"),
    h(
      "ul",
      { class: "probabilities" },
      ...top.map(([tag, p]) =>
        h(
          "li",
          {},
          h("span", { class: "name" }, tag),
          h("span", { class: "bar" }, h("span", { style: `width:${(p * 100).toFixed(1)}%` })),
          h("span", { class: "value" }, fmt(p)),
        ),
      ),
    ),
    h(
      "p",
      { class: "muted" },
      "Run ",
      h("code", {}, run_id),
      "; preprocessed text: ",
      prediction.preprocessed_text,
    ),
  );
}
