import { describe, expect, it } from "vitest";
import { MemorySessionRevocations } from "./memory-session-revocations.js";

describe("MemorySessionRevocations", () => {
  it("reports revoked sessions until the retention window passes", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const revocations = new MemorySessionRevocations({ now: () => new Date(now) }, 900);
    await revocations.revoke(["a"]);
    revocations.seed(["b"]);
    expect(await revocations.isRevoked("a")).toBe(true);
    expect(await revocations.isRevoked("b")).toBe(true);
    expect(await revocations.isRevoked("c")).toBe(false);
    now += 901_000;
    expect(await revocations.isRevoked("a")).toBe(false);
    expect(revocations.size).toBe(1);
  });

  it("tells its listeners of revoked and seeded sessions until they stop listening", async () => {
    const revocations = new MemorySessionRevocations({ now: () => new Date() }, 900);
    const heard: string[][] = [];
    const stop = revocations.onRevoked((sids) => heard.push([...sids]));
    await revocations.revoke(["a", "b"]);
    revocations.seed(["c"]);
    revocations.seed([]);
    stop();
    await revocations.revoke(["d"]);
    expect(heard).toEqual([["a", "b"], ["c"]]);
  });
});
