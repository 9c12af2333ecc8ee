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
});
