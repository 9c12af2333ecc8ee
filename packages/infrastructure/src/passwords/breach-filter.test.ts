import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BREACH_FILTER_HEADER_BYTES,
  buildBreachFilter,
  loadBreachFilter,
  makeBreachFilterScreen,
  passwordSha1,
} from "./breach-filter.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-filter-"));
const LISTED = 20_000;
const PROBES = 200_000;
const listed = (i: number) => `breached-${i}`;
const sha1Hex = (password: string) => createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();

/** A file in the HIBP download format: upper-case SHA-1, a colon, the prevalence count, CRLF. */
function hibpFile(name: string, count: number): string {
  const path = join(dir, name);
  const lines = Array.from({ length: count }, (_, i) => `${sha1Hex(listed(i))}:${count - i}`);
  writeFileSync(path, `${lines.join("\r\n")}\r\n`);
  return path;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the operator-built breach filter (Bloom filter of Pwned Passwords SHA-1 hashes)", () => {
  it("holds every listed password, and its measured false-positive rate is close to the stated one", async () => {
    const input = hibpFile("top.txt", LISTED);
    const output = join(dir, "top.filter");
    const built = await buildBreachFilter({ input, output, fpRate: 0.001 });
    expect(built).toMatchObject({ count: LISTED, hashes: 10, fpRate: 0.001 });
    // m = -n ln p / (ln 2)^2: about 14.4 bits per entry at 0.1 %, plus the header.
    expect(readFileSync(output).length).toBe(BREACH_FILTER_HEADER_BYTES + Math.ceil(built.bits / 8));
    expect(built.bits / LISTED).toBeCloseTo(14.38, 1);

    const filter = loadBreachFilter(output);
    for (let i = 0; i < LISTED; i += 1) expect(filter.has(passwordSha1(listed(i)))).toBe(true);
    let falsePositives = 0;
    for (let i = 0; i < PROBES; i += 1) if (filter.has(passwordSha1(`never-listed-${i}`))) falsePositives += 1;
    const measured = falsePositives / PROBES;
    console.info(`breach filter: ${built.bits} bits, k=${built.hashes}, measured false-positive rate ${measured}`);
    // 200,000 probes at p = 0.001 expect 200 hits (standard deviation about 14).
    expect(measured).toBeGreaterThan(0.0006);
    expect(measured).toBeLessThan(0.0014);
  });

  it("takes only the first --top hashes and refuses them as breached through the password screen", async () => {
    const output = join(dir, "top100.filter");
    const built = await buildBreachFilter({ input: hibpFile("more.txt", 1000), output, fpRate: 0.0001, top: 100 });
    expect(built.count).toBe(100);
    const screen = makeBreachFilterScreen(loadBreachFilter(output));
    expect(screen.refusesAs).toBe("breached");
    expect(await screen.isRefused(listed(5), [])).toBe(true);
    // Hashed as typed: the corpus is case sensitive, so another case is another password.
    expect(await screen.isRefused(listed(5).toUpperCase(), [])).toBe(false);
    expect(await screen.isRefused(listed(500), [])).toBe(false);
  });

  it("refuses a line that is not SHA1:count, naming the file and line", async () => {
    const input = join(dir, "bad.txt");
    writeFileSync(input, `${sha1Hex("a")}:3\nhello:1\n`);
    await expect(buildBreachFilter({ input, output: join(dir, "bad.filter"), fpRate: 0.01 })).rejects.toThrow(
      `${input}:2: not a "SHA1:count" line`,
    );
  });

  it("refuses a missing, foreign or truncated filter file with one line saying so", async () => {
    const output = join(dir, "ok.filter");
    await buildBreachFilter({ input: hibpFile("few.txt", 10), output, fpRate: 0.01 });
    const truncated = join(dir, "truncated.filter");
    writeFileSync(truncated, readFileSync(output).subarray(0, -1));
    const foreign = join(dir, "foreign.filter");
    writeFileSync(foreign, "SHA1:123\n".repeat(10));
    for (const [path, message] of [
      [join(dir, "missing.filter"), "cannot be read (ENOENT)"],
      [foreign, "not a Gatehouse breach filter"],
      [truncated, "damaged breach filter"],
    ] as const) {
      expect(() => loadBreachFilter(path)).toThrow(message);
      try {
        loadBreachFilter(path);
      } catch (error) {
        expect((error as Error).message).not.toContain("\n");
      }
    }
  });
});
