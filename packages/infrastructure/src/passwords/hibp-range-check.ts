import { createHash } from "node:crypto";
import type { PasswordScreen } from "@gatehouse/domain";

export interface HibpRangeCheckOptions {
  /** The range API's base; `/range/{first five hex digits}` is appended. */
  readonly url: string;
  readonly timeoutMs: number;
  /** Refuse the password when the check cannot answer (default: let it pass). */
  readonly failClosed: boolean;
  /** Told once per failed check (never the password or its hash). */
  readonly onUnavailable?: (reason: string) => void;
}

export const HIBP_RANGE_URL = "https://api.pwnedpasswords.com";

/**
 * The online k-anonymity check of Pwned Passwords: only the first five hex digits of the
 * password's SHA-1 leave the process, with `Add-Padding: true` so the answer's size does not
 * reveal the prefix's bucket; padded rows carry the count 0 and never match. A timeout, a
 * network error or a non-200 answer is "unavailable": the password passes (fail open) unless
 * `failClosed`, in which case it is refused as breached.
 */
export function makeHibpRangeCheck(options: HibpRangeCheckOptions): PasswordScreen {
  const base = options.url.replace(/\/+$/, "");
  return {
    refusesAs: "breached",
    async isRefused(password) {
      const digest = createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();
      const prefix = digest.slice(0, 5);
      const suffix = digest.slice(5);
      let body: string;
      try {
        const response = await fetch(`${base}/range/${prefix}`, {
          headers: { "Add-Padding": "true", "User-Agent": "gatehouse" },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        body = await response.text();
      } catch (error) {
        options.onUnavailable?.(error instanceof Error ? error.message : String(error));
        return options.failClosed;
      }
      return body.split("\n").some((line) => {
        const [hashSuffix = "", count = "0"] = line.trim().split(":");
        return hashSuffix.toUpperCase() === suffix && Number.parseInt(count, 10) > 0;
      });
    },
  };
}
