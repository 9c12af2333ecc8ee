/** One problem with one input field, as reported in a VALIDATION_ERROR's `details`. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
  /** For a refused password: what a strength estimator advises (a warning, suggestions). */
  readonly feedback?: PasswordFeedback;
}

/** Strength advice on a password: why it is guessable (or null) and how to pick a better one. */
export interface PasswordFeedback {
  readonly warning: string | null;
  readonly suggestions: readonly string[];
}
