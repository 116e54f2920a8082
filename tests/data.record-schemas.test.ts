import { describe, expect, it } from "vitest";
import { validateProjects, validateTags } from "../src/tagifai/data.js";
import { thrownBy } from "./helpers/data.js";

const project = {
  id: 342,
  created_on: "2020-03-01 10:00:00",
  title: "A title",
  description: "",
  tags: ["nlp"],
};
const tag = { tag: "nlp", aliases: ["natural-language-processing"], parents: [] };

describe("validateProjects", () => {
  it("accepts valid records, including an empty description", () => {
    expect(validateProjects([project, { ...project, id: 343 }])).toEqual([project, { ...project, id: 343 }]);
  });

  it("names the file, record index, id, field and problem", () => {
    const records = [project, { ...project, id: 7 }, { ...project, id: 8, title: 12 }];
    const error = thrownBy(() => validateProjects(records, "projects.json"));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toBe("projects.json record 2 (id 8): title: expected string, got number 12");
  });

  it("refuses an empty title, a missing field and a bad tag", () => {
    expect(thrownBy(() => validateProjects([{ ...project, title: "" }])).message).toMatch(
      /record 0 \(id 342\): title: must not be empty/,
    );
    const { tags: _tags, ...withoutTags } = project;
    expect(thrownBy(() => validateProjects([withoutTags])).message).toMatch(
      /tags: expected array, got missing/,
    );
    expect(thrownBy(() => validateProjects([{ ...project, tags: ["ok", 3] }])).message).toMatch(
      /tags\[1\]: expected string, got number/,
    );
  });

  it("refuses duplicate ids, non-arrays and non-object records", () => {
    expect(thrownBy(() => validateProjects([project, project])).message).toBe(
      "projects.json record 1 (id 342): duplicate id 342 (first used by record 0)",
    );
    expect(thrownBy(() => validateProjects({ projects: [] })).message).toBe(
      "projects.json: expected an array of records, got object",
    );
    expect(thrownBy(() => validateProjects([null])).message).toBe(
      "projects.json record 0: expected object, got null",
    );
  });
});

describe("validateTags", () => {
  it("accepts valid records", () => {
    expect(validateTags([tag])).toEqual([tag]);
  });

  it("refuses duplicate tag names and bad fields, naming the tag", () => {
    expect(thrownBy(() => validateTags([tag, tag], "t.json")).message).toBe(
      't.json record 1 (tag "nlp"): duplicate tag "nlp" (first used by record 0)',
    );
    const error = thrownBy(() => validateTags([{ ...tag, parents: "x" }]));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toBe('tags.json record 0 (tag "nlp"): parents: expected array, got string "x"');
  });
});
