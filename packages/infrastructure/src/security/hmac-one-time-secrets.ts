import { createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { OneTimeSecrets } from "@gatehouse/domain";

/**
 * Codes and link tokens from the CSPRNG, stored as HMAC-SHA256 under a key derived (HKDF) from
 * the server secret, so the database alone is not enough to test guesses offline.
 */
export function makeHmacOneTimeSecrets(serverSecret: string | Uint8Array): OneTimeSecrets {
  const key = Buffer.from(hkdfSync("sha256", serverSecret, "", "gatehouse one-time codes v1", 32));
  const hash = (secret: string) => createHmac("sha256", key).update(secret, "utf8").digest("hex");
  return {
    newCode: () => randomInt(0, 1_000_000).toString().padStart(6, "0"),
    newLinkToken: () => randomBytes(32).toString("base64url"),
    hash,
    matches(secret, stored) {
      const presented = Buffer.from(hash(secret), "hex");
      const expected = Buffer.from(stored, "hex");
      return presented.length === expected.length && timingSafeEqual(presented, expected);
    },
  };
}
