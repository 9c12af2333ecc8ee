import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_ARGON2_OPTIONS, makeArgon2Hasher } from "./argon2-hasher.js";
import { makeArgon2Pool } from "./argon2-pool.js";

/** Nice values of this process's threads, read from the kernel (`/proc/self/task/<tid>/stat`, field 19). */
function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[16]);
  });
}

describe("argon2 worker pool", () => {
  const pool = makeArgon2Pool({ size: 2, nice: 7 });
  afterAll(() => pool.close());

  it("hashes and verifies off the event loop; a malformed stored hash verifies as false", async () => {
    const hash = await pool.hash("Correct-Horse-9", DEFAULT_ARGON2_OPTIONS);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await pool.verify(hash, "Correct-Horse-9")).toBe(true);
    expect(await pool.verify(hash, "wrong-Horse-9")).toBe(false);
    expect(await pool.verify("not-a-phc-string", "anything")).toBe(false);
  });

  it.runIf(process.platform === "linux")(
    "runs each worker's thread at the configured nice value, the rest at the process's",
    async () => {
      expect(await pool.ready()).toEqual([7, 7]);
      const values = threadNiceValues();
      expect(values.filter((nice) => nice === 7)).toHaveLength(2);
      expect(values.filter((nice) => nice !== 7).length).toBeGreaterThan(1);
    },
  );

  it("fails the hash of a worker that dies and replaces the worker", async () => {
    const [victim] = pool.workers();
    const running = pool.hash("Correct-Horse-9", { ...DEFAULT_ARGON2_OPTIONS, timeCost: 20 });
    const other = pool.hash("Correct-Horse-9", DEFAULT_ARGON2_OPTIONS);
    await victim?.terminate();
    const outcomes = await Promise.allSettled([running, other]);
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toHaveLength(1);
    expect(pool.workers()).toHaveLength(2);
    expect(pool.workers()).not.toContain(victim);
    const again = await Promise.all([1, 2, 3].map(() => pool.hash("Correct-Horse-9", DEFAULT_ARGON2_OPTIONS)));
    expect(again).toHaveLength(3);
  });

  it("rejects a hash the library refuses, and keeps working", async () => {
    await expect(pool.hash("x", { ...DEFAULT_ARGON2_OPTIONS, memoryCost: 1 })).rejects.toThrow(/^argon2: /);
    expect(await pool.verify(await pool.hash("x", DEFAULT_ARGON2_OPTIONS), "x")).toBe(true);
  });
});

describe("argon2id hasher on the worker pool", () => {
  it("closes at once after it was made, with its timing hash still running, and rejects nothing unhandled", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listener);
    try {
      const early = makeArgon2Hasher({ maxConcurrency: 1, pool: makeArgon2Pool({ size: 1, nice: 10 }) });
      await early.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(early.verify("x", undefined)).rejects.toThrow(/argon2 worker stopped|closed/);
    } finally {
      process.off("unhandledRejection", listener);
    }
    expect(unhandled).toEqual([]);
  });

  const hasher = makeArgon2Hasher({ maxConcurrency: 2, pool: makeArgon2Pool({ size: 2, nice: 10 }) });
  afterAll(() => hasher.close());

  it("verifies what the thread-pool hasher made, and the reverse", async () => {
    const libuv = makeArgon2Hasher({ maxConcurrency: 1 });
    expect(await hasher.verify("Correct-Horse-9", await libuv.hash("Correct-Horse-9"))).toBe(true);
    expect(await libuv.verify("Correct-Horse-9", await hasher.hash("Correct-Horse-9"))).toBe(true);
    expect(await hasher.verify("Correct-Horse-9", undefined)).toBe(false);
  });
});
