import { type DetailsOf, ERROR_TABLE, type ErrorCode } from "./error-codes.js";
import type { FieldIssue } from "./field-issue.js";

export type { FieldIssue } from "./field-issue.js";

/**
 * An expected failure: a business rule said no. It carries a stable code from the error
 * table and a message that is safe to show a client (the table's default when none is
 * given). Infrastructure failures are plain `Error`s and never become a DomainError.
 */
export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = "DomainError";
  readonly details: DetailsOf<C> | undefined;

  constructor(
    readonly code: C,
    message: string = ERROR_TABLE[code].message,
    details?: DetailsOf<C>,
  ) {
    super(message);
    this.details = details;
  }
}

/** A VALIDATION_ERROR listing every bad field at once. */
export function validationError(issues: readonly FieldIssue[]): DomainError<"VALIDATION_ERROR"> {
  return new DomainError("VALIDATION_ERROR", ERROR_TABLE.VALIDATION_ERROR.message, issues);
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
