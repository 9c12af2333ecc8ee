import type { FieldIssue } from "../errors/domain-error.js";
import { toPunycode } from "./punycode.js";

const MAX_LENGTH = 254;
// Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is proven
// by the verification email, not by a regex.
const SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// After normalization a domain is ASCII letters, digits and hyphens in dot-separated labels.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// Zero-width spaces and joiners, soft hyphens, variation selectors, bidi controls, …: invisible,
// so two addresses differing only in them look the same to a person.
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
// The full stops UTS #46 maps to "." (ideographic, fullwidth, halfwidth ideographic).
const DOTS = /[\u3002\uff0e\uff61]/g;

/** The domain as ASCII: lower case, no trailing dot, each non-ASCII label in IDNA Punycode. */
function asciiDomain(domain: string): string {
  const labels = domain.toLowerCase().replace(DOTS, ".").replace(/\.+$/, "").split(".");
  const ascii = (label: string) => Array.from(label).every((char) => char.charCodeAt(0) < 0x80);
  return labels.map((label) => (ascii(label) ? label : `xn--${toPunycode(label)}`)).join(".");
}

/**
 * The one form an address is stored, looked up and compared in (README, "Account lifecycle"):
 * Unicode NFKC (fullwidth letters and ligatures become their plain forms), default-ignorable
 * code points removed (zero-width characters, soft hyphens), surrounding space trimmed, the
 * whole address lower-cased, and the domain without a trailing dot and in IDNA ASCII form
 * (`bücher.de` → `xn--bcher-kva.de`). Two addresses a person cannot tell apart normalize to
 * the same string, so uniqueness on the stored form refuses look-alikes. Idempotent.
 */
export function normalizeEmail(raw: string): string {
  const cleaned = raw.normalize("NFKC").replace(IGNORABLE, "").trim();
  const at = cleaned.lastIndexOf("@");
  if (at === -1) return cleaned.toLowerCase();
  return `${cleaned.slice(0, at).toLowerCase()}@${asciiDomain(cleaned.slice(at + 1))}`;
}

/** Checks an already normalized address; returns the issue or `undefined`. */
export function checkEmail(normalized: string, field = "email"): FieldIssue | undefined {
  if (normalized.length === 0) return { field, message: "is required" };
  if (normalized.length > MAX_LENGTH) return { field, message: `must be at most ${MAX_LENGTH} characters` };
  if (!SHAPE.test(normalized)) return { field, message: "must be a valid email address" };
  const domain = normalized.slice(normalized.lastIndexOf("@") + 1);
  if (!domain.split(".").every((label) => LABEL.test(label))) {
    return { field, message: "must be a valid email address" };
  }
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
