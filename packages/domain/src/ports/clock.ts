/** The source of "now", so tests can move time instead of waiting for it. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}
