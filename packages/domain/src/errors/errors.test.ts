import { describe, expect, it } from "vitest";
import { DomainError, isDomainError, validationError } from "./domain-error.js";
import { ERROR_TABLE, ErrorCodes, statusOf } from "./error-codes.js";

describe("the error table", () => {
  it("lists every code once, in SCREAMING_SNAKE_CASE", () => {
    expect(ErrorCodes).toEqual(Object.keys(ERROR_TABLE));
    for (const code of ErrorCodes) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });

  it("gives every code an HTTP error status and a default message", () => {
    for (const code of ErrorCodes) {
      expect(statusOf(code), code).toBeGreaterThanOrEqual(400);
      expect(statusOf(code), code).toBeLessThan(600);
      expect(ERROR_TABLE[code].message.length, code).toBeGreaterThan(0);
    }
  });

  it("answers 429 with one code only, so every limit shares one body", () => {
    expect(ErrorCodes.filter((code) => statusOf(code) === 429)).toEqual(["RATE_LIMIT_EXCEEDED"]);
  });
});

describe("DomainError", () => {
  it("is an Error carrying a code, a message and optional details", () => {
    const error = new DomainError("ROLE_IN_USE", "Still held", { user_count: 3 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("DomainError");
    expect(error.code).toBe("ROLE_IN_USE");
    expect(error.message).toBe("Still held");
    expect(error.details).toEqual({ user_count: 3 });
    expect(error.stack).toBeTypeOf("string");
  });

  it("takes the table's default message when given none", () => {
    expect(new DomainError("USER_NOT_FOUND").message).toBe("User not found");
  });

  it("accepts free-form details on a code that declares none", () => {
    expect(new DomainError("INVALID_VERIFICATION_CODE", "Wrong", { reason: "burned" }).details).toEqual({
      reason: "burned",
    });
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
