import { describe, expect, it } from "vitest";
import { checkPassword, DEFAULT_PASSWORD_POLICY } from "./password-policy.js";

const COMPOSITION = {
  field: "password",
  message: "must contain an upper-case letter, a lower-case letter and a digit",
};

describe("checkPassword", () => {
  it("defaults to 8-128 characters", () => {
    expect(DEFAULT_PASSWORD_POLICY).toEqual({ minLength: 8, maxLength: 128 });
  });

  it.each(["Passw0rd", "aB3aaaaa", `Aa1${"x".repeat(125)}`, "Correct Horse Battery 9"])("accepts %j", (password) => {
    expect(checkPassword(password)).toBeUndefined();
  });

  it("rejects one character under the minimum and accepts the minimum", () => {
    expect(checkPassword("Passw0r")).toEqual({ field: "password", message: "must be 8-128 characters" });
    expect(checkPassword("Passw0rd")).toBeUndefined();
  });

  it("accepts the maximum and rejects one character over it", () => {
    const at128 = `Aa1${"x".repeat(125)}`;
    expect(at128).toHaveLength(128);
    expect(checkPassword(at128)).toBeUndefined();
    expect(checkPassword(`${at128}x`)).toEqual({ field: "password", message: "must be 8-128 characters" });
  });

  it("rejects the empty password on length", () => {
    expect(checkPassword("")).toEqual({ field: "password", message: "must be 8-128 characters" });
  });

  it.each([
    ["no upper-case letter", "passw0rd"],
    ["no lower-case letter", "PASSW0RD"],
    ["no digit", "Password"],
    ["only digits", "12345678"],
    ["only symbols", "!!!!!!!!"],
  ])("with composition on, rejects a password with %s", (_label, password) => {
    expect(checkPassword(password, { ...DEFAULT_PASSWORD_POLICY, composition: true })).toEqual(COMPOSITION);
    expect(checkPassword(password)).toBeUndefined();
  });

  it("composition is off by default: a lower-case passphrase passes the shape rules", () => {
    expect(checkPassword("correct horse battery staple")).toBeUndefined();
  });

  it("counts code points, not UTF-16 units: 8 emoji are 8 characters, 128 astral ones fit", () => {
    expect(checkPassword("😀".repeat(7))).toEqual({ field: "password", message: "must be 8-128 characters" });
    expect(checkPassword("😀".repeat(8))).toBeUndefined();
    expect(checkPassword("😀".repeat(128))).toBeUndefined();
    expect(checkPassword("😀".repeat(129))).toEqual({ field: "password", message: "must be 8-128 characters" });
  });

  it("reports length before composition", () => {
    expect(checkPassword("abc", { ...DEFAULT_PASSWORD_POLICY, composition: true })).toEqual({
      field: "password",
      message: "must be 8-128 characters",
    });
  });

  it("honours a configured minimum", () => {
    const policy = { minLength: 12, maxLength: 64 };
    expect(checkPassword("Passw0rd123", policy)).toEqual({ field: "password", message: "must be 12-64 characters" });
    expect(checkPassword("Passw0rd1234", policy)).toBeUndefined();
    expect(checkPassword(`Aa1${"x".repeat(62)}`, policy)).toEqual({
      field: "password",
      message: "must be 12-64 characters",
    });
  });

  it("allows a configured minimum lower than the default", () => {
    expect(checkPassword("Ab1", { minLength: 3, maxLength: 128 })).toBeUndefined();
  });

  it("names the field it was given", () => {
    expect(checkPassword("x", DEFAULT_PASSWORD_POLICY, "new_password")).toMatchObject({ field: "new_password" });
  });
});
