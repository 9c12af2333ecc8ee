import type { ErrorCode } from "./error-codes.js";

/** One problem with one input field, as reported in a VALIDATION_ERROR's `details`. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * An expected failure: a business rule said no. It carries a stable code from the
 * catalogue and a message that is safe to show a client. Infrastructure failures are
 * plain `Error`s and never become a DomainError.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A VALIDATION_ERROR listing every bad field at once. */
export function validationError(issues: readonly FieldIssue[]): DomainError {
  return new DomainError("VALIDATION_ERROR", "Input validation failed", issues);
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
