/**
 * The bridge between zod and fastify: every request and response schema is written once, in zod.
 * `routeSchema` turns a zod schema into the JSON schema fastify documents (OpenAPI) and serializes
 * responses with, and remembers the zod schema behind it so that `zodValidatorCompiler` validates
 * requests with zod itself (strict types, no silent coercion, readable messages).
 */
import type { FastifySchemaCompiler } from "fastify";
import { type ZodType, z } from "zod";
import { TagifaiError } from "../errors.js";
import { formatIssues } from "../schema.js";

/** A JSON schema as fastify and @fastify/swagger take it. */
export type JsonSchema = Record<string, unknown>;

const zodOf = new WeakMap<JsonSchema, ZodType>();

/**
 * The JSON schema of a zod schema, for a route's `schema` (documentation, serialization), linked
 * back to the zod schema so that `zodValidatorCompiler` can validate with it.
 * @param schema the zod schema
 * @param io "input" for request parts (defaults optional, coercions shown as the input type),
 *   "output" for responses
 * @returns a draft-7 JSON schema
 */
export function routeSchema(schema: ZodType, io: "input" | "output" = "input"): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { target: "draft-7", io, unrepresentable: "any" });
  dropSafeIntegerBounds(json);
  zodOf.set(json, schema);
  return json;
}

/**
 * Remove the ±(2^53 − 1) bounds zod gives every `.int()`: they say nothing (JSON numbers are
 * doubles), and the docs would show them as every integer's example.
 */
function dropSafeIntegerBounds(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropSafeIntegerBounds(item);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  if (record.minimum === Number.MIN_SAFE_INTEGER) delete record.minimum;
  if (record.maximum === Number.MAX_SAFE_INTEGER) delete record.maximum;
  for (const value of Object.values(record)) dropSafeIntegerBounds(value);
}

/**
 * Fastify validator compiler that validates a request part with the zod schema behind its JSON
 * schema; the parsed value (defaults applied, coercions done) replaces the raw one.
 * @returns for each part, a validator answering `{value}` or `{error}` (a TagifaiError INVALID_INPUT
 *   naming the part, the field and the problem)
 */
export const zodValidatorCompiler: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
  const zodSchema = zodOf.get(schema);
  if (zodSchema === undefined)
    throw new Error(`The ${httpPart ?? "request"} schema was not made by routeSchema`);
  const part = httpPart === "querystring" ? "query" : (httpPart ?? "request");
  return (data: unknown) => {
    const result = zodSchema.safeParse(data);
    if (result.success) return { value: result.data };
    return {
      error: new TagifaiError(
        "INVALID_INPUT",
        `Invalid ${part}: ${formatIssues(result.error.issues, data, zodSchema)}`,
      ),
    };
  };
};
