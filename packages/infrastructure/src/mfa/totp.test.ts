import { describe, expect, it } from "vitest";
import { recoveryCodes } from "./recovery-codes.js";
import { base32Decode, base32Encode, hotp, totp } from "./totp.js";

// RFC 6238 appendix B: the SHA-1 key is the ASCII "12345678901234567890"; 8-digit codes.
const RFC_KEY = Buffer.from("12345678901234567890", "ascii");
const RFC_VECTORS: Array<[number, string]> = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238, SHA-1)", () => {
  it.each(RFC_VECTORS)("matches the RFC vector at T=%i", (seconds, expected) => {
    expect(hotp(RFC_KEY, Math.floor(seconds / 30), 8)).toBe(expected);
  });

  it("round-trips base32 and uses the 6-digit truncation of the same HMAC", () => {
    const secret = base32Encode(RFC_KEY);
    expect(secret).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(base32Decode(secret).equals(RFC_KEY)).toBe(true);
    // The 6-digit code is the last 6 digits of the 8-digit one.
    expect(totp.matchingStep(secret, "287082", new Date(59_000))).toBe(1);
  });

  it("accepts one step either side and nothing further (window edges, injected clock)", () => {
    const secret = totp.newSecret();
    const key = base32Decode(secret);
    const at = new Date(1_700_000_015_000); // step 56666667, 15 s in
    const step = totp.stepAt(at);
    expect(totp.matchingStep(secret, hotp(key, step), at)).toBe(step);
    expect(totp.matchingStep(secret, hotp(key, step - 1), at)).toBe(step - 1);
    expect(totp.matchingStep(secret, hotp(key, step + 1), at)).toBe(step + 1);
    expect(totp.matchingStep(secret, hotp(key, step - 2), at)).toBeUndefined();
    expect(totp.matchingStep(secret, hotp(key, step + 2), at)).toBeUndefined();
    // The first second of the next step still takes the previous code; 30 s later it does not.
    const edge = new Date((step + 1) * 30_000);
    expect(totp.matchingStep(secret, hotp(key, step), edge)).toBe(step);
    expect(totp.matchingStep(secret, hotp(key, step), new Date((step + 2) * 30_000))).toBeUndefined();
    expect(totp.matchingStep(secret, "12345", at)).toBeUndefined();
    expect(totp.matchingStep(secret, "abcdef", at)).toBeUndefined();
  });

  it("writes the otpauth URI authenticator apps read", () => {
    const uri = new URL(totp.keyUri({ secret: "ABC", issuer: "Gatehouse", account: "a@example.com" }));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Gatehouse:a@example.com");
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: "ABC",
      issuer: "Gatehouse",
      algorithm: "SHA1",
      digits: "6",
      period: "30",
    });
  });
});

describe("recovery codes", () => {
  it("are 60-bit codes in groups, hashed regardless of case and separators", () => {
    const codes = new Set(Array.from({ length: 200 }, () => recoveryCodes.newCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const [code = ""] = codes;
    expect(recoveryCodes.hash(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(recoveryCodes.hash(code.toLowerCase().replace(/-/g, " "))).toBe(recoveryCodes.hash(code));
  });
});
