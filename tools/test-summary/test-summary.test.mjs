import { describe, expect, it } from "vitest";
import { summarise, summaryLine } from "./test-summary.mjs";

describe("summarise", () => {
  it("sums every package's vitest total and ignores the Test Files lines", () => {
    const total = summarise([
      "@gatehouse/domain:test:  Test Files  4 passed (4)",
      "@gatehouse/domain:test:       Tests  40 passed (40)",
      "@gatehouse/infrastructure:test:       Tests  2 failed | 100 passed | 12 skipped (114)",
      "@gatehouse/server:test:       Tests  3 passed | 1 todo (4)",
      "some other line: Tests 99 passed",
    ]);
    expect(total).toEqual({ passed: 143, failed: 2, skipped: 13, packages: 3, failedFiles: 0, errors: 0 });
    expect(summaryLine(total)).toBe("tests: 143 passed, 2 failed, 13 skipped");
  });

  it("reads coloured output", () => {
    const line =
      "@gatehouse/api:test: \u001b[2m      Tests \u001b[22m \u001b[1m\u001b[32m7 passed\u001b[39m\u001b[22m\u001b[90m (7)\u001b[39m";
    expect(summarise([line])).toEqual({ passed: 7, failed: 0, skipped: 0, packages: 1, failedFiles: 0, errors: 0 });
  });

  it("names the files whose hooks failed (their tests count as skipped) and unhandled errors", () => {
    const total = summarise([
      "@gatehouse/server:test:  Test Files  2 failed | 21 passed | 2 skipped (25)",
      "@gatehouse/server:test:       Tests  229 passed | 29 skipped (258)",
      "@gatehouse/worker:test:       Errors  1 error",
    ]);
    expect(summaryLine(total)).toBe("tests: 229 passed, 0 failed, 29 skipped, 2 test files failed, 1 unhandled error");
  });

  it("reports nothing run as zero, not as a pass", () => {
    expect(summaryLine(summarise(["turbo 2.11.11", "No tasks were executed"]))).toBe(
      "tests: 0 passed, 0 failed, 0 skipped",
    );
  });
});
