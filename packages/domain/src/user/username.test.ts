import { describe, expect, it } from "vitest";
import { checkUsername, USERNAME_MAX, USERNAME_MIN } from "./username.js";

const LENGTH = { field: "username", message: "must be 3-50 characters" };
const CHARS = { field: "username", message: "may contain only letters, digits, '_', '.' and '-'" };

describe("checkUsername", () => {
  it("has bounds 3 and 50", () => {
    expect(USERNAME_MIN).toBe(3);
    expect(USERNAME_MAX).toBe(50);
  });

  it.each(["abc", "Alice_99", "john.doe", "x-y-z", "A1_.-", "a".repeat(50)])("accepts %j", (name) => {
    expect(checkUsername(name)).toBeUndefined();
  });

  it.each(["", "a", "ab", "a".repeat(51), "a".repeat(200)])("rejects the length of %j", (name) => {
    expect(checkUsername(name)).toEqual(LENGTH);
  });

  it.each(["has space", "émile", "bob@home", "semi;colon", "tab\there", "slash/name", "plus+sign", "名前です"])(
    "rejects the characters of %j",
    (name) => {
      expect(checkUsername(name)).toEqual(CHARS);
    },
  );

  it("checks length before characters", () => {
    expect(checkUsername("a b")).toEqual(CHARS);
    expect(checkUsername("@!")).toEqual(LENGTH);
  });

  it("does not trim: leading or trailing whitespace is a bad character", () => {
    expect(checkUsername(" alice")).toEqual(CHARS);
    expect(checkUsername("alice ")).toEqual(CHARS);
  });

  it("names the field it was given", () => {
    expect(checkUsername("x", "login")).toEqual({ ...LENGTH, field: "login" });
  });
});
