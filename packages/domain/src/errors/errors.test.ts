import { describe, expect, it } from "vitest";
import { DomainError, isDomainError, validationError } from "./domain-error.js";
import { ErrorCodes } from "./error-codes.js";

describe("ErrorCodes", () => {
  it("has no duplicates", () => {
    expect(new Set(ErrorCodes).size).toBe(ErrorCodes.length);
  });

  it("uses SCREAMING_SNAKE_CASE codes", () => {
    for (const code of ErrorCodes) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });
});

describe("DomainError", () => {
  it("is an Error carrying a code, a message and optional details", () => {
    const error = new DomainError("CONFLICT", "Already there", { id: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("DomainError");
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe("Already there");
    expect(error.details).toEqual({ id: 1 });
    expect(error.stack).toBeTypeOf("string");
  });

  it("has undefined details when none are given", () => {
    expect(new DomainError("NOT_FOUND", "Missing").details).toBeUndefined();
  });
});

describe("validationError", () => {
  it("wraps every issue in one VALIDATION_ERROR", () => {
    const issues = [
      { field: "email", message: "is required" },
      { field: "password", message: "too short" },
    ];
    const error = validationError(issues);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.message).toBe("Input validation failed");
    expect(error.details).toEqual(issues);
  });
});

describe("isDomainError", () => {
  it("recognises a DomainError", () => {
    expect(isDomainError(new DomainError("FORBIDDEN", "No"))).toBe(true);
    expect(isDomainError(validationError([]))).toBe(true);
  });

  it.each([
    ["a plain Error", new Error("boom")],
    ["a look-alike object", { name: "DomainError", code: "FORBIDDEN", message: "No" }],
    ["undefined", undefined],
    ["a string", "FORBIDDEN"],
  ])("rejects %s", (_label, value) => {
    expect(isDomainError(value)).toBe(false);
  });
});
