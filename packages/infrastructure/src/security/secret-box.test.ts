import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { makeSecretBox } from "./secret-box.js";

describe("secret box", () => {
  const box = makeSecretBox(randomBytes(32), "keycloak-sync");

  it("opens what it sealed, under the same context only", () => {
    const sealed = box.seal("correct horse battery", "user-1");
    expect(sealed).not.toContain("correct");
    expect(box.seal("correct horse battery", "user-1")).not.toBe(sealed);
    expect(box.open(sealed, "user-1")).toBe("correct horse battery");
    expect(() => box.open(sealed, "user-2")).toThrow("does not open");
  });

  it("refuses another key, an altered value and a truncated one", () => {
    const sealed = box.seal("correct horse battery", "user-1");
    expect(() => makeSecretBox(randomBytes(32), "keycloak-sync").open(sealed, "user-1")).toThrow("does not open");
    const bytes = Buffer.from(sealed, "base64url");
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    expect(() => box.open(bytes.toString("base64url"), "user-1")).toThrow("does not open");
    expect(() => box.open("abc", "user-1")).toThrow("truncated");
    expect(() => makeSecretBox(randomBytes(16), "keycloak-sync")).toThrow("32-byte key");
  });
});
