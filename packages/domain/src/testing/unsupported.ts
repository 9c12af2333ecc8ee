/**
 * The message of a method the in-memory fake leaves out, and what a contract checks for. Its own
 * module (and entry point, `@gatehouse/domain/testing/unsupported`) because the fakes ship to
 * other teams, who must not need vitest to load them; the contracts import vitest.
 */
export const UNSUPPORTED_IN_FAKE = "unsupported in the fake: test it on PGlite";
