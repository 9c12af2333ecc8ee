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

describe("normalizeEmail: look-alike addresses", () => {
  // Pairs a person cannot tell apart must collide (one account); distinct addresses must not.
  it.each([
    ["fullwidth letters", "ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ", "ada@example.com"],
    ["a ligature", "ﬁnn@example.com", "finn@example.com"],
    ["a trailing dot in the domain", "ada@example.com.", "ada@example.com"],
    ["a zero-width space", "a\u200bda@example.com", "ada@example.com"],
    ["a zero-width joiner in the domain", "ada@exam\u200dple.com", "ada@example.com"],
    ["a soft hyphen", "a\u00adda@example.com", "ada@example.com"],
    ["a byte-order mark", "\ufeffada@example.com", "ada@example.com"],
    ["upper case", "ADA@Example.COM", "ada@example.com"],
    ["a Unicode domain and its IDNA form", "ada@bücher.de", "ada@xn--bcher-kva.de"],
    ["a decomposed umlaut", "ada@bu\u0308cher.de", "ada@bücher.de"],
    ["an ideographic full stop", "ada@example\u3002com", "ada@example.com"],
    ["fullwidth digits", "user１@example.com", "user1@example.com"],
  ])("%s collides", (_what, left, right) => {
    expect(normalizeEmail(left)).toBe(normalizeEmail(right));
    expect(checkEmail(normalizeEmail(left))).toBeUndefined();
  });

  it.each([
    ["a Cyrillic а for a Latin a", "\u0430da@example.com", "ada@example.com"],
    ["a different domain", "ada@example.org", "ada@example.com"],
    ["a plus tag", "ada+x@example.com", "ada@example.com"],
    ["a dot in the local part", "a.da@example.com", "ada@example.com"],
    ["an umlaut and its plain letter", "ada@bücher.de", "ada@bucher.de"],
    ["a hyphen and no hyphen", "ada@ex-ample.com", "ada@example.com"],
  ])("%s does not collide", (_what, left, right) => {
    expect(normalizeEmail(left)).not.toBe(normalizeEmail(right));
  });

  it("refuses what stays invalid after normalization", () => {
    for (const raw of [
      "ada@exa_mple.com",
      "ada@-example.com",
      "ada@example-.com",
      "ada@ex!ample.com",
      "ada@\u200b.com",
    ]) {
      expect(checkEmail(normalizeEmail(raw)), raw).toEqual({
        field: "email",
        message: "must be a valid email address",
      });
    }
  });

  it("is idempotent on every form", () => {
    for (const raw of ["ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ.", "ada@bücher.de", "\u200bADA@例え.テスト"]) {
      expect(normalizeEmail(normalizeEmail(raw))).toBe(normalizeEmail(raw));
    }
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
