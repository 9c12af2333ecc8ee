#!/usr/bin/env node
// `pnpm test`: runs `turbo run test` (extra arguments pass through), streams its output, and
// closes with one line for the whole monorepo summed over every package's vitest run. Plain
// JavaScript on purpose: it must run before anything is built.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ANSI escape itself
const ANSI = /\u001b\[[0-9;]*m/g;
// turbo prefixes each line with `<package>:test: `; vitest's total is `Tests  3 failed | 40 passed | 2 skipped (45)`.
const TESTS_LINE = /^\S+:test:\s+Tests\s+(.*)$/;
// A file whose hook failed or timed out counts its tests as skipped, not failed: count the file.
const FILES_LINE = /^\S+:test:\s+Test Files\s+(.*)$/;
const ERRORS_LINE = /^\S+:test:\s+Errors\s+(\d+) errors?/;

/**
 * Sums vitest's `Tests` lines of turbo's output.
 * @param {Iterable<string>} lines
 * @returns {{ passed: number, failed: number, skipped: number, packages: number, failedFiles: number, errors: number }}
 */
export function summarise(lines) {
  const total = { passed: 0, failed: 0, skipped: 0, packages: 0, failedFiles: 0, errors: 0 };
  for (const raw of lines) {
    const line = raw.replace(ANSI, "");
    const files = FILES_LINE.exec(line)?.[1];
    if (files) total.failedFiles += Number(/(\d+) failed/.exec(files)?.[1] ?? 0);
    total.errors += Number(ERRORS_LINE.exec(line)?.[1] ?? 0);
    const match = TESTS_LINE.exec(line);
    if (!match?.[1]) continue;
    total.packages += 1;
    for (const [, count, kind] of match[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
      // A todo is a test that did not run: it counts as skipped, never as passed.
      const key = kind === "todo" ? "skipped" : /** @type {"passed" | "failed" | "skipped"} */ (kind);
      total[key] += Number(count);
    }
  }
  return total;
}

/** @param {{ passed: number, failed: number, skipped: number, failedFiles?: number, errors?: number }} total */
export function summaryLine(total) {
  const extra = [
    total.failedFiles ? `${total.failedFiles} test file${total.failedFiles === 1 ? "" : "s"} failed` : "",
    total.errors ? `${total.errors} unhandled error${total.errors === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return `tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped${extra.map((e) => `, ${e}`).join("")}`;
}

function main() {
  const started = Date.now();
  // --continue: a failing package must not hide the counts of the others.
  const child = spawn("turbo", ["run", "test", "--continue", ...process.argv.slice(2)], {
    stdio: ["inherit", "pipe", "pipe"],
  });
  const lines = [];
  for (const [stream, sink] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    let pending = "";
    stream.on("data", (chunk) => {
      sink.write(chunk);
      const parts = (pending + chunk.toString()).split("\n");
      pending = parts.pop() ?? "";
      lines.push(...parts);
    });
    stream.on("end", () => lines.push(pending));
  }
  child.on("error", (error) => {
    process.stderr.write(`test-summary: cannot run turbo: ${error.message}\n`);
    process.exit(1);
  });
  child.on("close", (code, signal) => {
    const total = summarise(lines);
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stdout.write(`${summaryLine(total)} (${total.packages} packages, ${seconds} s)\n`);
    process.exit(code ?? (signal === "SIGINT" ? 130 : 1));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
