/**
 * The one way Tagifai parses untrusted values with a zod schema and turns zod's issues into
 * messages. Each problem names the path, what was expected and what was found, and an unknown key
 * comes with the closest known key at that path (`linear.tfidf.min_df: unknown key; did you mean
 * minDf?`), matched case- and underscore-insensitively or by a small edit distance.
 */
import type { z } from "zod";
import { type ErrorCode, TagifaiError } from "./errors.js";

/** One zod issue, as `safeParse` reports it. */
export type Issue = z.core.$ZodIssue;

/** What `parseWith` needs to build its error. */
export interface ParseContext {
  /** The error code thrown for an invalid value. */
  code: ErrorCode;
  /** What the value is ("params file config/params.json", "body"): the message says `Invalid ${what}: …`. */
  what: string;
}

/**
 * Parse a value with a schema, or throw one error listing every problem.
 * @param schema the schema
 * @param value the untrusted value
 * @param context the error code and what the value is, for the message
 * @returns the parsed value (defaults applied, transforms run)
 * @throws TagifaiError `context.code`: `Invalid ${what}: ${formatIssues(…)}`
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  context: ParseContext,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new TagifaiError(
    context.code,
    `Invalid ${context.what}: ${formatIssues(result.error.issues, value, schema)}`,
  );
}

/**
 * Describe zod issues in words, one phrase per problem joined by "; ", e.g.
 * `title: expected string, got number 3` or `tests[0].gain: unknown key; did you mean gains?`.
 * @param issues the issues of a failed `safeParse`
 * @param value the value that was parsed (to say what was found)
 * @param schema the schema it was parsed with (to suggest known keys for unknown ones)
 * @returns the description
 */
