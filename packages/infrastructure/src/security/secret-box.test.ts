import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { makeSecretBox, SecretDecryptionError } from "./secret-box.js";

const key = (id: string) => ({ id, key: randomBytes(32) });

describe("secret box (AES-256-GCM key ring)", () => {
  it("seals under the first key with its id in the prefix, and opens it again", () => {
    const box = makeSecretBox([key("k1")], "mfa");
    const sealed = box.seal("JBSWY3DPEHPK3PXP");
    expect(sealed).toMatch(/^v1:k1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(box.open(sealed)).toBe("JBSWY3DPEHPK3PXP");
    expect(box.seal("same")).not.toBe(box.seal("same"));
  });

  it("opens a value under the context it was sealed with only, and for its purpose only", () => {
    const ring = [key("k1")];
    const box = makeSecretBox(ring, "keycloak-sync");
    const sealed = box.seal("correct horse battery", "user-1");
    expect(box.open(sealed, "user-1")).toBe("correct horse battery");
    expect(() => box.open(sealed, "user-2")).toThrow(SecretDecryptionError);
    expect(() => makeSecretBox(ring, "mfa").open(sealed, "user-1")).toThrow(SecretDecryptionError);
  });

  it("rotates: a ring with a new first key seals with it and still opens the old key's values", () => {
    const old = key("2026-01");
    const sealedOld = makeSecretBox([old], "mfa").seal("secret");
    const rotated = makeSecretBox([key("2026-06"), old], "mfa");
    expect(rotated.open(sealedOld)).toBe("secret");
    expect(rotated.seal("x")).toMatch(/^v1:2026-06:/);
    expect(() => makeSecretBox([key("2026-06")], "mfa").open(sealedOld)).toThrow(SecretDecryptionError);
  });

  it("refuses tampered, relabelled and truncated values, and keys of the wrong size", () => {
    const a = key("a");
    const b = { id: "b", key: a.key };
    const box = makeSecretBox([a, b], "mfa");
    const sealed = box.seal("secret");
    const [, , payload = ""] = sealed.split(":");
    // Regression: the test swapped the second-to-last character for "A" or "B" by looking at the
    // last one, so one run in 64 "tampered" nothing and failed. Flip a bit of a decoded byte instead.
    const bytes = Buffer.from(payload, "base64url");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    const flipped = bytes.toString("base64url");
    expect(() => box.open(`v1:a:${flipped}`)).toThrow(SecretDecryptionError);
    // Same key bytes under another id: the authenticated key id makes it fail.
    expect(() => box.open(`v1:b:${payload}`)).toThrow(SecretDecryptionError);
    expect(() => box.open("v1:a:AAAA")).toThrow(SecretDecryptionError);
    expect(() => box.open("v2:a:AAAA")).toThrow(SecretDecryptionError);
    expect(() => makeSecretBox([{ id: "x", key: randomBytes(16) }], "mfa")).toThrow("32-byte keys");
  });
});
