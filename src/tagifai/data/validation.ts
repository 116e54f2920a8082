/**
 * Turning zod issues into messages that name the field, what was expected and what was found.
 */
import type { z } from "zod";

/**
 * Name the JSON type of a value, as a message would say it.
 * @param value any value
 * @returns "null", "array", "missing" (for undefined) or the `typeof` name
 */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  return Array.isArray(value) ? "array" : typeof value;
}

/**
 * Describe zod issues in words, e.g. `field "title" expected string, got number`.
 * @param issues the issues of a failed `safeParse`
 * @param value the value that was parsed (to report what was actually found)
 * @returns one phrase per issue, joined by "; "
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], value: unknown): string {
  return issues
    .map((issue) => {
      const field = issue.path.length > 0 ? `field "${formatPath(issue.path)}" ` : "";
      if (issue.code === "invalid_type")
        return `${field}expected ${issue.expected}, got ${describeType(valueAt(value, issue.path))}`;
      if (issue.code === "unrecognized_keys")
        return `${field}unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
      return `${field}${issue.message}`;
    })
    .join("; ");
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i > 0 ? "." : ""}${String(key)}`))
    .join("");
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
}
