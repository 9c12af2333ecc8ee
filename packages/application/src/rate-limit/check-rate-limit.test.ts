import { DEFAULT_RATE_LIMIT_POLICY, type RateLimitCategory } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { FakeRateLimiter } from "../testing/index.js";
import { makeCheckRateLimit } from "./check-rate-limit.js";

function setup() {
  const limiter = new FakeRateLimiter();
  const refused: RateLimitCategory[] = [];
  const refusals = { record: (category: RateLimitCategory) => refused.push(category) };
  return { limiter, refused, check: makeCheckRateLimit({ limiter, policy: DEFAULT_RATE_LIMIT_POLICY, refusals }) };
}

describe("checkRateLimit", () => {
  it("counts login/register and refresh per client address, each in its own budget", async () => {
    const { limiter, check } = setup();
    const auth = await check({ route: "auth", clientIp: "203.0.113.7", userId: "u1" });
    await check({ route: "refresh", clientIp: "203.0.113.7", userId: null });
    expect(auth.rule).toEqual({ limit: 5, windowSeconds: 60 });
    expect([...limiter.counts.keys()]).toEqual(["auth:ip:203.0.113.7", "refresh:ip:203.0.113.7"]);
  });

  it("counts the API per user when signed in, per address with the anonymous budget otherwise", async () => {
    const { limiter, check } = setup();
    const signedIn = await check({ route: "api", clientIp: "203.0.113.7", userId: "u1" });
    const anonymous = await check({ route: "api", clientIp: "203.0.113.7", userId: null });
    const admin = await check({ route: "admin", clientIp: "203.0.113.7", userId: "u1" });
    expect([signedIn.rule.limit, anonymous.rule.limit, admin.rule.limit]).toEqual([100, 30, 60]);
    expect([...limiter.counts.keys()]).toEqual(["api:user:u1", "api_anonymous:ip:203.0.113.7", "admin:user:u1"]);
  });

  it("reports a refusal once the budget is spent, and counts each refusal (not each admission) by category", async () => {
    const { check, refused } = setup();
    const decisions = [];
    for (let i = 0; i < 6; i += 1)
      decisions.push(await check({ route: "auth", clientIp: "198.51.100.1", userId: null }));
    expect(decisions.map((d) => d.decision.allowed)).toEqual([true, true, true, true, true, false]);
    await check({ route: "api", clientIp: "198.51.100.1", userId: null });
    expect(refused).toEqual(["auth"]);
  });
});
