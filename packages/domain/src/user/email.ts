import type { FieldIssue } from "../errors/domain-error.js";

const MAX_LENGTH = 254;
// Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is proven
// by the verification email, not by a regex.
const SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Checks an already normalized address; returns the issue or `undefined`. */
export function checkEmail(normalized: string, field = "email"): FieldIssue | undefined {
  if (normalized.length === 0) return { field, message: "is required" };
  if (normalized.length > MAX_LENGTH) return { field, message: `must be at most ${MAX_LENGTH} characters` };
  if (!SHAPE.test(normalized)) return { field, message: "must be a valid email address" };
  return undefined;
}
