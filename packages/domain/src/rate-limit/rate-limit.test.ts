import { describe, expect, it } from "vitest";
import {
  DEFAULT_RATE_LIMIT_POLICY,
  DEVELOPMENT_RATE_LIMIT_POLICY,
  defaultRateLimitPolicy,
  describeWindow,
  rateLimitExceeded,
} from "./rate-limit.js";

describe("defaultRateLimitPolicy", () => {
  it("keeps the README's limits in production (auth: 5 per minute)", () => {
    expect(defaultRateLimitPolicy(true)).toBe(DEFAULT_RATE_LIMIT_POLICY);
    expect(DEFAULT_RATE_LIMIT_POLICY.auth).toEqual({ limit: 5, windowSeconds: 60 });
  });

  it("relaxes only the shared auth budget in development, to 30 per minute", () => {
    const development = defaultRateLimitPolicy(false);
    expect(development).toBe(DEVELOPMENT_RATE_LIMIT_POLICY);
    expect(development.auth).toEqual({ limit: 30, windowSeconds: 60 });
    expect({ ...development, auth: DEFAULT_RATE_LIMIT_POLICY.auth }).toEqual(DEFAULT_RATE_LIMIT_POLICY);
  });
});

describe("describeWindow", () => {
  it("names the window the way the 429 body does", () => {
    expect(describeWindow(60)).toBe("1 minute");
    expect(describeWindow(900)).toBe("15 minutes");
    expect(describeWindow(3600)).toBe("1 hour");
    expect(describeWindow(90)).toBe("90 seconds");
    expect(describeWindow(1)).toBe("1 second");
  });
});

describe("rateLimitExceeded", () => {
  it("carries retry_after, limit and window in the documented 429 shape", () => {
    const error = rateLimitExceeded(
      { allowed: false, limit: 5, remaining: 0, resetAt: 1_700_000_045, retryAfterSeconds: 45 },
      { limit: 5, windowSeconds: 60 },
    );
    expect(error.code).toBe("RATE_LIMIT_EXCEEDED");
    expect(error.message).toBe("Too many requests. Please try again later.");
    expect(error.details).toEqual({ retry_after: 45, limit: 5, window: "1 minute" });
  });
});
