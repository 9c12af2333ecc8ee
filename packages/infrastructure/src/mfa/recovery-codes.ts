import { createHash, randomBytes } from "node:crypto";
import type { RecoveryCodes } from "@gatehouse/domain";
import { base32Encode } from "./totp.js";

/** What a code is compared as: upper case, no separators or spaces (users type them loosely). */
function canonical(code: string): string {
  return code.replace(/[\s-]/g, "").toUpperCase();
}

/**
 * 60 random bits per code (8 bytes, base32, cut to 12 characters) as `XXXX-XXXX-XXXX`; at that
 * entropy an unsalted SHA-256 cannot be reversed by guessing, so no slow hash is needed.
 */
export const recoveryCodes: RecoveryCodes = {
  newCode() {
    const raw = base32Encode(randomBytes(8)).slice(0, 12);
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
  },
  hash: (code) => createHash("sha256").update(canonical(code), "utf8").digest("hex"),
};
