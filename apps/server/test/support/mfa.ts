import { createHash } from "node:crypto";
import { base32Decode, hotp } from "@gatehouse/infrastructure";

type Json = Record<string, unknown>;

/** The 6-digit code an authenticator app shows for `secret` at `at` (RFC 6238, 30 s steps). */
export function totpCode(secret: string, at: Date): string {
  return hotp(base32Decode(secret), Math.floor(at.getTime() / 30_000));
}

/** The claims of a JWT, unverified (the server verified it; the test reads what it says). */
export function claimsOf(token: string): Json {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Json;
}

/** How handoff codes and other opaque secrets are stored: SHA-256 hex. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