export function formatIssues(issues: readonly Issue[], value: unknown, schema?: z.ZodType): string {
  return issues.flatMap((issue) => describeIssues(issue, [], value, schema)).join("; ");
}

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
 * Format a path the way a user would write it in JSON-ish notation: `tests[0].expected`.
 * @param path the keys from the root
 * @returns the path, or "" for the root
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i > 0 ? "." : ""}${String(key)}`))
    .join("");
}

/**
 * The phrases for one issue. A required key reported missing next to an unknown key that is its
 * misspelling is said once, as the unknown key with its suggestion.
 */
function describeIssues(issue: Issue, prefix: PropertyKey[], root: unknown, schema?: z.ZodType): string[] {
  const path = [...prefix, ...issue.path];
  const found = valueAt(root, path);
  switch (issue.code) {
    case "invalid_type":
      if (found === undefined && schema !== undefined && isMisspelled(schema, path, root)) return [];
      return [at(path, `expected ${issue.expected}, got ${describeValue(found)}`)];
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const suggestion = schema === undefined ? undefined : suggestKey(schema, path, root, key);
        return at([...path, key], `unknown key${suggestion ? `; did you mean ${suggestion}?` : ""}`);
      });
    case "invalid_union": {
      const branch = bestBranch(issue.errors, found);
      if (branch !== undefined) return branch.flatMap((inner) => describeIssues(inner, path, root, schema));
      return [at(path, withFound(sentence(issue.message), found))];
    }
    default:
      return [at(path, withFound(sentence(issue.message), found))];
  }
}

const at = (path: readonly PropertyKey[], text: string) =>
  path.length > 0 ? `${formatPath(path)}: ${text}` : text;

/** The known key to suggest for an unknown `key` of the object at `path`, if one is close. */
function suggestKey(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  root: unknown,
  key: string,
): string | undefined {
  const known = schemasAt(schema, path, root).flatMap((s) => Object.keys(definition(s).shape ?? {}));
  return closestKey(key, [...new Set(known)]);
}

/** Whether the missing key at `path` was given under a misspelled name (which gets its own phrase). */
function isMisspelled(schema: z.ZodType, path: readonly PropertyKey[], root: unknown): boolean {
  const parent = valueAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== "object" || Array.isArray(parent)) return false;
  const missing = String(path.at(-1));
  return Object.keys(parent).some(
    (given) => given !== missing && suggestKey(schema, path.slice(0, -1), root, given) === missing,
  );
}

/** The union branch that fits the value best: not a root type mismatch, then fewest problems. */
function bestBranch(branches: readonly (readonly Issue[])[], found: unknown): readonly Issue[] | undefined {
  if (found === undefined) return undefined;
  const fitting = branches.filter(
    (issues) => issues.length > 0 && !issues.some((i) => i.code === "invalid_type" && i.path.length === 0),
  );
  return fitting.sort((a, b) => a.length - b.length)[0];
}

/** zod's default messages start with a capital ("Too small: …"); ours continue a phrase. */
function sentence(message: string): string {
  return /^[A-Z][a-z]/.test(message) ? message[0].toLowerCase() + message.slice(1) : message;
}

/** A problem and what was found, unless that is a whole object (which the path already points at). */
function withFound(problem: string, found: unknown): string {
  const value = describeValue(found);
  return value === "object" ? problem : `${problem}, got ${value}`;
}

/** What was found, for a message: `missing`, `null`, `number 3`, `string "abc"`, `array of 2`, `object`. */
function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `array of ${value.length}`;
  return describeType(value);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
}

/** The internal definition zod keeps on every schema, as far as walking it needs. */
interface Definition {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const definition = (schema: z.ZodType): Definition =>
  (schema as unknown as { _zod: { def: Definition } })._zod.def;

/**
 * The schemas found at `path` inside `schema`: several through a union, only the matching option
 * of a discriminated union.
 * @param value the value at the schema's position (to pick a discriminated union's option)
 */
function schemasAt(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): z.ZodType[] {
  const def = definition(schema);
  if (def.innerType !== undefined) return schemasAt(def.innerType, path, value);
  if (def.type === "pipe" && def.in !== undefined) return schemasAt(def.in, path, value);
  if (def.type === "lazy" && def.getter !== undefined) return schemasAt(def.getter(), path, value);
  if (def.options !== undefined)
    return matchingOptions(def, value).flatMap((option) => schemasAt(option, path, value));
  if (def.left !== undefined && def.right !== undefined)
    return [...schemasAt(def.left, path, value), ...schemasAt(def.right, path, value)];
  if (path.length === 0) return [schema];
  const [key, ...rest] = path;
  const child =
    def.type === "object"
      ? def.shape?.[String(key)]
      : def.type === "array"
        ? def.element
        : def.type === "record"
          ? def.valueType
          : def.type === "tuple" && typeof key === "number"
            ? def.items?.[key]
            : undefined;
  return child === undefined ? [] : schemasAt(child, rest, valueAt(value, [key]));
}

/** A union's options; for a discriminated union, those whose discriminator matches the value's. */
function matchingOptions(def: Definition, value: unknown): z.ZodType[] {
  const options = def.options ?? [];
  const tag = def.discriminator === undefined ? undefined : valueAt(value, [def.discriminator]);
  if (tag === undefined) return options;
  const matching = options.filter((option) => {
    const field = definition(option).shape?.[def.discriminator as string];
    return field !== undefined && (definition(field).values ?? []).includes(tag);
  });
  return matching.length > 0 ? matching : options;
}

const normalize = (key: string) => key.toLowerCase().replaceAll(/[_-]/g, "");

/**
 * The known key a user most likely meant: the same up to case and `_`/`-`, else one the key
 * begins (`gain` → `gained`), else the nearest by edit distance when it is at most 2 edits (a swap
 * of neighbours counting as one) and under half the key's length.
 */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = normalize(key);
  const same = known.find((candidate) => normalize(candidate) === wanted);
  if (same !== undefined) return same;
  const longer =
    wanted.length >= 3 ? known.find((candidate) => normalize(candidate).startsWith(wanted)) : undefined;
  if (longer !== undefined) return longer;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(wanted, normalize(candidate));
    if (best === undefined || distance < best.distance) best = { key: candidate, distance };
  }
  return best !== undefined && best.distance <= 2 && best.distance * 2 < wanted.length ? best.key : undefined;
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        rows[i - 1][j] + 1,
        row[j - 1] + 1,
        rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j], rows[i - 2][j - 2] + 1);
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}
