/**
 * Each route's envelope examples in the OpenAPI document: without them every route showed `method`,
 * `url`, `message` and `timestamp` as "string". A @fastify/swagger `transform` gives the route's
 * 200 envelope its own method and path (path params filled with their documented examples) and
 * "OK"; its 4xx envelope the 422 its own validator answers to a bad value (a blank path param, a
 * query value of -1, an empty or unknown-key body) at that request's URL; its 5xx envelope the
 * server's "Internal server error". A route that takes no input cannot answer 4xx, so its docs show
 * none. Only the document changes: the schemas fastify serializes with are left alone.
 */
import type { FastifySchema, RouteOptions } from "fastify";
import { type JsonSchema, zodValidatorCompiler } from "./zod-fastify.js";

/** The timestamp of every example envelope. */
const TIMESTAMP = "2026-01-15T09:30:12.345Z";

/** What @fastify/swagger's `transform` gets and gives back. */
export interface SwaggerRoute {
  schema: FastifySchema;
  url: string;
  route: RouteOptions;
}

/** A request to a route, and what the route's envelope says about it. */
interface Example {
  url: string;
  status: number;
  message: string;
}

/**
 * A route's docs with its envelope examples (routes without a documented response are unchanged).
 * @param input the route, its schema and its URL (`/api/runs/:id`)
 * @returns the schema to document and the URL
 * @throws Error when a path param of a documented route has no example
 */
export function withEnvelopeExamples({ schema, url, route }: SwaggerRoute): {
  schema: FastifySchema;
  url: string;
} {
  const documented = schema as FastifySchema & { response?: Record<string, JsonSchema> };
  if (documented.response === undefined) return { schema, url };
  const method = (Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase();
  const parts = documented as Parts;
  const path = fillPath(url, parts.params, (param, example) => {
    if (example === undefined) throw new Error(`${method} ${url}: path param ${param} has no example`);
    return String(example);
  });
  const examples: Record<string, Example | undefined> = {
    200: { url: path, status: 200, message: "OK" },
    "4xx": badRequest(url, path, parts),
    "5xx": { url: path, status: 500, message: "Internal server error" },
  };
  const response: Record<string, JsonSchema> = {};
  for (const [code, answer] of Object.entries(documented.response)) {
    const example = examples[code];
    if (code in examples && example === undefined) continue;
    // Not every answer is an envelope: an artifact download's 200 is the file itself.
    const envelope = typeof answer.properties === "object" && answer.properties !== null;
    response[code] =
      example !== undefined && envelope ? withEnvelopeExample(answer, method, example) : answer;
  }
  return { schema: { ...schema, response }, url };
}

/** The JSON schemas of a route's request parts. */
type Parts = Partial<Record<"params" | "querystring" | "body", JsonSchema>>;

/** The documented example of each path param of a request part's schema, by name. */
function paramExamples(params: JsonSchema | undefined): Record<string, unknown> {
  const properties = (params?.properties ?? {}) as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, schema.example]));
}

/** The route's URL with each `:param` replaced by `value(param, its example)`, URL-encoded. */
function fillPath(
  url: string,
  params: JsonSchema | undefined,
  value: (param: string, example: unknown) => string,
): string {
  const examples = paramExamples(params);
  return url.replace(/:(\w+)/g, (_, param: string) => encodeURIComponent(value(param, examples[param])));
}

/**
 * The first bad request the route's own validator refuses, with its URL and message: a blank path
 * param, a query value of -1, an empty body or one with an unknown key; undefined when the route
 * takes no input.
 * @param url the route's URL (`/api/runs/:id`)
 * @param path its example URL (`/api/runs/59b3…`)
 * @param parts its request parts' schemas
 */
function badRequest(url: string, path: string, parts: Parts): Example | undefined {
  const refusal = (part: keyof Parts, value: unknown) => {
    const schema = parts[part];
    if (schema === undefined) return undefined;
    const answer = zodValidatorCompiler({ schema, httpPart: part, method: "GET", url })(value);
    return typeof answer === "object" && answer !== null && "error" in answer && answer.error instanceof Error
      ? answer.error.message
      : undefined;
  };
  const examples = paramExamples(parts.params);
  for (const param of Object.keys(examples)) {
    const message = refusal("params", { ...examples, [param]: " " });
    if (message !== undefined) {
      const blank = fillPath(url, parts.params, (name, example) => (name === param ? " " : String(example)));
      return { url: blank, status: 422, message };
    }
  }
  for (const key of Object.keys(paramExamples(parts.querystring))) {
    const message = refusal("querystring", { [key]: "-1" });
    if (message !== undefined) return { url: `${path}?${key}=-1`, status: 422, message };
  }
  for (const body of [{}, { unexpected: true }]) {
    const message = refusal("body", body);
    if (message !== undefined) return { url: path, status: 422, message };
  }
  return undefined;
}

/** A copy of an envelope's response schema whose envelope fields have this example. */
function withEnvelopeExample(answer: JsonSchema, method: string, example: Example): JsonSchema {
  const copy = structuredClone(answer);
  const fields = copy.properties as Record<string, JsonSchema>;
  const values = {
    message: example.message,
    method,
    "status-code": example.status,
    timestamp: TIMESTAMP,
    url: example.url,
  };
  for (const [field, value] of Object.entries(values)) fields[field] = { ...fields[field], example: value };
  return copy;
}
