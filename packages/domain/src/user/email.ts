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

/**
 * An address shown to someone who must not learn it in full (the old address told of an email
 * change): the first character of the local part and of the domain, and the top-level domain,
 * so `ada.lovelace@example.com` reads `a***@e***.com`. The owner recognises their own address;
 * whoever reads the old mailbox does not learn the new one.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const local = at === -1 ? email : email.slice(0, at);
  const domain = at === -1 ? "" : email.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  const tld = dot === -1 ? "" : domain.slice(dot);
  return `${Array.from(local)[0] ?? ""}***@${Array.from(domain)[0] ?? ""}***${tld}`;
}
