import { UNUSABLE_PASSWORD_HASH } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeArgon2Hasher } from "./argon2-hasher.js";

describe("argon2id hasher", () => {
  const hasher = makeArgon2Hasher({ maxConcurrency: 2 });

  it("hashes with the default parameters and verifies", async () => {
    const hash = await hasher.hash("Correct-Horse-9");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify("Correct-Horse-9", hash)).toBe(true);
    expect(await hasher.verify("wrong-Horse-9", hash)).toBe(false);
  });

  it("returns false, after real work, when there is no stored hash", async () => {
    expect(await hasher.verify("anything", undefined)).toBe(false);
  });

  it("returns false for a malformed stored hash instead of throwing", async () => {
    expect(await hasher.verify("anything", "not-a-phc-string")).toBe(false);
  });

  it("verifies nothing against the unusable hash of an account created without a password", async () => {
    expect(await hasher.verify(UNUSABLE_PASSWORD_HASH, UNUSABLE_PASSWORD_HASH)).toBe(false);
    expect(await hasher.verify("", UNUSABLE_PASSWORD_HASH)).toBe(false);
  });

  it("never runs more hashes at once than its limit", async () => {
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, hasher.gate.inFlight);
    }, 1);
    await Promise.all(Array.from({ length: 6 }, () => hasher.hash("Correct-Horse-9")));
    clearInterval(watch);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
  });
});
