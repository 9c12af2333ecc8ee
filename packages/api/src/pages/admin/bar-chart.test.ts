import { describe, expect, it } from "vitest";
import { barChart, COLUMNS, columnChart } from "./bar-chart.js";

/** Thirty days, oldest first, as the dashboard's per-day series are. */
const days = (values: (day: number) => number) =>
  Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`11-${String(i + 1).padStart(2, "0")}`, values(i)]));

describe("dashboard chart geometry", () => {
  it("rows: one bar per item scaled to the largest, every figure in the description", () => {
    const chart = barChart("s", "Users by status", { active: 10, suspended: 5, deleted: 0 });
    expect(chart.kind).toBe("rows");
    expect(chart.bars.map((bar) => [bar.label, bar.width, bar.y])).toEqual([
      ["active", 300, 0],
      ["suspended", 150, 28],
      ["deleted", 0, 56],
    ]);
    expect(chart.description).toBe("active: 10, suspended: 5, deleted: 0");
    expect(barChart("e", "Empty", {}).description).toBe("No data");
  });

  it("columns: thirty columns side by side inside the plot, the tallest reaching the top, today labelled", () => {
    const chart = columnChart(
      "d",
      "Sign-ins per day",
      days((i) => (i === 29 ? 8 : i % 2)),
    );
    expect(chart.kind).toBe("columns");
    expect(chart.max).toBe(8);
    const [first, last] = [chart.bars[0], chart.bars[29]];
    expect(first?.x).toBeGreaterThanOrEqual(COLUMNS.left);
    expect((last?.x ?? 0) + (last?.width ?? 0)).toBeLessThanOrEqual(COLUMNS.right);
    for (let i = 1; i < 30; i += 1) {
      const before = chart.bars[i - 1];
      expect(chart.bars[i]?.x).toBeGreaterThan((before?.x ?? 0) + (before?.width ?? 0));
    }
    expect([last?.y, last?.height]).toEqual([COLUMNS.top, COLUMNS.baseline - COLUMNS.top]);
    expect(chart.bars[0]?.height).toBe(0);
    expect(chart.bars[0]?.y).toBe(COLUMNS.baseline);
    // Every seventh day counted back from today: 11-30, 11-23, 11-16, 11-09, 11-02.
    expect(chart.bars.filter((bar) => bar.tick).map((bar) => bar.label)).toEqual([
      "11-02",
      "11-09",
      "11-16",
      "11-23",
      "11-30",
    ]);
    expect(chart.description.split(", ")).toHaveLength(30);
  });

  it("columns: an all-zero series draws flat columns on a scale of 1", () => {
    const chart = columnChart(
      "z",
      "Quiet",
      days(() => 0),
    );
    expect(chart.max).toBe(1);
    expect(new Set(chart.bars.map((bar) => bar.height))).toEqual(new Set([0]));
  });
});
