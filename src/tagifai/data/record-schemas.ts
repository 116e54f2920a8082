/**
 * The dataset's records (projects, tags) and the features computed from them: zod schemas, the
 * types inferred from them, and validators whose errors name the file, record, field and problem.
 */
import { z } from "zod";
import { TagifaiError } from "../errors.js";
import { describeType, formatIssues } from "../schema.js";

const nonEmpty = z.string().min(1, "must not be empty");

/** Schema of one record of `projects.json`. The description may be empty; the title may not. */
export const projectSchema = z.object({
  id: z.number().int().nonnegative(),
  created_on: nonEmpty,
  title: nonEmpty,
  description: z.string(),
  tags: z.array(nonEmpty),
});

/** An ML project: its title, description and tags. */
export type Project = z.infer<typeof projectSchema>;

/** Schema of one record of `tags.json`. */
export const tagSchema = z.object({
  tag: nonEmpty,
  aliases: z.array(z.string()),
  parents: z.array(z.string()),
});

/** A tag, with the other names it goes by and its parent tags. */
export type Tag = z.infer<typeof tagSchema>;

/** Schema of one model input: a project's text (title + description) and its tags. */
export const featureSchema = projectSchema.pick({ id: true, created_on: true, tags: true }).extend({
  text: z.string(),
});

/** A project reduced to what the model sees (`text`) and learns (`tags`). */
export type Feature = z.infer<typeof featureSchema>;

/**
 * Validate the content of a projects file.
 * @param value the parsed JSON
 * @param source the file it came from, named in errors
 * @returns the projects
 * @throws TagifaiError INVALID_DATA when it is not an array, a record is invalid, or an id repeats;
 *   e.g. `projects.json record 17 (id 342): field "title" expected string, got number`
 */
export function validateProjects(value: unknown, source = "projects.json"): Project[] {
  return validateRecords(value, projectSchema, source, "id");
}

/**
 * Validate the content of a tags file.
 * @param value the parsed JSON
 * @param source the file it came from, named in errors
 * @returns the tags
 * @throws TagifaiError INVALID_DATA when it is not an array, a record is invalid, or a tag name repeats
 */
export function validateTags(value: unknown, source = "tags.json"): Tag[] {
  return validateRecords(value, tagSchema, source, "tag");
}

function validateRecords<T extends Record<K, unknown>, K extends string>(
  value: unknown,
  schema: z.ZodType<T>,
  source: string,
  keyField: K,
): T[] {
  if (!Array.isArray(value))
    throw new TagifaiError(
      "INVALID_DATA",
      `${source}: expected an array of records, got ${describeType(value)}`,
    );
  const firstIndexByKey = new Map<unknown, number>();
  return value.map((record: unknown, index) => {
    const where = `${source} record ${index}${describeKey(record, keyField)}`;
    const result = schema.safeParse(record);
    if (!result.success)
      throw new TagifaiError(
        "INVALID_DATA",
        `${where}: ${formatIssues(result.error.issues, record, schema)}`,
      );
    const key = result.data[keyField];
    const firstIndex = firstIndexByKey.get(key);
    if (firstIndex !== undefined)
      throw new TagifaiError(
        "INVALID_DATA",
        `${where}: duplicate ${keyField} ${JSON.stringify(key)} (first used by record ${firstIndex})`,
      );
    firstIndexByKey.set(key, index);
    return result.data;
  });
}

function describeKey(record: unknown, keyField: string): string {
  if (record === null || typeof record !== "object" || !(keyField in record)) return "";
  return ` (${keyField} ${JSON.stringify((record as Record<string, unknown>)[keyField])})`;
}
