import type { PasswordHasher } from "@gatehouse/domain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handingOffHasher } from "./password-handoff.js";

let serial = 0;
const hasher: PasswordHasher = {
  async hash(password) {
    serial += 1;
    return `hash-${serial}-${password.length}`;
  },
  verify: async () => true,
  formatOf: () => "argon2id",
  needsRehash: () => false,
};

describe("handingOffHasher", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands the password of a hash to one taker, once; verify and the rest are the hasher's", async () => {
    const { hasher: wrapped, handoff } = handingOffHasher(hasher);
    const hash = await wrapped.hash("correct horse battery");
    expect(handoff.take("unknown-hash")).toBeUndefined();
    expect(handoff.take(hash)).toBe("correct horse battery");
    expect(handoff.take(hash)).toBeUndefined();
    expect(await wrapped.verify("x", hash)).toBe(true);
    expect(wrapped.formatOf(hash)).toBe("argon2id");
  });

  it("drops a password no write took after the time to live, and holds at most `max`", async () => {
    vi.useFakeTimers();
    const { hasher: wrapped, handoff } = handingOffHasher(hasher, { ttlMs: 1000, max: 2 });
    const stale = await wrapped.hash("first password");
    vi.advanceTimersByTime(1001);
    expect(handoff.take(stale)).toBeUndefined();
    const one = await wrapped.hash("one");
    const two = await wrapped.hash("two");
    const three = await wrapped.hash("three");
    expect(handoff.take(one)).toBeUndefined();
    expect([handoff.take(two), handoff.take(three)]).toEqual(["two", "three"]);
  });
});
