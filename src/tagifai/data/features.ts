/**
 * From projects to model inputs: the text the model reads, and the tags it may learn (the
 * original's `prepare`: only known, informative tags that enough projects share).
 */
import type { Feature, Project } from "./record-schemas.js";

/**
 * Reduce projects to features: `text` is the title and the description joined by a space.
 * @param projects the validated projects
 * @returns one feature per project, in the same order
 */
export function computeFeatures(projects: readonly Project[]): Feature[] {
  return projects.map(({ id, created_on, title, description, tags }) => ({
    id,
    created_on,
    text: `${title} ${description}`,
    tags,
  }));
}

/**
 * Keep the tags worth learning, exactly like the original's `prepare`: keep each project's tags that
 * are in `include` (when given) and not in `exclude`; count them; keep only tags used at least
 * `minTagFreq` times; drop projects left with no tag. Works on any rows with `tags` (a multi-class
 * row has one), so it also drops the rare classes of a bring-your-own dataset.
 * @param features the rows (not modified)
 * @param options `include`: allowed tags (default: all); `exclude`: tags never kept; `minTagFreq`:
 *   minimum count
 * @returns the kept rows (with filtered tags, in input order) and the count of every kept tag
 *   (in order of first appearance)
 */
export function prepare<T extends { tags: readonly string[] }>(
  features: readonly T[],
  options: { include?: readonly string[]; exclude: readonly string[]; minTagFreq: number },
): { features: (T & { tags: string[] })[]; tagCounts: Map<string, number> } {
  const include = options.include && new Set(options.include);
  const exclude = new Set(options.exclude);
  const allowed = features.map((feature) =>
    feature.tags.filter((tag) => (include?.has(tag) ?? true) && !exclude.has(tag)),
  );
  const tagCounts = new Map<string, number>();
  for (const tags of allowed) for (const tag of tags) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
  for (const [tag, count] of tagCounts) if (count < options.minTagFreq) tagCounts.delete(tag);
  const kept = features
    .map((feature, i) => ({ ...feature, tags: allowed[i].filter((tag) => tagCounts.has(tag)) }))
    .filter((feature) => feature.tags.length > 0);
  return { features: kept, tagCounts };
}
