import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_TABLE, type ErrorCode, ErrorCodes, statusOf } from "./error-codes.js";

const README = new URL("../../../../README.md", import.meta.url);

/** The rows of the README's "Error codes" table: code → status. */
function readmeErrorTable(): Map<string, number> {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf("\n## Error codes\n");
  if (start === -1) throw new Error("README.md has no '## Error codes' section");
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\| `([A-Z_]+)` +\| (\d{3}) +\|/gm)) {
    const [, code, status] = match;
    if (code === undefined || status === undefined) continue;
    if (rows.has(code)) throw new Error(`README lists ${code} twice`);
    rows.set(code, Number(status));
  }
  return rows;
}

describe("README error-code table", () => {
  const rows = readmeErrorTable();

  it("lists every code of the error table with the same HTTP status", () => {
    const documented = ErrorCodes.map((code) => [code, rows.get(code)]);
    expect(documented).toEqual(ErrorCodes.map((code) => [code, statusOf(code)]));
  });

  it("lists no code the error table lacks", () => {
    expect([...rows.keys()].filter((code) => !Object.hasOwn(ERROR_TABLE, code))).toEqual([]);
  });

  it("marks the reserved codes as reserved", () => {
    const text = readFileSync(README, "utf8");
    const reserved = ErrorCodes.filter((code: ErrorCode) => "reserved" in ERROR_TABLE[code]);
    for (const code of reserved) expect(text, code).toMatch(new RegExp(`\\| \`${code}\` +\\| \\d{3} +\\| reserved`));
  });
});
