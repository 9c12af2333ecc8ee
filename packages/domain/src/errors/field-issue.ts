/** One problem with one input field, as reported in a VALIDATION_ERROR's `details`. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}
