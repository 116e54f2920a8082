import { describe, expect, test } from "vitest";
import { formatTable } from "../src/tagifai/tracking.js";

describe("formatTable", () => {
  test("aligns columns under a header and a separator; numbers right, text left", () => {
    const table = formatTable([
      { name: "baseline", f1: 0.81234567, runs: 3 },
      { name: "cnn-with-long-name", f1: 0.9, runs: 12 },
    ]);
    expect(table.split("\n")).toEqual([
      "name                    f1  runs",
      "------------------  ------  ----",
      "baseline            0.8123     3",
      "cnn-with-long-name  0.9000    12",
    ]);
  });

  test("shows times as YYYY-MM-DD HH:MM (local), missing values as -, objects as JSON", () => {
    const time = new Date(2024, 0, 2, 3, 4, 59).getTime();
    const table = formatTable(
      [
        { startTime: time, created_at: new Date(time), endTime: null, tags: { a: "b" }, note: "two\nlines" },
        { startTime: time },
      ],
      ["startTime", "created_at", "endTime", "tags", "note"],
    );
    expect(table.split("\n")).toEqual([
      "startTime         created_at        endTime  tags       note",
      "----------------  ----------------  -------  ---------  ---------",
      '2024-01-02 03:04  2024-01-02 03:04  -        {"a":"b"}  two lines',
      "2024-01-02 03:04  -                 -        -          -",
    ]);
  });

  test("keeps three significant digits of small values such as learning rates", () => {
    expect(formatTable([{ lr: 4.48e-4, loss: 0.00186 }]).split("\n")[2]).toBe("4.48e-4  1.86e-3");
  });

  test("shows only the chosen columns, in their order; no rows gives header and separator", () => {
    const rows = [{ a: 1, b: "x", c: true }];
    expect(formatTable(rows, ["c", "a"])).toBe("c     a\n----  -\ntrue  1");
    expect(formatTable([], ["id", "status"])).toBe("id  status\n--  ------");
    expect(formatTable([])).toBe("");
  });
});
