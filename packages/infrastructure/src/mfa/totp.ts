import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Totp } from "@gatehouse/domain";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const STEP_SECONDS = 30;
const DIGITS = 6;
/** RFC 6238's recommended tolerance: one step either side, for clock drift and typing time. */
const WINDOW = 1;

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index === -1) throw new Error("not base32");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP with SHA-1 and dynamic truncation, zero-padded to `digits`. */
export function hotp(key: Uint8Array, counter: number, digits = DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", key).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, "0");
}

/** RFC 6238 TOTP on node:crypto: SHA-1, 6 digits, 30 s steps, ±1 step window. */
export const totp: Totp = {
  newSecret: () => base32Encode(randomBytes(20)),
  keyUri({ secret, issuer, account }) {
    const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
    const query = new URLSearchParams({
      secret,
      issuer,
      algorithm: "SHA1",
      digits: String(DIGITS),
      period: String(STEP_SECONDS),
    });
    return `otpauth://totp/${label}?${query.toString()}`;
  },
  stepAt: (at) => Math.floor(at.getTime() / 1000 / STEP_SECONDS),
  matchingStep(secret, code, at) {
    if (!/^\d{6}$/.test(code)) return undefined;
    const key = base32Decode(secret);
    const presented = Buffer.from(code, "utf8");
    const current = totp.stepAt(at);
    let matched: number | undefined;
    // Every candidate is computed and compared, so the time taken says nothing about which matched.
    for (let step = current - WINDOW; step <= current + WINDOW; step += 1) {
      if (timingSafeEqual(Buffer.from(hotp(key, step), "utf8"), presented) && matched === undefined) matched = step;
    }
    return matched;
  },
};
