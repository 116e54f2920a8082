/**
 * The API reference: the OpenAPI document built from the routes' zod schemas (`/docs/json`), and
 * Swagger UI at `/docs`, themed so that its text meets WCAG AA contrast (4.5:1) like the dashboard.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { withEnvelopeExamples } from "./envelope-examples.js";

/** The API's description: the envelope, the path rule and a link back to the dashboard. */
const DESCRIPTION =
  "Predict the tags of a machine-learning project from its title and description. Every answer " +
  "comes in the same envelope (`message`, `method`, `status-code`, `timestamp`, `url`, `data`); " +
  "errors have `data: null`.\n\n" +
  "One path rule: the served model's own routes (`/`, `/predict`, `/params`, `/performance`, " +
  "`/reload`) sit at the root, as in Made With ML; every route over the tracking store, the " +
  "registry or the data — runs, models, studies, datasets, and predicting with a chosen run — " +
  "sits under `/api/`. [Open the dashboard](/dashboard/).";

/** The route groups, in the order `/docs` shows them. */
const TAGS = [
  { name: "model", description: "The served model, and predicting with a run you choose" },
  { name: "runs", description: "Tracked runs: params, metrics, epochs, performance, artifacts" },
  { name: "models", description: "The model registry: versions and aliases" },
  { name: "studies", description: "Hyperparameter studies and their trials" },
  { name: "data", description: "The dataset: projects, tags, text lengths, expectations report" },
];

/**
 * Swagger UI's default colors below 4.5:1, replaced (ratios measured in Chromium): links #4990e2
 * on #fafafa (3.2:1) → the dashboard's accent #1a5fb4 (6.0:1); white on the version badges
 * #7d8492 / #89bf04 (3.8 / 2.2:1) → #52606d / #2f6b29 (6.6 / 6.5:1); white method names on
 * #61affe, #49cc90, #fca130, #f93e3e, #50e3c2 (2.3:1 at best) → near-black (6:1 at worst); the
 * required-parameter star, the "(path)" note, inline code and the media-type note (3.5–4.3:1 on the
 * operations' tinted backgrounds) darkened; a dark syntax theme whose tokens all pass (the default
 * agate's numbers are 3.5:1).
 */
const CONTRAST_CSS = `
.swagger-ui .info a, .swagger-ui .info .url, .swagger-ui .info .link { color: #1a5fb4; }
.swagger-ui .info .title small { background: #52606d; }
.swagger-ui .info .title small.version-stamp { background: #2f6b29; }
.swagger-ui .opblock .opblock-summary-method { color: #111; text-shadow: none; }
.swagger-ui .parameter__name.required span { color: #9b1c1c; }
.swagger-ui .parameter__in { color: #52606d; }
.swagger-ui .markdown code, .swagger-ui .renderedMarkdown code { color: #5a0a9e; }
.swagger-ui .response-control-media-type__accept-message { color: #2f6b29; }
`;

/**
 * Register the OpenAPI document and Swagger UI at `/docs`; call before the routes, so that the
 * document lists them.
 * @param app the fastify instance
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: { info: { title: "Tagifai API", description: DESCRIPTION, version: "0.1.0" }, tags: TAGS },
    transform: withEnvelopeExamples,
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    // No validator badge: it would load an image from validator.swagger.io, which the CSP forbids.
    // BaseLayout: no top bar, whose only use is typing another document's URL.
    uiConfig: { validatorUrl: null, layout: "BaseLayout", syntaxHighlight: { theme: "obsidian" } },
    theme: { title: "Tagifai API reference", css: [{ filename: "contrast.css", content: CONTRAST_CSS }] },
  });
}
