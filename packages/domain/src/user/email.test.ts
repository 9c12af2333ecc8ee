import { describe, expect, it } from "vitest";
import { checkEmail, maskEmail, normalizeEmail } from "./email.js";

describe("normalizeEmail", () => {
  it("trims surrounding whitespace and lower-cases", () => {
    expect(normalizeEmail("  Alice.Smith@Example.COM \n")).toBe("alice.smith@example.com");
  });

  it("leaves an already normalized address unchanged", () => {
    expect(normalizeEmail("bob@example.org")).toBe("bob@example.org");
  });

  it("is idempotent", () => {
    const once = normalizeEmail(" MiXeD@Case.Io ");
    expect(normalizeEmail(once)).toBe(once);
  });
});

describe("checkEmail", () => {
  it.each(["a@b.co", "alice.smith+tag@example.com", "x_y-z@sub.domain.example"])("accepts %s", (email) => {
    expect(checkEmail(email)).toBeUndefined();
  });

  it("reports an empty address as required", () => {
    expect(checkEmail("")).toEqual({ field: "email", message: "is required" });
  });

  it.each([
    "plainaddress",
    "missing-at.example.com",
    "no-dot@example",
    "two@@example.com",
    "a@b@example.com",
    "has space@example.com",
    "@example.com",
    "alice@.",
    "alice@example.",
  ])("rejects the malformed address %j", (email) => {
    expect(checkEmail(email)).toEqual({ field: "email", message: "must be a valid email address" });
  });

  it("accepts 254 characters and rejects 255", () => {
    const domain = "@example.com";
    const at254 = `${"a".repeat(254 - domain.length)}${domain}`;
    const at255 = `a${at254}`;
    expect(at254).toHaveLength(254);
    expect(checkEmail(at254)).toBeUndefined();
    expect(checkEmail(at255)).toEqual({ field: "email", message: "must be at most 254 characters" });
  });

  it("names the field it was given", () => {
    expect(checkEmail("nope", "new_email")).toMatchObject({ field: "new_email" });
  });
});

describe("maskEmail", () => {
  it("shows the old mailbox only the first characters and the top-level domain of the new address", () => {
    expect(maskEmail("ada.lovelace@example.com")).toBe("a***@e***.com");
    expect(maskEmail("x@mail.example.org")).toBe("x***@m***.org");
    expect(maskEmail("ä@bücher.de")).toBe("ä***@b***.de");
    expect(maskEmail("ada.lovelace@example.com")).not.toContain("lovelace");
  });
});
