import { readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");

/** Every TypeScript module under a folder, as paths relative to `src/`. */
function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative(SRC, path)] : [];
  });
}

/**
 * Modules inside `tagifai/families/<kind>/` implement one interface, so the same name in two
 * family folders is the same job (`cnn/fit.ts`, `linear/fit.ts`); such a name may not be used
 * outside the family folders.
 */
const FAMILY_MODULE = /^tagifai\/families\/[^/]+\/[^/]+$/;

/** The base names used by more than one module for what can only be different jobs. */
function collisions(paths: readonly string[]): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const path of paths) byName.set(basename(path), [...(byName.get(basename(path)) ?? []), path]);
  const clashes = [...byName].filter(
    ([, group]) => group.length > 1 && !group.every((path) => FAMILY_MODULE.test(path)),
  );
  return Object.fromEntries(clashes.map(([name, group]) => [name, group.sort()]));
}

describe("source layout", () => {
  it("finds modules and flags a shared base name", () => {
    expect(modules(SRC)).toContain("tagifai/schema.ts");
    expect(collisions(["a/validation.ts", "b/validation.ts", "c.ts"])).toEqual({
      "validation.ts": ["a/validation.ts", "b/validation.ts"],
    });
    expect(collisions(["tagifai/families/cnn/fit.ts", "tagifai/families/linear/fit.ts"])).toEqual({});
    expect(collisions(["tagifai/families/cnn/index.ts", "tagifai/serve/index.ts"])).toEqual({
      "index.ts": ["tagifai/families/cnn/index.ts", "tagifai/serve/index.ts"],
    });
  });

  it("gives no two modules the same base name (a file name says what it holds)", () => {
    expect(collisions(modules(SRC))).toEqual({});
  });
});
