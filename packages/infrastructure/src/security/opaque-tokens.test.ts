import { describe, expect, it } from "vitest";
import { opaqueTokens } from "./opaque-tokens.js";

describe("opaque refresh tokens", () => {
  it("are 32 random bytes in base64url, stored as their SHA-256", () => {
    const a = opaqueTokens.generate();
    const b = opaqueTokens.generate();
    expect(Buffer.from(a.token, "base64url")).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(opaqueTokens.hash(a.token)).toBe(a.hash);
  });
});
