import { createHash, randomBytes } from "node:crypto";
import type { OpaqueTokens } from "@gatehouse/domain";

/** 32 random bytes, base64url for the client; SHA-256 hex at rest (README, "Endpoints"). */
export const opaqueTokens: OpaqueTokens = {
  generate() {
    const token = randomBytes(32).toString("base64url");
    return { token, hash: opaqueTokens.hash(token) };
  },
  hash: (token) => createHash("sha256").update(token, "utf8").digest("hex"),
};
